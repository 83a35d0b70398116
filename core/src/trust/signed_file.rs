//! Signed files: CMS SignedData (RFC 5652) with the CAdES-BES signed attributes (contentType,
//! messageDigest, signingTime, signingCertificateV2), built around a card signature with
//! RustCrypto's `cms`/`der`/`x509-cert` types, and the matching verifier.

use std::time::Duration;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode, Sequence};

use crate::der_limits::check_der_lengths;
use rsa::pkcs8::DecodePublicKey;
use rsa::RsaPublicKey;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::time::Time;
use x509_cert::Certificate;

use super::chain::{verify_certificate, ChainVerification, TrustStore};
use super::error::TrustError;
use crate::certificate::{CertificateInfo, CertificatePurpose};
use crate::digest::{DigestAlgorithm, DocumentDigest};
use crate::error::{Error, Result};
use crate::jpki::{JpkiCard, SignOptions, SignResult};
use crate::pin::SigningPassword;
use crate::transport::Transport;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// RFC 5035 `SigningCertificateV2`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// RFC 5035 `ESSCertIDv2`; the hash algorithm is omitted when it is the default SHA-256.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// RFC 5035 `IssuerSerial`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// How to build a signed file.
#[derive(Debug, Clone, Copy)]
pub struct CmsOptions {
    /// Hash algorithm (SHA-256 by default; SHA-1 is refused).
    pub algorithm: DigestAlgorithm,
    /// Detached (the default): the file holds only the signature; attached: it holds the content.
    pub detached: bool,
    /// The signingTime attribute, Unix seconds.
    pub signing_time: i64,
    /// Card-flow options (last-attempt confirmation).
    pub sign: SignOptions,
}

/// A signed file and the card signature inside it.
#[derive(Debug, Clone)]
pub struct SignedFile {
    /// DER `ContentInfo` (a `.p7s` file).
    pub der: Vec<u8>,
    /// The card's signature over the signed attributes, with the certificate.
    pub signature: SignResult,
}

/// Taps the card once and produces a CMS SignedData over `content`.
pub async fn sign_cms<T: Transport>(
    card: &mut JpkiCard<T>,
    content: &[u8],
    password: &SigningPassword,
    options: CmsOptions,
) -> Result<SignedFile> {
    let algorithm = options.algorithm;
    if algorithm == DigestAlgorithm::Sha1 {
        return Err(Error::InvalidInput {
            reason: "CMS files are signed with SHA-256, SHA-384 or SHA-512".into(),
        });
    }
    let content_digest = algorithm.digest(content);
    let mut attributes = None;
    let signature = card
        .sign_with_certificate(password, options.sign, |certificate| {
            let attrs = signed_attributes(&content_digest, certificate, options.signing_time)?;
            let encoded = attrs.to_der().map_err(encoding)?;
            attributes = Some(attrs);
            Ok(DocumentDigest::of_document(algorithm, &encoded))
        })
        .await?;
    let attributes = attributes.ok_or_else(|| encoding("signed attributes were not built"))?;
    let der = assemble(&signature, attributes, content, options.detached)?;
    Ok(SignedFile { der, signature })
}

fn encoding(e: impl std::fmt::Display) -> Error {
    Error::InvalidInput {
        reason: format!("cannot encode the signed file: {e}"),
    }
}

fn algorithm_identifier(algorithm: DigestAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: algorithm.oid(),
        parameters: None,
    }
}

fn digest_of_identifier(
    id: &AlgorithmIdentifierOwned,
) -> std::result::Result<DigestAlgorithm, TrustError> {
    match DigestAlgorithm::from_oid(&id.oid) {
        Some(DigestAlgorithm::Sha1) => Err(TrustError::WeakAlgorithm {
            algorithm: "SHA-1".into(),
        }),
        Some(algorithm) => Ok(algorithm),
        None => Err(TrustError::WeakAlgorithm {
            algorithm: id.oid.to_string(),
        }),
    }
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(encoding)?,
    })
}

