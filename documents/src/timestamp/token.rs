//! Checking a timestamp token: what it covers (imprint, nonce), who signed it (the token's CMS
//! signature and ESS signing-certificate attribute), and whether that signer is a TSA the caller
//! trusts (chain to a given root, critical timeStamping EKU, validity at genTime).

use cmpv2::status::PkiStatus;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{Int, OctetString};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode, Sequence};
use kazashi_certificate::DigestAlgorithm;
use kazashi_verify::cades::{
    check_signature_algorithm, EssCertIdV2, IssuerSerial, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
    ID_SIGNED_DATA, ID_SIGNING_CERTIFICATE_V2,
};
use rsa::pkcs8::DecodePublicKey;
use rsa::RsaPublicKey;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage};
use x509_cert::Certificate;
use x509_tsp::{TimeStampResp, TstInfo};

use super::{TimestampError, TimestampToken};

/// `id-aa-signatureTimeStampToken` (RFC 3161 appendix A): the unsigned attribute that carries a
/// token over a SignerInfo's signature value (CAdES-T, PAdES B-T).
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// `id-ct-TSTInfo`: the content type of a token's SignedData.
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// ESS `signingCertificate` (RFC 2634, SHA-1 certificate hash), what OpenSSL's TSA puts by default.
const ID_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// `extKeyUsage`.
const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// `basicConstraints`.
const ID_CE_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// `id-kp-timeStamping`.
const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// How many intermediate CAs between a TSA certificate and its root are followed.
const MAX_INTERMEDIATES: usize = 4;

/// RFC 2634 `SigningCertificate` (ESS, version 1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

/// RFC 2634 `ESSCertID`: a SHA-1 hash of the certificate.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct EssCertId {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// RFC 5035 `SigningCertificateV2` with its optional policies (which the shared CAdES type, made
/// for our own signatures, leaves out).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<Any>,
}

