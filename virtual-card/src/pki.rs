//! The virtual card's test PKI, shaped like J-LIS's (`docs/protocol.md` §6) and derived
//! deterministically from a seed: two `O=JPKI-TEST` roots, an authentication certificate and a
//! signing certificate with the holder's attributes in otherName entries.
//!
//! Certificates are assembled from `x509-cert` types and signed with the `rsa` crate; no
//! ASN.1 is written by hand.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use der::asn1::{Any, BitString, Ia5String, OctetString, UtcTime, Utf8StringRef};
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, Encode};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::EncodePublicKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName, OtherName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CertificatePolicies, CrlDistributionPoints, ExtendedKeyUsage, IssuerAltName, KeyUsage,
    KeyUsages, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::Validity;
use x509_cert::{Certificate, TbsCertificate, Version};

use kazashi_certificate::certificate::{attribute_oid, POLICY_AUTHENTICATION, POLICY_SIGNATURE};

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const ID_KP_CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
const ID_QT_CPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const CPS_URL: &str = "http://www.jpki.go.jp/cps.html";

/// The card holder the test certificates describe. Fictional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// 氏名, family and given names separated by U+3000.
    pub name: String,
    /// 住所.
    pub address: String,
    /// ISO 5218 sex code: "1", "2" or "9".
    pub sex: String,
    /// Birth date (year, month, day), Gregorian.
    pub birth_date: (i32, u8, u8),
    /// Prefecture in romaji, for the signing certificate's subject.
    pub prefecture: String,
    /// City in romaji.
    pub city: String,
    /// 5-digit municipality code (全国地方公共団体コード) in the authentication id.
    pub municipality_code: String,
}

impl Default for Holder {
    fn default() -> Self {
        Self {
            name: "仮想\u{3000}花子".into(),
            address: "東京都清瀬市中里一丁目１番地".into(),
            sex: "2".into(),
            birth_date: (1990, 4, 1),
            prefecture: "Tokyo-to".into(),
            city: "Kiyose-shi".into(),
            municipality_code: "13221".into(),
        }
    }
}

/// Key pairs of the test PKI. Generating RSA-2048 keys is slow, so each seed's keys are made
/// once per process and shared.
pub(crate) struct TestKeys {
    pub auth_root: RsaPrivateKey,
    pub sign_root: RsaPrivateKey,
    pub auth_leaf: RsaPrivateKey,
    pub sign_leaf: RsaPrivateKey,
}

pub(crate) fn keys_for_seed(seed: &str) -> Arc<TestKeys> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<TestKeys>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(keys) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(seed) {
        return keys.clone();
    }
    let make = |label: &str| {
        let mut rng = ChaCha20Rng::from_seed(derive(seed, label));
        RsaPrivateKey::new(&mut rng, 2048).expect("RSA-2048 key generation")
    };
    let keys = Arc::new(TestKeys {
        auth_root: make("auth-root"),
        sign_root: make("sign-root"),
        auth_leaf: make("auth-leaf"),
        sign_leaf: make("sign-leaf"),
    });
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(seed.to_string())
        .or_insert(keys)
        .clone()
}

/// 32 bytes derived from the seed and a label.
pub(crate) fn derive(seed: &str, label: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"kazashi virtual card\0");
    h.update(seed.as_bytes());
    h.update(b"\0");
    h.update(label.as_bytes());
    h.finalize().into()
}

/// The four certificates of one virtual card, DER.
pub(crate) struct TestCertificates {
    pub auth_root: Vec<u8>,
    pub sign_root: Vec<u8>,
    pub auth: Vec<u8>,
    pub sign: Vec<u8>,
}

/// Names of the test roots: J-LIS's DNs with `O=JPKI-TEST`.
pub const AUTH_ROOT_DN: &str = "OU=Japan Agency for Local Authority Information Systems,OU=JPKI for user authentication,O=JPKI-TEST,C=JP";
/// Name of the signing test root.
pub const SIGN_ROOT_DN: &str = "OU=Japan Agency for Local Authority Information Systems,OU=JPKI for digital signature,O=JPKI-TEST,C=JP";

