//! `sign_pdf`: one card tap, one incremental update, a PAdES B-B signature (B-T when a
//! timestamp is asked for and the TSA answers).
//!
//! Order of work, so the tap stays short and is never wasted:
//! 1. before the tap: parse the PDF (lopdf; the slow part for large files);
//! 2. on the card: read the signing CA certificate (no PIN; skipped when the caller has it),
//!    VERIFY the signing password, read the signing certificate;
//! 3. between those and SIGN: write the update with a `/Contents` placeholder sized from the
//!    two certificates, hash the two byte ranges in place, build the CAdES signed attributes;
//! 4. SIGN; then assemble the SignedData, optionally timestamp it, fill `/Contents`.

use kazashi::{
    ApduStats, CertificateInfo, CertificateKind, DigestAlgorithm, DocumentDigest, JpkiCard,
    SignOptions, SignResult, SigningPassword, Transport,
};

use super::appearance::appearance;
use super::digest::{byte_range_parts, digest_parts};
use super::error::PdfError;
use super::update::{write_signature, Original, Prepared, SignatureObjects, WidgetAppearance};
use crate::cms::{assemble, signed_attributes};
use crate::timestamp::{add_signature_timestamp, TimestampClient, TimestampError, Timestamped};
use der::Encode;

/// Room for the SignerInfo's structure, algorithm identifiers and issuer name, besides the
/// certificates, the signed attributes and the signature value.
const STRUCTURE_SLACK: usize = 1024;
/// Room reserved for a timestamp token (its own SignedData with the TSA's certificates).
pub const DEFAULT_TIMESTAMP_RESERVE: usize = 16 * 1024;

/// DocMDP certification levels (ISO 32000-1 §12.8.2.2): what later revisions may change
/// without invalidating the certification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocMdp {
    /// P=1: no change at all.
    NoChanges = 1,
    /// P=2: filling in forms and adding signatures.
    FormFilling = 2,
    /// P=3: as P=2, and annotations.
    FormFillingAndAnnotations = 3,
}

/// A visible signature: a box on a page showing the signer's name and the date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisibleSignature {
    /// The page, from 1.
    pub page: u32,
    /// Lower-left corner x, y and the width and height, in points (1/72 inch).
    pub rect: [f32; 4],
}

/// How to sign a PDF.
#[derive(Debug, Clone)]
pub struct PdfSignOptions {
    /// Hash algorithm (SHA-256 by default; SHA-1 is refused).
    pub algorithm: DigestAlgorithm,
    /// `/M`, the claimed signing time, Unix seconds (PAdES forbids the CMS signingTime).
    pub signing_time: i64,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// A visible box; `None` (the default) for an invisible signature.
    pub visible: Option<VisibleSignature>,
    /// Certify the document (only as its first signature).
    pub certify: Option<DocMdp>,
    /// The signing CA's certificate (DER) to embed; `None` reads it from the card in the same
    /// tap (no PIN, a few APDUs).
    pub ca_certificate: Option<Vec<u8>>,
    /// Bytes of `/Contents` kept for a timestamp token added after signing (0 for B-B).
    pub timestamp_reserve: usize,
    /// Card-flow options (last-attempt confirmation).
    pub sign: SignOptions,
}

impl PdfSignOptions {
    /// Invisible B-B with SHA-256, signed at `signing_time`.
    pub fn new(signing_time: i64) -> Self {
        Self {
            algorithm: DigestAlgorithm::Sha256,
            signing_time,
            reason: None,
            location: None,
            contact_info: None,
            visible: None,
            certify: None,
            ca_certificate: None,
            timestamp_reserve: 0,
            sign: SignOptions::default(),
        }
    }
}

/// A signed PDF.
#[derive(Debug, Clone)]
pub struct SignedPdf {
    /// The whole file: the original bytes, then the signature's revision.
    pub pdf: Vec<u8>,
    /// `/ByteRange`.
    pub byte_range: [usize; 4],
    /// The DER CMS in `/Contents`.
    pub cms: Vec<u8>,
    /// Bytes reserved for `/Contents`.
    pub contents_reserved: usize,
    /// The card signature with the signing certificate.
    pub signature: SignResult,
    /// Every APDU of the flow (the CA certificate read included).
    pub stats: ApduStats,
}

