//! Verifying an XML signature of the form Kazashi writes (one `ds:Signature`, one data
//! Reference and the XAdES SignedProperties Reference), one step per function: find the
//! signature, the data Reference's digest, the SignedProperties digest, the SignatureValue over
//! the canonical SignedInfo, the XAdES certificate digest, then (in [`verify_xml`]) the chain
//! and the signature timestamp.

use base64ct::{Base64, Encoding};
use kazashi_certificate::{CertificatePurpose, DigestAlgorithm};
use kazashi_verify::{verify_certificate, ChainVerification, TrustStore, SIGNING_TIME_SKEW};
use libxml::tree::Node;
use rsa::pkcs8::DecodePublicKey;
use rsa::RsaPublicKey;
use x509_cert::der::{Decode, Encode};
use x509_cert::Certificate;

use super::c14n::{self, Canonicalization};
use super::dom::{self, child, children};
use super::{XmlError, DS_NS, ENVELOPED_SIGNATURE, SIGNED_PROPERTIES_TYPE, XADES_NS};
use crate::timestamp::{verify_timestamp_token, EmbeddedTimestamp, TimestampToken};

/// What a verified signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedReference {
    /// The whole document but the signature (`URI=""`, enveloped).
    Document,
    /// The element with this Id.
    Element {
        /// Its Id.
        id: String,
    },
    /// A separate file, by this URI (checked against the content given).
    Detached {
        /// The Reference's URI.
        uri: String,
    },
}

/// An XML signature that passed every check.
#[derive(Debug, Clone)]
pub struct XmlVerification {
    /// The signer's certificate chain.
    pub chain: ChainVerification,
    /// What the signature covers.
    pub signed: SignedReference,
    /// The hash of the SignatureMethod.
    pub algorithm: DigestAlgorithm,
    /// `xades:SigningTime` (Unix seconds): the signer's claim, checked only to be possible.
    pub signing_time: Option<i64>,
    /// The checked XAdES-T signature timestamp, if the signature has one.
    pub timestamp: Option<TimestampToken>,
}

/// Verifies the XML signature in `xml`: the signed data's digest (the document without the
/// signature, the element by Id, or `detached_content` for a detached signature), the XAdES
/// SignedProperties digest, the RSA signature over the canonical SignedInfo with the KeyInfo
/// certificate, the SigningCertificateV2 digest of that certificate, the certificate's chain
/// for the signature purpose at `at`, and — when present — the XAdES-T SignatureTimeStamp
/// against `tsa_roots` (DER; a timestamp with no TSA root given is refused, not ignored).
///
/// # Errors
///
/// [`XmlError::ReferenceMismatch`] for altered content, [`XmlError::BadSignature`],
/// [`XmlError::SignedProperties`], [`XmlError::Trust`], [`XmlError::Timestamp`], and
/// [`XmlError::Parse`] / [`XmlError::Malformed`] / [`XmlError::Unsupported`] /
/// [`XmlError::UnsupportedAlgorithm`] / [`XmlError::NoSignature`] /
/// [`XmlError::DetachedContentNeeded`] for what is not such a signature.
pub fn verify_xml(
    xml: &[u8],
    detached_content: Option<&[u8]>,
    at: i64,
    store: &TrustStore,
    tsa_roots: &[Vec<u8>],
) -> Result<XmlVerification, XmlError> {
    let checked = check_signature(xml, detached_content)?;
    let chain = verify_certificate(
        &checked.certificate,
        CertificatePurpose::Signature,
        at,
        store,
    )?;
    if let Some(time) = checked.signing_time {
        if time > at + SIGNING_TIME_SKEW || time < chain.certificate.not_before {
            return Err(XmlError::SignedProperties {
                reason: format!("SigningTime {time} is not possible (later than the time of verification or before the certificate)"),
            });
        }
    }
    let timestamp = match &checked.timestamp {
        Some(found) => Some(verify_timestamp_token(
            &found.token,
            &found.signature_value,
            tsa_roots,
        )?),
        None => None,
    };
    Ok(XmlVerification {
        chain,
        signed: checked.signed,
        algorithm: checked.algorithm,
        signing_time: checked.signing_time,
        timestamp,
    })
}

/// Everything but the chain and the timestamp's trust: what the signer checks on its own
/// output before returning it, too.
pub(crate) struct Checked {
    pub certificate: Vec<u8>,
    pub signed: SignedReference,
    pub algorithm: DigestAlgorithm,
    pub signing_time: Option<i64>,
    /// The EncapsulatedTimeStamp and the canonical SignatureValue it must cover.
    pub timestamp: Option<EmbeddedTimestamp>,
}

