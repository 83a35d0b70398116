//! Errors as Kotlin and Swift see them: one variant per thing an app reacts to differently,
//! each with its typed facts and a `reason` sentence to show the user. (No field is called
//! `message`: it would clash with Kotlin's `Throwable.message`.)

use kazashi::CertificateError;
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

/// Everything a card flow can end in. Kotlin: `KazashiException.WrongPin` etc.; Swift:
/// `KazashiError.WrongPin`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum KazashiError {
    /// The card left the field. Nothing was retried.
    #[error("{reason}")]
    TagLost {
        /// What to tell the user.
        reason: String,
    },
    /// The card did not answer in time.
    #[error("{reason}")]
    Timeout {
        /// What to tell the user.
        reason: String,
    },
    /// Another link failure (including an exception in the app's transceiver).
    #[error("{reason}")]
    Transport {
        /// What to tell the user.
        reason: String,
    },
    /// The link failed while the card checked a PIN: the attempt may have been counted. Read
    /// the counter on the next tap; nothing was re-sent.
    #[error("{reason}")]
    PinCheckInterrupted {
        /// Which PIN.
        pin: PinKind,
        /// What to tell the user.
        reason: String,
    },
    /// The PIN is malformed; nothing was sent to the card.
    #[error("{reason}")]
    InvalidPinFormat {
        /// Which PIN.
        pin: PinKind,
        /// What is wrong with it (never the PIN itself).
        reason: String,
    },
    /// The card rejected the PIN; attempts remain.
    #[error("{reason}")]
    WrongPin {
        /// Which PIN.
        pin: PinKind,
        /// Attempts left before it locks.
        attempts_left: u8,
        /// What to tell the user.
        reason: String,
    },
    /// The PIN is locked (by this very attempt when `by_this_attempt`).
    #[error("{reason}")]
    PinBlocked {
        /// Which PIN.
        pin: PinKind,
        /// Whether the entry just made locked it.
        by_this_attempt: bool,
        /// What to tell the user, including where to unlock it.
        reason: String,
    },
    /// One attempt left and the caller did not confirm it; no VERIFY was sent.
    #[error("{reason}")]
    LastAttemptNotConfirmed {
        /// Which PIN.
        pin: PinKind,
        /// What to tell the user.
        reason: String,
    },
    /// The card needs a PIN for this (e.g. the phone token's authentication certificate).
    #[error("{reason}")]
    PinRequired {
        /// Which PIN.
        pin: PinKind,
        /// What to tell the user.
        reason: String,
    },
    /// The card has no signing certificate (holders under 15).
    #[error("{reason}")]
    NoSigningCertificate {
        /// What to tell the user.
        reason: String,
    },
    /// Not a JPKI card.
    #[error("{reason}")]
    NotJpkiCard {
        /// What to tell the user.
        reason: String,
    },
    /// The card answered a status word the flow cannot continue from.
    #[error("{reason}")]
    CardStatus {
        /// SW1 SW2.
        sw: u16,
        /// What to tell the user.
        reason: String,
    },
    /// The card's response was malformed.
    #[error("{reason}")]
    MalformedResponse {
        /// What was wrong.
        reason: String,
    },
    /// A certificate could not be parsed.
    #[error("{reason}")]
    Certificate {
        /// What was wrong.
        reason: String,
    },
    /// The card's signature did not verify against its certificate; it was discarded.
    #[error("{reason}")]
    SignatureMismatch {
        /// What to tell the user.
        reason: String,
    },
    /// The caller's input is unusable (empty challenge, wrong digest length, SHA-1 without
    /// opt-in...).
    #[error("{reason}")]
    InvalidInput {
        /// What was wrong.
        reason: String,
    },
}

impl From<Error> for KazashiError {
    fn from(e: Error) -> Self {
        let reason = e.to_string();
        match e {
            Error::Transport(TransportError::TagLost) => KazashiError::TagLost { reason },
            Error::Transport(TransportError::Timeout) => KazashiError::Timeout { reason },
            Error::Transport(TransportError::Io { .. }) | Error::Apdu(_) => {
                KazashiError::Transport { reason }
            }
            Error::PinCheckInterrupted { pin, .. } => KazashiError::PinCheckInterrupted {
                pin: pin.into(),
                reason,
            },
            Error::PinFormat(format) => KazashiError::InvalidPinFormat {
                pin: PinKind::of_format_error(&format),
                reason,
            },
            Error::WrongPin { pin, attempts_left } => KazashiError::WrongPin {
                pin: pin.into(),
                attempts_left,
                reason,
            },
            Error::PinBlocked {
                pin,
                by_this_attempt,
            } => KazashiError::PinBlocked {
                pin: pin.into(),
                by_this_attempt,
                reason,
            },
            // The app reacts the same way to both: ask the user to confirm a possibly locking
            // entry; `reason` says which case it is.
            Error::LastAttemptNotConfirmed { pin } | Error::AttemptsNotReported { pin } => {
                KazashiError::LastAttemptNotConfirmed {
                    pin: pin.into(),
                    reason,
                }
            }
            Error::PinRequired { pin } => KazashiError::PinRequired {
                pin: pin.into(),
                reason,
            },
            Error::NoSigningCertificate => KazashiError::NoSigningCertificate { reason },
            Error::NotJpkiCard => KazashiError::NotJpkiCard { reason },
            Error::CardStatus { sw, .. } => KazashiError::CardStatus { sw: sw.0, reason },
            Error::MalformedResponse { .. } => KazashiError::MalformedResponse { reason },
            Error::Certificate { .. } => KazashiError::Certificate { reason },
            Error::SignatureMismatch => KazashiError::SignatureMismatch { reason },
            Error::InvalidInput { .. } => KazashiError::InvalidInput { reason },
            // `kazashi::Error` is non-exhaustive: a failure added later is still reported.
            _ => KazashiError::MalformedResponse { reason },
        }
    }
}

impl From<CertificateError> for KazashiError {
    fn from(e: CertificateError) -> Self {
        Error::from(e).into()
    }
}