pub(crate) fn build(
    seed: &str,
    keys: &TestKeys,
    holder: &Holder,
    issued_on: (i32, u8, u8),
) -> TestCertificates {
    let issued = at(issued_on, 0, 0, 0);
    let root_from = issued - time::Duration::days(730);
    let root_until = issued + time::Duration::days(3650 - 730);
    let leaf_until = fifth_birthday_after(holder.birth_date, issued_on);

    let auth_root_name = Name::from_str(AUTH_ROOT_DN).expect("static DN");
    let sign_root_name = Name::from_str(SIGN_ROOT_DN).expect("static DN");
    let auth_root = root(
        seed,
        "auth-root",
        &auth_root_name,
        &keys.auth_root,
        root_from,
        root_until,
    );
    let sign_root = root(
        seed,
        "sign-root",
        &sign_root_name,
        &keys.sign_root,
        root_from,
        root_until,
    );

    let validity = (issued, leaf_until);
    let auth = authentication_leaf(seed, keys, holder, auth_root_name, validity);
    let sign = signing_leaf(seed, keys, holder, sign_root_name, validity);
    TestCertificates {
        auth_root,
        sign_root,
        auth,
        sign,
    }
}

/// The authentication certificate: no personal data, the subject a random-looking ID.
fn authentication_leaf(
    seed: &str,
    keys: &TestKeys,
    holder: &Holder,
    issuer: Name,
    (from, until): (OffsetDateTime, OffsetDateTime),
) -> Vec<u8> {
    let auth_id = authentication_id(seed, &holder.municipality_code);
    let subject = Name::from_str(&format!("CN={auth_id},C=JP")).expect("DN");
    leaf(
        LeafSpec {
            seed,
            label: "auth-leaf",
            issuer_label: "auth-root",
            subject,
            issuer,
            issuer_key: &keys.auth_root,
            key: &keys.auth_leaf,
            from,
            until,
        },
        vec![
            ext(true, &KeyUsage(KeyUsages::DigitalSignature.into())),
            ext(false, &ExtendedKeyUsage(vec![ID_KP_CLIENT_AUTH])),
            ext(true, &policies(POLICY_AUTHENTICATION)),
            ext(false, &issuer_alt_name("公的個人認証サービス利用者証明用")),
            ext(false, &crl_point("JPKI for user authentication", holder)),
            ext(false, &ocsp("http://ocspauthnorm.jpki-test.invalid")),
        ],
    )
}

/// The signing certificate: the holder's attributes in its SubjectAltName.
fn signing_leaf(
    seed: &str,
    keys: &TestKeys,
    holder: &Holder,
    issuer: Name,
    (from, until): (OffsetDateTime, OffsetDateTime),
) -> Vec<u8> {
    let sign_id = authentication_id(&format!("{seed}/sign"), &holder.municipality_code);
    let subject = Name::from_str(&format!(
        "CN={sign_id},L={},L={},C=JP",
        holder.city, holder.prefecture
    ))
    .expect("DN");
    leaf(
        LeafSpec {
            seed,
            label: "sign-leaf",
            issuer_label: "sign-root",
            subject,
            issuer,
            issuer_key: &keys.sign_root,
            key: &keys.sign_leaf,
            from,
            until,
        },
        vec![
            ext(
                true,
                &KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
            ),
            ext(true, &policies(POLICY_SIGNATURE)),
            ext(false, &personal_attributes(holder)),
            ext(false, &issuer_alt_name("公的個人認証サービス署名用")),
            ext(false, &crl_point("JPKI for digital signature", holder)),
            ext(false, &ocsp("http://ocspsignnorm.jpki-test.invalid")),
        ],
    )
}

/// A 23-character opaque identifier shaped like the real ones: 14 characters, the municipality
/// code, then `003A`.
fn authentication_id(seed: &str, municipality_code: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let bytes = derive(seed, "authentication-id");
    let head: String = bytes[..14]
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{head}{municipality_code:0>5.5}003A")
}

fn at((y, m, d): (i32, u8, u8), hour: u8, minute: u8, second: u8) -> OffsetDateTime {
    let month = Month::try_from(m).unwrap_or(Month::January);
    let date = Date::from_calendar_date(y, month, d)
        .or_else(|_| Date::from_calendar_date(y, month, 28))
        .expect("valid date");
    PrimitiveDateTime::new(
        date,
        Time::from_hms(hour, minute, second).expect("valid time"),
    )
    .assume_utc()
}

