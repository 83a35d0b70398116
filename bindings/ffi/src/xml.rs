//! XML signing (XAdES-B-B, XAdES-T) through the bindings: `CardSession.signXml` and
//! `verifyXml`. Behind the feature `xml` (which adds `documents`): XML canonicalisation is
//! libxml2's, a system library the Android NDK does not ship, so the base and `documents`
//! builds stay free of it.

use kazashi::SigningPassword;
use kazashi_documents::timestamp::TimestampClient;
use kazashi_documents::xml::{self, XmlError};

use crate::error::KazashiError;
use crate::model::{ApduStats, CertificateInfo, SignOptions};
use crate::secret::SecretBytes;
use crate::session::CardSession;

/// What an XML signature covers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum XmlTarget {
    /// The whole document (enveloped, `URI=""`).
    Document,
    /// The element with this `Id` (enveloped, `URI="#id"`).
    Element {
        /// The element's Id.
        id: String,
    },
    /// A separate file: `document` is that file's bytes, `uri` how the signature names it;
    /// the result is a standalone signature document.
    Detached {
        /// The file's relative URI (`application.pdf`).
        uri: String,
    },
}

impl From<XmlTarget> for xml::XmlTarget {
    fn from(t: XmlTarget) -> Self {
        match t {
            XmlTarget::Document => xml::XmlTarget::Document,
            XmlTarget::Element { id } => xml::XmlTarget::Element { id },
            XmlTarget::Detached { uri } => xml::XmlTarget::Detached { uri },
        }
    }
}

/// How to sign XML.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct XmlSignOptions {
    /// What is signed.
    pub target: XmlTarget,
    /// A TSA URL for XAdES-T; none for XAdES-B-B.
    #[uniffi(default = None)]
    pub timestamp_url: Option<String>,
    /// The TSA roots (DER) the token must chain to.
    #[uniffi(default = [])]
    pub tsa_roots: Vec<Vec<u8>>,
}

/// A signed XML document.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignedXml {
    /// The document with its signature (UTF-8), or the detached signature document.
    pub xml: Vec<u8>,
    /// The signing certificate (with personal attributes).
    pub certificate: CertificateInfo,
    /// What the flow exchanged.
    pub counts: ApduStats,
    /// Whether a trusted timestamp was added (XAdES-T).
    pub timestamped: bool,
    /// Why the asked-for timestamp is missing (the document is then XAdES-B-B, still valid).
    pub timestamp_error: Option<String>,
}

fn sign_error(e: XmlError) -> KazashiError {
    match e {
        XmlError::Card(e) => e.into(),
        other => kazashi::Error::InvalidInput {
            reason: other.to_string(),
        }
        .into(),
    }
}

#[uniffi::export]
impl CardSession {
    /// Tap to sign an XML document (XAdES-B-B; XAdES-T when `options.timestampUrl` is set and
    /// the TSA answers — a TSA failure after the tap still returns the B-B document with
    /// `timestampError`). The TSA request is a blocking HTTP call: call from a background
    /// dispatcher.
    pub async fn sign_xml(
        &self,
        document: Vec<u8>,
        password: Vec<u8>,
        options: XmlSignOptions,
        sign: SignOptions,
    ) -> Result<SignedXml, KazashiError> {
        let password = SecretBytes::from(password).parse(SigningPassword::new)?;
        let xml_options = xml::XmlSignOptions {
            target: options.target.into(),
            signing_time: kazashi::unix_now(),
            sign: sign.into(),
        };
        let mut card = self.card.lock().await;
        let signed = xml::sign_xml(&mut card, &document, &password, &xml_options)
            .await
            .map_err(sign_error)?;
        drop(card);
        let (xml, timestamp) = match options.timestamp_url {
            Some(url) => {
                let stamped =
                    xml::timestamp_xml(signed.xml, &TimestampClient::new(url, options.tsa_roots));
                (stamped.document, Some(stamped.timestamp))
            }
            None => (signed.xml, None),
        };
        Ok(SignedXml {
            xml,
            certificate: (&signed.signature.certificate).into(),
            counts: signed.signature.stats.into(),
            timestamped: matches!(timestamp, Some(Ok(_))),
            timestamp_error: crate::documents::timestamp_error(&timestamp),
        })
    }
}

#[cfg(feature = "verify")]
mod verification {
    use super::{xml, XmlError, XmlTarget};
    use crate::trust::{store, ChainResult, RejectionKind, TestRoot, VerificationError};

    /// A verified XML signature.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct XmlSignatureCheck {
        /// The signer's chain.
        pub chain: ChainResult,
        /// What the signature covers.
        pub signed: XmlTarget,
        /// `xades:SigningTime`, Unix seconds: the signer's claim.
        pub signing_time: Option<i64>,
        /// The XAdES-T timestamp's time (Unix seconds), checked against `tsaRoots`.
        pub timestamp_time: Option<i64>,
        /// The TSA that issued it.
        pub timestamp_authority: Option<String>,
    }

    /// The rejection kind closest to an XML verifier's reason (the full reason is in
    /// `reason`, prefixed by the XML kind).
    fn rejection(e: XmlError) -> VerificationError {
        let kind = match &e {
            XmlError::Trust(trust) => return trust.clone().into(),
            XmlError::ReferenceMismatch { .. } | XmlError::DetachedContentNeeded { .. } => {
                RejectionKind::ContentMismatch
            }
            XmlError::BadSignature => RejectionKind::BadSignature,
            XmlError::SignedProperties { .. } => RejectionKind::SignedAttributes,
            XmlError::UnsupportedAlgorithm { .. } => RejectionKind::WeakAlgorithm,
            _ => RejectionKind::Malformed,
        };
        VerificationError::Rejected {
            kind,
            reason: format!("{e} ({})", e.kind()),
        }
    }

    /// Verifies an XML signature (XAdES-B-B or -T): the signed content (`detachedContent` for
    /// a detached signature), SignedInfo's signature, the XAdES certificate digest, the chain
    /// (production roots plus `testRoots`) and, when present, the timestamp against
    /// `tsaRoots` (a timestamp that cannot be checked is refused).
    #[uniffi::export]
    pub fn verify_xml(
        xml: Vec<u8>,
        detached_content: Option<Vec<u8>>,
        test_roots: Vec<TestRoot>,
        tsa_roots: Vec<Vec<u8>>,
    ) -> Result<XmlSignatureCheck, VerificationError> {
        let verified = xml::verify_xml(
            &xml,
            detached_content.as_deref(),
            kazashi::unix_now(),
            &store(test_roots)?,
            &tsa_roots,
        )
        .map_err(rejection)?;
        Ok(XmlSignatureCheck {
            chain: (&verified.chain).into(),
            signed: match verified.signed {
                xml::SignedReference::Document => XmlTarget::Document,
                xml::SignedReference::Element { id } => XmlTarget::Element { id },
                xml::SignedReference::Detached { uri } => XmlTarget::Detached { uri },
            },
            signing_time: verified.signing_time,
            timestamp_time: verified.timestamp.as_ref().map(|t| t.gen_time),
            timestamp_authority: verified.timestamp.map(|t| t.tsa_name),
        })
    }
}

#[cfg(feature = "verify")]
pub use verification::{verify_xml, XmlSignatureCheck};
