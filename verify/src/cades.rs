//! The CMS and CAdES-BES definitions shared by the signer (`kazashi-documents`) and the
//! verifier: object identifiers, the RFC 5035 `SigningCertificateV2` attribute, and the
//! mapping between hash algorithms and their AlgorithmIdentifiers.

use der::asn1::OctetString;
use der::oid::ObjectIdentifier;
use der::Sequence;
use kazashi_certificate::DigestAlgorithm;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::error::TrustError;

/// `id-data`: the content is plain bytes.
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// `id-signedData` (RFC 5652 §5).
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// The contentType signed attribute.
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// The messageDigest signed attribute.
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// The signingTime signed attribute.
pub const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// The signingCertificateV2 signed attribute (RFC 5035).
pub const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// `rsaEncryption`, the SignerInfo signature algorithm the card's PKCS#1 v1.5 signature uses.
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// RFC 5035 `SigningCertificateV2`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// The certificates named, the signer's first.
    pub certs: Vec<EssCertIdV2>,
}

/// RFC 5035 `ESSCertIDv2`; the hash algorithm is omitted when it is the default SHA-256.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// The hash of `cert_hash`; absent for SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// The hash of the certificate's DER.
    pub cert_hash: OctetString,
    /// The certificate's issuer and serial number.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// RFC 5035 `IssuerSerial`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// The issuer, as a directory name.
    pub issuer: Vec<GeneralName>,
    /// The serial number.
    pub serial_number: SerialNumber,
}

/// The AlgorithmIdentifier of a digest algorithm (parameters absent, as RFC 5754 asks).
pub fn algorithm_identifier(algorithm: DigestAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: algorithm.oid(),
        parameters: None,
    }
}

/// The digest algorithm an AlgorithmIdentifier names; SHA-1 and unknown ones are refused.
///
/// # Errors
///
/// [`TrustError::WeakAlgorithm`] for SHA-1 or an algorithm that is not a SHA-2 hash.
pub fn digest_of_identifier(id: &AlgorithmIdentifierOwned) -> Result<DigestAlgorithm, TrustError> {
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

/// `sha256WithRSAEncryption` (RFC 4055).
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption` (RFC 4055).
pub const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption` (RFC 4055).
pub const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");

/// Checks a SignerInfo's signatureAlgorithm against its digest algorithm: the card makes
/// RSASSA-PKCS1-v1_5 signatures, named either `rsaEncryption` (RFC 3370) or the
/// `shaNNNWithRSAEncryption` of that very digest. Anything else (MD5, SHA-1, PSS, ECDSA, or a
/// SHA-2 other than the digest's) is refused rather than verified as something it is not.
///
/// # Errors
///
/// [`TrustError::WeakAlgorithm`] naming the refused algorithm.
pub fn check_signature_algorithm(
    id: &AlgorithmIdentifierOwned,
    digest: DigestAlgorithm,
) -> Result<(), TrustError> {
    let matching = match digest {
        DigestAlgorithm::Sha256 => Some(SHA256_WITH_RSA),
        DigestAlgorithm::Sha384 => Some(SHA384_WITH_RSA),
        DigestAlgorithm::Sha512 => Some(SHA512_WITH_RSA),
        _ => None,
    };
    if id.oid == RSA_ENCRYPTION || Some(id.oid) == matching {
        Ok(())
    } else {
        Err(TrustError::WeakAlgorithm {
            algorithm: format!(
                "signature algorithm {} with a {} digest",
                id.oid,
                digest.name()
            ),
        })
    }
}