/// 23:59:59 JST (14:59:59Z) on the holder's fifth birthday after `issued`.
pub(crate) fn fifth_birthday_after(birth: (i32, u8, u8), issued: (i32, u8, u8)) -> OffsetDateTime {
    let (_, bm, bd) = birth;
    let issued_at = at(issued, 0, 0, 0);
    let mut year = issued.0;
    // A birthday on the issue date itself is not "after" the issue.
    if at((year, bm, bd), 0, 0, 0) <= issued_at {
        year += 1;
    }
    at((year + 4, bm, bd), 14, 59, 59)
}

fn ext<T: Encode + AssociatedOid>(critical: bool, value: &T) -> Extension {
    Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(value.to_der().expect("extension encoding"))
            .expect("octet string"),
    }
}

fn policies(oid: &str) -> CertificatePolicies {
    let cps = Ia5String::new(CPS_URL).expect("ASCII URL");
    CertificatePolicies(vec![PolicyInformation {
        policy_identifier: ObjectIdentifier::new_unwrap(oid),
        policy_qualifiers: Some(vec![PolicyQualifierInfo {
            policy_qualifier_id: ID_QT_CPS,
            qualifier: Some(Any::encode_from(&cps).expect("IA5String")),
        }]),
    }])
}

fn issuer_alt_name(purpose_ou: &str) -> IssuerAltName {
    let dn = format!("OU=地方公共団体情報システム機構,OU={purpose_ou},O=公的個人認証サービス,C=JP");
    IssuerAltName(vec![GeneralName::DirectoryName(
        Name::from_str(&dn).expect("DN"),
    )])
}

fn crl_point(purpose: &str, holder: &Holder) -> CrlDistributionPoints {
    let dn = format!(
        "CN={} CRLDP,OU={},OU=CRL Distribution Points,OU={purpose},O=JPKI-TEST,C=JP",
        holder.city, holder.prefecture
    );
    CrlDistributionPoints(vec![DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![
            GeneralName::DirectoryName(Name::from_str(&dn).expect("DN")),
        ])),
        reasons: None,
        crl_issuer: None,
    }])
}

fn ocsp(url: &str) -> AuthorityInfoAccessSyntax {
    AuthorityInfoAccessSyntax(vec![AccessDescription {
        access_method: ID_AD_OCSP,
        access_location: GeneralName::UniformResourceIdentifier(
            Ia5String::new(url).expect("ASCII URL"),
        ),
    }])
}

fn personal_attributes(holder: &Holder) -> SubjectAltName {
    let (y, m, d) = holder.birth_date;
    let birth = format!("{}{y:04}{m:02}{d:02}", era_code(holder.birth_date));
    let entries = [
        (attribute_oid::NAME, holder.name.as_str()),
        (attribute_oid::SUBSTITUTE_NAME, holder.name.as_str()),
        (attribute_oid::SEX, holder.sex.as_str()),
        (attribute_oid::BIRTH_DATE, birth.as_str()),
        (attribute_oid::ADDRESS, holder.address.as_str()),
        (attribute_oid::SUBSTITUTE_ADDRESS, holder.address.as_str()),
    ];
    SubjectAltName(
        entries
            .iter()
            .map(|(oid, text)| {
                GeneralName::OtherName(OtherName {
                    type_id: ObjectIdentifier::new_unwrap(oid),
                    value: Any::encode_from(&Utf8StringRef::new(text).expect("UTF-8"))
                        .expect("UTF8String"),
                })
            })
            .collect(),
    )
}

/// Japanese era code digit used before the Gregorian birth date: 1 Meiji, 2 Taishō, 3 Shōwa,
/// 4 Heisei, 5 Reiwa.
fn era_code((y, m, d): (i32, u8, u8)) -> char {
    let date = (y, m, d);
    if date >= (2019, 5, 1) {
        '5'
    } else if date >= (1989, 1, 8) {
        '4'
    } else if date >= (1926, 12, 25) {
        '3'
    } else if date >= (1912, 7, 30) {
        '2'
    } else {
        '1'
    }
}

fn spki(key: &RsaPrivateKey) -> SubjectPublicKeyInfoOwned {
    let der = RsaPublicKey::from(key)
        .to_public_key_der()
        .expect("SPKI encoding");
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).expect("SPKI decoding")
}

fn key_id(key: &RsaPrivateKey) -> OctetString {
    let spki = spki(key);
    let digest = sha1::Sha1::digest(spki.subject_public_key.raw_bytes());
    OctetString::new(digest.to_vec()).expect("key id")
}

