//! Verification of CMS SignedData files with the CAdES-BES attributes, one step per function:
//! decode, content, signer, signed attributes, signature, chain.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedAttributes, SignedData, SignerIdentifier, SignerInfo};
use der::asn1::OctetString;
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode};
use kazashi_certificate::der_limits::check_der_lengths;
use kazashi_certificate::{CertificatePurpose, DigestAlgorithm};
use rsa::pkcs8::DecodePublicKey;
use rsa::RsaPublicKey;
use x509_cert::time::Time;
use x509_cert::Certificate;

use crate::cades::{
    check_signature_algorithm, digest_of_identifier, SigningCertificateV2, ID_CONTENT_TYPE,
    ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_CERTIFICATE_V2, ID_SIGNING_TIME,
};
use crate::chain::{verify_certificate, ChainVerification, TrustStore};
use crate::error::TrustError;

/// A signed file that passed every check.
#[derive(Debug, Clone)]
pub struct CmsVerification {
    /// The signer's certificate chain result.
    pub chain: ChainVerification,
    /// The hash algorithm.
    pub algorithm: DigestAlgorithm,
    /// The signingTime attribute (Unix seconds), if present: the signer's claim, checked only to
    /// be possible (not in the future, inside the certificate's validity), not a timestamp.
    pub signing_time: Option<i64>,
    /// Whether the content was supplied separately (detached signature).
    pub detached: bool,
    /// The signed content.
    pub content: Vec<u8>,
}

/// Verifies a DER CMS SignedData: the signature over the signed attributes, the message
/// digest against the content (attached, or `detached_content`), the CAdES-BES attributes, the
/// signer's identity, and the signer's certificate for the signature purpose at `at`.
///
/// # Errors
///
/// A [`TrustError`] naming the first check that failed: [`TrustError::Malformed`] for a file
/// that is not a single-signer SignedData, [`TrustError::ContentMismatch`],
/// [`TrustError::SignedAttributes`], [`TrustError::SignerMismatch`],
/// [`TrustError::BadSignature`], [`TrustError::WeakAlgorithm`], or the chain's errors
/// ([`verify_certificate`]).
pub fn verify_cms(
    der: &[u8],
    detached_content: Option<&[u8]>,
    at: i64,
    store: &TrustStore,
) -> Result<CmsVerification, TrustError> {
    let signed = decode_signed_data(der)?;
    let (content, detached) = signed_content(&signed, detached_content)?;
    let signer = single_signer(&signed)?;
    let algorithm = check_algorithms(&signed, signer)?;
    let certificate = signer_certificate(&signed, signer)?;
    let cert_der = certificate.to_der().map_err(malformed)?;
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| TrustError::SignedAttributes {
            reason: "no signed attributes (CAdES-BES needs them)".into(),
        })?;
    let digest = algorithm.digest(&content);
    let attributes = check_signed_attributes(&signed, attrs, &digest, &cert_der)?;
    check_signature(&certificate, signer, attrs, algorithm)?;
    let chain = verify_certificate(&cert_der, CertificatePurpose::Signature, at, store)?;
    if let Some(claimed) = attributes.signing_time {
        check_signing_time(claimed, at, &chain)?;
    }
    Ok(CmsVerification {
        chain,
        algorithm,
        signing_time: attributes.signing_time,
        detached,
        content,
    })
}

/// [`verify_cms`] for a detached signature whose content is too large to hold twice (a PDF's
/// byte range): `digest_content` is asked for the content's digest with the signer's algorithm
/// (once the algorithm is known and accepted), so the caller streams the hash. The result's
/// `content` is empty and `detached` is true.
///
/// # Errors
///
/// As [`verify_cms`]; [`TrustError::Malformed`] for a SignedData that carries its content.
pub fn verify_cms_detached_digest(
    der: &[u8],
    digest_content: impl FnOnce(DigestAlgorithm) -> Vec<u8>,
    at: i64,
    store: &TrustStore,
) -> Result<CmsVerification, TrustError> {
    let signed = decode_signed_data(der)?;
    if signed.encap_content_info.econtent.is_some() {
        return Err(TrustError::malformed(
            "a detached signature was expected, but the SignedData carries its content",
        ));
    }
    let signer = single_signer(&signed)?;
    let algorithm = check_algorithms(&signed, signer)?;
    let certificate = signer_certificate(&signed, signer)?;
    let cert_der = certificate.to_der().map_err(malformed)?;
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| TrustError::SignedAttributes {
            reason: "no signed attributes (CAdES-BES needs them)".into(),
        })?;
    let digest = digest_content(algorithm);
    let attributes = check_signed_attributes(&signed, attrs, &digest, &cert_der)?;
    check_signature(&certificate, signer, attrs, algorithm)?;
    let chain = verify_certificate(&cert_der, CertificatePurpose::Signature, at, store)?;
    if let Some(claimed) = attributes.signing_time {
        check_signing_time(claimed, at, &chain)?;
    }
    Ok(CmsVerification {
        chain,
        algorithm,
        signing_time: attributes.signing_time,
        detached: true,
        content: Vec::new(),
    })
}

fn malformed(e: der::Error) -> TrustError {
    TrustError::malformed(format!("CMS: {e}"))
}