/// What the token must cover.
pub(crate) enum Imprint<'a> {
    /// The data itself; hashed with the token's own imprint algorithm.
    Data(&'a [u8]),
    /// The SHA-256 hash the request carried.
    Sha256(&'a [u8]),
}

/// Checks an embedded timestamp token (a DER `ContentInfo`) over `timestamped_data` — for
/// CAdES-T and PAdES B-T the SignerInfo's signature value, for XAdES-T the canonicalised
/// `ds:SignatureValue` element — against `trust_roots` (DER TSA root certificates).
///
/// # Errors
///
/// [`TimestampError::WrongImprint`] when the token covers other data,
/// [`TimestampError::UntrustedTsa`] when its signature, ESS attribute, chain, EKU or validity
/// fails, [`TimestampError::Malformed`] when it cannot be decoded.
pub fn verify_timestamp_token(
    token_der: &[u8],
    timestamped_data: &[u8],
    trust_roots: &[Vec<u8>],
) -> Result<TimestampToken, TimestampError> {
    let info = ContentInfo::from_der(token_der).map_err(TimestampError::malformed)?;
    check_token(&info, Imprint::Data(timestamped_data), None, trust_roots)
}

/// Checks a TSA's HTTP answer to a request with `imprint` (SHA-256) and `nonce`.
pub(crate) fn check_response(
    response: &[u8],
    imprint: &[u8],
    nonce: &Int,
    trust_roots: &[Vec<u8>],
) -> Result<TimestampToken, TimestampError> {
    let response = TimeStampResp::from_der(response).map_err(TimestampError::malformed)?;
    match response.status.status {
        PkiStatus::Accepted | PkiStatus::GrantedWithMods => {}
        other => {
            let text = response.status.status_string.as_ref().map(|texts| {
                texts
                    .iter()
                    .map(|t| t.as_str().to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            return Err(TimestampError::Rejected {
                status: other as u8,
                text,
            });
        }
    }
    let token = response.time_stamp_token.ok_or_else(|| {
        TimestampError::malformed("the response grants a timestamp but has no token")
    })?;
    check_token(&token, Imprint::Sha256(imprint), Some(nonce), trust_roots)
}

/// The token's SignedData, its TSTInfo, and the TSTInfo's DER (what the messageDigest covers).
pub(crate) fn decode_token(
    info: &ContentInfo,
) -> Result<(SignedData, TstInfo, Vec<u8>), TimestampError> {
    if info.content_type != ID_SIGNED_DATA {
        return Err(TimestampError::malformed(
            "the token is not a CMS SignedData",
        ));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(TimestampError::malformed)?;
    if signed.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(TimestampError::malformed(
            "the token does not hold a TSTInfo",
        ));
    }
    let econtent = signed
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or_else(|| TimestampError::malformed("the token has no TSTInfo"))?
        .decode_as::<OctetString>()
        .map_err(TimestampError::malformed)?
        .into_bytes();
    let tst = TstInfo::from_der(&econtent).map_err(TimestampError::malformed)?;
    Ok((signed, tst, econtent))
}

fn check_token(
    info: &ContentInfo,
    imprint: Imprint<'_>,
    nonce: Option<&Int>,
    trust_roots: &[Vec<u8>],
) -> Result<TimestampToken, TimestampError> {
    let (signed, tst, econtent) = decode_token(info)?;
    check_imprint(&tst, imprint)?;
    if let Some(nonce) = nonce {
        if tst.nonce.as_ref().map(Int::as_bytes) != Some(nonce.as_bytes()) {
            return Err(TimestampError::WrongNonce);
        }
    }
    let signer = single_signer(&signed)?;
    let bundled = bundled_certificates(&signed);
    let certificate = signer_certificate(&bundled, signer)?;
    check_signer(signer, &econtent, &certificate)?;
    let gen_time = tst.gen_time.to_unix_duration().as_secs() as i64;
    check_tsa_certificate(&certificate, gen_time)?;
    check_chain(&certificate, &bundled, trust_roots, gen_time)?;
    Ok(TimestampToken {
        der: info.to_der().map_err(TimestampError::malformed)?,
        gen_time,
        serial: tst.serial_number.as_bytes().to_vec(),
        policy: tst.policy.to_string(),
        tsa_certificate: certificate.to_der().map_err(TimestampError::malformed)?,
        tsa_name: certificate.tbs_certificate.subject.to_string(),
    })
}

/// A SHA-2 digest algorithm, or the reason it is refused.
fn sha2(oid: &ObjectIdentifier) -> Result<DigestAlgorithm, TimestampError> {
    match DigestAlgorithm::from_oid(oid) {
        Some(DigestAlgorithm::Sha1) | None => Err(TimestampError::malformed(format!(
            "the token uses the hash algorithm {oid}; SHA-256 or stronger is required"
        ))),
        Some(algorithm) => Ok(algorithm),
    }
}

fn check_imprint(tst: &TstInfo, imprint: Imprint<'_>) -> Result<(), TimestampError> {
    let algorithm = sha2(&tst.message_imprint.hash_algorithm.oid)?;
    let expected = match imprint {
        Imprint::Data(data) => algorithm.digest(data),
        Imprint::Sha256(hash) if algorithm == DigestAlgorithm::Sha256 => hash.to_vec(),
        Imprint::Sha256(_) => return Err(TimestampError::WrongImprint),
    };
    if tst.message_imprint.hashed_message.as_bytes() == expected.as_slice() {
        Ok(())
    } else {
        Err(TimestampError::WrongImprint)
    }
}

fn single_signer(signed: &SignedData) -> Result<&SignerInfo, TimestampError> {
    let signers: Vec<&SignerInfo> = signed.signer_infos.0.iter().collect();
    match signers.as_slice() {
        [signer] => Ok(signer),
        _ => Err(TimestampError::malformed(format!(
            "a token has one signer, this one has {}",
            signers.len()
        ))),
    }
}

fn bundled_certificates(signed: &SignedData) -> Vec<Certificate> {
    signed
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|choice| match choice {
                    CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The certificate the SignerInfo names (issuer and serial, or subject key identifier). The
/// request asks for it (`certReq`), so a token without it is not accepted.
fn signer_certificate(
    bundled: &[Certificate],
    signer: &SignerInfo,
) -> Result<Certificate, TimestampError> {
    bundled
        .iter()
        .find(|c| match &signer.sid {
            SignerIdentifier::IssuerAndSerialNumber(sid) => {
                c.tbs_certificate.issuer == sid.issuer
                    && c.tbs_certificate.serial_number == sid.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                subject_key_id(c).is_some_and(|id| id.as_slice() == ski.0.as_bytes())
            }
        })
        .cloned()
        .ok_or_else(|| TimestampError::untrusted("the token does not carry the TSA's certificate"))
}

fn subject_key_id(certificate: &Certificate) -> Option<Vec<u8>> {
    let ext = certificate
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == ObjectIdentifier::new_unwrap("2.5.29.14"))?;
    OctetString::from_der(ext.extn_value.as_bytes())
        .ok()
        .map(OctetString::into_bytes)
}

/// The token's CMS signature: contentType, messageDigest over the TSTInfo, the ESS
/// signing-certificate attribute naming the signer's certificate, and the RSA signature over
/// the signed attributes.
fn check_signer(
    signer: &SignerInfo,
    econtent: &[u8],
    certificate: &Certificate,
) -> Result<(), TimestampError> {
    let algorithm = sha2(&signer.digest_alg.oid)?;
    check_signature_algorithm(&signer.signature_algorithm, algorithm)
        .map_err(|e| TimestampError::untrusted(format!("the token's signature: {e}")))?;
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| TimestampError::malformed("the token has no signed attributes"))?;
    let value = |oid: ObjectIdentifier| -> Option<Any> {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next().cloned())
    };
    let content_type: ObjectIdentifier = value(ID_CONTENT_TYPE)
        .ok_or_else(|| TimestampError::malformed("the token has no contentType attribute"))?
        .decode_as()
        .map_err(TimestampError::malformed)?;
    if content_type != ID_CT_TST_INFO {
        return Err(TimestampError::malformed(
            "the token's contentType is not TSTInfo",
        ));
    }
    let digest: OctetString = value(ID_MESSAGE_DIGEST)
        .ok_or_else(|| TimestampError::malformed("the token has no messageDigest attribute"))?
        .decode_as()
        .map_err(TimestampError::malformed)?;
    if digest.as_bytes() != algorithm.digest(econtent).as_slice() {
        return Err(TimestampError::untrusted(
            "the token's TSTInfo does not match its signature (altered token)",
        ));
    }
    check_ess(&value, certificate)?;
    let key = rsa_key(certificate)?;
    let signed_bytes = attrs.to_der().map_err(TimestampError::malformed)?;
    key.verify(
        algorithm.pkcs1v15(),
        &algorithm.digest(&signed_bytes),
        signer.signature.as_bytes(),
    )
    .map_err(|_| {
        TimestampError::untrusted(
            "the token's signature does not verify against the TSA certificate",
        )
    })
}

/// RFC 3161 §2.4.2: the token names its signer's certificate in an ESS signingCertificate
/// (SHA-1) or signingCertificateV2 attribute; the hash must be the certificate's.
fn check_ess(
    value: &dyn Fn(ObjectIdentifier) -> Option<Any>,
    certificate: &Certificate,
) -> Result<(), TimestampError> {
    let der = certificate.to_der().map_err(TimestampError::malformed)?;
    let named = if let Some(v2) = value(ID_SIGNING_CERTIFICATE_V2) {
        let ess: SigningCertificateV2 = v2.decode_as().map_err(TimestampError::malformed)?;
        let first = ess.certs.first().cloned();
        first.is_some_and(|id| {
            let algorithm = match &id.hash_algorithm {
                None => Some(DigestAlgorithm::Sha256),
                Some(alg) => DigestAlgorithm::from_oid(&alg.oid),
            };
            algorithm.is_some_and(|a| id.cert_hash.as_bytes() == a.digest(&der).as_slice())
        })
    } else if let Some(v1) = value(ID_SIGNING_CERTIFICATE) {
        use sha1::Digest;
        let ess: SigningCertificate = v1.decode_as().map_err(TimestampError::malformed)?;
        ess.certs
            .first()
            .is_some_and(|id| id.cert_hash.as_bytes() == sha1::Sha1::digest(&der).as_slice())
    } else {
        return Err(TimestampError::untrusted(
            "the token has no ESS signing-certificate attribute (RFC 3161 §2.4.2)",
        ));
    };
    if named {
        Ok(())
    } else {
        Err(TimestampError::untrusted(
            "the token's signing-certificate attribute names another certificate",
        ))
    }
}

fn rsa_key(certificate: &Certificate) -> Result<RsaPublicKey, TimestampError> {
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(TimestampError::malformed)?;
    RsaPublicKey::from_public_key_der(&spki).map_err(|_| {
        TimestampError::untrusted("the TSA's key is not an RSA key this library checks")
    })
}

/// RFC 3161 §2.3: the TSA certificate has exactly one extended key usage, timeStamping, marked
/// critical; and genTime lies within its validity.
fn check_tsa_certificate(certificate: &Certificate, gen_time: i64) -> Result<(), TimestampError> {
    let ext = certificate
        .tbs_certificate
        .extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == ID_CE_EXT_KEY_USAGE))
        .ok_or_else(|| {
            TimestampError::untrusted("the TSA certificate has no extended key usage")
        })?;
    let usage =
        ExtendedKeyUsage::from_der(ext.extn_value.as_bytes()).map_err(TimestampError::malformed)?;
    if !ext.critical || usage.0.as_slice() != [ID_KP_TIME_STAMPING] {
        return Err(TimestampError::untrusted(
            "the TSA certificate's extended key usage is not the single, critical timeStamping",
        ));
    }
    check_validity(certificate, gen_time, "the TSA certificate")
}

fn check_validity(certificate: &Certificate, at: i64, what: &str) -> Result<(), TimestampError> {
    let validity = &certificate.tbs_certificate.validity;
    let not_before = validity.not_before.to_unix_duration().as_secs() as i64;
    let not_after = validity.not_after.to_unix_duration().as_secs() as i64;
    if at < not_before || at > not_after {
        return Err(TimestampError::untrusted(format!(
            "{what} ({}) was not valid at the token's time",
            certificate.tbs_certificate.subject
        )));
    }
    Ok(())
}

/// Whether `issuer`'s key made `certificate`'s signature (RSA PKCS#1 v1.5 with SHA-2).
fn signed_by(certificate: &Certificate, issuer: &Certificate) -> bool {
    if certificate.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let algorithm = match certificate.signature_algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.11" => DigestAlgorithm::Sha256,
        "1.2.840.113549.1.1.12" => DigestAlgorithm::Sha384,
        "1.2.840.113549.1.1.13" => DigestAlgorithm::Sha512,
        _ => return false,
    };
    let (Ok(key), Ok(tbs)) = (rsa_key(issuer), certificate.tbs_certificate.to_der()) else {
        return false;
    };
    let Some(signature) = certificate.signature.as_bytes() else {
        return false;
    };
    key.verify(algorithm.pkcs1v15(), &algorithm.digest(&tbs), signature)
        .is_ok()
}

