//! One command in, one response out, with the bookkeeping every flow needs: encoding for the
//! link's capabilities, `61xx` / `6Cxx` recovery, APDU and byte counts, and logging that never
//! shows a PIN or personal data.

use crate::apdu::{ApduError, Command, Response};
use crate::ins;
use crate::transport::{LinkCapabilities, Transport, TransportError};

/// What can go wrong moving one command and its response, before any application gives the
/// status word a meaning.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The link failed (tag lost, timeout, I/O). Nothing was retried.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The command cannot be encoded for this link.
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// The encoded command is larger than the link carries; nothing was sent.
    #[error("{operation} needs a {len}-byte APDU; this link carries at most {max}")]
    TooLargeForLink {
        /// What we asked for.
        operation: &'static str,
        /// Bytes of the encoded command.
        len: usize,
        /// The link's largest APDU.
        max: usize,
    },
    /// The response is not a response APDU, or GET RESPONSE never ends.
    #[error("unexpected response from the card to {operation}: {reason}")]
    MalformedResponse {
        /// What we asked for.
        operation: &'static str,
        /// What was wrong.
        reason: String,
    },
}

impl ChannelError {
    fn malformed(operation: &'static str, reason: impl Into<String>) -> Self {
        ChannelError::MalformedResponse {
            operation,
            reason: reason.into(),
        }
    }
}

/// Result alias for the channel.
pub type Result<T, E = ChannelError> = std::result::Result<T, E>;

/// Round trips and bytes, counted on the air.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApduStats {
    /// Command/response pairs exchanged.
    pub apdus: u32,
    /// Command bytes sent.
    pub bytes_sent: u64,
    /// Response bytes received (data and status words).
    pub bytes_received: u64,
}

impl ApduStats {
    /// The exchanges between `earlier` and `self`.
    pub fn since(&self, earlier: ApduStats) -> ApduStats {
        ApduStats {
            apdus: self.apdus - earlier.apdus,
            bytes_sent: self.bytes_sent - earlier.bytes_sent,
            bytes_received: self.bytes_received - earlier.bytes_received,
        }
    }
}

/// How many `61xx` continuations one command may take before we call the card broken. 256
/// continuations of 256 bytes cover the largest response an extended APDU can ask for.
const MAX_GET_RESPONSE_ROUNDS: usize = 256;

/// A transport plus the APDU-level rules shared by every flow.
pub struct Channel<T> {
    transport: T,
    capabilities: LinkCapabilities,
    stats: ApduStats,
}

impl<T: Transport> Channel<T> {
    /// Wraps a transport, reading its capabilities once.
    pub fn new(transport: T) -> Self {
        let capabilities = transport.capabilities();
        Self {
            transport,
            capabilities,
            stats: ApduStats::default(),
        }
    }

    /// What the link carries.
    pub fn capabilities(&self) -> LinkCapabilities {
        self.capabilities
    }

