//! `kazashi sign FILE --xml [--detached] [--id ID] [--timestamp URL --tsa-root FILE]`
//! (XAdES-B-B / XAdES-T) and `kazashi verify FILE.xml`. XML needs libxml2, so it is the
//! feature `xml` (`cargo build -p kazashi-cli --features xml`); without it these say so.

use std::path::{Path, PathBuf};

use clap::Args;
use kazashi::{Error, JpkiCard, Transport};

use crate::commands::{Outcome, PinOptions};
use crate::failure::Failure;
use crate::verify::TrustChoice;

/// The `sign` options for XML.
#[derive(Debug, Clone, Args)]
pub struct XmlArgs {
    /// Sign an XML document: an XML-DSig signature with XAdES properties (XAdES-B-B, or -T
    /// with --timestamp), enveloped in the document, written to --out.
    #[arg(long, conflicts_with_all = ["cms", "pdf"])]
    pub xml: bool,
    /// With --xml: a detached signature of FILE (any file), referenced by its name; --out is
    /// the signature document, kept next to FILE.
    #[arg(long, requires = "xml")]
    pub detached: bool,
    /// With --xml: sign only the element with this Id attribute (default: the whole document).
    #[arg(long, requires = "xml", conflicts_with = "detached", value_name = "ID")]
    pub id: Option<String>,
}

