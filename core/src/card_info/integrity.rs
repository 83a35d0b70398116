//! The card-info application's integrity chain (`docs/protocol.md` §2.1), checked before any
//! data is handed out:
//!
//! - EF `0003` = `FF30 { DF31: SHA-256 of EF 0001 (all 17 bytes); DF32: SHA-256 of EF 0002
//!   from the DF22 tag to the end of DF25; DF33: RSA PKCS#1 v1.5 SHA-256 signature over the
//!   DF31 and DF32 objects as stored }`;
//! - the DF33 key is the one in the application's card-verifiable certificate, EF `0004` =
//!   `7F21 { 5F4E: issuer reference (16), holder reference (16), 90 exponent, 91 modulus;
//!   5F37: the issuer's signature }`;
//! - the 5F37 signature is by a J-LIS key that no card file holds. It is checked only with a
//!   key the caller configures, as PKCS#1 v1.5 SHA-256 over the 5F4E object as stored (the
//!   virtual card's form; no public source gives the real card's), and otherwise reported as
//!   not verified, never as verified.

use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};

use super::tlv::{self, TlvError};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Checked and good.
    Passed,
    /// Not checked, because the data it covers was not read (the My Number when only the
    /// attributes were asked for, and the other way round).
    NotRead,
}

/// Whether the application's certificate was checked against its issuer (J-LIS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerCheck {
    /// Checked against the issuer key the caller configured.
    Verified,
    /// No issuer key configured: the certificate's own signature was not checked, so the
    /// chain proves the data unchanged since the card's key signed it, not who made the key.
    NotVerified,
}

/// Which integrity checks ran on data the card returned. Data whose checks fail is never
/// returned, so every check here either passed or did not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegrityReport {
    /// DF31: SHA-256 of the My Number file.
    pub my_number_digest: Check,
    /// DF32: SHA-256 of the four attributes.
    pub attributes_digest: Check,
    /// DF33: the record's signature, with the key of the application's certificate.
    pub record_signature: Check,
    /// The application certificate's own signature.
    pub issuer: IssuerCheck,
}

/// EF `0003` decoded.
pub(crate) struct IntegrityRecord {
    my_number_digest: Vec<u8>,
    attributes_digest: Vec<u8>,
    /// The DF31 and DF32 objects as stored: what DF33 signs.
    signed: Vec<u8>,
    signature: Vec<u8>,
}

pub(crate) fn integrity_record(file: &[u8]) -> Result<IntegrityRecord, TlvError> {
    let (_, children) = tlv::file(file, 0xFF30)?;
    let df31 = tlv::only(&children, 0xDF31)?;
    let df32 = tlv::only(&children, 0xDF32)?;
    let df33 = tlv::only(&children, 0xDF33)?;
    for digest in [df31, df32] {
        if digest.value.len() != 32 {
            return Err(format!("{:X} is not a SHA-256 digest", digest.tag));
        }
    }
    Ok(IntegrityRecord {
        my_number_digest: df31.value.to_vec(),
        attributes_digest: df32.value.to_vec(),
        signed: [df31.raw, df32.raw].concat(),
        signature: df33.value.to_vec(),
    })
}

/// J-LIS's key for an application certificate, from the caller's SubjectPublicKeyInfo DER.
pub(crate) fn parse_issuer_key(spki_der: &[u8]) -> crate::error::Result<RsaPublicKey> {
    use rsa::pkcs8::DecodePublicKey;
    RsaPublicKey::from_public_key_der(spki_der).map_err(|e| crate::error::Error::InvalidInput {
        reason: format!("the issuer key is not an RSA SubjectPublicKeyInfo: {e}"),
    })
}

/// The application certificate against the configured issuer key: not verified without one, a
/// broken chain (naming `what`) when it does not verify.
pub(crate) fn issuer_check(
    certificate: &CvCertificate,
    issuer: Option<&RsaPublicKey>,
    what: &'static str,
) -> Result<IssuerCheck, ChainBroken> {
    match issuer {
        None => Ok(IssuerCheck::NotVerified),
        Some(key) if certificate.issued_by(key) => Ok(IssuerCheck::Verified),
        Some(_) => Err(ChainBroken {
            what,
            reason: "its signature does not verify with the configured issuer key",
        }),
    }
}

/// The application's card-verifiable certificate (EF `0004`).
pub(crate) struct CvCertificate {
    key: RsaPublicKey,
    /// The 5F4E object as stored: what the issuer signed.
    body: Vec<u8>,
    signature: Vec<u8>,
}