fn signed_attributes(
    content_digest: &[u8],
    certificate: &CertificateInfo,
    signing_time: i64,
) -> Result<SignedAttributes> {
    let cert = Certificate::from_der(certificate.der()).map_err(encoding)?;
    let time = UtcTime::from_unix_duration(Duration::from_secs(signing_time.max(0) as u64))
        .map_err(encoding)?;
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(DigestAlgorithm::Sha256.digest(certificate.der()))
                .map_err(encoding)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate.issuer.clone(),
                )],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
    };
    let attrs = vec![
        attribute(
            ID_CONTENT_TYPE,
            Any::encode_from(&ID_DATA).map_err(encoding)?,
        )?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_digest.to_vec()).map_err(encoding)?)
                .map_err(encoding)?,
        )?,
        attribute(
            ID_SIGNING_TIME,
            Any::encode_from(&Time::UtcTime(time)).map_err(encoding)?,
        )?,
        attribute(
            ID_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&ess).map_err(encoding)?,
        )?,
    ];
    SetOfVec::try_from(attrs).map_err(encoding)
}

fn assemble(
    signature: &SignResult,
    attributes: SignedAttributes,
    content: &[u8],
    detached: bool,
) -> Result<Vec<u8>> {
    let cert = Certificate::from_der(signature.certificate.der()).map_err(encoding)?;
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: algorithm_identifier(signature.algorithm),
        signed_attrs: Some(attributes),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        },
        signature: OctetString::new(signature.signature.clone()).map_err(encoding)?,
        unsigned_attrs: None,
    };
    let econtent = if detached {
        None
    } else {
        Some(
            Any::encode_from(&OctetString::new(content.to_vec()).map_err(encoding)?)
                .map_err(encoding)?,
        )
    };
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![algorithm_identifier(signature.algorithm)])
            .map_err(encoding)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent,
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(vec![CertificateChoices::Certificate(cert)]).map_err(encoding)?,
        )),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(encoding)?),
    };
    let info = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(encoding)?,
    };
    info.to_der().map_err(encoding)
}

/// A signed file that passed every check.
#[derive(Debug, Clone)]
pub struct CmsVerification {
    /// The signer's certificate chain result.
    pub chain: ChainVerification,
    /// The hash algorithm.
    pub algorithm: DigestAlgorithm,
    /// The signingTime attribute (Unix seconds), if present.
    pub signing_time: Option<i64>,
    /// Whether the content was supplied separately (detached signature).
    pub detached: bool,
    /// The signed content.
    pub content: Vec<u8>,
}

