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
        "the exchange with the card was cut off while it was checking your {pin}: the attempt may \
         have been counted. \
         Tap again to see the attempts left; nothing was re-sent ({cause})"
    )]
    PinCheckInterrupted {
        /// Which PIN was being checked.
        pin: PinKind,
        /// What the link reported.
        cause: TransportError,
    },

    /// The link failed after CHANGE REFERENCE DATA was sent: the card may have stored the new
    /// PIN or kept the old one. Never retried; the user must learn which before entering one.
    #[error(
        "the exchange with the card was cut off while it was changing your {pin}: it may now hold \
         either your old or your new \
         {pin}. Tap again to see the attempts left, then enter the old one; if it is refused, \
         the change went through and the new one is on the card ({cause})"
    )]
    PinChangeInterrupted {
        /// Which PIN was being changed.
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

    /// Data the card returned does not match its integrity record, or the record's signature
    /// chain is broken. The data was discarded.
    #[error(
        "the card's {what} failed its integrity check: {reason}. The data was discarded: the \
         card may be damaged or altered"
    )]
    IntegrityCheckFailed {
        /// Which file or record.
        what: &'static str,
        /// What did not hold.
        reason: &'static str,
    },

    /// The card has no such application (phone tokens carry only JPKI).
    #[error("this card has no {application} application: use a My Number Card, not a phone")]
    ApplicationNotFound {
        /// Which application.
        application: &'static str,
    },
}

/// Declares [`ErrorKind`] from one list: each kind with its stable name (CLI JSON, logs) and
/// what the user should do. The bindings mirror this list (`kazashi-ffi`'s `ErrorKind`, checked
/// by an exhaustive match), so a kind added here fails their build until it is exported.
macro_rules! error_kinds {
    ($($(#[$doc:meta])* $kind:ident = $name:literal, $action:literal;)*) => {
        /// What kind of failure an [`Error`] is: what an app or a script reacts to. Not
        /// `#[non_exhaustive]` on purpose: code that matches on it should learn of a new kind
        /// from the compiler.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorKind {
            $($(#[$doc])* $kind,)*
        }

        impl ErrorKind {
            /// Every kind, in the order of the list.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind,)*];

            /// A stable kebab-case name (`"wrong-pin"`).
            pub fn name(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => $name,)*
                }
            }

            /// What the user should do next, in general; [`Error::action`] adds the specifics
            /// (which PIN, where to unlock it).
            pub fn action(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => $action,)*
                }
            }
        }
    };
}

error_kinds! {
    /// The card left the field; nothing was retried.
    TagLost = "tag-lost", "Hold the card still against the reader and tap again.";
    /// The card did not answer in time.
    Timeout = "timeout", "Hold the card still against the reader and tap again.";
    /// Another link failure (reader I/O, the app's transceiver, an APDU the link cannot carry).
    Link = "link", "Tap again; if it keeps failing, try another reader or restart NFC.";
    /// The link failed while the card checked a PIN: the attempt may have been counted.
    PinCheckInterrupted = "pin-check-interrupted",
        "Tap again to see the attempts left before entering the PIN again.";
    /// The link failed during a PIN change: the card holds the old or the new PIN.
    PinChangeInterrupted = "pin-change-interrupted",
        "Tap again to see the attempts left; then try the old PIN, and the new one if it is refused.";
    /// The PIN is malformed; nothing was sent.
    InvalidPinFormat = "invalid-pin-format", "Check the PIN's format and enter it again.";
    /// The card rejected the PIN; attempts remain.
    WrongPin = "wrong-pin", "Check the PIN and try again.";
    /// The PIN is locked.
    PinBlocked = "pin-locked", "Unlock it at your municipal office (市区町村の窓口).";
    /// One attempt left and the caller did not confirm it; nothing was sent.
    LastAttemptNotConfirmed = "last-attempt-not-confirmed",
        "Make sure of the PIN, then confirm using the last attempt.";
    /// The card reported no count and the caller did not confirm; nothing was sent.
    AttemptsNotReported = "attempts-not-reported",
        "Make sure of the PIN, then confirm trying it: a wrong entry may lock it.";
    /// The card needs a PIN for this.
    PinRequired = "pin-required", "Enter the PIN and try again.";
    /// The card has no signing certificate.
    NoSigningCertificate = "no-signing-certificate",
        "Ask your municipal office about the signing certificate (署名用電子証明書).";
    /// Not a JPKI card.
    NotJpkiCard = "not-jpki-card", "Use a My Number Card (マイナンバーカード).";
    /// The card answered a status word the flow cannot continue from.
    CardStatus = "card-status", "Tap again; if it persists, the card may need checking.";
    /// The card's response was malformed.
    MalformedResponse = "malformed-response",
        "Tap again; if it persists, the card or reader may be faulty.";
    /// A certificate could not be parsed or used.
    Certificate = "certificate", "The card's certificate cannot be used; ask your municipal office.";
    /// The card's signature did not verify; it was discarded.
    SignatureMismatch = "signature-mismatch",
        "Try again; if it persists, the card may be faulty.";
    /// The caller's input is unusable.
    InvalidInput = "invalid-input", "Correct the input and try again.";
    /// The card's data failed its integrity check and was discarded.
    IntegrityCheckFailed = "integrity-check-failed",
        "Do not rely on this card's data; have the card checked at your municipal office.";
    /// The card has no such application.
    ApplicationNotFound = "application-not-found",
        "Use a My Number Card: phone tokens carry only the electronic certificates.";
}

