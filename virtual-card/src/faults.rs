//! Fault injection: a transport wrapper that fails the link or damages the response at APDU
//! number k, to prove every flow ends in a typed error and a safe PIN state whatever the link
//! does. Used by the test suite; available to apps for their own resilience tests.

use std::time::Duration;

use async_trait::async_trait;

use kazashi::transport::{LinkCapabilities, Transport, TransportError};

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

/// When and how one fault strikes: at APDU number `at` (0-based, counted from the plan's
/// creation), once. Shared by [`FaultyTransport`] and by transports that cannot wrap another
/// one (the bindings' virtual card).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultPlan {
    at: usize,
    fault: Fault,
    sent: usize,
}

impl FaultPlan {
    /// `fault` at APDU `at`.
    pub fn new(at: usize, fault: Fault) -> Self {
        Self { at, fault, sent: 0 }
    }

    /// Whether the fault has struck.
    pub fn injected(&self) -> bool {
        self.sent > self.at
    }

    /// Counts one command about to go out. `Err` when it must not reach the card (the tag is
    /// lost before delivery); `Ok(Some(fault))` when the response must go through
    /// [`FaultPlan::damage`]; `Ok(None)` for an untouched exchange.
    ///
    /// # Errors
    ///
    /// The planned [`TransportError`] when the fault strikes before the command reaches the card.
    pub fn before_delivery(&mut self) -> Result<Option<Fault>, TransportError> {
        let index = self.sent;
        self.sent += 1;
        match self.fault {
            _ if index != self.at => Ok(None),
            Fault::TagLostBeforeDelivery => Err(TransportError::TagLost),
            fault => Ok(Some(fault)),
        }
    }

    /// What the link makes of a response the card gave, under `fault`.
    ///
    /// # Errors
    ///
    /// The planned [`TransportError`] for a fault that loses the response.
    pub fn damage(fault: Fault, mut response: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        match fault {
            Fault::TagLostBeforeDelivery | Fault::TagLostAfterDelivery => {
                Err(TransportError::TagLost)
            }
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
        }
    }
}

/// Wraps a transport and injects `fault` at APDU number `at` (0-based), once.
pub struct FaultyTransport<T> {
    inner: T,
    plan: FaultPlan,
}

impl<T: Transport> FaultyTransport<T> {
    /// Injects `fault` at APDU `at`.
    pub fn new(inner: T, at: usize, fault: Fault) -> Self {
        Self {
            inner,
            plan: FaultPlan::new(at, fault),
        }
    }

    /// Whether the fault has been injected.
    pub fn injected(&self) -> bool {
        self.plan.injected()
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
        let fault = self.plan.before_delivery()?;
        let response = self.inner.transmit(command).await?;
        match fault {
            Some(fault) => FaultPlan::damage(fault, response),
            None => Ok(response),
        }
    }
}
