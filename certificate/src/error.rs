//! The certificate model's error: what is wrong with a certificate, a signature or a digest.
//! The card layer and the verifier each turn it into their own error with its own advice.

/// Result alias for this crate.
pub type Result<T, E = CertificateError> = std::result::Result<T, E>;

/// What went wrong parsing a certificate, checking a signature or building a digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The bytes are not a usable JPKI certificate.
    #[error("certificate not usable: {reason}")]
    Unusable {
        /// What was wrong.
        reason: String,
    },
    /// The signature does not verify against the certificate's public key.
    #[error("the signature does not verify against the certificate's public key")]
    SignatureMismatch,
    /// The caller's input is unusable (a digest of the wrong length, an unknown algorithm).
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What was wrong.
        reason: String,
    },
}