pub(crate) fn cv_certificate(file: &[u8]) -> Result<CvCertificate, TlvError> {
    let (_, children) = tlv::file(file, 0x7F21)?;
    let body = tlv::only(&children, 0x5F4E)?;
    let signature = tlv::only(&children, 0x5F37)?;
    let key_objects = body
        .value
        .get(32..)
        .ok_or("the certificate body is shorter than its two references")?;
    let keys = tlv::sequence(key_objects, 0)?;
    let exponent = tlv::only(&keys, 0x90)?.value;
    let modulus = tlv::only(&keys, 0x91)?.value;
    let key = RsaPublicKey::new(
        BigUint::from_bytes_be(modulus),
        BigUint::from_bytes_be(exponent),
    )
    .map_err(|e| format!("the certificate's RSA key is unusable: {e}"))?;
    Ok(CvCertificate {
        key,
        body: body.raw.to_vec(),
        signature: signature.value.to_vec(),
    })
}

/// What the chain is checked against: the files as read.
pub(crate) struct ReadFiles<'a> {
    pub my_number: Option<&'a [u8]>,
    /// EF 0002's covered bytes (DF22..DF25).
    pub attributes: Option<&'a [u8]>,
    pub record: &'a IntegrityRecord,
    pub certificate: &'a CvCertificate,
}

/// Why the chain does not hold, naming the file at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChainBroken {
    pub what: &'static str,
    pub reason: &'static str,
}

/// SHA-256 of personal data (the My Number, the attributes) without leaving a copy of it on
/// the stack: `Sha256::digest` builds the final, padded block in a hasher that lives in the
/// caller's stack frame, and that block (the data's last bytes, in clear) stays there after
/// the call. Here the hasher lives on the heap and is finalised in place, so the block is
/// written where the allocator wipes it on free (`bindings/ffi/tests/pin_memory.rs` found the
/// My Number in two dead stack frames before).
fn sha256_of_personal_data(data: &[u8]) -> sha2::digest::Output<Sha256> {
    let mut hasher = Box::new(Sha256::new());
    Digest::update(&mut *hasher, data);
    let mut digest = sha2::digest::Output::<Sha256>::default();
    Digest::finalize_into_reset(&mut *hasher, &mut digest);
    digest
}

fn pkcs1_sha256(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(message),
        signature,
    )
    .is_ok()
}

impl IntegrityRecord {
    /// Whether DF33 verifies with `certificate`'s key over the DF31 and DF32 objects.
    pub(crate) fn signed_by(&self, certificate: &CvCertificate) -> bool {
        pkcs1_sha256(&certificate.key, &self.signed, &self.signature)
    }

    /// Whether DF31 is the SHA-256 of this My Number file.
    pub(crate) fn covers_my_number(&self, file: &[u8]) -> bool {
        sha256_of_personal_data(file).as_slice() == self.my_number_digest.as_slice()
    }

    /// Whether DF32 is the SHA-256 of these attribute bytes (DF22..DF25).
    pub(crate) fn covers_attributes(&self, covered: &[u8]) -> bool {
        sha256_of_personal_data(covered).as_slice() == self.attributes_digest.as_slice()
    }
}

impl CvCertificate {
    /// Whether the issuer's signature (5F37) verifies with `issuer` over the 5F4E object.
    pub(crate) fn issued_by(&self, issuer: &RsaPublicKey) -> bool {
        pkcs1_sha256(issuer, &self.body, &self.signature)
    }

    /// Whether `signature` is this certificate's key's PKCS#1 v1.5 SHA-256 signature over
    /// `message` (EF 0007's DF52 over DF51).
    pub(crate) fn signs(&self, message: &[u8], signature: &[u8]) -> bool {
        pkcs1_sha256(&self.key, message, signature)
    }
}

fn digest_check(
    data: Option<&[u8]>,
    matches: impl Fn(&[u8]) -> bool,
    what: &'static str,
) -> Result<Check, ChainBroken> {
    match data {
        None => Ok(Check::NotRead),
        Some(data) if matches(data) => Ok(Check::Passed),
        Some(_) => Err(ChainBroken {
            what,
            reason: "its SHA-256 differs from the one in the integrity record (EF 0003)",
        }),
    }
}

/// Checks the chain: the record's signature with the certificate's key, the certificate with
/// `issuer` when one is configured, and the record's digests over what was read.
pub(crate) fn check(
    files: &ReadFiles<'_>,
    issuer: Option<&RsaPublicKey>,
) -> Result<IntegrityReport, ChainBroken> {
    let record = files.record;
    if !record.signed_by(files.certificate) {
        return Err(ChainBroken {
            what: "integrity record (EF 0003)",
            reason:
                "its signature does not verify with the application certificate's key (EF 0004)",
        });
    }
    let issuer = issuer_check(
        files.certificate,
        issuer,
        "application certificate (EF 0004)",
    )?;
    Ok(IntegrityReport {
        my_number_digest: digest_check(
            files.my_number,
            |f| record.covers_my_number(f),
            "My Number (EF 0001)",
        )?,
        attributes_digest: digest_check(
            files.attributes,
            |c| record.covers_attributes(c),
            "four attributes (EF 0002)",
        )?,
        record_signature: Check::Passed,
        issuer,
    })
}