/// The signer's name for the visible box: the certificate's 氏名, else its subject CN.
fn signer_name(certificate: &CertificateInfo) -> String {
    if let Some(name) = certificate.personal.as_ref().and_then(|p| p.name.clone()) {
        return name;
    }
    certificate
        .subject
        .split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .unwrap_or(&certificate.subject)
        .to_string()
}

/// The date line of the visible box, in Japan time.
fn date_line(unix: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix + 9 * 3600)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "日時: {:04}-{:02}-{:02} {:02}:{:02} JST",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

fn check_options(options: &PdfSignOptions) -> Result<(), PdfError> {
    if options.algorithm == DigestAlgorithm::Sha1 {
        return Err(PdfError::option(
            "PDF signatures use SHA-256, SHA-384 or SHA-512",
        ));
    }
    if let Some(visible) = options.visible {
        let [_, _, w, h] = visible.rect;
        if visible.page == 0 || w < 10.0 || h < 10.0 || visible.rect.iter().any(|v| !v.is_finite())
        {
            return Err(PdfError::option(
                "the visible box needs a page from 1 and a width and height of 10 points or more",
            ));
        }
    }
    Ok(())
}

/// Taps the card once and returns `pdf` with a PAdES B-B signature appended by incremental
/// update.
///
/// # Errors
///
/// [`PdfError::NotPdf`], [`PdfError::Encrypted`], [`PdfError::InvalidOption`] (before the card
/// is used); [`PdfError::Card`] for the card flow's errors (PIN, link, card);
/// [`PdfError::ContentsTooSmall`] if the CMS outgrew its estimate.
pub async fn sign_pdf<T: Transport>(
    card: &mut JpkiCard<T>,
    pdf: &[u8],
    password: &SigningPassword,
    options: &PdfSignOptions,
) -> Result<SignedPdf, PdfError> {
    let signed = sign_unfilled(card, pdf, password, options).await?;
    signed.fill_with(None)
}

/// [`sign_pdf`] (one tap), then PAdES B-T: `tsa` timestamps the signature value and the token
/// goes into the SignerInfo's unsigned attributes before `/Contents` is written (room for it is
/// reserved: `options.timestamp_reserve`, at least [`DEFAULT_TIMESTAMP_RESERVE`]). The outer
/// error is the card's (nothing was signed); a TSA failure after the card signed is in
/// [`Timestamped::timestamp`], with the B-B PDF in [`Timestamped::document`].
///
/// # Errors
///
/// Those of [`sign_pdf`].
pub async fn sign_pdf_with_timestamp<T: Transport>(
    card: &mut JpkiCard<T>,
    pdf: &[u8],
    password: &SigningPassword,
    options: &PdfSignOptions,
    tsa: &TimestampClient,
) -> Result<Timestamped<SignedPdf>, PdfError> {
    let mut options = options.clone();
    options.timestamp_reserve = options.timestamp_reserve.max(DEFAULT_TIMESTAMP_RESERVE);
    let signed = sign_unfilled(card, pdf, password, &options).await?;
    let stamped = tsa
        .timestamp_signature(&signed.signature.signature)
        .and_then(|token| Ok((add_signature_timestamp(&signed.cms, &token)?, token)));
    match stamped {
        Ok((cms, token)) if cms.len() <= signed.update.contents_len => Ok(Timestamped {
            document: signed.fill_with(Some(cms))?,
            timestamp: Ok(token),
        }),
        Ok((cms, _)) => {
            let reserved = signed.update.contents_len;
            Ok(Timestamped {
                document: signed.fill_with(None)?,
                timestamp: Err(TimestampError::Malformed {
                    reason: format!(
                        "the timestamped signature ({} bytes) does not fit the {reserved} bytes reserved; sign again with a larger timestamp_reserve",
                        cms.len()
                    ),
                }),
            })
        }
        Err(e) => Ok(Timestamped {
            document: signed.fill_with(None)?,
            timestamp: Err(e),
        }),
    }
}

/// A signed update whose `/Contents` is still the placeholder.
struct Unfilled {
    update: Prepared,
    cms: Vec<u8>,
    signature: SignResult,
    stats: ApduStats,
}

