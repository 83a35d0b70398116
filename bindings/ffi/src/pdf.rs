//! PDF signing through the bindings (feature `pdf`): `CardSession.signPdf` adds a PAdES
//! signature (B-B, or B-T with a timestamp authority) by incremental update, one tap;
//! `verifyPdf` (with feature `verify` too) checks every signature of a PDF.

use kazashi::SigningPassword;
use kazashi_documents::pdf::{self, DocMdp, PdfError};
use kazashi_documents::timestamp::TimestampClient;

use crate::error::KazashiError;
use crate::model::{ApduStats, CertificateInfo, DigestAlgorithm, SignOptions};
use crate::secret::SecretBytes;
use crate::session::CardSession;

/// A visible signature box.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PdfVisibleSignature {
    /// The page, from 1.
    pub page: u32,
    /// Lower-left corner, points from the page's lower left.
    pub x: f32,
    /// Lower-left corner.
    pub y: f32,
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
}

/// How to sign a PDF.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PdfSignOptions {
    /// Hash algorithm (SHA-1 is refused).
    pub algorithm: DigestAlgorithm,
    /// `/Reason`.
    #[uniffi(default = None)]
    pub reason: Option<String>,
    /// `/Location`.
    #[uniffi(default = None)]
    pub location: Option<String>,
    /// `/ContactInfo`.
    #[uniffi(default = None)]
    pub contact_info: Option<String>,
    /// A visible box with the signer's name and the date; `null` for an invisible signature.
    #[uniffi(default = None)]
    pub visible: Option<PdfVisibleSignature>,
    /// Certify the document (first signature only): the DocMDP level 1, 2 or 3.
    #[uniffi(default = None)]
    pub certify: Option<u8>,
    /// A timestamp authority's URL for PAdES B-T (after the tap; a failure keeps B-B).
    #[uniffi(default = None)]
    pub timestamp_url: Option<String>,
    /// The TSA roots (DER) a token must chain to.
    #[uniffi(default = [])]
    pub tsa_roots: Vec<Vec<u8>>,
}

/// A signed PDF.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignedPdf {
    /// The whole file: the original bytes, then the signature's revision.
    pub pdf: Vec<u8>,
    /// The signing certificate (with personal attributes).
    pub certificate: CertificateInfo,
    /// What the flow exchanged (the CA certificate read included).
    pub counts: ApduStats,
    /// Whether a trusted timestamp was added (PAdES B-T).
    pub timestamped: bool,
    /// Why the asked-for timestamp is missing (the PDF is then B-B, still valid).
    pub timestamp_error: Option<String>,
}

fn sign_error(e: PdfError) -> KazashiError {
    match e {
        PdfError::Card(e) => e.into(),
        other => kazashi::Error::InvalidInput {
            reason: other.to_string(),
        }
        .into(),
    }
}

#[uniffi::export]
impl CardSession {
    /// Tap to sign a PDF: the document bytes in, the signed bytes out (PAdES B-B, or B-T when
    /// `options.timestampUrl` is set and the TSA answers; a TSA failure after the tap still
    /// returns the B-B PDF with `timestampError`).
    pub async fn sign_pdf(
        &self,
        document: Vec<u8>,
        password: Vec<u8>,
        options: PdfSignOptions,
        sign: SignOptions,
    ) -> Result<SignedPdf, KazashiError> {
        let password = SecretBytes::from(password).parse(SigningPassword::new)?;
        let mut pdf_options = pdf::PdfSignOptions::new(kazashi::unix_now());
        pdf_options.algorithm = options.algorithm.into();
        pdf_options.reason = options.reason;
        pdf_options.location = options.location;
        pdf_options.contact_info = options.contact_info;
        pdf_options.visible = options.visible.map(|v| pdf::VisibleSignature {
            page: v.page,
            rect: [v.x, v.y, v.width, v.height],
        });
        pdf_options.certify = match options.certify {
            None => None,
            Some(1) => Some(DocMdp::NoChanges),
            Some(2) => Some(DocMdp::FormFilling),
            Some(3) => Some(DocMdp::FormFillingAndAnnotations),
            Some(other) => {
                return Err(kazashi::Error::InvalidInput {
                    reason: format!("certify must be 1, 2 or 3, not {other}"),
                }
                .into())
            }
        };
        pdf_options.sign = sign.into();
        let mut card = self.card.lock().await;
        let (signed, timestamp) = match options.timestamp_url {
            Some(url) => {
                let tsa = TimestampClient::new(url, options.tsa_roots);
                let stamped = pdf::sign_pdf_with_timestamp(
                    &mut card,
                    &document,
                    &password,
                    &pdf_options,
                    &tsa,
                )
                .await
                .map_err(sign_error)?;
                (stamped.document, Some(stamped.timestamp))
            }
            None => (
                pdf::sign_pdf(&mut card, &document, &password, &pdf_options)
                    .await
                    .map_err(sign_error)?,
                None,
            ),
        };
        Ok(SignedPdf {
            certificate: (&signed.signature.certificate).into(),
            counts: signed.stats.into(),
            pdf: signed.pdf,
            timestamped: matches!(timestamp, Some(Ok(_))),
            timestamp_error: crate::documents::timestamp_error(&timestamp),
        })
    }
}

