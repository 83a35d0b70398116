//! What can be wrong with a log-in request or message before any signature is looked at.

/// A log-in request or message that does not follow the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginFormatError {
    /// Not JSON of the expected shape, or a binary field that is not base64.
    #[error("malformed log-in {what}: {reason}")]
    Malformed {
        /// "request" or "message".
        what: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A version this library does not read.
    #[error("unsupported log-in {what} version {version} (this library reads 1 and 2)")]
    UnsupportedVersion {
        /// "request" or "message".
        what: &'static str,
        /// The version found.
        version: u32,
    },
    /// The relying-party id is not a lowercase host name or `https://` origin.
    #[error("invalid relying-party id {id:?}: {reason}")]
    InvalidRelyingParty {
        /// The id as given (already free of control characters when shown).
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The challenge is too short to be unguessable, or too long.
    #[error("the challenge has {len} bytes; {min} to {max} random bytes are required")]
    ChallengeLength {
        /// Its length.
        len: usize,
        /// The shortest accepted.
        min: usize,
        /// The longest accepted.
        max: usize,
    },
    /// The validity period is empty, reversed or longer than a day.
    #[error("the request's validity is wrong: {reason}")]
    Lifetime {
        /// What is wrong.
        reason: String,
    },
    /// The app expected a request from another relying party (its own server) and refused this
    /// one before any APDU.
    #[error("the log-in request is for {found}, but this app logs in to {expected}: refusing it")]
    UnexpectedRelyingParty {
        /// The relying party the app expected.
        expected: String,
        /// The one the request names.
        found: String,
    },
}

impl LoginFormatError {
    pub(crate) fn malformed(what: &'static str, reason: impl Into<String>) -> Self {
        LoginFormatError::Malformed {
            what,
            reason: reason.into(),
        }
    }
}
