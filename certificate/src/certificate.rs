//! A JPKI certificate as the rest of the library and its users see it, parsed with x509-parser.
//!
//! Personal attributes (name, address, birth date, sex) live only in the signing certificate's
//! SubjectAltName. They are shown on request and never logged: [`PersonalAttributes`]'s
//! `Debug` hides them.

use std::fmt;

use der::asn1::{AnyRef, Ia5StringRef, PrintableStringRef, Utf8StringRef};
use der::Decode;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::der_limits::check_der_lengths;
use crate::digest::DigestAlgorithm;
use crate::era::BirthDate;
use crate::error::{CertificateError, Result};
use crate::extensions::{self, InfoAccess};
use crate::instant::{rfc3339_jst, rfc3339_utc};

/// Certificate policy of the production authentication certificate.
pub const POLICY_AUTHENTICATION: &str = "1.2.392.200149.8.5.1.3.30";
/// Certificate policy of test-hierarchy (`O=JPKI-TEST`) authentication certificates, read from a
/// J-LIS test card (`docs/protocol.md` §6.3a). A verifier that knows only the production one
/// refuses every test card.
pub const POLICY_AUTHENTICATION_TEST: &str = "1.2.392.200149.8.5.1.0.30";
/// Certificate policy of the production signing certificate.
pub const POLICY_SIGNATURE: &str = "1.2.392.200149.8.5.1.1.20";
/// Certificate policy seen on test-hierarchy (`O=JPKI-TEST`) signing certificates.
pub const POLICY_SIGNATURE_TEST: &str = "1.2.392.200149.8.5.1.0.20";
/// Policy reported for signing certificates loaded onto smartphones (single, unverified source).
pub const POLICY_SIGNATURE_SMARTPHONE: &str = "1.2.392.200149.8.5.1.1.40";

/// SubjectAltName otherName OIDs of the personal attributes (`docs/protocol.md` §6.3).
pub mod attribute_oid {
    /// 氏名.
    pub const NAME: &str = "1.2.392.200149.8.5.5.1";
    /// 氏名代替文字.
    pub const SUBSTITUTE_NAME: &str = "1.2.392.200149.8.5.5.2";
    /// 性別.
    pub const SEX: &str = "1.2.392.200149.8.5.5.3";
    /// 生年月日.
    pub const BIRTH_DATE: &str = "1.2.392.200149.8.5.5.4";
    /// 住所.
    pub const ADDRESS: &str = "1.2.392.200149.8.5.5.5";
    /// 住所代替文字.
    pub const SUBSTITUTE_ADDRESS: &str = "1.2.392.200149.8.5.5.6";
}

/// What a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificatePurpose {
    /// 利用者証明用: log-in.
    Authentication,
    /// 署名用: legally binding signatures.
    Signature,
    /// A J-LIS certification authority (root).
    CertificateAuthority,
    /// Not recognisably a JPKI certificate.
    Unknown,
}

impl fmt::Display for CertificatePurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertificatePurpose::Authentication => "authentication (利用者証明用)",
            CertificatePurpose::Signature => "signature (署名用)",
            CertificatePurpose::CertificateAuthority => "certification authority",
            CertificatePurpose::Unknown => "unknown",
        })
    }
}

/// The holder's attributes in a signing certificate. Personal data: `Debug` hides the values.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PersonalAttributes {
    /// 氏名: family and given names separated by U+3000.
    pub name: Option<String>,
    /// 氏名代替文字: the name with substitute characters.
    pub substitute_name: Option<String>,
    /// 性別: "1" male, "2" female, "9" not applicable (ISO 5218).
    pub sex: Option<String>,
    /// 生年月日: era code digit then the Gregorian date, `EYYYYMMDD`.
    pub birth_date: Option<String>,
    /// 住所.
    pub address: Option<String>,
    /// 住所代替文字.
    pub substitute_address: Option<String>,
}

impl PersonalAttributes {
    /// Whether any attribute is present.
    pub fn is_empty(&self) -> bool {
        self.present_fields().is_empty()
    }

