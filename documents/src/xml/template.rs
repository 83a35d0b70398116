//! The `ds:Signature` element Kazashi writes, as text with every inserted value escaped. It is
//! only ever parsed by libxml2 and canonicalised by it; its exact spelling does not matter to
//! the signature, the canonical form does. Without the `sign` feature only the XAdES-T part is
//! used (a verifier can still add a timestamp to a signature it received).
#![cfg_attr(not(feature = "sign"), allow(dead_code))]

use base64ct::{Base64, Encoding};
use rand_core::{OsRng, RngCore};

use super::c14n::Canonicalization;
use super::dom::escape;
use super::{DS_NS, ENVELOPED_SIGNATURE, RSA_SHA256, SHA256, SIGNED_PROPERTIES_TYPE, XADES_NS};

/// The Ids one signature uses, unique per signature (random suffix).
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    pub signature: String,
    pub signed_properties: String,
    pub signature_value: String,
}

impl Ids {
    pub(crate) fn new() -> Self {
        let mut bytes = [0u8; 8];
        OsRng.fill_bytes(&mut bytes);
        let base = format!("kazashi-{}", hex_lower(&bytes));
        Self {
            signed_properties: format!("{base}-signed-properties"),
            signature_value: format!("{base}-value"),
            signature: base,
        }
    }
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The Reference to the signed data.
#[derive(Debug, Clone)]
pub(crate) struct DataReference {
    /// `""`, `#id`, or the detached file's URI.
    pub uri: String,
    /// Whether the enveloped-signature and exc-c14n transforms apply (same-document).
    pub same_document: bool,
    /// SHA-256 of the transformed data.
    pub digest: Vec<u8>,
}

fn b64(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// `xades:SignedProperties`: SigningTime and SigningCertificateV2 (certificate SHA-256,
/// IssuerSerialV2 = base64 of the DER RFC 5035 IssuerSerial).
pub(crate) fn signed_properties(
    ids: &Ids,
    signing_time: &str,
    certificate: &[u8],
    issuer_serial_der: &[u8],
) -> String {
    use sha2::Digest;
    let cert_digest = sha2::Sha256::digest(certificate);
    format!(
        "<xades:SignedProperties Id=\"{id}\">\
<xades:SignedSignatureProperties>\
<xades:SigningTime>{time}</xades:SigningTime>\
<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>\
<ds:DigestMethod Algorithm=\"{SHA256}\"/><ds:DigestValue>{digest}</ds:DigestValue>\
</xades:CertDigest><xades:IssuerSerialV2>{issuer_serial}</xades:IssuerSerialV2></xades:Cert>\
</xades:SigningCertificateV2>\
</xades:SignedSignatureProperties>\
</xades:SignedProperties>",
        id = escape(&ids.signed_properties),
        time = escape(signing_time),
        digest = b64(&cert_digest),
        issuer_serial = b64(issuer_serial_der),
    )
}

/// `ds:SignedInfo` with the data Reference and the SignedProperties Reference.
pub(crate) fn signed_info(ids: &Ids, data: &DataReference, properties_digest: &[u8]) -> String {
    let exc = Canonicalization::Exclusive.uri();
    let data_transforms = if data.same_document {
        format!(
            "<ds:Transforms><ds:Transform Algorithm=\"{ENVELOPED_SIGNATURE}\"/>\
<ds:Transform Algorithm=\"{exc}\"/></ds:Transforms>"
        )
    } else {
        String::new()
    };
    format!(
        "<ds:SignedInfo>\
<ds:CanonicalizationMethod Algorithm=\"{exc}\"/>\
<ds:SignatureMethod Algorithm=\"{RSA_SHA256}\"/>\
<ds:Reference Id=\"{sig}-ref-0\" URI=\"{uri}\">{data_transforms}\
<ds:DigestMethod Algorithm=\"{SHA256}\"/><ds:DigestValue>{data_digest}</ds:DigestValue></ds:Reference>\
<ds:Reference Type=\"{SIGNED_PROPERTIES_TYPE}\" URI=\"#{props}\">\
<ds:Transforms><ds:Transform Algorithm=\"{exc}\"/></ds:Transforms>\
<ds:DigestMethod Algorithm=\"{SHA256}\"/><ds:DigestValue>{props_digest}</ds:DigestValue></ds:Reference>\
</ds:SignedInfo>",
        sig = escape(&ids.signature),
        uri = escape(&data.uri),
        data_digest = b64(&data.digest),
        props = escape(&ids.signed_properties),
        props_digest = b64(properties_digest),
    )
}

/// The whole `ds:Signature`: `signature_value` empty until the card has signed.
pub(crate) fn signature(
    ids: &Ids,
    signed_info: &str,
    signature_value: &[u8],
    certificate: &[u8],
    signed_properties: &str,
) -> String {
    format!(
        "<ds:Signature xmlns:ds=\"{DS_NS}\" Id=\"{sig}\">{signed_info}\
<ds:SignatureValue Id=\"{value_id}\">{value}</ds:SignatureValue>\
<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\
<ds:Object><xades:QualifyingProperties xmlns:xades=\"{XADES_NS}\" Target=\"#{sig}\">\
{signed_properties}</xades:QualifyingProperties></ds:Object>\
</ds:Signature>",
        sig = escape(&ids.signature),
        value_id = escape(&ids.signature_value),
        value = b64(signature_value),
        cert = b64(certificate),
    )
}

/// `xades:UnsignedProperties` with a SignatureTimeStamp (XAdES-T), its namespaces declared on
/// itself so it can be parsed alone and added to QualifyingProperties.
pub(crate) fn unsigned_properties(timestamp_id: &str, token: &[u8]) -> String {
    format!(
        "<xades:UnsignedProperties xmlns:xades=\"{XADES_NS}\" xmlns:ds=\"{DS_NS}\">\
<xades:UnsignedSignatureProperties><xades:SignatureTimeStamp Id=\"{id}\">\
<ds:CanonicalizationMethod Algorithm=\"{exc}\"/>\
<xades:EncapsulatedTimeStamp>{token}</xades:EncapsulatedTimeStamp>\
</xades:SignatureTimeStamp></xades:UnsignedSignatureProperties></xades:UnsignedProperties>",
        id = escape(timestamp_id),
        exc = Canonicalization::Exclusive.uri(),
        token = b64(token),
    )
}
