//! CMS SignedData (RFC 5652) with the CAdES-BES signed attributes (contentType, messageDigest,
//! signingTime, signingCertificateV2), built around one card signature with RustCrypto's
//! `cms` / `der` / `x509-cert` types. The verifier is `kazashi_verify::verify_cms`.

use std::time::Duration;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec, UtcTime};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode};
use kazashi::{
    CertificateInfo, DigestAlgorithm, DocumentDigest, Error, JpkiCard, Result, SignOptions,
    SignResult, SigningPassword, Transport,
};
use kazashi_verify::cades::{
    algorithm_identifier, EssCertIdV2, IssuerSerial, SigningCertificateV2, ID_CONTENT_TYPE,
    ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_CERTIFICATE_V2, ID_SIGNING_TIME,
    RSA_ENCRYPTION,
};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::time::Time;
use x509_cert::Certificate;

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
///
/// # Errors
///
/// The card flow's errors ([`JpkiCard::sign_with_certificate`]: PIN, link, card), and
/// [`Error::InvalidInput`] for SHA-1 or when the signed file cannot be encoded.
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