#[cfg(feature = "verify")]
mod verification {
    use super::pdf;
    use crate::model::DigestAlgorithm;
    use crate::trust::{store, ChainResult, RejectionKind, TestRoot, VerificationError};
    use kazashi_documents::pdf::PdfError;

    /// One signature of a verified PDF.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct PdfSignatureResult {
        /// The signature field's name.
        pub field: String,
        /// The signer's chain.
        pub chain: ChainResult,
        /// The hash algorithm.
        pub algorithm: DigestAlgorithm,
        /// `/M`, as written (`D:…`): the signer's claim.
        pub claimed_time: Option<String>,
        /// `/Reason`.
        pub reason: Option<String>,
        /// `/Location`.
        pub location: Option<String>,
        /// The DocMDP level when it certifies the document.
        pub certification: Option<u8>,
        /// Whether it covers the whole file (no later revision).
        pub covers_whole_file: bool,
        /// How many revisions (other signatures) follow it.
        pub later_revisions: u32,
        /// The timestamp's time (Unix seconds) when a token from a given TSA root covers it.
        pub timestamp_time: Option<i64>,
        /// Why a present token was not accepted.
        pub timestamp_error: Option<String>,
    }

    /// Verifies every signature of a PDF: byte ranges, CMS, chains (production roots plus
    /// `testRoots`), what followed each signature, and timestamps against `tsaRoots`.
    #[uniffi::export]
    pub fn verify_pdf(
        pdf: Vec<u8>,
        test_roots: Vec<TestRoot>,
        tsa_roots: Vec<Vec<u8>>,
    ) -> Result<Vec<PdfSignatureResult>, VerificationError> {
        let verified = pdf::verify_pdf_with_tsa_roots(
            &pdf,
            kazashi::unix_now(),
            &store(test_roots)?,
            &tsa_roots,
        )
        .map_err(|e| match e {
            PdfError::Signature { source, .. } => source.into(),
            other => VerificationError::Rejected {
                kind: RejectionKind::Malformed,
                reason: format!("{other} ({})", other.kind()),
            },
        })?;
        Ok(verified
            .signatures
            .iter()
            .map(|s| PdfSignatureResult {
                field: s.field.clone(),
                chain: (&s.cms.chain).into(),
                algorithm: s.cms.algorithm.into(),
                claimed_time: s.claimed_time.clone(),
                reason: s.reason.clone(),
                location: s.location.clone(),
                certification: s.certification,
                covers_whole_file: s.covers_whole_file,
                later_revisions: s.later.len() as u32,
                timestamp_time: s
                    .timestamp
                    .as_ref()
                    .and_then(|t| t.as_ref().ok())
                    .map(|t| t.gen_time),
                timestamp_error: s
                    .timestamp
                    .as_ref()
                    .and_then(|t| t.as_ref().err())
                    .map(|e| e.to_string()),
            })
            .collect())
    }
}

#[cfg(feature = "verify")]
pub use verification::{verify_pdf, PdfSignatureResult};