pub(crate) fn check_signature(
    xml: &[u8],
    detached_content: Option<&[u8]>,
) -> Result<Checked, XmlError> {
    let doc = c14n::parse(xml)?;
    let signature = match dom::all(&doc, DS_NS, "Signature").as_slice() {
        [one] => one.clone(),
        [] => return Err(XmlError::NoSignature),
        _ => {
            return Err(XmlError::Unsupported {
                reason: "more than one ds:Signature; Kazashi verifies documents with one".into(),
            })
        }
    };
    let signed_info = child(&signature, DS_NS, "SignedInfo")?;
    let method = c14n_of(&child(&signed_info, DS_NS, "CanonicalizationMethod")?)?;
    let algorithm = signature_method(&child(&signed_info, DS_NS, "SignatureMethod")?)?;
    let properties = signed_properties(&signature)?;
    let (data_ref, props_ref) = references(&signed_info)?;

    let signed = check_data_reference(xml, &data_ref, detached_content)?;
    check_properties_reference(&doc, &props_ref, &properties)?;
    let certificate = key_info_certificate(&signature)?;
    let value = child(&signature, DS_NS, "SignatureValue")?;
    check_signature_value(&signed_info, method, algorithm, &value, &certificate)?;
    check_certificate_digest(&properties, &certificate)?;
    Ok(Checked {
        certificate,
        signed,
        algorithm,
        signing_time: signing_time(&properties)?,
        timestamp: signature_timestamp(&properties, &value)?,
    })
}

fn algorithm_of(node: &Node) -> Result<String, XmlError> {
    node.get_attribute("Algorithm")
        .ok_or_else(|| XmlError::malformed(format!("{} has no Algorithm", node.get_name())))
}

fn c14n_of(node: &Node) -> Result<Canonicalization, XmlError> {
    let uri = algorithm_of(node)?;
    Canonicalization::from_uri(&uri).ok_or(XmlError::UnsupportedAlgorithm { algorithm: uri })
}

fn signature_method(node: &Node) -> Result<DigestAlgorithm, XmlError> {
    let uri = algorithm_of(node)?;
    match uri.as_str() {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => Ok(DigestAlgorithm::Sha256),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => Ok(DigestAlgorithm::Sha384),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => Ok(DigestAlgorithm::Sha512),
        _ => Err(XmlError::UnsupportedAlgorithm { algorithm: uri }),
    }
}

fn digest_method(reference: &Node) -> Result<DigestAlgorithm, XmlError> {
    let uri = algorithm_of(&child(reference, DS_NS, "DigestMethod")?)?;
    match uri.as_str() {
        "http://www.w3.org/2001/04/xmlenc#sha256" => Ok(DigestAlgorithm::Sha256),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => Ok(DigestAlgorithm::Sha384),
        "http://www.w3.org/2001/04/xmlenc#sha512" => Ok(DigestAlgorithm::Sha512),
        _ => Err(XmlError::UnsupportedAlgorithm { algorithm: uri }),
    }
}

fn base64(node: &Node) -> Result<Vec<u8>, XmlError> {
    let text: String = node
        .get_content()
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    Base64::decode_vec(&text)
        .map_err(|_| XmlError::malformed(format!("{} is not base64", node.get_name())))
}

/// The one `xades:SignedProperties` of this signature's QualifyingProperties.
fn signed_properties(signature: &Node) -> Result<Node, XmlError> {
    let found: Vec<Node> = children(signature, DS_NS, "Object")
        .iter()
        .flat_map(|o| children(o, XADES_NS, "QualifyingProperties"))
        .flat_map(|q| children(&q, XADES_NS, "SignedProperties"))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(XmlError::SignedProperties {
            reason: "no xades:SignedProperties (not a XAdES signature)".into(),
        }),
        _ => Err(XmlError::SignedProperties {
            reason: "more than one xades:SignedProperties".into(),
        }),
    }
}

/// The data Reference and the SignedProperties Reference, exactly one of each.
fn references(signed_info: &Node) -> Result<(Node, Node), XmlError> {
    let (props, data): (Vec<Node>, Vec<Node>) = children(signed_info, DS_NS, "Reference")
        .into_iter()
        .partition(|r| r.get_attribute("Type").as_deref() == Some(SIGNED_PROPERTIES_TYPE));
    match (data.as_slice(), props.as_slice()) {
        ([data], [props]) => Ok((data.clone(), props.clone())),
        _ => Err(XmlError::Unsupported {
            reason: format!(
                "expected one data Reference and one SignedProperties Reference, found {} and {}",
                data.len(),
                props.len()
            ),
        }),
    }
}

