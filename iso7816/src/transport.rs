//! The one thing a platform must provide: a way to exchange APDU bytes with the card.
//!
//! Android's `IsoDep`, iOS Core NFC, a PC/SC reader and the virtual card (`kazashi-virtual-card`)
//! all fit behind [`Transport`]. The trait is `async` so that a Kotlin `suspend` function or a
//! Swift `async throws` method can implement it without parking a UI thread; a blocking backend
//! simply does its work inside the future.

use async_trait::async_trait;

/// What the link between this library and the card can carry.
///
/// Android reports both values (`IsoDep.isExtendedLengthApduSupported()` and
/// `getMaxTransceiveLength()`); PC/SC readers vary; Core NFC accepts extended Le.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkCapabilities {
    /// Whether extended-length APDUs (Lc or Le above the short limits) get through.
    pub extended_length: bool,
    /// The largest APDU, in bytes, the link carries in either direction (header and status
    /// word included). Android's default is 261, a short APDU.
    pub max_transceive_length: usize,
}

impl LinkCapabilities {
    /// A link that carries short APDUs only (256-byte responses).
    pub const SHORT_ONLY: Self = Self {
        extended_length: false,
        max_transceive_length: 261,
    };

    /// A link that carries extended APDUs of any size the card supports.
    pub const EXTENDED: Self = Self {
        extended_length: true,
        max_transceive_length: 65_546,
    };

    /// The most response data one command may ask for on this link.
    pub fn max_response_data(&self) -> usize {
        let room = self.max_transceive_length.saturating_sub(2);
        let protocol_limit = if self.extended_length { 65_536 } else { 256 };
        room.clamp(1, protocol_limit)
    }
}

/// A failure of the link itself, as opposed to a status word from the card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The card left the field (Android `TagLostException`, Core NFC "tag connection lost").
    #[error("the card moved away from the reader (tag lost): hold it still and tap again")]
    TagLost,
    /// The card did not answer in time.
    #[error("the card did not answer in time: hold it still against the reader and try again")]
    Timeout,
    /// Any other I/O failure, with the platform's description.
    #[error("communication with the card failed: {reason}")]
    Io {
        /// What the platform reported.
        reason: String,
    },
    /// The app cancelled the operation (dropped its future) while a command was on its way;
    /// the card may or may not have acted on it.
    #[error("the app cancelled the operation before the card answered")]
    Cancelled,
}

/// Sends one command APDU and returns one response APDU (data followed by SW1 SW2).
///
/// Implementations move bytes and nothing else: no retries, no GET RESPONSE handling, no
/// interpretation. The protocol engine does the rest, so every platform behaves the same.
#[async_trait]
pub trait Transport: Send {
    /// What this link can carry.
    fn capabilities(&self) -> LinkCapabilities;

    /// Exchanges one APDU. `command` may contain a PIN: implementations must not log or keep it.
    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for &mut T {
    fn capabilities(&self) -> LinkCapabilities {
        (**self).capabilities()
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command).await
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    fn capabilities(&self) -> LinkCapabilities {
        (**self).capabilities()
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_room_follows_the_link() {
        assert_eq!(LinkCapabilities::SHORT_ONLY.max_response_data(), 256);
        assert_eq!(LinkCapabilities::EXTENDED.max_response_data(), 65_536);
        let android_default_but_extended = LinkCapabilities {
            extended_length: true,
            max_transceive_length: 261,
        };
        assert_eq!(android_default_but_extended.max_response_data(), 259);
        let tiny = LinkCapabilities {
            extended_length: false,
            max_transceive_length: 0,
        };
        assert_eq!(tiny.max_response_data(), 1);
    }
}
