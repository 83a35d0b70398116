//! PDF signatures: PAdES baseline B-B (and B-T with a timestamp) added by incremental update,
//! and their verification.
//!
//! Signing appends one revision to the untouched original bytes: a signature dictionary
//! (`/Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached`), a signature field merged with its
//! widget annotation (invisible, or visible with the signer's name and date), the page's
//! `/Annots` and the `/AcroForm` that list it, and an xref section of the original's kind (table
//! or stream). `/Contents` holds a CAdES detached SignedData over the `/ByteRange` — the whole
//! file except `/Contents` itself. Earlier signatures stay valid because their bytes are kept.
//!
//! Parsing and object serialisation are `lopdf`'s; this module only chooses what to add, finds
//! the placeholders it wrote, and hashes the two byte ranges in place.

mod digest;
mod error;
mod verify;

#[cfg(feature = "sign")]
mod appearance;
#[cfg(feature = "sign")]
mod sign;
#[cfg(feature = "sign")]
mod update;

pub use error::PdfError;
#[cfg(feature = "sign")]
pub use sign::{
    sign_pdf, sign_pdf_with_timestamp, DocMdp, PdfSignOptions, SignedPdf, VisibleSignature,
    DEFAULT_TIMESTAMP_RESERVE,
};
pub use verify::{
    verify_pdf, verify_pdf_with_tsa_roots, ChangedObject, LaterRevision, PdfSignatureCheck,
    PdfVerification,
};

/// The `/SubFilter` of PAdES signatures (ETSI EN 319 142-1).
pub const SUB_FILTER_CADES: &str = "ETSI.CAdES.detached";