/// Verifies a DER CMS SignedData: the signature over the signed attributes, the message
/// digest against the content (attached, or `detached_content`), the CAdES-BES attributes, the
/// signer's identity, and the signer's certificate for the signature purpose at `at`.
pub fn verify_cms(
    der: &[u8],
    detached_content: Option<&[u8]>,
    at: i64,
    store: &TrustStore,
) -> std::result::Result<CmsVerification, TrustError> {
    let malformed = |e: der::Error| TrustError::malformed(format!("CMS: {e}"));
    check_der_lengths(der).map_err(|reason| TrustError::malformed(format!("CMS: {reason}")))?;
    let info = ContentInfo::from_der(der).map_err(malformed)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(TrustError::malformed("CMS: not a SignedData"));
    }
    let signed: SignedData = info.content.decode_as().map_err(malformed)?;
    let attached = match &signed.encap_content_info.econtent {
        Some(any) => Some(
            any.decode_as::<OctetString>()
                .map_err(malformed)?
                .into_bytes(),
        ),
        None => None,
    };
    let (content, detached) = match (attached, detached_content) {
        (Some(a), Some(d)) if a != d => return Err(TrustError::ContentMismatch),
        (Some(a), _) => (a, false),
        (None, Some(d)) => (d.to_vec(), true),
        (None, None) => {
            return Err(TrustError::malformed(
                "detached signature: the signed content is needed",
            ))
        }
    };
    let signers: Vec<&SignerInfo> = signed.signer_infos.0.iter().collect();
    let [signer] = signers.as_slice() else {
        return Err(TrustError::malformed(format!(
            "expected one signer, found {}",
            signers.len()
        )));
    };
    let algorithm = digest_of_identifier(&signer.digest_alg)?;

    let SignerIdentifier::IssuerAndSerialNumber(sid) = &signer.sid else {
        return Err(TrustError::SignerMismatch);
    };
    let certificate = signed
        .certificates
        .as_ref()
        .and_then(|set| {
            set.0.iter().find_map(|choice| match choice {
                CertificateChoices::Certificate(c)
                    if c.tbs_certificate.issuer == sid.issuer
                        && c.tbs_certificate.serial_number == sid.serial_number =>
                {
                    Some(c.clone())
                }
                _ => None,
            })
        })
        .ok_or(TrustError::SignerMismatch)?;
    let cert_der = certificate.to_der().map_err(malformed)?;

    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| TrustError::SignedAttributes {
            reason: "no signed attributes (CAdES-BES needs them)".into(),
        })?;
    let single =
        |oid: ObjectIdentifier, name: &str| -> std::result::Result<Any, TrustError> {
            let attr = attrs.iter().find(|a| a.oid == oid).ok_or_else(|| {
                TrustError::SignedAttributes {
                    reason: format!("{name} is missing"),
                }
            })?;
            match attr.values.as_slice() {
                [value] => Ok(value.clone()),
                _ => Err(TrustError::SignedAttributes {
                    reason: format!("{name} must have exactly one value"),
                }),
            }
        };
    let content_type: ObjectIdentifier = single(ID_CONTENT_TYPE, "contentType")?
        .decode_as()
        .map_err(malformed)?;
    if content_type != signed.encap_content_info.econtent_type {
        return Err(TrustError::SignedAttributes {
            reason: "contentType does not match the content".into(),
        });
    }
    let message_digest: OctetString = single(ID_MESSAGE_DIGEST, "messageDigest")?
        .decode_as()
        .map_err(malformed)?;
    if message_digest.as_bytes() != algorithm.digest(&content).as_slice() {
        return Err(TrustError::ContentMismatch);
    }
    let signing_time = match attrs.iter().find(|a| a.oid == ID_SIGNING_TIME) {
        Some(_) => {
            let value = single(ID_SIGNING_TIME, "signingTime")?;
            let time = Time::from_der(&value.to_der().map_err(malformed)?).map_err(malformed)?;
            Some(time.to_unix_duration().as_secs() as i64)
        }
        None => None,
    };
    let ess: SigningCertificateV2 = single(ID_SIGNING_CERTIFICATE_V2, "signingCertificateV2")?
        .decode_as()
        .map_err(malformed)?;
    let named = ess.certs.first().ok_or(TrustError::SignerMismatch)?;
    let ess_algorithm = match &named.hash_algorithm {
        None => DigestAlgorithm::Sha256,
        Some(id) => digest_of_identifier(id)?,
    };
    if named.cert_hash.as_bytes() != ess_algorithm.digest(&cert_der).as_slice() {
        return Err(TrustError::SignerMismatch);
    }

    let key = RsaPublicKey::from_public_key_der(
        &certificate
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(malformed)?,
    )
    .map_err(|_| TrustError::malformed("the signer's key is not RSA"))?;
    let signed_bytes = attrs.to_der().map_err(malformed)?;
    key.verify(
        algorithm.pkcs1v15(),
        &algorithm.digest(&signed_bytes),
        signer.signature.as_bytes(),
    )
    .map_err(|_| TrustError::BadSignature)?;

    let chain = verify_certificate(&cert_der, CertificatePurpose::Signature, at, store)?;
    Ok(CmsVerification {
        chain,
        algorithm,
        signing_time,
        detached,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `cms` fuzz target's first find: a SignedData claiming 0x0A000001 bytes inside a
    /// 9-byte `[0]` made the decoder allocate 160 MiB. It is now refused before decoding.
    #[test]
    fn lengths_past_their_parent_are_refused_before_decoding() {
        let signed_data = [0x30, 0x84, 0x0A, 0x00, 0x00, 0x01, 0x02, 0x01, 0x01];
        let explicit = [&[0xA0, signed_data.len() as u8][..], &signed_data].concat();
        let body = [ID_SIGNED_DATA.to_der().unwrap(), explicit].concat();
        let file = [&[0x30, body.len() as u8][..], &body].concat();
        let err = verify_cms(&file, Some(b"x"), 0, &TrustStore::production()).unwrap_err();
        assert!(err.to_string().contains("runs past"), "{err}");
    }
}