    /// The names of the attributes present (not their values).
    pub fn present_fields(&self) -> Vec<&'static str> {
        [
            ("name", &self.name),
            ("substitute name", &self.substitute_name),
            ("sex", &self.sex),
            ("birth date", &self.birth_date),
            ("address", &self.address),
            ("substitute address", &self.substitute_address),
        ]
        .into_iter()
        .filter_map(|(label, v)| v.as_ref().map(|_| label))
        .collect()
    }

    /// The sex attribute in words.
    pub fn sex_description(&self) -> Option<&'static str> {
        self.sex.as_deref().map(|s| match s {
            "1" => "male",
            "2" => "female",
            "9" => "not applicable",
            _ => "unknown code",
        })
    }

    /// The birth date with its era digit, checked to be a calendar date; `Display` gives
    /// `1980-02-17 (昭和55年)`. `None` when absent or not `EYYYYMMDD` / `YYYYMMDD` digits.
    pub fn birth_date_parsed(&self) -> Option<BirthDate> {
        BirthDate::parse(self.birth_date.as_deref()?)
    }

    /// The birth date as `YYYY-MM-DD`, from the `EYYYYMMDD` form.
    pub fn birth_date_iso(&self) -> Option<String> {
        let raw = self.birth_date.as_deref()?;
        // `get`, not slicing: a hostile certificate can start the value with a multi-byte char.
        let digits = if raw.len() == 9 { raw.get(1..)? } else { raw };
        (digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..]))
    }
}

impl fmt::Debug for PersonalAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PersonalAttributes(present: {:?}; values withheld)",
            self.present_fields()
        )
    }
}

/// A parsed certificate with the facts a JPKI client needs.
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// What it is for.
    pub purpose: CertificatePurpose,
    /// Subject DN, RFC 4514 style.
    pub subject: String,
    /// Issuer DN, RFC 4514 style.
    pub issuer: String,
    /// Serial number, upper-case hex, without the DER sign byte (as OpenSSL shows it).
    pub serial: String,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before: i64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after: i64,
    /// RSA modulus size in bits.
    pub key_bits: usize,
    /// Certificate policy OIDs.
    pub policies: Vec<String>,
    /// Whether the issuer is the JPKI test hierarchy (`O=JPKI-TEST`).
    pub test_hierarchy: bool,
    /// The holder's attributes (signing certificates only).
    pub personal: Option<PersonalAttributes>,
    /// keyUsage bits by their RFC 5280 names (`digitalSignature`, `nonRepudiation`,
    /// `keyCertSign`, `cRLSign`, …); `None` when the certificate has no keyUsage.
    pub key_usage: Option<Vec<String>>,
    /// extendedKeyUsage purposes as dotted OIDs (`1.3.6.1.5.5.7.3.2` for clientAuth;
    /// [`extensions::extended_key_usage_name`] names the common ones); `None` when absent.
    pub extended_key_usage: Option<Vec<String>>,
    /// authorityInfoAccess entries (the OCSP responder of an authentication certificate), in
    /// certificate order; empty when absent (real signing certificates have none).
    pub authority_info_access: Vec<InfoAccess>,
    /// cRLDistributionPoints, one text line per point (`DirName: C=JP, O=JPKI, …`); empty when
    /// absent.
    pub crl_distribution_points: Vec<String>,
    der: Vec<u8>,
    public_key: RsaPublicKey,
}

impl CertificateInfo {
    /// Parses a DER certificate.
    ///
    /// # Errors
    ///
    /// [`CertificateError::Unusable`] when the bytes are not one DER X.509 certificate (lengths
    /// beyond their parent, trailing bytes) or its key is not RSA.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let bad = |reason: String| CertificateError::Unusable { reason };
        check_der_lengths(der).map_err(|reason| bad(reason.into()))?;
        let (rest, cert) = X509Certificate::from_der(der)
            .map_err(|e| bad(format!("not a DER X.509 certificate ({e})")))?;
        if !rest.is_empty() {
            return Err(bad(format!("{} bytes after the certificate", rest.len())));
        }
        let public_key = RsaPublicKey::from_public_key_der(cert.public_key().raw)
            .map_err(|_| bad("the public key is not RSA".into()))?;
        let key_bits = public_key.n().bits();