    /// Stops using extended length for the rest of the session: the link or card refused it
    /// (`6700` to an extended READ BINARY) although it was reported as supported.
    pub fn use_short_apdus(&mut self) {
        if self.capabilities.extended_length {
            log::debug!("extended length refused: short APDUs from now on");
            self.capabilities.extended_length = false;
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> ApduStats {
        self.stats
    }

    /// The transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Borrows the transport.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Sends one command; returns the final response whatever its status word, after following
    /// `61xx` with GET RESPONSE and `6Cxx` with one re-send at the right Le.
    ///
    /// Only a command with an Le can have a wrong one, and a command carrying a PIN is never
    /// re-sent (the card may have counted the attempt): for those, `6Cxx` is returned as it is.
    ///
    /// # Errors
    ///
    /// [`ChannelError::Transport`] when the link fails (nothing is retried),
    /// [`ChannelError::Apdu`] / [`ChannelError::TooLargeForLink`] when the command cannot be sent
    /// on this link, [`ChannelError::MalformedResponse`] for a response without a status word or an
    /// endless GET RESPONSE chain.
    pub async fn exchange(
        &mut self,
        command: &Command,
        operation: &'static str,
    ) -> Result<Response> {
        let mut response = self.round_trip(command, operation).await?;
        if response.sw().sw1() == 0x6C && command.ne().is_some() && !command.carries_secret() {
            // "Wrong Le; SW2 is the right one": re-send once with the length the card asked for.
            let ne = match response.sw().sw2() {
                0 => 256,
                n => n as usize,
            };
            let resent = command.clone().with_ne(ne);
            response = self.round_trip(&resent, operation).await?;
        }
        let mut data = Vec::new();
        let mut rounds = 0;
        while response.sw().sw1() == 0x61 {
            rounds += 1;
            if rounds > MAX_GET_RESPONSE_ROUNDS {
                return Err(ChannelError::malformed(
                    operation,
                    "endless GET RESPONSE chain",
                ));
            }
            data.extend_from_slice(response.data());
            let ne = match response.sw().sw2() {
                0 => 256,
                n => n as usize,
            };
            let get_response = Command::new(0x00, ins::GET_RESPONSE, 0x00, 0x00).with_ne(ne);
            response = self.round_trip(&get_response, operation).await?;
        }
        if !data.is_empty() {
            data.extend_from_slice(response.data());
            response = Response::new(data, response.sw());
        }
        Ok(response)
    }

    async fn round_trip(&mut self, command: &Command, operation: &'static str) -> Result<Response> {
        let encoded = command.encode(self.capabilities.extended_length)?;
        if encoded.len() > self.capabilities.max_transceive_length {
            return Err(ChannelError::TooLargeForLink {
                operation,
                len: encoded.len(),
                max: self.capabilities.max_transceive_length,
            });
        }
        log_command(command, operation);
        self.stats.apdus += 1;
        self.stats.bytes_sent += encoded.len() as u64;
        let raw = self.transport.transmit(&encoded).await?;
        self.stats.bytes_received += raw.len() as u64;
        let response = Response::decode(&raw)
            .map_err(|e| ChannelError::malformed(operation, e.to_string()))?;
        log::debug!(
            "< {} bytes, SW {} ({})",
            response.data().len(),
            response.sw(),
            response.sw().meaning()
        );
        Ok(response)
    }
}

/// Logs the header and lengths; data only for SELECT, whose data is a public identifier.
fn log_command(command: &Command, operation: &'static str) {
    if !log::log_enabled!(log::Level::Debug) {
        return;
    }
    let header = format!(
        "{:02X} {:02X} {:02X} {:02X}",
        command.cla, command.ins, command.p1, command.p2
    );
    let detail = if command.ins == ins::SELECT {
        hex::encode_upper(command.data())
    } else if command.carries_secret() {
        "[secret withheld]".to_string()
    } else {
        format!("Nc={}", command.data().len())
    };
    log::debug!("> {operation}: {header} {detail} Ne={:?}", command.ne());
}

#[cfg(test)]
pub(crate) mod scripted {
    //! A transport that answers from a script, for testing the channel and the flows against
    //! responses a well-behaved card would never give.
    use super::*;
    use async_trait::async_trait;
    use std::collections::VecDeque;

    pub struct Scripted {
        pub capabilities: LinkCapabilities,
        pub answers: VecDeque<Result<Vec<u8>, TransportError>>,
        pub sent: Vec<Vec<u8>>,
    }

    impl Scripted {
        pub fn new(answers: Vec<Result<Vec<u8>, TransportError>>) -> Self {
            Self {
                capabilities: LinkCapabilities::EXTENDED,
                answers: answers.into(),
                sent: Vec::new(),
            }
        }
    }

    #[async_trait]
    impl Transport for Scripted {
        fn capabilities(&self) -> LinkCapabilities {
            self.capabilities
        }
        async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.sent.push(command.to_vec());
            self.answers
                .pop_front()
                .unwrap_or(Err(TransportError::TagLost))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::scripted::Scripted;
    use super::*;
    use crate::apdu::StatusWord;

    fn block<F: std::future::Future>(f: F) -> F::Output {
        pollster::block_on(f)
    }

    #[test]
    fn follows_get_response_chains() {
        let mut channel = Channel::new(Scripted::new(vec![
            Ok(vec![1, 2, 0x61, 0x03]),
            Ok(vec![3, 4, 5, 0x61, 0x00]),
            Ok(vec![6, 0x90, 0x00]),
        ]));
        let read = Command::new(0, 0xB0, 0, 0).with_ne(256);
        let data = block(channel.exchange(&read, "READ BINARY")).unwrap();
        assert!(data.sw().is_success());
        assert_eq!(data.data(), [1, 2, 3, 4, 5, 6]);
        let sent = &channel.transport_mut().sent;
        assert_eq!(sent[1], vec![0x00, 0xC0, 0x00, 0x00, 0x03]);
        assert_eq!(sent[2], vec![0x00, 0xC0, 0x00, 0x00, 0x00]);
        assert_eq!(channel.stats().apdus, 3);
    }

    #[test]
    fn resends_once_with_the_le_the_card_asks_for() {
        let mut channel = Channel::new(Scripted::new(vec![
            Ok(vec![0x6C, 0x10]),
            Ok(vec![0xAB; 16].into_iter().chain([0x90, 0x00]).collect()),
        ]));
        let read = Command::new(0, 0xB0, 0, 0).with_ne(4);
        let data = block(channel.exchange(&read, "READ BINARY")).unwrap();
        assert_eq!(data.data().len(), 16);
        assert_eq!(channel.transport_mut().sent[1], vec![0, 0xB0, 0, 0, 0x10]);
    }

    /// Found by the `card_responses` fuzz target: a card answering `6Cxx` to VERIFY got the PIN
    /// a second time, with an Le added.
    #[test]
    fn never_resends_a_pin_or_a_command_without_le_on_6cxx() {
        let verify = Command::new(0, 0x20, 0, 0x80).with_secret_data(b"1234".to_vec());
        let query = Command::new(0, 0x20, 0, 0x80);
        for command in [verify, query] {
            let mut channel = Channel::new(Scripted::new(vec![
                Ok(vec![0x6C, 0x2E]),
                Ok(vec![0x90, 0x00]),
            ]));
            let response = block(channel.exchange(&command, "VERIFY")).unwrap();
            assert_eq!(response.sw(), StatusWord(0x6C2E));
            assert_eq!(channel.transport_mut().sent.len(), 1);
        }
    }

    #[test]
    fn endless_get_response_is_an_error_not_a_hang() {
        let answers = (0..300).map(|_| Ok(vec![0x61, 0x01, 0x61, 0x01])).collect();
        let mut channel = Channel::new(Scripted::new(answers));
        let err =
            block(channel.exchange(&Command::new(0, 0xB0, 0, 0).with_ne(1), "READ")).unwrap_err();
        assert!(
            matches!(err, ChannelError::MalformedResponse { .. }),
            "{err}"
        );
    }

    #[test]
    fn missing_status_word_and_link_failures_are_typed() {
        let mut channel = Channel::new(Scripted::new(vec![
            Ok(vec![0x90]),
            Err(TransportError::Timeout),
        ]));
        let cmd = Command::new(0, 0xA4, 4, 0x0C).with_data(vec![1]);
        assert!(matches!(
            block(channel.exchange(&cmd, "SELECT")),
            Err(ChannelError::MalformedResponse { .. })
        ));
        assert_eq!(
            block(channel.exchange(&cmd, "SELECT")),
            Err(ChannelError::Transport(TransportError::Timeout))
        );
    }

    #[test]
    fn refuses_apdus_larger_than_the_link() {
        let mut transport = Scripted::new(vec![]);
        transport.capabilities = LinkCapabilities {
            extended_length: true,
            max_transceive_length: 100,
        };
        let mut channel = Channel::new(transport);
        let cmd = Command::new(0, 0x2A, 0, 0).with_data(vec![0; 200]);
        assert!(matches!(
            block(channel.exchange(&cmd, "SIGN")),
            Err(ChannelError::TooLargeForLink { .. })
        ));
        assert_eq!(channel.stats().apdus, 0);
    }
}