impl Error {
    /// The kind of failure, for code that reacts to it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Transport(TransportError::TagLost) => ErrorKind::TagLost,
            Error::Transport(TransportError::Timeout) => ErrorKind::Timeout,
            Error::Transport(_) | Error::Apdu(_) => ErrorKind::Link,
            Error::PinCheckInterrupted { .. } => ErrorKind::PinCheckInterrupted,
            Error::PinChangeInterrupted { .. } => ErrorKind::PinChangeInterrupted,
            Error::PinFormat(_) => ErrorKind::InvalidPinFormat,
            Error::WrongPin { .. } => ErrorKind::WrongPin,
            Error::PinBlocked { .. } => ErrorKind::PinBlocked,
            Error::LastAttemptNotConfirmed { .. } => ErrorKind::LastAttemptNotConfirmed,
            Error::AttemptsNotReported { .. } => ErrorKind::AttemptsNotReported,
            Error::PinRequired { .. } => ErrorKind::PinRequired,
            Error::NoSigningCertificate => ErrorKind::NoSigningCertificate,
            Error::NotJpkiCard => ErrorKind::NotJpkiCard,
            Error::CardStatus { .. } => ErrorKind::CardStatus,
            Error::MalformedResponse { .. } => ErrorKind::MalformedResponse,
            Error::Certificate { .. } => ErrorKind::Certificate,
            Error::SignatureMismatch => ErrorKind::SignatureMismatch,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::IntegrityCheckFailed { .. } => ErrorKind::IntegrityCheckFailed,
            Error::ApplicationNotFound { .. } => ErrorKind::ApplicationNotFound,
        }
    }

    /// What the user should do next: the kind's advice, made specific where the error knows
    /// more (where to unlock a locked signing password).
    pub fn action(&self) -> String {
        match self {
            Error::PinBlocked { pin, .. } => {
                let advice = pin.unlock_advice();
                let mut chars = advice.chars();
                match chars.next() {
                    Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
                    None => String::new(),
                }
            }
            other => other.kind().action().to_string(),
        }
    }

    /// Which PIN the error is about, if any.
    pub fn pin(&self) -> Option<PinKind> {
        match self {
            Error::PinCheckInterrupted { pin, .. }
            | Error::PinChangeInterrupted { pin, .. }
            | Error::WrongPin { pin, .. }
            | Error::PinBlocked { pin, .. }
            | Error::LastAttemptNotConfirmed { pin }
            | Error::AttemptsNotReported { pin }
            | Error::PinRequired { pin } => Some(*pin),
            Error::PinFormat(format) => Some(format.pin()),
            _ => None,
        }
    }

    /// Whether the entry just made locked the PIN ([`ErrorKind::PinBlocked`] only).
    pub fn locked_by_this_attempt(&self) -> bool {
        matches!(
            self,
            Error::PinBlocked {
                by_this_attempt: true,
                ..
            }
        )
    }

    /// The status word the card answered, for [`ErrorKind::CardStatus`].
    pub fn status_word(&self) -> Option<StatusWord> {
        match self {
            Error::CardStatus { sw, .. } => Some(*sw),
            _ => None,
        }
    }

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

/// A log-in request the app cannot use is bad input: nothing was sent to the card.
impl From<kazashi_login::LoginFormatError> for Error {
    fn from(e: kazashi_login::LoginFormatError) -> Self {
        Error::InvalidInput {
            reason: e.to_string(),
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

    #[test]
    fn every_kind_has_a_distinct_name_and_an_action() {
        let mut names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        assert!(ErrorKind::ALL.iter().all(|k| k.action().ends_with('.')));
        let locked = Error::PinBlocked {
            pin: PinKind::Signing,
            by_this_attempt: false,
        };
        assert_eq!(locked.kind(), ErrorKind::PinBlocked);
        assert!(locked
            .action()
            .starts_with("Reset it at your municipal office"));
        assert!(locked.action().contains("kiosk"));
        let wrong = Error::WrongPin {
            pin: PinKind::Authentication,
            attempts_left: 2,
        };
        assert_eq!(wrong.pin(), Some(PinKind::Authentication));
        assert_eq!(wrong.kind().name(), "wrong-pin");
        assert_eq!(
            Error::Transport(TransportError::Io { reason: "x".into() }).kind(),
            ErrorKind::Link
        );
    }
}