impl Unfilled {
    /// Writes `cms` (the B-B SignedData when `None`) into `/Contents`.
    fn fill_with(self, cms: Option<Vec<u8>>) -> Result<SignedPdf, PdfError> {
        let cms = cms.unwrap_or(self.cms);
        let mut update = self.update;
        update.fill(&cms)?;
        Ok(SignedPdf {
            byte_range: update.byte_range,
            contents_reserved: update.contents_len,
            pdf: update.pdf,
            cms,
            signature: self.signature,
            stats: self.stats,
        })
    }
}

async fn sign_unfilled<T: Transport>(
    card: &mut JpkiCard<T>,
    pdf: &[u8],
    password: &SigningPassword,
    options: &PdfSignOptions,
) -> Result<Unfilled, PdfError> {
    check_options(options)?;
    let original = Original::parse(pdf)?;
    if options.certify.is_some() && original.has_signatures() {
        return Err(PdfError::option(
            "only the first signature can certify a document, and this one is signed already",
        ));
    }
    let start = card.stats();
    let ca = match &options.ca_certificate {
        Some(der) => der.clone(),
        None => card
            .read_certificate(CertificateKind::SigningCa)
            .await?
            .der()
            .to_vec(),
    };
    let mut prepared: Option<(Prepared, cms::signed_data::SignedAttributes)> = None;
    let mut failure: Option<PdfError> = None;
    let signed = card
        .sign_with_certificate(password, options.sign, |certificate| {
            match prepare(original, certificate, &ca, options) {
                Ok((update, attributes, digest)) => {
                    prepared = Some((update, attributes));
                    Ok(digest)
                }
                Err(e) => {
                    let reason = e.to_string();
                    failure = Some(e);
                    Err(kazashi::Error::InvalidInput { reason })
                }
            }
        })
        .await;
    let signature = match (signed, failure) {
        (_, Some(e)) => return Err(e),
        (Err(e), None) => return Err(PdfError::Card(e)),
        (Ok(s), None) => s,
    };
    let (update, attributes) =
        prepared.ok_or_else(|| PdfError::not_pdf("the update was not prepared"))?;
    let cms = assemble(&signature, attributes, None, &[&ca])?;
    Ok(Unfilled {
        update,
        cms,
        signature,
        stats: card.stats().since(start),
    })
}

/// Step 3: the update, its byte-range digest, and the signed attributes' digest for the card.
fn prepare(
    mut original: Original,
    certificate: &CertificateInfo,
    ca: &[u8],
    options: &PdfSignOptions,
) -> Result<(Prepared, cms::signed_data::SignedAttributes, DocumentDigest), PdfError> {
    let algorithm = options.algorithm;
    let name = signer_name(certificate);
    // The attributes' size does not depend on the digest's value, only its length.
    let sample = signed_attributes(&vec![0; algorithm.output_len()], certificate, None)?;
    let contents_len = certificate.der().len()
        + ca.len()
        + sample.to_der().map(|d| d.len()).unwrap_or(2048)
        + certificate.key_bits.div_ceil(8)
        + STRUCTURE_SLACK
        + options.timestamp_reserve;
    let (page, appearance_objects) = match options.visible {
        Some(visible) => {
            let [x, y, w, h] = visible.rect;
            let mut lines = vec![format!("署名者: {name}"), date_line(options.signing_time)];
            if let Some(reason) = &options.reason {
                lines.push(format!("理由: {reason}"));
            }
            let (objects, stream) = appearance(&mut original, w, h, &lines);
            let appearance = WidgetAppearance {
                rect: [x, y, x + w, y + h],
                objects,
                stream,
            };
            (visible.page, Some(appearance))
        }
        None => (1, None),
    };
    let update = write_signature(
        original,
        SignatureObjects {
            contents_len,
            signing_time: options.signing_time,
            name: Some(name),
            reason: options.reason.clone(),
            location: options.location.clone(),
            contact_info: options.contact_info.clone(),
            page,
            appearance: appearance_objects,
            certify: options.certify.map(|level| level as u8),
        },
    )?;
    let content_digest = digest_parts(algorithm, &byte_range_parts(&update.pdf, update.byte_range));
    let attributes = signed_attributes(&content_digest, certificate, None)?;
    let encoded = attributes.to_der().map_err(crate::cms::encoding)?;
    Ok((
        update,
        attributes,
        DocumentDigest::of_document(algorithm, &encoded),
    ))
}
