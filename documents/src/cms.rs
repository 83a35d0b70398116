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

use crate::timestamp::{add_signature_timestamp, TimestampClient, Timestamped};

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
            let attrs =
                signed_attributes(&content_digest, certificate, Some(options.signing_time))?;
            let encoded = attrs.to_der().map_err(encoding)?;
            attributes = Some(attrs);
            Ok(DocumentDigest::of_document(algorithm, &encoded))
        })
        .await?;
    let attributes = attributes.ok_or_else(|| encoding("signed attributes were not built"))?;
    let econtent = (!options.detached).then_some(content);
    let der = assemble(&signature, attributes, econtent, &[])?;
    Ok(SignedFile { der, signature })
}

/// CAdES-BES → CAdES-T: asks `tsa` for a token over the file's signature value and adds it as
/// the `signatureTimeStampToken` unsigned attribute. Never fails as a whole: on a TSA error the
/// returned document is the unchanged B-B file (see [`Timestamped`]). Blocking (HTTP).
pub fn timestamp_cms(file: SignedFile, tsa: &TimestampClient) -> Timestamped<SignedFile> {
    let stamped = tsa
        .timestamp_signature(&file.signature.signature)
        .and_then(|token| Ok((add_signature_timestamp(&file.der, &token)?, token)));
    match stamped {
        Ok((der, token)) => Timestamped {
            document: SignedFile { der, ..file },
            timestamp: Ok(token),
        },
        Err(e) => Timestamped {
            document: file,
            timestamp: Err(e),
        },
    }
}

/// [`sign_cms`] (one tap), then [`timestamp_cms`]. The outer error is the card's (nothing was
/// signed); a TSA failure after the card signed is in [`Timestamped::timestamp`], with the B-B
/// file kept in [`Timestamped::document`].
///
/// # Errors
///
/// Those of [`sign_cms`].
pub async fn sign_cms_with_timestamp<T: Transport>(
    card: &mut JpkiCard<T>,
    content: &[u8],
    password: &SigningPassword,
    options: CmsOptions,
    tsa: &TimestampClient,
) -> Result<Timestamped<SignedFile>> {
    let file = sign_cms(card, content, password, options).await?;
    Ok(timestamp_cms(file, tsa))
}

pub(crate) fn encoding(e: impl std::fmt::Display) -> Error {
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

/// The CAdES-BES signed attributes over a content digest. `signing_time` is omitted for PAdES,
/// whose baseline forbids the signingTime attribute (the PDF's `/M` carries the claimed time).
pub(crate) fn signed_attributes(
    content_digest: &[u8],
    certificate: &CertificateInfo,
    signing_time: Option<i64>,
) -> Result<SignedAttributes> {
    let cert = Certificate::from_der(certificate.der()).map_err(encoding)?;
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
    let mut attrs = vec![
        attribute(
            ID_CONTENT_TYPE,
            Any::encode_from(&ID_DATA).map_err(encoding)?,
        )?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_digest.to_vec()).map_err(encoding)?)
                .map_err(encoding)?,
        )?,
    ];
    if let Some(signing_time) = signing_time {
        let time = UtcTime::from_unix_duration(Duration::from_secs(signing_time.max(0) as u64))
            .map_err(encoding)?;
        attrs.push(attribute(
            ID_SIGNING_TIME,
            Any::encode_from(&Time::UtcTime(time)).map_err(encoding)?,
        )?);
    }
    attrs.push(attribute(
        ID_SIGNING_CERTIFICATE_V2,
        Any::encode_from(&ess).map_err(encoding)?,
    )?);
    SetOfVec::try_from(attrs).map_err(encoding)
}

/// The DER ContentInfo around one card signature: the content attached when `econtent` is
/// given (detached otherwise), the signing certificate first, then `extra_certificates` (the
/// issuing CA's, for PAdES).
pub(crate) fn assemble(
    signature: &SignResult,
    attributes: SignedAttributes,
    econtent: Option<&[u8]>,
    extra_certificates: &[&[u8]],
) -> Result<Vec<u8>> {
    let cert = Certificate::from_der(signature.certificate.der()).map_err(encoding)?;
    let mut certificates = vec![CertificateChoices::Certificate(cert.clone())];
    for der in extra_certificates {
        certificates.push(CertificateChoices::Certificate(
            Certificate::from_der(der).map_err(encoding)?,
        ));
    }
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
    let econtent = match econtent {
        None => None,
        Some(content) => Some(
            Any::encode_from(&OctetString::new(content.to_vec()).map_err(encoding)?)
                .map_err(encoding)?,
        ),
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
            SetOfVec::try_from(certificates).map_err(encoding)?,
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
