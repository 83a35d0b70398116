//! `POST /v1/signatures/verify`: verifies a signed file and says who signed it.
//!
//! [`verify_signed_file`] is the one place that maps a format to the library that verifies it:
//! CMS / CAdES-BES through `kazashi_verify::verify_cms`, PDF (PAdES, every signature) through
//! `kazashi_documents::pdf::verify_pdf`, XML-DSig / XAdES with `kazashi_documents::xml::verify_xml`
//! when the server is built with its `xml` feature (which links libxml2); without it, XML answers
//! 415 `format-not-supported`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64ct::{Base64, Encoding};
use kazashi_certificate::certificate::POLICY_SIGNATURE_SMARTPHONE;
use kazashi_certificate::{unix_now, CertificateInfo, CertificatePurpose};
use kazashi_documents::pdf::{verify_pdf, PdfError};
use kazashi_verify::{verify_cms, ChainVerification, TrustStore};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::login::{rejection, subject_id};
use crate::state::AppState;

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    #[serde(default)]
    format: Format,
    file_base64: String,
    #[serde(default)]
    content_base64: Option<String>,
}

/// A signed file's format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Decide from the file's first bytes.
    #[default]
    Auto,
    /// CMS SignedData (`.p7s`), DER or PEM.
    Cms,
    /// A signed PDF.
    Pdf,
    /// An XML signature.
    Xml,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Cms => "cms",
            Format::Pdf => "pdf",
            Format::Xml => "xml",
        }
    }

    /// The format of `file` by its first bytes: `%PDF`, `<` (after a BOM or white space), else
    /// CMS (DER or PEM).
    pub fn sniff(file: &[u8]) -> Format {
        let text = file.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file);
        let start = text
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(&[][..], |i| &text[i..]);
        if start.starts_with(b"%PDF") {
            Format::Pdf
        } else if start.starts_with(b"<") {
            Format::Xml
        } else {
            Format::Cms
        }
    }
}

/// A verified signed file.
#[derive(Debug, Clone)]
pub struct SignedFileReport {
    /// The format verified.
    pub format: Format,
    /// The signer's chain result.
    pub chain: ChainVerification,
    /// The checks made, by name.
    pub checks: Vec<String>,
    /// Every signer in file order (more than one for a PDF signed several times).
    pub signers: Vec<ChainVerification>,
    /// Format-specific facts (hash algorithm, signing time, detached...).
    pub details: Value,
}

/// A signed file that was not verified: a verdict, or a format this service cannot verify.
#[derive(Debug)]
pub enum DispatchError {
    /// The verifier rejected it.
    Rejected(kazashi_verify::TrustError),
    /// The PDF verifier rejected it.
    Pdf(PdfError),
    /// The XML verifier rejected it.
    #[cfg(feature = "xml")]
    Xml(kazashi_documents::xml::XmlError),
    /// No verifier for the format here.
    NotSupported(Format),
}

/// Verifies `file` as `format` (or its sniffed format) at `at` against `trust`.
///
/// # Errors
///
/// [`DispatchError`].
pub fn verify_signed_file(
    format: Format,
    file: &[u8],
    content: Option<&[u8]>,
    at: i64,
    trust: &TrustStore,
) -> Result<SignedFileReport, DispatchError> {
    let format = match format {
        Format::Auto => Format::sniff(file),
        other => other,
    };
    match format {
        Format::Cms => verify_cms_file(file, content, at, trust),
        Format::Pdf => verify_pdf_file(file, at, trust),
        #[cfg(feature = "xml")]
        Format::Xml => verify_xml_file(file, content, at, trust),
        // XML-DSig needs the `xml` feature (libxml2); a file of no known format has no verifier.
        #[cfg(not(feature = "xml"))]
        Format::Xml => Err(DispatchError::NotSupported(format)),
        Format::Auto => Err(DispatchError::NotSupported(format)),
    }
}