/// Step 1: the length bound, then ContentInfo → SignedData.
fn decode_signed_data(der: &[u8]) -> Result<SignedData, TrustError> {
    check_der_lengths(der).map_err(|reason| TrustError::malformed(format!("CMS: {reason}")))?;
    let info = ContentInfo::from_der(der).map_err(malformed)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(TrustError::malformed("CMS: not a SignedData"));
    }
    info.content.decode_as().map_err(malformed)
}

/// Step 2: the signed content, attached or given separately (and equal when both are there).
/// Returns it with whether it was detached.
fn signed_content(
    signed: &SignedData,
    detached_content: Option<&[u8]>,
) -> Result<(Vec<u8>, bool), TrustError> {
    let attached = match &signed.encap_content_info.econtent {
        Some(any) => Some(
            any.decode_as::<OctetString>()
                .map_err(malformed)?
                .into_bytes(),
        ),
        None => None,
    };
    match (attached, detached_content) {
        (Some(a), Some(d)) if a != d => Err(TrustError::ContentMismatch),
        (Some(a), _) => Ok((a, false)),
        (None, Some(d)) => Ok((d.to_vec(), true)),
        (None, None) => Err(TrustError::malformed(
            "detached signature: the signed content is needed",
        )),
    }
}

/// Step 3: exactly one SignerInfo.
fn single_signer(signed: &SignedData) -> Result<&SignerInfo, TrustError> {
    let signers: Vec<&SignerInfo> = signed.signer_infos.0.iter().collect();
    match signers.as_slice() {
        [signer] => Ok(signer),
        _ => Err(TrustError::malformed(format!(
            "expected one signer, found {}",
            signers.len()
        ))),
    }
}

/// Step 3b: the algorithms. The digest must be a SHA-2 listed in `digestAlgorithms` (RFC 5652
/// §5.1: the set names every digest a signer used), and the signature algorithm
/// RSASSA-PKCS1-v1_5 with that digest.
fn check_algorithms(
    signed: &SignedData,
    signer: &SignerInfo,
) -> Result<DigestAlgorithm, TrustError> {
    let algorithm = digest_of_identifier(&signer.digest_alg)?;
    if !signed
        .digest_algorithms
        .iter()
        .any(|listed| listed.oid == signer.digest_alg.oid)
    {
        return Err(TrustError::malformed(format!(
            "CMS: the signer's digest {} is not in digestAlgorithms",
            signer.digest_alg.oid
        )));
    }
    check_signature_algorithm(&signer.signature_algorithm, algorithm)?;
    Ok(algorithm)
}

/// Step 4: the embedded certificate the signer's issuer and serial number name.
fn signer_certificate(signed: &SignedData, signer: &SignerInfo) -> Result<Certificate, TrustError> {
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &signer.sid else {
        return Err(TrustError::SignerMismatch);
    };
    signed
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
        .ok_or(TrustError::SignerMismatch)
}

/// What the signed attributes say, once checked.
struct CheckedAttributes {
    signing_time: Option<i64>,
}

/// Step 5: the CAdES-BES signed attributes — contentType matches, messageDigest is the
/// content's (`content_digest`, made with the signer's algorithm), signingCertificateV2 names the signer's
/// certificate; signingTime read if present.
fn check_signed_attributes(
    signed: &SignedData,
    attrs: &SignedAttributes,
    content_digest: &[u8],
    cert_der: &[u8],
) -> Result<CheckedAttributes, TrustError> {
    let single =
        |oid: ObjectIdentifier, name: &str| -> Result<Any, TrustError> {
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
    if message_digest.as_bytes() != content_digest {
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
    if named.cert_hash.as_bytes() != ess_algorithm.digest(cert_der).as_slice() {
        return Err(TrustError::SignerMismatch);
    }
    Ok(CheckedAttributes { signing_time })
}

/// How far a signer's clock may run ahead of the verifier's.
pub const SIGNING_TIME_SKEW: i64 = 300;

/// Step 7: signingTime is the signer's own claim (no timestamp authority vouches for it), so it
/// is held to what is possible: not later than the time of verification (plus a small clock
/// skew), and within the signing certificate's validity.
fn check_signing_time(claimed: i64, at: i64, chain: &ChainVerification) -> Result<(), TrustError> {
    let certificate = &chain.certificate;
    let bad = |reason: String| Err(TrustError::SignedAttributes { reason });
    if claimed > at + SIGNING_TIME_SKEW {
        return bad(format!(
            "signingTime {} is later than the time of verification",
            claimed
        ));
    }
    if claimed < certificate.not_before || claimed > certificate.not_after {
        return bad(format!(
            "signingTime {} is outside the signing certificate's validity ({} to {})",
            claimed,
            certificate.not_before_date(),
            certificate.not_after_date()
        ));
    }
    Ok(())
}

/// Step 6: the RSASSA-PKCS1-v1_5 signature over the DER of the signed attributes.
fn check_signature(
    certificate: &Certificate,
    signer: &SignerInfo,
    attrs: &SignedAttributes,
    algorithm: DigestAlgorithm,
) -> Result<(), TrustError> {
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
    .map_err(|_| TrustError::BadSignature)
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
