//! The virtual card's test PKI, derived deterministically from a seed: two `O=JPKI-TEST` roots,
//! an authentication certificate and a signing certificate with the holder's attributes in
//! otherName entries.
//!
//! The certificates follow what J-LIS actually issues on its test cards, field by field
//! (`docs/protocol.md` §6.2, §6.3, §6.3a, §6.5): the test policies, the extension order, the
//! SubjectAltName order, the substitute-character fields as digit strings, no AIA on the
//! signing certificate, four-RDN root names, 3-byte serials, the CN formats, issue-time
//! `notBefore`s and 10-year roots, so that sizes come out within a few bytes of the real ones.
//! A simulator that differs from the card trains its clients to the simulator; the test
//! `tests/jlis_profile.rs` holds every certificate made here against that profile.
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

use kazashi_certificate::certificate::{
    attribute_oid, POLICY_AUTHENTICATION_TEST, POLICY_SIGNATURE_TEST,
};

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const ID_KP_CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
const ID_QT_CPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const CPS_URL: &str = "http://www.jpki.go.jp/cps.html";
/// The test hierarchy's OCSP responder, as on the test card's authentication certificate
/// (`docs/protocol.md` §6.3a; production: `http://ocspauthnorm.jpki.go.jp`).
const TEST_OCSP_URL: &str = "http://test-ocspauthnorm.jpki.go.jp";

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
    /// 5-digit municipality code (全国地方公共団体コード) in the certificates' CNs.
    pub municipality_code: String,
}