/// Whether `path` holds XML (its first character, after a byte-order mark and whitespace, is
/// `<`): how `verify` recognises an XML signature.
pub fn is_xml(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

#[cfg(not(feature = "xml"))]
fn unavailable() -> Error {
    Error::InvalidInput {
        reason: "this kazashi was built without XML support; build it with `--features xml` (needs libxml2)".into(),
    }
}

/// `kazashi sign FILE --xml --out FILE`.
///
/// # Errors
///
/// The card flow's, [`Error::InvalidInput`] for a document that cannot be signed or a TSA step
/// that failed after the card signed (the XAdES-B-B file is written then).
#[cfg(not(feature = "xml"))]
pub fn sign<T: Transport>(
    _card: &mut JpkiCard<T>,
    _file: &Path,
    _out: &Path,
    _args: &XmlArgs,
    _timestamp: (Option<&String>, &[PathBuf]),
    _pins: PinOptions,
) -> Result<Outcome, Error> {
    Err(unavailable())
}

/// `kazashi verify FILE.xml [--content FILE]`.
///
/// # Errors
///
/// The verifier's rejection.
#[cfg(not(feature = "xml"))]
pub fn verify(
    _file: &Path,
    _content: Option<&Path>,
    _show_personal: bool,
    _trust: TrustChoice<'_>,
) -> Result<Outcome, Failure> {
    Err(unavailable().into())
}

#[cfg(feature = "xml")]
pub use enabled::{sign, verify};

#[cfg(feature = "xml")]
mod enabled {
    use super::*;
    use kazashi::{unix_now, SignOptions};
    use kazashi_certificate::instant::rfc3339_utc;
    use kazashi_documents::xml::{
        sign_xml, timestamp_xml, verify_xml, SignedReference, XmlError, XmlSignOptions, XmlTarget,
    };
    use kazashi_verify::TrustError;
    use serde_json::json;

    use crate::commands::block;
    use crate::report::{certificate_json, certificate_lines, stats_json, stats_line};
    use crate::timestamp::{client, kept_error, token_json};
    use crate::verify::{der_or_pem, read};

    /// The file name as a relative URI: unreserved bytes kept, the rest percent-encoded
    /// (RFC 3986), so a Japanese file name resolves for every verifier.
    fn file_uri(file: &Path) -> Result<String, Error> {
        let name =
            file.file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| Error::InvalidInput {
                    reason: format!("{} has no UTF-8 file name", file.display()),
                })?;
        Ok(name
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect())
    }

    fn card_error(e: XmlError) -> Error {
        match e {
            XmlError::Card(e) => e,
            other => Error::InvalidInput {
                reason: format!("{other} ({})", other.kind()),
            },
        }
    }

    /// `kazashi sign FILE --xml --out FILE`.
    ///
    /// # Errors
    ///
    /// The card flow's, [`Error::InvalidInput`] for a document that cannot be signed or a TSA
    /// step that failed after the card signed (the XAdES-B-B file is written then).
    pub fn sign<T: Transport>(
        card: &mut JpkiCard<T>,
        file: &Path,
        out: &Path,
        args: &XmlArgs,
        timestamp: (Option<&String>, &[PathBuf]),
        pins: PinOptions,
    ) -> Result<Outcome, Error> {
        let input = read(file)?;
        let tsa = client(timestamp.0, timestamp.1)?;
        let target = match (&args.id, args.detached) {
            (Some(id), _) => XmlTarget::Element { id: id.clone() },
            (None, true) => XmlTarget::Detached {
                uri: file_uri(file)?,
            },
            (None, false) => XmlTarget::Document,
        };
        let password = pins.source.signing_password("Signing password")?;
        let signed = pins.with_last_attempt(|last| {
            let options = XmlSignOptions {
                target: target.clone(),
                signing_time: unix_now(),
                sign: SignOptions {
                    last_attempt: last,
                    allow_legacy_sha1: false,
                },
            };
            block(sign_xml(card, &input, &password, &options)).map_err(card_error)
        })?;
        let write = |bytes: &[u8]| {
            std::fs::write(out, bytes).map_err(|e| Error::InvalidInput {
                reason: format!("cannot write {}: {e}", out.display()),
            })
        };
        write(&signed.xml)?;
        let (xml, token) = match &tsa {
            Some(tsa) => {
                let stamped = timestamp_xml(signed.xml.clone(), tsa);
                match stamped.timestamp {
                    Ok(token) => {
                        write(&stamped.document)?;
                        (stamped.document, Some(token))
                    }
                    Err(e) => return Err(kept_error(out, "XAdES-B-B", tsa.url(), &e)),
                }
            }
            None => (signed.xml, None),
        };
        let level = if token.is_some() {
            "XAdES-T"
        } else {
            "XAdES-B-B"
        };
        let what = match &target {
            XmlTarget::Document => "the whole document, enveloped".to_string(),
            XmlTarget::Element { id } => format!("element Id=\"{id}\", enveloped"),
            XmlTarget::Detached { uri } => format!("detached, Reference URI=\"{uri}\""),
        };
        let mut lines = vec![
            format!(
                "signed {} into {} ({level}: {what}; RSA-SHA256 over exclusive C14N)",
                file.display(),
                out.display()
            ),
            "signature verified against the signing certificate".into(),
        ];
        if let Some(token) = &token {
            lines.push(format!(
                "timestamp: {} by {}",
                rfc3339_utc(token.gen_time),
                token.tsa_name
            ));
        }
        lines.extend(certificate_lines(&signed.signature.certificate, false));
        lines.push(stats_line(signed.signature.stats));
        Ok(Outcome {
            json: json!({
                "file": file.display().to_string(),
                "xml_file": out.display().to_string(),
                "level": level,
                "target": match &target {
                    XmlTarget::Document => json!({"kind": "document"}),
                    XmlTarget::Element { id } => json!({"kind": "element", "id": id}),
                    XmlTarget::Detached { uri } => json!({"kind": "detached", "uri": uri}),
                },
                "bytes": xml.len(),
                "timestamp": token.as_ref().map(token_json),
                "certificate": certificate_json(&signed.signature.certificate, false),
                "traffic": stats_json(signed.signature.stats),
            }),
            lines,
        })
    }

    fn rejected(e: XmlError) -> Failure {
        match e {
            XmlError::Trust(e) => Failure::Rejected(e),
            XmlError::ReferenceMismatch { .. } => Failure::Rejected(TrustError::ContentMismatch),
            XmlError::BadSignature => Failure::Rejected(TrustError::BadSignature),
            XmlError::SignedProperties { reason } => {
                Failure::Rejected(TrustError::SignedAttributes { reason })
            }
            XmlError::UnsupportedAlgorithm { algorithm } => {
                Failure::Rejected(TrustError::WeakAlgorithm { algorithm })
            }
            XmlError::Timestamp(e) => crate::timestamp::rejected(&e),
            XmlError::Card(e) => Failure::Card(e),
            other => Failure::Rejected(TrustError::Malformed {
                reason: format!("{other} ({})", other.kind()),
            }),
        }
    }

    /// `kazashi verify FILE.xml [--content FILE]`: the signature, the signed content, the
    /// XAdES properties, the chain, and an XAdES-T timestamp against the `--trust-root` files.
    ///
    /// # Errors
    ///
    /// The verifier's rejection.
    pub fn verify(
        file: &Path,
        content: Option<&Path>,
        show_personal: bool,
        trust: TrustChoice<'_>,
    ) -> Result<Outcome, Failure> {
        let xml = read(file)?;
        let content = content.map(read).transpose()?;
        let store = trust.store()?;
        let mut tsa_roots = Vec::new();
        for path in trust.roots {
            tsa_roots.push(der_or_pem(read(path)?));
        }
        let verified = verify_xml(&xml, content.as_deref(), unix_now(), &store, &tsa_roots)
            .map_err(rejected)?;
        let cert = &verified.chain.certificate;
        let covers = match &verified.signed {
            SignedReference::Document => "the whole document".to_string(),
            SignedReference::Element { id } => format!("the element Id=\"{id}\" only"),
            SignedReference::Detached { uri } => format!("the separate file {uri}"),
        };
        let mut lines = vec![
            format!(
                "XML signature valid ({}): covers {covers}, {} over the canonical SignedInfo, XAdES signing certificate checked",
                if verified.timestamp.is_some() { "XAdES-T" } else { "XAdES-B-B" },
                verified.algorithm.name()
            ),
            format!(
                "anchored by {} ({} days left on the signer's certificate)",
                verified.chain.anchor, verified.chain.days_left
            ),
        ];
        if let Some(t) = verified.signing_time {
            lines.push(format!(
                "signing time (the signer's claim): {}",
                rfc3339_utc(t)
            ));
        }
        if let Some(token) = &verified.timestamp {
            lines.push(format!(
                "timestamp: {} by {}",
                rfc3339_utc(token.gen_time),
                token.tsa_name
            ));
        }
        lines.extend(certificate_lines(cert, show_personal));
        lines.push(
            "revocation: not checked (J-LIS revocation data needs an authorised platform operator)"
                .into(),
        );
        Ok(Outcome {
            json: json!({
                "valid": true,
                "format": "xades",
                "level": if verified.timestamp.is_some() { "XAdES-T" } else { "XAdES-B-B" },
                "covers": match &verified.signed {
                    SignedReference::Document => json!({"kind": "document"}),
                    SignedReference::Element { id } => json!({"kind": "element", "id": id}),
                    SignedReference::Detached { uri } => json!({"kind": "detached", "uri": uri}),
                },
                "digest_algorithm": verified.algorithm.name(),
                "signing_time": verified.signing_time.map(rfc3339_utc),
                "timestamp": verified.timestamp.as_ref().map(token_json),
                "anchor": verified.chain.anchor,
                "signer": certificate_json(cert, show_personal),
            }),
            lines,
        })
    }
}
