//! # kazashi-documents
//!
//! Signed documents made with one card tap. Each format is a module that builds its container
//! around the signature a [`kazashi::JpkiCard`] flow returns (already checked against the
//! signing certificate); verification lives in `kazashi-verify`.
//!
//! - [`cms`]: CMS SignedData with the CAdES-BES signed attributes (`.p7s`), detached or
//!   attached.
//! - [`timestamp`]: RFC 3161 timestamps (CAdES-T, and the PDF and XML modules' -T levels).
//! - `xml` (feature `xml`): XML-DSig / XAdES-B-B and XAdES-T, canonicalised by libxml2.
//! - `pdf` (feature `pdf`, on by default): PDF signatures (PAdES B-B, B-T) by incremental update, and their verification.
//!
//! Signing needs the card core and is the default feature `sign`; with
//! `default-features = false` only format-level verification is compiled (for servers).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

#[cfg(feature = "sign")]
pub mod cms;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod timestamp;
#[cfg(feature = "xml")]
pub mod xml;

#[cfg(feature = "sign")]
pub use crate::cms::{sign_cms, CmsOptions, SignedFile};