/// The transforms of a Reference: whether enveloped-signature is among them, and the
/// canonicalisation (C14N 1.0 when none is named, as XML-DSig §4.3.3.2 says).
fn transforms(reference: &Node) -> Result<(bool, Option<Canonicalization>), XmlError> {
    let mut enveloped = false;
    let mut method = None;
    let list = children(reference, DS_NS, "Transforms");
    if list.len() > 1 {
        return Err(XmlError::malformed(
            "a Reference has more than one Transforms",
        ));
    }
    for transform in list
        .first()
        .map(|t| children(t, DS_NS, "Transform"))
        .unwrap_or_default()
    {
        let uri = algorithm_of(&transform)?;
        if uri == ENVELOPED_SIGNATURE && method.is_none() && !enveloped {
            enveloped = true;
        } else if let (Some(c), None) = (Canonicalization::from_uri(&uri), method) {
            method = Some(c);
        } else {
            return Err(XmlError::UnsupportedAlgorithm { algorithm: uri });
        }
    }
    Ok((enveloped, method))
}

fn compare(reference: &Node, data: &[u8], uri: &str) -> Result<(), XmlError> {
    let algorithm = digest_method(reference)?;
    let expected = base64(&child(reference, DS_NS, "DigestValue")?)?;
    if algorithm.digest(data) == expected {
        Ok(())
    } else {
        Err(XmlError::ReferenceMismatch {
            uri: uri.to_string(),
        })
    }
}

/// The data Reference: the document or element (re-parsed, the signature removed when the
/// enveloped transform says so, then canonicalised) or the detached content.
fn check_data_reference(
    xml: &[u8],
    reference: &Node,
    detached_content: Option<&[u8]>,
) -> Result<SignedReference, XmlError> {
    let uri = reference
        .get_attribute("URI")
        .ok_or_else(|| XmlError::malformed("the data Reference has no URI"))?;
    let (enveloped, method) = transforms(reference)?;
    if !uri.is_empty() && !uri.starts_with('#') {
        if enveloped || method.is_some() {
            return Err(XmlError::Unsupported {
                reason: "transforms on a detached Reference".into(),
            });
        }
        let content =
            detached_content.ok_or_else(|| XmlError::DetachedContentNeeded { uri: uri.clone() })?;
        compare(reference, content, &uri)?;
        return Ok(SignedReference::Detached { uri });
    }
    let copy = c14n::parse(xml)?;
    if enveloped {
        for mut signature in dom::all(&copy, DS_NS, "Signature") {
            signature.unlink();
        }
    }
    let method = method.unwrap_or(Canonicalization::Inclusive);
    let (data, signed) = match uri.strip_prefix('#') {
        None => (c14n::document(&copy, method)?, SignedReference::Document),
        Some(id) => {
            if !dom::valid_id(id) {
                return Err(XmlError::Unsupported {
                    reason: format!("the Reference URI {uri:?} is not a plain #Id"),
                });
            }
            let node = dom::by_id(&copy, id)?;
            (
                c14n::subtree(&node, method)?,
                SignedReference::Element { id: id.to_string() },
            )
        }
    };
    compare(reference, &data, &uri)?;
    Ok(signed)
}

/// The SignedProperties Reference names this signature's SignedProperties by its Id (the only
/// element with that Id), and its digest matches.
fn check_properties_reference(
    doc: &libxml::tree::Document,
    reference: &Node,
    properties: &Node,
) -> Result<(), XmlError> {
    let id = properties
        .get_attribute("Id")
        .ok_or_else(|| XmlError::SignedProperties {
            reason: "xades:SignedProperties has no Id".into(),
        })?;
    let uri = reference.get_attribute("URI").unwrap_or_default();
    if uri != format!("#{id}") || dom::by_id(doc, &id)? != *properties {
        return Err(XmlError::SignedProperties {
            reason: "the SignedProperties Reference does not point at this signature's properties"
                .into(),
        });
    }
    let (enveloped, method) = transforms(reference)?;
    if enveloped {
        return Err(XmlError::Unsupported {
            reason: "enveloped-signature transform on the SignedProperties Reference".into(),
        });
    }
    let data = c14n::subtree(properties, method.unwrap_or(Canonicalization::Inclusive))?;
    compare(reference, &data, &uri)
}

fn key_info_certificate(signature: &Node) -> Result<Vec<u8>, XmlError> {
    let key_info = child(signature, DS_NS, "KeyInfo")?;
    let data = child(&key_info, DS_NS, "X509Data")?;
    let first = children(&data, DS_NS, "X509Certificate")
        .into_iter()
        .next()
        .ok_or_else(|| XmlError::malformed("KeyInfo has no X509Certificate"))?;
    base64(&first)
}

