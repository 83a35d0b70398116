//! # kazashi-certificate
//!
//! The certificate model shared by the card side and the relying party's side:
//! - [`certificate`]: a JPKI certificate parsed with x509-parser — purpose, policies, validity,
//!   the public key, and the signing certificate's personal attributes (whose `Debug` output
//!   hides them);
//! - [`digest`]: the hash algorithms and the PKCS#1 DigestInfo the card signs;
//! - [`der_limits`]: a bound on what untrusted DER can make the `der` decoder allocate.
//!
//! It depends on no other kazashi crate, so the verifier uses it without the card layers.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

pub mod certificate;
pub mod der_limits;
pub mod digest;
pub mod error;

pub use certificate::{unix_now, CertificateInfo, CertificatePurpose, PersonalAttributes};
pub use digest::{DigestAlgorithm, DocumentDigest};
pub use error::{CertificateError, Result};
