//! Signing XML with one card tap. The card flow reads the signing certificate first; the
//! SignedProperties (which name it) and then the canonical SignedInfo are built inside its
//! callback, and the card signs SignedInfo's SHA-256. libxml2 documents never live across the
//! `await` (they are not `Send`): each step parses, canonicalises and drops.

use der::Encode;
use kazashi::{
    CertificateInfo, DigestAlgorithm, DocumentDigest, Error, JpkiCard, SignOptions, SignResult,
    SigningPassword, Transport,
};
use kazashi_certificate::instant::rfc3339_utc;
use kazashi_verify::cades::IssuerSerial;
use x509_cert::der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::Certificate;

use super::c14n::{self, Canonicalization};
use super::dom::{self, child};
use super::template::{self, DataReference, Ids};
use super::timestamp::timestamp_xml;
use super::verify::check_signature;
use super::{XmlError, XmlTarget, DS_NS};
use crate::timestamp::{TimestampClient, Timestamped};

/// How to sign an XML document.
#[derive(Debug, Clone)]
pub struct XmlSignOptions {
    /// What the signature covers.
    pub target: XmlTarget,
    /// `xades:SigningTime`, Unix seconds.
    pub signing_time: i64,
    /// Card-flow options (last-attempt confirmation).
    pub sign: SignOptions,
}

/// A signed XML document and the card signature inside it.
#[derive(Debug, Clone)]
pub struct SignedXml {
    /// The document with its signature (UTF-8), or the standalone detached signature.
    pub xml: Vec<u8>,
    /// The card's signature over the canonical SignedInfo, with the certificate.
    pub signature: SignResult,
}

/// What the card callback built: the SignedInfo and SignedProperties text, and the certificate.
struct Built {
    signed_info: String,
    signed_properties: String,
}

/// Taps the card once and signs `input` (the XML document, or for
/// [`XmlTarget::Detached`] the separate file's bytes) as XAdES-B-B.
///
/// # Errors
///
/// [`XmlError::Card`] (PIN, link, card: nothing signed), [`XmlError::Parse`] /
/// [`XmlError::Unsupported`] for a document that cannot be signed (not well-formed, a
/// DOCTYPE, already signed, no such Id), [`XmlError::Canonicalization`].
pub async fn sign_xml<T: Transport>(
    card: &mut JpkiCard<T>,
    input: &[u8],
    password: &SigningPassword,
    options: &XmlSignOptions,
) -> Result<SignedXml, XmlError> {
    let reference = data_reference(input, &options.target)?;
    let ids = Ids::new();
    let mut built = None;
    let signature = card
        .sign_with_certificate(password, options.sign, |certificate| {
            let b = build(&ids, &reference, certificate, options.signing_time).map_err(|e| {
                Error::InvalidInput {
                    reason: e.to_string(),
                }
            })?;
            let canonical = canonical_signed_info(&ids, &b, certificate.der()).map_err(|e| {
                Error::InvalidInput {
                    reason: e.to_string(),
                }
            })?;
            built = Some(b);
            Ok(DocumentDigest::of_document(
                DigestAlgorithm::Sha256,
                &canonical,
            ))
        })
        .await?;
    let built = built.ok_or_else(|| XmlError::malformed("the signature was not built"))?;
    let text = template::signature(
        &ids,
        &built.signed_info,
        &signature.signature,
        signature.certificate.der(),
        &built.signed_properties,
    );
    let xml = place(input, &options.target, &text)?;
    // Our own verifier over our own output, before anyone else sees it.
    let detached = matches!(options.target, XmlTarget::Detached { .. }).then_some(input);
    check_signature(&xml, detached)?;
    Ok(SignedXml { xml, signature })
}

/// [`sign_xml`] (one tap), then [`timestamp_xml`] (XAdES-T). The outer error is the card's or
/// the document's (nothing signed); a TSA failure after the card signed is in
/// [`Timestamped::timestamp`], with the B-B document kept.
///
/// # Errors
///
/// Those of [`sign_xml`].
pub async fn sign_xml_with_timestamp<T: Transport>(
    card: &mut JpkiCard<T>,
    input: &[u8],
    password: &SigningPassword,
    options: &XmlSignOptions,
    tsa: &TimestampClient,
) -> Result<Timestamped<SignedXml>, XmlError> {
    let signed = sign_xml(card, input, password, options).await?;
    let stamped = timestamp_xml(signed.xml.clone(), tsa);
    Ok(Timestamped {
        document: SignedXml {
            xml: stamped.document,
            signature: signed.signature,
        },
        timestamp: stamped.timestamp,
    })
}

