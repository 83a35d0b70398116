//! XML signatures: XML-DSig with the XAdES baseline B-B properties, and XAdES-T with a
//! signature timestamp — the form electronic applications to the government take.
//!
//! What Kazashi writes (one card tap per document):
//! - `ds:Signature` with RSA-SHA256 (`…xmldsig-more#rsa-sha256`) over the **Exclusive XML
//!   Canonicalization 1.0** (`http://www.w3.org/2001/10/xml-exc-c14n#`, without comments) of
//!   `ds:SignedInfo`. Exclusive C14N is used everywhere (SignedInfo, references, the signature
//!   timestamp) because a subtree's form then does not depend on the document around it.
//! - a `ds:Reference` to what is signed: the whole document (`URI=""`) or one element
//!   (`URI="#id"`), both with the enveloped-signature and exc-c14n transforms, the signature
//!   appended to the root element; or, detached, a separate file by URI with the SHA-256 of its
//!   bytes;
//! - `ds:KeyInfo/ds:X509Data` with the signing certificate;
//! - XAdES 1.3.2 / EN 319 132 `xades:SignedProperties` (SigningTime, SigningCertificateV2 with
//!   the certificate's SHA-256 and IssuerSerialV2), referenced from SignedInfo with
//!   `Type="http://uri.etsi.org/01903#SignedProperties"`;
//! - XAdES-T: `xades:SignatureTimeStamp` over the exc-c14n of `ds:SignatureValue`
//!   ([`timestamp_xml`]).
//!
//! Canonicalisation is libxml2's (see [`c14n`](canonicalize)); `xmlsec1 --verify` checks every
//! file in `scripts/test-xml.sh`.

mod c14n;
mod dom;
#[cfg(feature = "sign")]
mod sign;
mod template;
mod timestamp;
mod verify;

pub use c14n::{canonicalize, Canonicalization};
#[cfg(feature = "sign")]
pub use sign::{sign_xml, sign_xml_with_timestamp, SignedXml, XmlSignOptions};
pub use timestamp::timestamp_xml;
pub use verify::{verify_xml, SignedReference, XmlVerification};

use crate::timestamp::TimestampError;
use kazashi_verify::TrustError;

/// The XML-DSig namespace.
pub const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The XAdES 1.3.2 namespace (EN 319 132-1 keeps it).
pub const XADES_NS: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// The `Type` of the Reference to the signed properties.
pub const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";
/// The enveloped-signature transform.
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 6931).
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// SHA-256 as a DigestMethod.
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// What an XML signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlTarget {
    /// The whole document (`URI=""`); the signature is appended to the root element.
    Document,
    /// The element whose `Id` attribute is this (`URI="#id"`, a plain NCName); the signature
    /// is appended to the root element.
    Element {
        /// The element's Id.
        id: String,
    },
    /// A separate file (detached): the input is that file's bytes, `uri` is how the signature
    /// names it (a relative URI reference such as `application.pdf`, percent-encoded), and the
    /// output is a standalone `ds:Signature` document.
    Detached {
        /// The file's URI as written in the Reference.
        uri: String,
    },
}

/// Why an XML document could not be signed, or its signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The card flow failed (PIN, link, card); nothing was signed.
    #[cfg(feature = "sign")]
    #[error(transparent)]
    Card(#[from] kazashi::Error),
    /// Not well-formed XML.
    #[error("the document is not well-formed XML: {reason}")]
    Parse {
        /// libxml2's diagnosis.
        reason: String,
    },
    /// Well-formed, but not something this signer or verifier handles (a DOCTYPE, a missing or
    /// repeated Id, more than one signature…).
    #[error("unsupported XML: {reason}")]
    Unsupported {
        /// What is not supported, and what to do.
        reason: String,
    },
    /// libxml2 could not canonicalise.
    #[error("canonicalisation failed: {reason}")]
    Canonicalization {
        /// What failed.
        reason: String,
    },
    /// The document has no `ds:Signature`.
    #[error("the document holds no XML signature")]
    NoSignature,
    /// The signature's structure is not XML-DSig / XAdES as expected.
    #[error("malformed XML signature: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// An algorithm outside RSA-SHA256/384/512, SHA-256/384/512, exc-c14n / c14n 1.0 and the
    /// enveloped-signature transform.
    #[error("unsupported or weak algorithm {algorithm}")]
    UnsupportedAlgorithm {
        /// The algorithm's URI.
        algorithm: String,
    },
    /// A detached signature was verified without the file it signs.
    #[error("the signature covers the separate file {uri}; give its content to verify it")]
    DetachedContentNeeded {
        /// The Reference's URI.
        uri: String,
    },
    /// A Reference's digest does not match: the signed document (or element, or file) was
    /// altered after signing.
    #[error("the signed content {uri:?} does not match its digest: it was altered after signing")]
    ReferenceMismatch {
        /// The Reference's URI (`""` for the whole document).
        uri: String,
    },
    /// The SignatureValue does not verify over SignedInfo with the certificate's key.
    #[error("the signature does not verify against the certificate in KeyInfo")]
    BadSignature,
    /// The XAdES signed properties are missing or do not name the signing certificate.
    #[error("XAdES signed properties: {reason}")]
    SignedProperties {
        /// What is wrong.
        reason: String,
    },
    /// The signing certificate is not accepted (chain, validity, purpose…).
    #[error(transparent)]
    Trust(#[from] TrustError),
    /// The signature timestamp (XAdES-T) is not accepted, or could not be obtained.
    #[error(transparent)]
    Timestamp(#[from] TimestampError),
}

impl XmlError {
    /// A stable kebab-case name for code that reacts (CLI `--json`, bindings).
    pub fn kind(&self) -> &'static str {
        match self {
            #[cfg(feature = "sign")]
            XmlError::Card(_) => "card",
            XmlError::Parse { .. } => "parse",
            XmlError::Unsupported { .. } => "unsupported",
            XmlError::Canonicalization { .. } => "canonicalization",
            XmlError::NoSignature => "no-signature",
            XmlError::Malformed { .. } => "malformed",
            XmlError::UnsupportedAlgorithm { .. } => "unsupported-algorithm",
            XmlError::DetachedContentNeeded { .. } => "detached-content-needed",
            XmlError::ReferenceMismatch { .. } => "reference-mismatch",
            XmlError::BadSignature => "bad-signature",
            XmlError::SignedProperties { .. } => "signed-properties",
            XmlError::Trust(e) => e.kind().name(),
            XmlError::Timestamp(e) => e.kind(),
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        XmlError::Malformed {
            reason: reason.into(),
        }
    }
}
