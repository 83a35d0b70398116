//! Errors as Kotlin and Swift see them. A card flow fails with one shape, [`KazashiError::Failed`]:
//! the [`ErrorKind`] an app reacts to, the `reason` sentence (what happened), the `action`
//! sentence (what to do), and the typed facts that apply (which PIN, attempts left, the status
//! word). The kinds come from the core's one list (`kazashi::ErrorKind`). (No field is called
//! `message`: it would clash with Kotlin's `Throwable.message`.)

use kazashi::{Error, TransportError};

use crate::model::PinKind;

/// What a transceiver implementation throws. Kotlin: `NfcException.TagLost()` etc.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum NfcError {
    /// The tag left the field (Android `TagLostException`, Core NFC "tag connection lost").
    #[error("tag lost")]
    TagLost,
    /// No answer in time.
    #[error("timeout")]
    Timeout,
    /// Another I/O failure.
    #[error("I/O failure: {reason}")]
    Io {
        /// The platform's description.
        reason: String,
    },
    /// An exception the transceiver did not declare (a bug in app code); it arrives here
    /// instead of crashing the process.
    #[error("unexpected failure in the transceiver: {reason}")]
    Unexpected {
        /// The foreign exception, as text.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for NfcError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        NfcError::Unexpected { reason: e.reason }
    }
}

impl From<NfcError> for TransportError {
    fn from(e: NfcError) -> Self {
        match e {
            NfcError::TagLost => TransportError::TagLost,
            NfcError::Timeout => TransportError::Timeout,
            NfcError::Io { reason } => TransportError::Io { reason },
            NfcError::Unexpected { reason } => TransportError::Io {
                // The first line names the exception; the rest is a stack trace.
                reason: format!(
                    "the app's transceiver failed: {}",
                    reason.lines().next().unwrap_or_default()
                ),
            },
        }
    }
}

/// Mirrors `kazashi::ErrorKind` for the bindings: each variant is written once here with its
/// doc, and the conversion is an exhaustive match, so a kind added to the core fails this
/// build until it is exported.
macro_rules! mirror_error_kinds {
    ($($(#[$doc:meta])* $kind:ident,)*) => {
        /// What kind of failure a card flow ended in: what an app reacts to. Kotlin:
        /// `ErrorKind.WRONG_PIN`; Swift: `.wrongPin`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum ErrorKind {
            $($(#[$doc])* $kind,)*
        }

        impl From<kazashi::ErrorKind> for ErrorKind {
            fn from(kind: kazashi::ErrorKind) -> Self {
                match kind {
                    $(kazashi::ErrorKind::$kind => ErrorKind::$kind,)*
                }
            }
        }

        impl From<ErrorKind> for kazashi::ErrorKind {
            fn from(kind: ErrorKind) -> Self {
                match kind {
                    $(ErrorKind::$kind => kazashi::ErrorKind::$kind,)*
                }
            }
        }
    };
}

mirror_error_kinds! {
    /// The card left the field; nothing was retried.
    TagLost,
    /// The card did not answer in time.
    Timeout,
    /// Another link failure (including an exception in the app's transceiver).
    Link,
    /// The link failed while the card checked a PIN: the attempt may have been counted. Read
    /// the counter on the next tap; nothing was re-sent.
    PinCheckInterrupted,
    /// The link failed during a PIN change: the card holds the old or the new PIN. Read the
    /// counter on the next tap, then try the old PIN first; nothing was re-sent.
    PinChangeInterrupted,
    /// The PIN is malformed; nothing was sent to the card.
    InvalidPinFormat,
    /// The card rejected the PIN; attempts remain (`attempts_left`).
    WrongPin,
    /// The PIN is locked (`attempts_left` 0); `reason` says whether this entry locked it.
    PinBlocked,
    /// One attempt left and the caller did not confirm it; no VERIFY was sent.
    LastAttemptNotConfirmed,
    /// The card reported no count and the caller did not confirm; no VERIFY was sent.
    AttemptsNotReported,
    /// The card needs a PIN for this (e.g. the phone token's authentication certificate).
    PinRequired,
    /// The card has no signing certificate (holders under 15).
    NoSigningCertificate,
    /// Not a JPKI card.
    NotJpkiCard,
    /// The card answered a status word the flow cannot continue from (`status_word`).
    CardStatus,
    /// The card's response was malformed.
    MalformedResponse,
    /// A certificate could not be parsed or used.
    Certificate,
    /// The card's signature did not verify against its certificate; it was discarded.
    SignatureMismatch,
    /// The caller's input is unusable (empty challenge, wrong digest length, SHA-1 without
    /// opt-in...).
    InvalidInput,
    /// The card's data failed its integrity check (card-info application) and was discarded.
    IntegrityCheckFailed,
    /// The card has no such application (phone tokens carry only JPKI).
    ApplicationNotFound,
}

/// Everything a card flow can end in. Kotlin: `KazashiException.Failed`; Swift:
/// `KazashiError.Failed`. Switch on `kind`; show `reason` and `action`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum KazashiError {
    /// A card flow failed.
    #[error("{reason}")]
    Failed {
        /// What kind of failure.
        kind: ErrorKind,
        /// What happened, in a sentence for the user (never a PIN or personal data).
        reason: String,
        /// What the user should do next, in a sentence.
        action: String,
        /// Which PIN it concerns, if any.
        pin: Option<PinKind>,
        /// Attempts left, when the card said (wrong PIN: the count; locked: 0).
        attempts_left: Option<u8>,
        /// For `PinBlocked`: whether the entry just made locked it (else it was locked before
        /// and no VERIFY was sent).
        by_this_attempt: bool,
        /// SW1 SW2 of an unexpected card answer (`CardStatus`).
        status_word: Option<u16>,
    },
}

impl From<Error> for KazashiError {
    fn from(e: Error) -> Self {
        KazashiError::Failed {
            kind: e.kind().into(),
            reason: e.to_string(),
            action: e.action(),
            pin: e.pin().map(Into::into),
            attempts_left: e.attempts_left(),
            by_this_attempt: e.locked_by_this_attempt(),
            status_word: e.status_word().map(|sw| sw.0),
        }
    }
}

impl From<kazashi::CertificateError> for KazashiError {
    fn from(e: kazashi::CertificateError) -> Self {
        Error::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_is_exported_with_its_facts() {
        for kind in kazashi::ErrorKind::ALL {
            // The exhaustive match in the mirror is the real check; this one runs it.
            let _ = ErrorKind::from(*kind);
        }
        let e: KazashiError = Error::WrongPin {
            pin: kazashi::PinKind::Signing,
            attempts_left: 4,
        }
        .into();
        let KazashiError::Failed {
            kind,
            reason,
            action,
            pin,
            attempts_left,
            by_this_attempt,
            status_word,
        } = e;
        assert!(!by_this_attempt);
        assert_eq!(kind, ErrorKind::WrongPin);
        assert_eq!(reason, "signing password incorrect: 4 attempts left");
        assert_eq!(action, "Check the PIN and try again.");
        assert_eq!(pin, Some(PinKind::Signing));
        assert_eq!(attempts_left, Some(4));
        assert_eq!(status_word, None);
    }
}