impl Default for Holder {
    /// Five characters of name and eighteen of address, like the J-LIS test card's holder
    /// (`docs/protocol.md` §6.3a: `00000` and 18 × `0` substitute fields), so the signing
    /// certificate has the real one's size.
    fn default() -> Self {
        Self {
            name: "仮想\u{3000}花子".into(),
            address: "東京都清瀬市中里一丁目１番地の２３４".into(),
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
    static CACHE: SeedCache<TestKeys> = OnceLock::new();
    cached_per_seed(&CACHE, seed, || TestKeys {
        auth_root: seeded_key(seed, "auth-root"),
        sign_root: seeded_key(seed, "sign-root"),
        auth_leaf: seeded_key(seed, "auth-leaf"),
        sign_leaf: seeded_key(seed, "sign-leaf"),
    })
}

/// A process-wide map from seed to what was made from it.
type SeedCache<T> = OnceLock<Mutex<HashMap<String, Arc<T>>>>;

/// What `cache` holds for `seed`, made by `make` the first time. The lock is not held while
/// `make` runs (key generation takes a while); if two threads race, the first insert wins and
/// both get the same value.
fn cached_per_seed<T>(
    cache: &'static SeedCache<T>,
    seed: &str,
    make: impl FnOnce() -> T,
) -> Arc<T> {
    let cache = cache.get_or_init(Default::default);
    if let Some(made) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(seed) {
        return made.clone();
    }
    let made = Arc::new(make());
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(seed.to_string())
        .or_insert(made)
        .clone()
}

/// The RSA-2048 key named `label`, derived from `seed`.
fn seeded_key(seed: &str, label: &str) -> RsaPrivateKey {
    let mut rng = ChaCha20Rng::from_seed(derive(seed, label));
    RsaPrivateKey::new(&mut rng, 2048).expect("RSA-2048 key generation")
}

/// Keys of the card's two other applications and of the virtual J-LIS key that certifies
/// them. Made on first use of those applications (not by [`keys_for_seed`]), so a card that
/// only speaks JPKI costs no more than before; cached per seed like the JPKI keys.
pub(crate) struct ApplicationKeys {
    /// The virtual J-LIS card-info issuer: signs the `5F37` of both applications' CV
    /// certificates. On a real card this key is on no file.
    pub issuer: RsaPrivateKey,
    /// The card-info application's key, certified in its EF `0004`: signs the integrity record
    /// (`DF33`) and EF `0007`'s `DF52`.
    pub card_info: RsaPrivateKey,
    /// The card-info application's SET SESSION KEY key (EF `0006`, public half only).
    pub card_info_session: RsaPrivateKey,
    /// The card-info application's AP signing key (EF `0007`'s `DF51`, public half only).
    pub card_info_signing: RsaPrivateKey,
    /// The card-surface application's key, certified in its EF `0004`: signs `DF28`.
    pub card_surface: RsaPrivateKey,
}

pub(crate) fn application_keys_for_seed(seed: &str) -> Arc<ApplicationKeys> {
    static CACHE: SeedCache<ApplicationKeys> = OnceLock::new();
    cached_per_seed(&CACHE, seed, || ApplicationKeys {
        issuer: seeded_key(seed, "card-info-issuer"),
        card_info: seeded_key(seed, "card-info-ap"),
        card_info_session: seeded_key(seed, "card-info-session"),
        card_info_signing: seeded_key(seed, "card-info-signing"),
        card_surface: seeded_key(seed, "card-surface-ap"),
    })
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

/// Names of the test roots: J-LIS's DNs with `O=JPKI-TEST`, as on the test cards.
pub const AUTH_ROOT_DN: &str = "OU=Japan Agency for Local Authority Information Systems,OU=JPKI for user authentication,O=JPKI-TEST,C=JP";
/// Name of the signing test root.
pub const SIGN_ROOT_DN: &str = "OU=Japan Agency for Local Authority Information Systems,OU=JPKI for digital signature,O=JPKI-TEST,C=JP";

/// What differs between the two halves of the PKI: the purpose's OUs and policy.
struct Purpose {
    /// Root DN (RFC 4514).
    root_dn: &'static str,
    /// The `OU` naming the purpose in J-LIS's English DNs.
    english_ou: &'static str,
    /// The `OU` naming it in the Japanese alternative names.
    japanese_ou: &'static str,
}

const AUTHENTICATION: Purpose = Purpose {
    root_dn: AUTH_ROOT_DN,
    english_ou: "JPKI for user authentication",
    japanese_ou: "公的個人認証サービス利用者証明用",
};

const SIGNATURE: Purpose = Purpose {
    root_dn: SIGN_ROOT_DN,
    english_ou: "JPKI for digital signature",
    japanese_ou: "公的個人認証サービス署名用",
};

pub(crate) fn build(
    seed: &str,
    keys: &TestKeys,
    holder: &Holder,
    issued_on: (i32, u8, u8),
) -> TestCertificates {
    // The roots were issued two years before the card (the test roots on the J-LIS test card
    // predate its certificates by two and a half years), each at its own time of day.
    let root_date = (issued_on.0 - 2, issued_on.1, issued_on.2);
    let auth_root_from = at(root_date, time_of_day(seed, "auth-root-issue"));
    let sign_root_from = at(root_date, time_of_day(seed, "sign-root-issue"));

    // Both leaves come from one visit to the municipal office: the signing certificate a few
    // seconds after the authentication certificate.
    let auth_from = at(issued_on, time_of_day(seed, "auth-leaf-issue"));
    let sign_from = auth_from
        + time::Duration::seconds(10 + i64::from(derive(seed, "sign-leaf-issue")[0] % 50));
    let until = fifth_birthday_after(holder.birth_date, issued_on);

    let auth_root_name = Name::from_str(AUTHENTICATION.root_dn).expect("static DN");
    let sign_root_name = Name::from_str(SIGNATURE.root_dn).expect("static DN");
    let auth_root = root(
        seed,
        "auth-root",
        &AUTHENTICATION,
        &keys.auth_root,
        auth_root_from,
    );
    let sign_root = root(
        seed,
        "sign-root",
        &SIGNATURE,
        &keys.sign_root,
        sign_root_from,
    );

    let auth = authentication_leaf(seed, keys, holder, auth_root_name, (auth_from, until));
    let sign = signing_leaf(seed, keys, holder, sign_root_name, (sign_from, until));
    TestCertificates {
        auth_root,
        sign_root,
        auth,
        sign,
    }
}

/// The authentication certificate: no personal data, the subject an opaque ID. Extensions in
/// the order of `docs/protocol.md` §6.2: keyUsage, extKeyUsage, certificatePolicies,
/// issuerAltName, cRLDistributionPoints, authorityInfoAccess, then the two key identifiers as
/// on the signing certificate (§6.3a).
fn authentication_leaf(
    seed: &str,
    keys: &TestKeys,
    holder: &Holder,
    issuer: Name,
    (from, until): (OffsetDateTime, OffsetDateTime),
) -> Vec<u8> {
    let cn = authentication_id(seed, &holder.municipality_code);
    let subject = Name::from_str(&format!("CN={cn},C=JP")).expect("DN");
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
            ext(true, &policies(POLICY_AUTHENTICATION_TEST)),
            ext(false, &IssuerAltName(vec![jlis_alt_name(&AUTHENTICATION)])),
            ext(false, &crl_point(&AUTHENTICATION, holder)),
            ext(false, &ocsp(TEST_OCSP_URL)),
        ],
    )
}

/// The signing certificate: the holder's attributes in its SubjectAltName, and no
/// authorityInfoAccess (the real one has none). Extensions in the order of
/// `docs/protocol.md` §6.3a.
fn signing_leaf(
    seed: &str,
    keys: &TestKeys,
    holder: &Holder,
    issuer: Name,
    (from, until): (OffsetDateTime, OffsetDateTime),
) -> Vec<u8> {
    let cn = signing_id(seed, &holder.municipality_code, from);
    let subject = Name::from_str(&format!(
        "CN={cn},L={},L={},C=JP",
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
            ext(false, &personal_attributes(holder)),
            ext(true, &policies(POLICY_SIGNATURE_TEST)),
            ext(false, &IssuerAltName(vec![jlis_alt_name(&SIGNATURE)])),
            ext(false, &crl_point(&SIGNATURE, holder)),
        ],
    )
}

/// The authentication certificate's 23-character CN, shaped like the test card's
/// `997794E9AGCIEG13221003A`: 6 digits, `E`, 1 digit, 6 letters, the 5-digit municipality code,
/// `003A` (`docs/protocol.md` §6.3a). What the characters encode is not public; here they come
/// from the seed.
fn authentication_id(seed: &str, municipality_code: &str) -> String {
    let bytes = derive(seed, "authentication-id");
    let digit = |b: u8| char::from(b'0' + b % 10);
    let letter = |b: u8| char::from(b'A' + b % 26);
    let digits: String = bytes[..6].iter().map(|b| digit(*b)).collect();
    let letters: String = bytes[7..13].iter().map(|b| letter(*b)).collect();
    format!(
        "{digits}E{}{letters}{municipality_code:0>5.5}003A",
        digit(bytes[6])
    )
}

/// The signing certificate's 28-character CN, shaped like the test card's
/// `202510161726000013413221003A`: a 12-digit UTC minute that precedes the issue by a few
/// minutes (the example's `…1726` against a notBefore at 17:29Z; read as the time of the
/// request `[inferred]`), 7 digits that look like a counter, the municipality code, `003A`
/// (`docs/protocol.md` §6.3a).
fn signing_id(seed: &str, municipality_code: &str, issued: OffsetDateTime) -> String {
    let requested = issued - time::Duration::minutes(3);
    let bytes = derive(seed, "signing-id");
    let counter = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 100_000;
    format!(
        "{:04}{:02}{:02}{:02}{:02}{counter:07}{municipality_code:0>5.5}003A",
        requested.year(),
        u8::from(requested.month()),
        requested.day(),
        requested.hour(),
        requested.minute(),
    )
}

/// A time of day derived from the seed, within 00:00–08:59:59Z, i.e. 09:00–17:59 JST, when a
/// municipal office issues cards `[inferred]`. Real certificates carry the moment of issue,
/// not midnight (`docs/protocol.md` §6.3a).
fn time_of_day(seed: &str, label: &str) -> (u8, u8, u8) {
    let b = derive(seed, label);
    (b[0] % 9, b[1] % 60, b[2] % 60)
}

pub(crate) fn date((y, m, d): (i32, u8, u8)) -> Date {
    let month = Month::try_from(m).unwrap_or(Month::January);
    Date::from_calendar_date(y, month, d)
        .or_else(|_| Date::from_calendar_date(y, month, 28))
        .expect("valid date")
}

fn at(day: (i32, u8, u8), (hour, minute, second): (u8, u8, u8)) -> OffsetDateTime {
    PrimitiveDateTime::new(
        date(day),
        Time::from_hms(hour, minute, second).expect("valid time"),
    )
    .assume_utc()
}

/// 23:59:59 JST (14:59:59Z) on the holder's fifth birthday after `issued`.
pub(crate) fn fifth_birthday_after(birth: (i32, u8, u8), issued: (i32, u8, u8)) -> OffsetDateTime {
    let (_, bm, bd) = birth;
    let mut year = issued.0;
    // A birthday on the issue date itself is not "after" the issue.
    if date((year, bm, bd)) <= date(issued) {
        year += 1;
    }
    at((year + 4, bm, bd), (14, 59, 59))
}

/// The end of a root's ten years: 23:59:59 JST (14:59:59Z) on the day before the tenth
/// anniversary, in Japan, of its issue, as in every J-LIS root (test: `230323020502Z` –
/// `330322145959Z`; `authca02`, issued at 08:41 JST on 15 September 2019: `290914145959Z`).
fn ten_years_after(from: OffsetDateTime) -> OffsetDateTime {
    let issued_in_japan = (from + time::Duration::hours(9)).date();
    let anniversary = date((
        issued_in_japan.year() + 10,
        u8::from(issued_in_japan.month()),
        issued_in_japan.day(),
    ));
    let last_day = anniversary.previous_day().expect("in range");
    PrimitiveDateTime::new(last_day, Time::from_hms(14, 59, 59).expect("valid time")).assume_utc()
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

/// J-LIS's Japanese name for a hierarchy, four RDNs: `C=JP, O=公的個人認証サービス,
/// OU=公的個人認証サービス利用者証明用 (or …署名用), OU=地方公共団体情報システム機構`. The roots
/// carry it as their subjectAltName, the leaves as their issuerAltName (`docs/protocol.md`
/// §6.2, §6.3a); the test hierarchy uses the production wording.
fn jlis_alt_name(purpose: &Purpose) -> GeneralName {
    let dn = format!(
        "OU=地方公共団体情報システム機構,OU={},O=公的個人認証サービス,C=JP",
        purpose.japanese_ou
    );
    GeneralName::DirectoryName(Name::from_str(&dn).expect("DN"))
}

/// A CRL distribution point by directory name, no URL (J-LIS publishes no CRL URLs).
fn crl_point_named(name: Name) -> CrlDistributionPoints {
    CrlDistributionPoints(vec![DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![
            GeneralName::DirectoryName(name),
        ])),
        reasons: None,
        crl_issuer: None,
    }])
}