#[cfg(feature = "xml")]
fn verify_xml_file(
    file: &[u8],
    content: Option<&[u8]>,
    at: i64,
    trust: &TrustStore,
) -> Result<SignedFileReport, DispatchError> {
    use kazashi_documents::xml::{verify_xml, SignedReference, XmlError};
    // No TSA roots are configured on the service: an XAdES-T timestamp cannot be trusted here,
    // and the verifier refuses a timestamp it cannot check rather than ignore it.
    let verified = verify_xml(file, content, at, trust, &[]).map_err(|e| match e {
        XmlError::Trust(source) => DispatchError::Rejected(source),
        other => DispatchError::Xml(other),
    })?;
    let mut checks: Vec<String> = vec![
        "xml-structure".into(),
        "reference-digests".into(),
        "signed-info-signature".into(),
        "xades-signed-properties".into(),
    ];
    checks.extend(
        verified
            .chain
            .checks_passed()
            .into_iter()
            .map(|c| format!("certificate-{}", c.name())),
    );
    let covers = match &verified.signed {
        SignedReference::Document => json!({"document": true}),
        SignedReference::Element { id } => json!({"element_id": id}),
        SignedReference::Detached { uri } => json!({"detached_uri": uri}),
    };
    Ok(SignedFileReport {
        format: Format::Xml,
        signers: vec![verified.chain.clone()],
        details: json!({
            "algorithm": verified.algorithm.name(),
            "signing_time": verified.signing_time,
            "covers": covers,
        }),
        chain: verified.chain,
        checks,
    })
}

fn verify_cms_file(
    file: &[u8],
    content: Option<&[u8]>,
    at: i64,
    trust: &TrustStore,
) -> Result<SignedFileReport, DispatchError> {
    let der = match der::pem::decode_vec(file) {
        Ok((_, der)) => der,
        Err(_) => file.to_vec(),
    };
    let verified = verify_cms(&der, content, at, trust).map_err(DispatchError::Rejected)?;
    let mut checks: Vec<String> = vec![
        "cms-structure".into(),
        "content-digest".into(),
        "cades-bes-signed-attributes".into(),
        "signer-identity".into(),
        "signature".into(),
    ];
    checks.extend(
        verified
            .chain
            .checks_passed()
            .into_iter()
            .map(|c| format!("certificate-{}", c.name())),
    );
    Ok(SignedFileReport {
        format: Format::Cms,
        signers: vec![verified.chain.clone()],
        details: json!({
            "algorithm": verified.algorithm.name(),
            "detached": verified.detached,
            "signing_time": verified.signing_time,
            "content_length": verified.content.len(),
        }),
        chain: verified.chain,
        checks,
    })
}

fn verify_pdf_file(
    file: &[u8],
    at: i64,
    trust: &TrustStore,
) -> Result<SignedFileReport, DispatchError> {
    let verified = verify_pdf(file, at, trust).map_err(|e| match e {
        PdfError::Signature { source, .. } => DispatchError::Rejected(source),
        other => DispatchError::Pdf(other),
    })?;
    let last = verified
        .signatures
        .last()
        .ok_or(DispatchError::Pdf(PdfError::NoSignature))?;
    let checks = [
        "pdf-structure",
        "byte-range-whole-revision",
        "contents-only-signature",
        "cms-signature",
        "certificate-chain",
        "no-unsigned-changes",
    ]
    .map(String::from)
    .to_vec();
    let fields: Vec<Value> = verified
        .signatures
        .iter()
        .map(|s| {
            json!({
                "field": s.field,
                "sub_filter": s.sub_filter,
                "covers_whole_file": s.covers_whole_file,
                "claimed_time": s.claimed_time,
                "certification": s.certification,
                "algorithm": s.cms.algorithm.name(),
            })
        })
        .collect();
    Ok(SignedFileReport {
        format: Format::Pdf,
        chain: last.cms.chain.clone(),
        signers: verified
            .signatures
            .iter()
            .map(|s| s.cms.chain.clone())
            .collect(),
        checks,
        details: json!({"signatures": fields, "file_length": verified.file_len}),
    })
}

