//! # kazashi-documents
//!
//! Signed documents made with one card tap. Each format is a module that builds its container
//! around the signature a [`kazashi::JpkiCard`] flow returns (already checked against the
//! signing certificate); verification lives in `kazashi-verify`.
//!
//! - [`cms`]: CMS SignedData with the CAdES-BES signed attributes (`.p7s`), detached or
//!   attached.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

pub mod cms;

pub use crate::cms::{sign_cms, CmsOptions, SignedFile};