fn serial(seed: &str, label: &str) -> SerialNumber {
    let bytes = derive(seed, label);
    // Four bytes like the real ones, positive and non-zero.
    let mut s = [bytes[0] & 0x7F, bytes[1], bytes[2], bytes[3]];
    if s == [0; 4] {
        s[3] = 1;
    }
    SerialNumber::new(&s).expect("serial")
}

fn validity(from: OffsetDateTime, until: OffsetDateTime) -> Validity {
    let utc = |t: OffsetDateTime| {
        x509_cert::time::Time::UtcTime(
            UtcTime::from_unix_duration(Duration::from_secs(t.unix_timestamp() as u64))
                .expect("UTCTime range"),
        )
    };
    Validity {
        not_before: utc(from),
        not_after: utc(until),
    }
}

fn sign_tbs(tbs: TbsCertificate, issuer_key: &RsaPrivateKey) -> Vec<u8> {
    let tbs_der = tbs.to_der().expect("TBS encoding");
    let signature = SigningKey::<Sha256>::new(issuer_key.clone()).sign(&tbs_der);
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sha256_with_rsa(),
        signature: BitString::from_bytes(&signature.to_vec()).expect("signature bits"),
    };
    cert.to_der().expect("certificate encoding")
}

fn sha256_with_rsa() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: SHA256_WITH_RSA,
        parameters: Some(Any::null()),
    }
}

fn root(
    seed: &str,
    label: &str,
    name: &Name,
    key: &RsaPrivateKey,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> Vec<u8> {
    let extensions = vec![
        ext(
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
        ),
        ext(true, &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)),
        ext(false, &SubjectKeyIdentifier(key_id(key))),
        ext(
            false,
            &SubjectAltName(vec![GeneralName::DirectoryName(
                Name::from_str("O=公的個人認証サービス,C=JP").expect("DN"),
            )]),
        ),
    ];
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: serial(seed, label),
        signature: sha256_with_rsa(),
        issuer: name.clone(),
        validity: validity(from, until),
        subject: name.clone(),
        subject_public_key_info: spki(key),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    sign_tbs(tbs, key)
}

struct LeafSpec<'a> {
    seed: &'a str,
    label: &'a str,
    issuer_label: &'a str,
    subject: Name,
    issuer: Name,
    issuer_key: &'a RsaPrivateKey,
    key: &'a RsaPrivateKey,
    from: OffsetDateTime,
    until: OffsetDateTime,
}

fn leaf(spec: LeafSpec<'_>, mut extensions: Vec<Extension>) -> Vec<u8> {
    // Like J-LIS's: key id, issuer name and issuer serial.
    extensions.push(ext(
        false,
        &AuthorityKeyIdentifier {
            key_identifier: Some(key_id(spec.issuer_key)),
            authority_cert_issuer: Some(vec![GeneralName::DirectoryName(spec.issuer.clone())]),
            authority_cert_serial_number: Some(serial(spec.seed, spec.issuer_label)),
        },
    ));
    extensions.push(ext(false, &SubjectKeyIdentifier(key_id(spec.key))));
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: serial(spec.seed, spec.label),
        signature: sha256_with_rsa(),
        issuer: spec.issuer,
        validity: validity(spec.from, spec.until),
        subject: spec.subject,
        subject_public_key_info: spki(spec.key),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    sign_tbs(tbs, spec.issuer_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_ends_on_the_fifth_birthday_after_issue() {
        // The J-LIS test card: issued 2025-10-27, birthday 02-17, valid until 2030-02-17.
        let end = fifth_birthday_after((1980, 2, 17), (2025, 10, 27));
        assert_eq!(end, at((2030, 2, 17), 14, 59, 59));
        // Issued on the birthday itself: that birthday does not count.
        let end = fifth_birthday_after((1990, 10, 27), (2025, 10, 27));
        assert_eq!(end, at((2030, 10, 27), 14, 59, 59));
        // 29 February falls back to the 28th in common years.
        let end = fifth_birthday_after((2000, 2, 29), (2025, 10, 27));
        assert_eq!(end, at((2030, 2, 28), 14, 59, 59));
    }

    #[test]
    fn identifiers_look_like_the_real_ones() {
        let id = authentication_id("seed", "13221");
        assert_eq!(id.len(), 23);
        assert!(id.ends_with("13221003A"));
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_eq!(era_code((1990, 4, 1)), '4');
        assert_eq!(era_code((1980, 2, 17)), '3');
        assert_eq!(era_code((2019, 5, 1)), '5');
    }
}