fn is_ca(certificate: &Certificate) -> bool {
    certificate
        .tbs_certificate
        .extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == ID_CE_BASIC_CONSTRAINTS))
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .is_some_and(|bc| bc.ca)
}

/// The TSA certificate chains to one of `trust_roots`, through CA certificates the token
/// carries, each valid at genTime and each signature checked.
fn check_chain(
    leaf: &Certificate,
    bundled: &[Certificate],
    trust_roots: &[Vec<u8>],
    at: i64,
) -> Result<(), TimestampError> {
    if trust_roots.is_empty() {
        return Err(TimestampError::untrusted(
            "no TSA root was given to check the TSA against",
        ));
    }
    let roots = trust_roots
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TimestampError::malformed(format!("a TSA root: {e}")))?;
    let mut current = leaf.clone();
    for _ in 0..=MAX_INTERMEDIATES {
        if roots.contains(&current) {
            return Ok(());
        }
        if let Some(root) = roots.iter().find(|root| signed_by(&current, root)) {
            return check_validity(root, at, "the TSA root");
        }
        let Some(next) = bundled
            .iter()
            .find(|c| *c != &current && is_ca(c) && signed_by(&current, c))
        else {
            break;
        };
        check_validity(next, at, "a TSA intermediate CA")?;
        current = next.clone();
    }
    Err(TimestampError::untrusted(format!(
        "the TSA certificate ({}) does not chain to a given TSA root",
        leaf.tbs_certificate.subject
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The TSA certificates of `scripts/tsa/make-pki.sh`: the good one, one without the
    /// timeStamping EKU and one with it not critical (which OpenSSL refuses to sign with, so
    /// no token can carry them), and the root.
    fn pki() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kazashi-tsa-eku-{}", std::process::id()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/tsa/make-pki.sh");
        let status = std::process::Command::new(script)
            .arg(&dir)
            .status()
            .expect("make-pki.sh runs (bash, openssl)");
        assert!(status.success());
        dir
    }

    fn cert(dir: &Path, name: &str) -> Certificate {
        Certificate::from_der(&std::fs::read(dir.join(format!("{name}.der"))).unwrap()).unwrap()
    }

    #[test]
    fn the_tsa_certificate_needs_the_single_critical_time_stamping_eku() {
        let dir = pki();
        let now = 1_800_000_000;
        let root = std::fs::read(dir.join("root.der")).unwrap();
        assert_eq!(check_tsa_certificate(&cert(&dir, "tsa"), now), Ok(()));
        for name in ["no-eku-tsa", "weak-eku-tsa"] {
            assert!(
                matches!(
                    check_tsa_certificate(&cert(&dir, name), now),
                    Err(TimestampError::UntrustedTsa { .. })
                ),
                "{name}"
            );
        }
        // Outside its validity at genTime.
        assert!(check_tsa_certificate(&cert(&dir, "tsa"), 0).is_err());
        // The chain: the good TSA chains to the root, the other TSA does not.
        assert_eq!(
            check_chain(&cert(&dir, "tsa"), &[], std::slice::from_ref(&root), now),
            Ok(())
        );
        assert!(check_chain(&cert(&dir, "other-tsa"), &[], &[root], now).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