        let mut policies = Vec::new();
        let mut is_ca = false;
        let mut key_usage = None;
        let mut extended_key_usage = None;
        let mut authority_info_access = Vec::new();
        let mut crl_distribution_points = Vec::new();
        let mut personal = PersonalAttributes::default();
        let mut has_personal = false;
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::CertificatePolicies(p) => {
                    policies.extend(p.iter().map(|info| info.policy_id.to_id_string()));
                }
                ParsedExtension::BasicConstraints(bc) => is_ca = bc.ca,
                ParsedExtension::KeyUsage(ku) => key_usage = Some(extensions::key_usage_names(ku)),
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    extended_key_usage = Some(extensions::extended_key_usage_oids(eku));
                }
                ParsedExtension::AuthorityInfoAccess(aia) => {
                    authority_info_access = extensions::info_access(aia);
                }
                ParsedExtension::CRLDistributionPoints(points) => {
                    crl_distribution_points = extensions::distribution_points(points);
                }
                ParsedExtension::SubjectAlternativeName(san) => {
                    for name in &san.general_names {
                        if let GeneralName::OtherName(oid, value) = name {
                            let slot = match oid.to_id_string().as_str() {
                                attribute_oid::NAME => &mut personal.name,
                                attribute_oid::SUBSTITUTE_NAME => &mut personal.substitute_name,
                                attribute_oid::SEX => &mut personal.sex,
                                attribute_oid::BIRTH_DATE => &mut personal.birth_date,
                                attribute_oid::ADDRESS => &mut personal.address,
                                attribute_oid::SUBSTITUTE_ADDRESS => {
                                    &mut personal.substitute_address
                                }
                                _ => continue,
                            };
                            *slot = Some(other_name_text(value).ok_or_else(|| {
                                bad("a personal attribute is not a text string".into())
                            })?);
                            has_personal = true;
                        }
                    }
                }
                _ => {}
            }
        }

        let issuer = cert.issuer().to_string();
        let purpose = classify(&policies, is_ca, &issuer);
        Ok(Self {
            purpose,
            subject: cert.subject().to_string(),
            test_hierarchy: issuer.contains("O=JPKI-TEST"),
            issuer,
            serial: serial_hex(cert.raw_serial()),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            key_bits,
            policies,
            personal: has_personal.then_some(personal),
            key_usage,
            extended_key_usage,
            authority_info_access,
            crl_distribution_points,
            der: der.to_vec(),
            public_key,
        })
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// PEM text.
    pub fn to_pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .expect("PEM encoding of in-memory bytes cannot fail")
    }

    /// The RSA public key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public_key
    }

    /// Whole days from `now` (Unix seconds) until the end of validity; negative once expired.
    pub fn days_left(&self, now: i64) -> i64 {
        (self.not_after - now).div_euclid(86_400)
    }

    /// Start of validity as `YYYY-MM-DD` (UTC).
    pub fn not_before_date(&self) -> String {
        iso_date(self.not_before)
    }

    /// End of validity as `YYYY-MM-DD` (UTC).
    pub fn not_after_date(&self) -> String {
        iso_date(self.not_after)
    }

    /// Start of validity in Japan time, RFC 3339: `2025-10-28T02:29:00+09:00`.
    pub fn not_before_jst(&self) -> String {
        rfc3339_jst(self.not_before)
    }

    /// End of validity in Japan time, RFC 3339: `2030-02-17T23:59:59+09:00`.
    pub fn not_after_jst(&self) -> String {
        rfc3339_jst(self.not_after)
    }

    /// Start of validity in UTC, RFC 3339: `2025-10-27T17:29:00Z`.
    pub fn not_before_utc(&self) -> String {
        rfc3339_utc(self.not_before)
    }

    /// End of validity in UTC, RFC 3339: `2030-02-17T14:59:59Z`.
    pub fn not_after_utc(&self) -> String {
        rfc3339_utc(self.not_after)
    }

    /// For a certification authority, what its certificates are for, from the J-LIS subject's
    /// `OU` (`JPKI for user authentication`, `JPKI for digital signature`); `None` for a leaf
    /// or an unrecognised CA. Whether it is a test CA is [`CertificateInfo::test_hierarchy`].
    pub fn ca_purpose(&self) -> Option<CertificatePurpose> {
        if self.purpose != CertificatePurpose::CertificateAuthority {
            return None;
        }
        if self.subject.contains("OU=JPKI for user authentication") {
            Some(CertificatePurpose::Authentication)
        } else if self.subject.contains("OU=JPKI for digital signature") {
            Some(CertificatePurpose::Signature)
        } else {
            None
        }
    }

    /// Whether `now` lies within the validity period.
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// Checks an RSASSA-PKCS1-v1_5 signature over `digest` with this certificate's key.
    ///
    /// # Errors
    ///
    /// [`CertificateError::SignatureMismatch`] when the signature does not verify with this key.
    pub fn verify_digest_signature(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        self.public_key
            .verify(algorithm.pkcs1v15(), digest, signature)
            .map_err(|_| CertificateError::SignatureMismatch)
    }
}

