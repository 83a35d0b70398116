//! The one error type of the protocol engine. Every variant says what happened and, where the
//! user can act, what to do; none carries a PIN or personal data.

use crate::apdu::{ApduError, StatusWord};
use crate::channel::ChannelError;
use crate::pin::{PinFormatError, PinKind};
use crate::transport::TransportError;
use kazashi_certificate::CertificateError;

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to a JPKI card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The link failed (tag lost, timeout, I/O). Nothing was retried.
    #[error(transparent)]
    Transport(#[from] TransportError),

    /// The link failed while the card was checking a PIN: the attempt may or may not have been
    /// counted, so it is never re-sent automatically.
    #[error(
        "the card was lost while checking your {pin}: the attempt may have been counted. \
         Tap again to see the attempts left; nothing was re-sent ({cause})"
    )]
    PinCheckInterrupted {
        /// Which PIN was being checked.
        pin: PinKind,
        /// What the link reported.
        cause: TransportError,
    },

    /// The PIN is malformed; no APDU was sent.
    #[error("{0}")]
    PinFormat(#[from] PinFormatError),

    /// The card rejected the PIN and attempts remain.
    #[error("{pin} incorrect: {attempts_left} attempt{} left", if *attempts_left == 1 { "" } else { "s" })]
    WrongPin {
        /// Which PIN.
        pin: PinKind,
        /// Attempts left before it locks.
        attempts_left: u8,
    },

    /// The PIN is locked. When `by_this_attempt` is true, the entry just made was wrong and used
    /// the last attempt; otherwise it was already locked and no VERIFY was sent.
    #[error(
        "{}{pin} is locked: {}",
        if *by_this_attempt { "incorrect, and that was the last attempt. The " } else { "the " },
        pin.unlock_advice()
    )]
    PinBlocked {
        /// Which PIN.
        pin: PinKind,
        /// Whether this very entry locked it.
        by_this_attempt: bool,
    },

    /// One attempt is left and the caller did not confirm using it; no VERIFY was sent.
    #[error(
        "only one attempt is left for your {pin}; a wrong entry locks it. \
         Check it and confirm explicitly to use the last attempt"
    )]
    LastAttemptNotConfirmed {
        /// Which PIN.
        pin: PinKind,
    },

    /// The card answered the retry query without a count, so the next wrong entry may lock
    /// the PIN, and the caller did not confirm trying anyway; no VERIFY was sent.
    #[error(
        "the card did not say how many attempts your {pin} has left; a wrong entry may lock \
         it. Check it and confirm explicitly to try"
    )]
    AttemptsNotReported {
        /// Which PIN.
        pin: PinKind,
    },

    /// The operation needs a PIN that was not given (e.g. the phone token's authentication
    /// certificate, which is readable only after the authentication PIN).
    #[error("the card requires the {pin} for this; enter it and try again")]
    PinRequired {
        /// Which PIN the card wants.
        pin: PinKind,
    },

    /// The card has no signing certificate (holders under 15 get none).
    #[error(
        "this card has no signing certificate (署名用電子証明書): cards of holders under 15 \
         carry none, and it may not have been issued or may have been revoked. Ask your \
         municipal office"
    )]
    NoSigningCertificate,

    /// The card has no JPKI application: not a My Number Card, or a card we cannot use.
    #[error("no JPKI application on this card: is it a My Number Card (マイナンバーカード)?")]
    NotJpkiCard,

    /// The card answered a status word the flow cannot continue from.
    #[error("the card answered {sw} ({}) to {operation}", sw.meaning())]
    CardStatus {
        /// The status word.
        sw: StatusWord,
        /// What we asked for.
        operation: &'static str,
    },

    /// The card's response does not have the shape the protocol requires.
    #[error("unexpected response from the card to {operation}: {reason}")]
    MalformedResponse {
        /// What we asked for.
        operation: &'static str,
        /// What was wrong.
        reason: String,
    },

    /// A certificate could not be parsed or is not a JPKI certificate.
    #[error("certificate not usable: {reason}")]
    Certificate {
        /// What was wrong.
        reason: String,
    },

    /// The signature the card returned does not verify against its certificate. It is never
    /// handed out.
    #[error(
        "the card's signature does not verify against its certificate; it was discarded. \
         Try again, and if it persists the card may be faulty"
    )]
    SignatureMismatch,

    /// The caller's input is unusable (empty challenge, wrong digest length, SHA-1 without
    /// opt-in...).
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What was wrong.
        reason: String,
    },

    /// A command could not be encoded for this link.
    #[error(transparent)]
    Apdu(#[from] ApduError),
}

impl Error {
    /// The attempts left after a wrong PIN, if this error says so.
    pub fn attempts_left(&self) -> Option<u8> {
        match self {
            Error::WrongPin { attempts_left, .. } => Some(*attempts_left),
            Error::PinBlocked { .. } => Some(0),
            _ => None,
        }
    }

    pub(crate) fn malformed(operation: &'static str, reason: impl Into<String>) -> Self {
        Error::MalformedResponse {
            operation,
            reason: reason.into(),
        }
    }
}

impl From<ChannelError> for Error {
    fn from(e: ChannelError) -> Self {
        match e {
            ChannelError::Transport(cause) => Error::Transport(cause),
            ChannelError::Apdu(cause) => Error::Apdu(cause),
            ChannelError::MalformedResponse { operation, reason } => {
                Error::MalformedResponse { operation, reason }
            }
            too_large @ ChannelError::TooLargeForLink { .. } => Error::InvalidInput {
                reason: too_large.to_string(),
            },
            // ChannelError is non-exhaustive: a failure this version does not know is still
            // reported, as a malformed exchange.
            other => Error::MalformedResponse {
                operation: "the exchange",
                reason: other.to_string(),
            },
        }
    }
}

impl From<CertificateError> for Error {
    fn from(e: CertificateError) -> Self {
        match e {
            CertificateError::Unusable { reason } => Error::Certificate { reason },
            CertificateError::SignatureMismatch => Error::SignatureMismatch,
            CertificateError::InvalidInput { reason } => Error::InvalidInput { reason },
            other => Error::Certificate {
                reason: other.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_happened_and_what_to_do() {
        let wrong = Error::WrongPin {
            pin: PinKind::Authentication,
            attempts_left: 2,
        };
        assert_eq!(
            wrong.to_string(),
            "authentication PIN incorrect: 2 attempts left"
        );
        let one = Error::WrongPin {
            pin: PinKind::Signing,
            attempts_left: 1,
        };
        assert_eq!(
            one.to_string(),
            "signing password incorrect: 1 attempt left"
        );
        let locked_now = Error::PinBlocked {
            pin: PinKind::Authentication,
            by_this_attempt: true,
        }
        .to_string();
        assert!(locked_now.starts_with("incorrect, and that was the last attempt"));
        assert!(locked_now.contains("municipal office"));
        let locked = Error::PinBlocked {
            pin: PinKind::Signing,
            by_this_attempt: false,
        }
        .to_string();
        assert!(locked.starts_with("the signing password is locked"));
        assert!(locked.contains("kiosk"));
        let sw = Error::CardStatus {
            sw: StatusWord(0x6A86),
            operation: "SELECT",
        };
        assert_eq!(
            sw.to_string(),
            "the card answered 6A86 (incorrect parameters P1-P2) to SELECT"
        );
    }
}
