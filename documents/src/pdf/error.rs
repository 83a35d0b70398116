//! Why a PDF could not be signed or was not accepted. Each variant says what to do.

use kazashi_verify::TrustError;

/// A PDF signing or verification failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The bytes are not a PDF lopdf can read (or its structure is broken).
    #[error("not a readable PDF: {reason}; check the file (qpdf --check names the problem)")]
    NotPdf {
        /// What the parser said.
        reason: String,
    },
    /// Encrypted PDFs are not signed: the update would have to be encrypted too.
    #[error("the PDF is encrypted; remove the encryption (qpdf --decrypt) before signing")]
    Encrypted,
    /// An option is out of range (page number, rectangle, DocMDP level, certifying a document
    /// that already has a signature).
    #[error("invalid signing option: {reason}")]
    InvalidOption {
        /// Which option and why.
        reason: String,
    },
    /// The CMS did not fit in the `/Contents` placeholder (a bug in the size estimate, or a
    /// huge timestamp token).
    #[error("the signature ({needed} bytes) does not fit the reserved /Contents ({reserved} bytes); sign again with a larger timestamp reserve")]
    ContentsTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes reserved.
        reserved: usize,
    },
    /// The file holds no signature field with a value.
    #[error("the PDF has no signature")]
    NoSignature,
    /// A signature's `/ByteRange` does not cover its whole revision except `/Contents`.
    #[error("signature {index}: the byte range does not cover the whole file up to its revision ({reason}); the signed bytes are not what a reader shows")]
    ByteRangeNotWholeFile {
        /// The signature's position (0 for the first).
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The `/Contents` string outside the signed bytes holds more than the signature (bytes
    /// after the CMS that are not padding), or differs from the signature dictionary's.
    #[error("signature {index}: /Contents was altered ({reason})")]
    ContentsAltered {
        /// The signature's position.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// Bytes were added after a signature that no later signature covers, or a certification
    /// signature forbids the changes made after it.
    #[error("signature {index}: the document was modified after signing ({changes}); ask the signer for the signed version")]
    ModifiedAfterSigning {
        /// The signature's position.
        index: usize,
        /// What was added or changed.
        changes: String,
    },
    /// The CMS inside a signature failed verification (content, signature, attributes, chain).
    #[error("signature {index}: {source}")]
    Signature {
        /// The signature's position.
        index: usize,
        /// Why the CMS was rejected.
        #[source]
        source: TrustError,
    },
    /// The card flow failed (PIN, link, card); nothing was signed.
    #[cfg(feature = "sign")]
    #[error(transparent)]
    Card(#[from] kazashi::Error),
    // TIMESTAMP_VARIANT
}

impl PdfError {
    /// A stable kebab-case name for code that reacts (CLI `--json`, bindings).
    pub fn kind(&self) -> &'static str {
        match self {
            PdfError::NotPdf { .. } => "not-pdf",
            PdfError::Encrypted => "encrypted",
            PdfError::InvalidOption { .. } => "invalid-option",
            PdfError::ContentsTooSmall { .. } => "contents-too-small",
            PdfError::NoSignature => "no-signature",
            PdfError::ByteRangeNotWholeFile { .. } => "byte-range-not-whole-file",
            PdfError::ContentsAltered { .. } => "contents-altered",
            PdfError::ModifiedAfterSigning { .. } => "modified-after-signing",
            PdfError::Signature { .. } => "signature",
            #[cfg(feature = "sign")]
            PdfError::Card(_) => "card",
            // TIMESTAMP_KIND
        }
    }

    pub(crate) fn not_pdf(e: impl std::fmt::Display) -> Self {
        PdfError::NotPdf {
            reason: e.to_string(),
        }
    }

    #[cfg(feature = "sign")]
    pub(crate) fn option(reason: impl Into<String>) -> Self {
        PdfError::InvalidOption {
            reason: reason.into(),
        }
    }
}