/// Shows no personal attribute values.
impl fmt::Debug for CertificateInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateInfo")
            .field("purpose", &self.purpose)
            .field("issuer", &self.issuer)
            .field("serial", &self.serial)
            .field("not_after", &self.not_after)
            .field("key_bits", &self.key_bits)
            .field("personal", &self.personal)
            .finish_non_exhaustive()
    }
}

/// Seconds since the Unix epoch, now: the `now` that validity checks take.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The serial's hex without the leading `00` that DER adds to keep a positive number positive.
fn serial_hex(raw: &[u8]) -> String {
    let significant = match raw {
        [0, rest @ ..] if !rest.is_empty() => rest,
        all => all,
    };
    hex::encode_upper(significant)
}

fn iso_date(unix: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => unix.to_string(),
    }
}

fn classify(policies: &[String], is_ca: bool, issuer: &str) -> CertificatePurpose {
    let has = |oid: &str| policies.iter().any(|p| p == oid);
    if is_ca {
        CertificatePurpose::CertificateAuthority
    } else if has(POLICY_AUTHENTICATION) || has(POLICY_AUTHENTICATION_TEST) {
        CertificatePurpose::Authentication
    } else if has(POLICY_SIGNATURE)
        || has(POLICY_SIGNATURE_TEST)
        || has(POLICY_SIGNATURE_SMARTPHONE)
    {
        CertificatePurpose::Signature
    } else if issuer.contains("OU=JPKI for user authentication") {
        CertificatePurpose::Authentication
    } else if issuer.contains("OU=JPKI for digital signature") {
        CertificatePurpose::Signature
    } else {
        CertificatePurpose::Unknown
    }
}

/// Decodes the `[0] EXPLICIT` string of an otherName, as the der crate sees it.
fn other_name_text(explicit: &[u8]) -> Option<String> {
    // Borrowed, so a hostile length cannot make `der` allocate.
    let wrapper = AnyRef::from_der(explicit).ok()?;
    let inner = wrapper.value();
    if let Ok(s) = Utf8StringRef::from_der(inner) {
        return Some(s.as_str().to_string());
    }
    if let Ok(s) = PrintableStringRef::from_der(inner) {
        return Some(s.as_str().to_string());
    }
    Ia5StringRef::from_der(inner)
        .ok()
        .map(|s| s.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_typed_error() {
        for bad in [
            &b""[..],
            b"\x30\x82\x06\x2b",
            b"not a certificate",
            &[0x30, 0x03, 1, 2, 3],
        ] {
            assert!(matches!(
                CertificateInfo::from_der(bad),
                Err(CertificateError::Unusable { .. })
            ));
        }
    }

    /// Found while writing the certificate fuzz target: a 9-byte birth date starting with a
    /// multi-byte character made `birth_date_iso` slice inside it and panic.
    #[test]
    fn a_birth_date_starting_with_a_multibyte_char_is_not_a_date() {
        for raw in ["é9900401", "あ990401", "419900401é"] {
            let p = PersonalAttributes {
                birth_date: Some(raw.into()),
                ..Default::default()
            };
            assert_eq!(p.birth_date_iso(), None, "{raw}");
        }
    }

    #[test]
    fn serials_show_without_the_der_sign_byte() {
        assert_eq!(serial_hex(&[0x00, 0xBF, 0xCD]), "BFCD");
        assert_eq!(serial_hex(&[0x01]), "01");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[0x07, 0x8F]), "078F");
    }

    #[test]
    fn birth_date_forms() {
        let p = PersonalAttributes {
            birth_date: Some("419900401".into()),
            sex: Some("2".into()),
            ..Default::default()
        };
        assert_eq!(p.birth_date_iso().as_deref(), Some("1990-04-01"));
        assert_eq!(p.sex_description(), Some("female"));
        assert_eq!(p.present_fields(), vec!["sex", "birth date"]);
        assert!(!format!("{p:?}").contains("1990"));
    }
}
