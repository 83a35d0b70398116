//! # kazashi-certificate
//!
//! The certificate model shared by the card side and the relying party's side:
//! - [`certificate`]: a JPKI certificate parsed with x509-parser — purpose, policies, validity,
//!   the public key, and the signing certificate's personal attributes (whose `Debug` output
//!   hides them);
//! - [`digest`]: the hash algorithms and the PKCS#1 DigestInfo the card signs;
//! - [`der_limits`]: a bound on what untrusted DER can make the `der` decoder allocate;
//! - [`extensions`]: key usage, extended key usage, AIA and CRL distribution points as values;
//! - [`era`]: the birth date's era digit and the Japanese era year (`昭和55年`);
//! - [`instant`]: instants in JST (how J-LIS states validity) and UTC;
//! - [`known_roots`]: which of the six J-LIS production roots a certificate is (purpose,
//!   generation), by fingerprint.
//!
//! It depends on no other kazashi crate, so the verifier uses it without the card layers.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

pub mod certificate;
pub mod der_limits;
pub mod digest;
pub mod era;
pub mod error;
pub mod extensions;
pub mod instant;
pub mod known_roots;

pub use certificate::{unix_now, CertificateInfo, CertificatePurpose, PersonalAttributes};
pub use digest::{DigestAlgorithm, DocumentDigest};
pub use era::{BirthDate, JapaneseEra};
pub use error::{CertificateError, Result};
pub use known_roots::{known_root, KnownRoot};