/// The leaf's CRL distribution point: one per municipality (`docs/protocol.md` §6.2).
fn crl_point(purpose: &Purpose, holder: &Holder) -> CrlDistributionPoints {
    let dn = format!(
        "CN={} CRLDP,OU={},OU=CRL Distribution Points,OU={},O=JPKI-TEST,C=JP",
        holder.city, holder.prefecture, purpose.english_ou
    );
    crl_point_named(Name::from_str(&dn).expect("DN"))
}

fn ocsp(url: &str) -> AuthorityInfoAccessSyntax {
    AuthorityInfoAccessSyntax(vec![AccessDescription {
        access_method: ID_AD_OCSP,
        access_location: GeneralName::UniformResourceIdentifier(
            Ia5String::new(url).expect("ASCII URL"),
        ),
    }])
}

/// The holder's attributes in the order of the test card (`docs/protocol.md` §6.3a): name,
/// birth date, sex, address, then the two substitute-character fields. Those are digit strings
/// with one digit per character of the name and of the address; the card's are all `0`, and
/// what other digits would mean is not public, so they are all `0` here too.
fn personal_attributes(holder: &Holder) -> SubjectAltName {
    let (y, m, d) = holder.birth_date;
    let birth = format!("{}{y:04}{m:02}{d:02}", era_code(holder.birth_date));
    let substitute = |text: &str| "0".repeat(text.chars().count());
    let substitute_name = substitute(&holder.name);
    let substitute_address = substitute(&holder.address);
    let entries = [
        (attribute_oid::NAME, holder.name.as_str()),
        (attribute_oid::BIRTH_DATE, birth.as_str()),
        (attribute_oid::SEX, holder.sex.as_str()),
        (attribute_oid::ADDRESS, holder.address.as_str()),
        (attribute_oid::SUBSTITUTE_NAME, substitute_name.as_str()),
        (
            attribute_oid::SUBSTITUTE_ADDRESS,
            substitute_address.as_str(),
        ),
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
pub(crate) fn era_code((y, m, d): (i32, u8, u8)) -> char {
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

/// SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1), as J-LIS's SKIs are.
fn key_id(key: &RsaPrivateKey) -> OctetString {
    let spki = spki(key);
    let digest = sha1::Sha1::digest(spki.subject_public_key.raw_bytes());
    OctetString::new(digest.to_vec()).expect("key id")
}

/// A 3-byte serial, as on the test hierarchy's roots and leaves (`docs/protocol.md` §6.3a;
/// production leaves have 4). The first byte is kept in `10`–`7F`, so the DER integer is three
/// bytes exactly: positive without a sign byte, and never shortened by a leading zero.
fn serial(seed: &str, label: &str) -> SerialNumber {
    let b = derive(seed, label);
    SerialNumber::new(&[0x10 + b[0] % 0x70, b[1], b[2]]).expect("serial")
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

/// A self-signed root laid out like J-LIS's (`docs/protocol.md` §6.3a, §6.5; the same layout
/// as the production roots in `verify/roots/`): keyUsage (critical), subjectAltName,
/// basicConstraints (critical), cRLDistributionPoints naming the root itself,
/// subjectKeyIdentifier; no authorityKeyIdentifier; ten years.
fn root(
    seed: &str,
    label: &str,
    purpose: &Purpose,
    key: &RsaPrivateKey,
    from: OffsetDateTime,
) -> Vec<u8> {
    let name = Name::from_str(purpose.root_dn).expect("static DN");
    let extensions = vec![
        ext(true, &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)),
        ext(false, &SubjectAltName(vec![jlis_alt_name(purpose)])),
        ext(
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
        ),
        ext(false, &crl_point_named(name.clone())),
        ext(false, &SubjectKeyIdentifier(key_id(key))),
    ];
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: serial(seed, label),
        signature: sha256_with_rsa(),
        issuer: name.clone(),
        validity: validity(from, ten_years_after(from)),
        subject: name,
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
    // Like J-LIS's: key id, issuer name and issuer serial, then the subject's key id.
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
        assert_eq!(end, at((2030, 2, 17), (14, 59, 59)));
        // Issued on the birthday itself: that birthday does not count.
        let end = fifth_birthday_after((1990, 10, 27), (2025, 10, 27));
        assert_eq!(end, at((2030, 10, 27), (14, 59, 59)));
        // 29 February falls back to the 28th in common years.
        let end = fifth_birthday_after((2000, 2, 29), (2025, 10, 27));
        assert_eq!(end, at((2030, 2, 28), (14, 59, 59)));
    }

    #[test]
    fn roots_last_ten_years_to_the_day_before() {
        // The J-LIS test root: 230323020502Z – 330322145959Z.
        let from = at((2023, 3, 23), (2, 5, 2));
        assert_eq!(ten_years_after(from), at((2033, 3, 22), (14, 59, 59)));
        // A root issued on 1 March of a year before a leap day ends on 29 February.
        let from = at((2022, 3, 1), (0, 0, 0));
        assert_eq!(ten_years_after(from), at((2032, 2, 29), (14, 59, 59)));
        // Issued late in the UTC day, already the next day in Japan (authca02).
        let from = at((2019, 9, 14), (23, 41, 59));
        assert_eq!(ten_years_after(from), at((2029, 9, 14), (14, 59, 59)));
    }

    #[test]
    fn identifiers_look_like_the_real_ones() {
        let id = authentication_id("seed", "13221");
        let b = id.as_bytes();
        assert_eq!(id.len(), 23, "{id}");
        assert!(b[..6].iter().all(u8::is_ascii_digit), "{id}");
        assert_eq!(b[6], b'E', "{id}");
        assert!(b[7].is_ascii_digit(), "{id}");
        assert!(b[8..14].iter().all(u8::is_ascii_uppercase), "{id}");
        assert!(id.ends_with("13221003A"), "{id}");
        assert_ne!(id, authentication_id("other seed", "13221"));

        let issued = at((2025, 10, 16), (17, 29, 12));
        let id = signing_id("seed", "13221", issued);
        assert_eq!(id.len(), 28, "{id}");
        assert!(id.starts_with("202510161726"), "{id}");
        assert!(id[..24].bytes().all(|b| b.is_ascii_digit()), "{id}");
        assert!(id.ends_with("13221003A"), "{id}");

        assert_eq!(era_code((1990, 4, 1)), '4');
        assert_eq!(era_code((1980, 2, 17)), '3');
        assert_eq!(era_code((2019, 5, 1)), '5');
    }

    #[test]
    fn serials_are_three_der_bytes() {
        for label in ["a", "b", "c", "auth-leaf", "sign-root"] {
            let s = serial("seed", label);
            assert_eq!(s.as_bytes().len(), 3, "{label}");
            assert!(s.as_bytes()[0] >= 0x10 && s.as_bytes()[0] < 0x80);
        }
    }
}
