//! Fault injection: a transport wrapper that fails the link or damages the response at APDU
//! number k, to prove every flow ends in a typed error and a safe PIN state whatever the link
//! does. Used by the test suite; available to apps for their own resilience tests.

use std::time::Duration;

use async_trait::async_trait;

use crate::transport::{LinkCapabilities, Transport, TransportError};

/// What happens at the chosen APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The tag is lost before the command reaches the card.
    TagLostBeforeDelivery,
    /// The card processes the command, then the tag is lost before the response arrives (the
    /// case where a VERIFY may have been counted).
    TagLostAfterDelivery,
    /// The card processes the command; the response never comes.
    Timeout,
    /// The response arrives with one byte altered (the first data byte, or SW1 when there is
    /// no data).
    Corrupt,
    /// The response arrives one byte short.
    Truncate,
    /// The response arrives late (the link blocks for the given time).
    Delay(Duration),
}

impl Fault {
    /// Every kind, with a short delay.
    pub const ALL: [Fault; 6] = [
        Fault::TagLostBeforeDelivery,
        Fault::TagLostAfterDelivery,
        Fault::Timeout,
        Fault::Corrupt,
        Fault::Truncate,
        Fault::Delay(Duration::from_millis(1)),
    ];
}

/// Wraps a transport and injects `fault` at APDU number `at` (0-based), once.
pub struct FaultyTransport<T> {
    inner: T,
    at: usize,
    fault: Fault,
    sent: usize,
}

impl<T: Transport> FaultyTransport<T> {
    /// Injects `fault` at APDU `at`.
    pub fn new(inner: T, at: usize, fault: Fault) -> Self {
        Self {
            inner,
            at,
            fault,
            sent: 0,
        }
    }

    /// Whether the fault has been injected.
    pub fn injected(&self) -> bool {
        self.sent > self.at
    }

    /// The wrapped transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

#[async_trait]
impl<T: Transport> Transport for FaultyTransport<T> {
    fn capabilities(&self) -> LinkCapabilities {
        self.inner.capabilities()
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let index = self.sent;
        self.sent += 1;
        if index != self.at {
            return self.inner.transmit(command).await;
        }
        if self.fault == Fault::TagLostBeforeDelivery {
            return Err(TransportError::TagLost);
        }
        let mut response = self.inner.transmit(command).await?;
        match self.fault {
            Fault::TagLostAfterDelivery => Err(TransportError::TagLost),
            Fault::Timeout => Err(TransportError::Timeout),
            Fault::Corrupt => {
                let i = if response.len() > 2 {
                    0
                } else {
                    response.len().saturating_sub(2)
                };
                if let Some(byte) = response.get_mut(i) {
                    *byte ^= 0x5A;
                }
                Ok(response)
            }
            Fault::Truncate => {
                response.pop();
                Ok(response)
            }
            Fault::Delay(d) => {
                std::thread::sleep(d);
                Ok(response)
            }
            Fault::TagLostBeforeDelivery => unreachable!("handled above"),
        }
    }
}