/// `POST /v1/signatures/verify`.
pub async fn verify(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let outcome = verify_inner(&state, body).await;
    match &outcome {
        Ok(_) => state.metrics.signature_verdict("valid", "ok"),
        Err(e) => state.metrics.signature_verdict("rejected", &e.reason),
    }
    outcome.map_err(ApiError::rejected)
}

async fn verify_inner(
    state: &AppState,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|r| ApiError::body(r, state.config.signature_body_limit))?;
    let request: VerifyBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::malformed(format!("not a verification request: {e}")))?;
    let file = Base64::decode_vec(&request.file_base64)
        .map_err(|_| ApiError::malformed("file_base64 is not base64"))?;
    let content = request
        .content_base64
        .as_deref()
        .map(Base64::decode_vec)
        .transpose()
        .map_err(|_| ApiError::malformed("content_base64 is not base64"))?;
    let worker = state.clone();
    let report = tokio::task::spawn_blocking(move || {
        verify_signed_file(
            request.format,
            &file,
            content.as_deref(),
            unix_now(),
            &worker.trust,
        )
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let report = match report {
        Ok(report) => report,
        Err(DispatchError::Rejected(e)) => return Err(rejection(&e)),
        Err(DispatchError::Pdf(e)) => {
            let status = match e {
                PdfError::NotPdf { .. } => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return Err(ApiError::new(status, e.kind(), e.to_string()));
        }
        #[cfg(feature = "xml")]
        Err(DispatchError::Xml(e)) => {
            use kazashi_documents::xml::XmlError;
            let status = match e {
                XmlError::Parse { .. } | XmlError::NoSignature => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return Err(ApiError::new(status, e.kind(), e.to_string()));
        }
        Err(DispatchError::NotSupported(format)) => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "format-not-supported",
                format!(
                    "{} signatures are not verified by this build of the service (XML needs its `xml` feature); CMS and PDF are",
                    format.name()
                ),
            ))
        }
    };
    let body = json!({
        "verdict": "valid",
        "format": report.format.name(),
        "signer": signer(&report.chain, state.config.allow_personal_data),
        "signers": report
            .signers
            .iter()
            .map(|c| signer(c, state.config.allow_personal_data))
            .collect::<Vec<_>>(),
        "checks": report.checks,
        "details": report.details,
        "revocation": "not checked",
    });
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// The signer: ids and validity always; personal attributes only when allowed, otherwise only
/// which ones the certificate carries.
fn signer(chain: &ChainVerification, allow_personal_data: bool) -> Value {
    let cert: &CertificateInfo = &chain.certificate;
    let token_type = if cert
        .policies
        .iter()
        .any(|p| p == POLICY_SIGNATURE_SMARTPHONE)
    {
        "smartphone"
    } else {
        "card"
    };
    let personal = cert.personal.as_ref();
    let mut value = json!({
        "subject_id": subject_id(cert.der()).unwrap_or_else(|| cert.subject.clone()),
        "token_type": token_type,
        "purpose": if cert.purpose == CertificatePurpose::Signature { "signature" } else { "authentication" },
        "serial": cert.serial,
        "not_before": cert.not_before,
        "not_after": cert.not_after,
        "anchor": chain.anchor,
        "production_root": chain.production,
        "personal_attributes_present": personal.map(|p| p.present_fields()).unwrap_or_default(),
    });
    if allow_personal_data {
        if let Some(p) = personal {
            value["personal"] = json!({
                "name": p.name,
                "substitute_name": p.substitute_name,
                "sex": p.sex,
                "birth_date": p.birth_date_iso(),
                "address": p.address,
                "substitute_address": p.substitute_address,
            });
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_sniffed_from_the_first_bytes() {
        assert_eq!(Format::sniff(b"%PDF-1.7"), Format::Pdf);
        assert_eq!(Format::sniff(b"\xEF\xBB\xBF  <?xml"), Format::Xml);
        assert_eq!(Format::sniff(&[0x30, 0x82]), Format::Cms);
        assert_eq!(Format::sniff(b"-----BEGIN PKCS7-----"), Format::Cms);
    }
}