fn check_signature_value(
    signed_info: &Node,
    method: Canonicalization,
    algorithm: DigestAlgorithm,
    value: &Node,
    certificate: &[u8],
) -> Result<(), XmlError> {
    let cert = Certificate::from_der(certificate)
        .map_err(|e| XmlError::malformed(format!("the KeyInfo certificate: {e}")))?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| XmlError::malformed(e.to_string()))?;
    let key = RsaPublicKey::from_public_key_der(&spki)
        .map_err(|_| XmlError::malformed("the KeyInfo certificate's key is not RSA"))?;
    let canonical = c14n::subtree(signed_info, method)?;
    key.verify(
        algorithm.pkcs1v15(),
        &algorithm.digest(&canonical),
        &base64(value)?,
    )
    .map_err(|_| XmlError::BadSignature)
}

fn signed_signature_properties(properties: &Node) -> Result<Node, XmlError> {
    child(properties, XADES_NS, "SignedSignatureProperties").map_err(|e| {
        XmlError::SignedProperties {
            reason: e.to_string(),
        }
    })
}

/// SigningCertificateV2 (or the older SigningCertificate) names the KeyInfo certificate by
/// its digest.
fn check_certificate_digest(properties: &Node, certificate: &[u8]) -> Result<(), XmlError> {
    let ssp = signed_signature_properties(properties)?;
    let signing_certificate = children(&ssp, XADES_NS, "SigningCertificateV2")
        .into_iter()
        .chain(children(&ssp, XADES_NS, "SigningCertificate"))
        .next()
        .ok_or_else(|| XmlError::SignedProperties {
            reason: "no SigningCertificateV2".into(),
        })?;
    let cert = children(&signing_certificate, XADES_NS, "Cert")
        .into_iter()
        .next()
        .ok_or_else(|| XmlError::SignedProperties {
            reason: "SigningCertificateV2 names no certificate".into(),
        })?;
    let digest = child(&cert, XADES_NS, "CertDigest")?;
    let algorithm = digest_method(&digest)?;
    let value = base64(&child(&digest, DS_NS, "DigestValue")?)?;
    if algorithm.digest(certificate) == value {
        Ok(())
    } else {
        Err(XmlError::SignedProperties {
            reason: "SigningCertificateV2 names another certificate than KeyInfo's".into(),
        })
    }
}

/// `xades:SigningTime`, an xs:dateTime in UTC (`YYYY-MM-DDThh:mm:ss[.fff]Z`, as written).
fn signing_time(properties: &Node) -> Result<Option<i64>, XmlError> {
    let ssp = signed_signature_properties(properties)?;
    let Some(node) = children(&ssp, XADES_NS, "SigningTime").into_iter().next() else {
        return Ok(None);
    };
    let text = node.get_content();
    let bad = || XmlError::SignedProperties {
        reason: format!("SigningTime {text:?} is not a UTC xs:dateTime"),
    };
    let text = text.trim();
    let body = text.strip_suffix('Z').ok_or_else(bad)?;
    let body = body.split('.').next().ok_or_else(bad)?;
    let field = |range: std::ops::Range<usize>| -> Result<u16, XmlError> {
        body.get(range).and_then(|s| s.parse().ok()).ok_or_else(bad)
    };
    if body.len() != 19 || &body[4..5] != "-" || &body[10..11] != "T" {
        return Err(bad());
    }
    let time = der::DateTime::new(
        field(0..4)?,
        field(5..7)? as u8,
        field(8..10)? as u8,
        field(11..13)? as u8,
        field(14..16)? as u8,
        field(17..19)? as u8,
    )
    .map_err(|_| bad())?;
    Ok(Some(time.unix_duration().as_secs() as i64))
}

/// The XAdES-T SignatureTimeStamp, with the canonical SignatureValue it must cover.
fn signature_timestamp(
    properties: &Node,
    value: &Node,
) -> Result<Option<EmbeddedTimestamp>, XmlError> {
    let Some(qualifying) = properties.get_parent() else {
        return Ok(None);
    };
    let stamps: Vec<Node> = children(&qualifying, XADES_NS, "UnsignedProperties")
        .iter()
        .flat_map(|u| children(u, XADES_NS, "UnsignedSignatureProperties"))
        .flat_map(|u| children(&u, XADES_NS, "SignatureTimeStamp"))
        .collect();
    let stamp = match stamps.as_slice() {
        [] => return Ok(None),
        [one] => one.clone(),
        _ => {
            return Err(XmlError::Unsupported {
                reason: "more than one SignatureTimeStamp".into(),
            })
        }
    };
    let method = match children(&stamp, DS_NS, "CanonicalizationMethod").first() {
        Some(node) => c14n_of(node)?,
        None => Canonicalization::Inclusive,
    };
    let token = base64(&child(&stamp, XADES_NS, "EncapsulatedTimeStamp")?)?;
    Ok(Some(EmbeddedTimestamp {
        token,
        signature_value: c14n::subtree(value, method)?,
    }))
}