/// The Reference to the signed data, digested before the card is asked.
fn data_reference(input: &[u8], target: &XmlTarget) -> Result<DataReference, XmlError> {
    let sha256 = |data: &[u8]| DigestAlgorithm::Sha256.digest(data);
    match target {
        XmlTarget::Detached { uri } => {
            if uri.is_empty() || uri.starts_with('#') || uri.chars().any(char::is_whitespace) {
                return Err(XmlError::Unsupported {
                    reason: format!("{uri:?} is not a relative URI for the detached file"),
                });
            }
            Ok(DataReference {
                uri: uri.clone(),
                same_document: false,
                digest: sha256(input),
            })
        }
        XmlTarget::Document | XmlTarget::Element { .. } => {
            let doc = c14n::parse(input)?;
            if !dom::all(&doc, DS_NS, "Signature").is_empty() {
                return Err(XmlError::Unsupported {
                    reason: "the document is already signed; Kazashi signs and verifies one signature per document".into(),
                });
            }
            let (uri, data) = match target {
                XmlTarget::Element { id } => {
                    if !dom::valid_id(id) {
                        return Err(XmlError::Unsupported {
                            reason: format!("{id:?} is not a plain Id (letters, digits, _ - .)"),
                        });
                    }
                    let node = dom::by_id(&doc, id)?;
                    (
                        format!("#{id}"),
                        c14n::subtree(&node, Canonicalization::Exclusive)?,
                    )
                }
                _ => (
                    String::new(),
                    c14n::document(&doc, Canonicalization::Exclusive)?,
                ),
            };
            Ok(DataReference {
                uri,
                same_document: true,
                digest: sha256(&data),
            })
        }
    }
}

fn build(
    ids: &Ids,
    reference: &DataReference,
    certificate: &CertificateInfo,
    signing_time: i64,
) -> Result<Built, XmlError> {
    let cert = Certificate::from_der(certificate.der())
        .map_err(|e| XmlError::malformed(format!("the signing certificate: {e}")))?;
    let issuer_serial = IssuerSerial {
        issuer: vec![GeneralName::DirectoryName(
            cert.tbs_certificate.issuer.clone(),
        )],
        serial_number: cert.tbs_certificate.serial_number.clone(),
    }
    .to_der()
    .map_err(|e| XmlError::malformed(e.to_string()))?;
    let signed_properties = template::signed_properties(
        ids,
        &rfc3339_utc(signing_time),
        certificate.der(),
        &issuer_serial,
    );
    // The SignedProperties' canonical form, read from a Signature with a placeholder
    // SignedInfo: exclusive C14N does not depend on the rest.
    let draft = template::signature(
        ids,
        &template::signed_info(ids, reference, &[]),
        &[],
        certificate.der(),
        &signed_properties,
    );
    let doc = c14n::parse(draft.as_bytes())?;
    let properties = dom::by_id(&doc, &ids.signed_properties)?;
    let canonical = c14n::subtree(&properties, Canonicalization::Exclusive)?;
    let digest = DigestAlgorithm::Sha256.digest(&canonical);
    Ok(Built {
        signed_info: template::signed_info(ids, reference, &digest),
        signed_properties,
    })
}

/// The canonical SignedInfo the card signs.
fn canonical_signed_info(
    ids: &Ids,
    built: &Built,
    certificate: &[u8],
) -> Result<Vec<u8>, XmlError> {
    let draft = template::signature(
        ids,
        &built.signed_info,
        &[],
        certificate,
        &built.signed_properties,
    );
    let doc = c14n::parse(draft.as_bytes())?;
    let signature = doc
        .get_root_element()
        .ok_or_else(|| XmlError::malformed("no signature"))?;
    c14n::subtree(
        &child(&signature, DS_NS, "SignedInfo")?,
        Canonicalization::Exclusive,
    )
}

/// The signed output: the signature appended to the root element (enveloped), or alone
/// (detached). libxml2 serialises (UTF-8).
fn place(input: &[u8], target: &XmlTarget, signature: &str) -> Result<Vec<u8>, XmlError> {
    let wrapped = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{signature}\n");
    if let XmlTarget::Detached { .. } = target {
        return Ok(wrapped.into_bytes());
    }
    let mut doc = c14n::parse(input)?;
    let fragment = c14n::parse(wrapped.as_bytes())?;
    let mut root = doc
        .get_root_element()
        .ok_or_else(|| XmlError::malformed("no root element"))?;
    dom::append(&mut doc, &mut root, &fragment)?;
    Ok(dom::serialize(&doc))
}
