//! Every certificate the virtual card carries, held against a structural description of what
//! J-LIS issues (`docs/protocol.md` §6.2, §6.3, §6.3a, §6.5): the extension OIDs in their
//! order and criticality, the string type of every name attribute, the SubjectAltName otherName
//! order and encodings, the serial length, the validity shape, and the DER size within a few
//! bytes. A change to the generator that drifts from the real cards fails here.
//!
//! The root description is checked against J-LIS's six production roots as well (from
//! `verify/roots/`), so the description itself is held to real certificates, not to the
//! generator. Parsed with `x509-cert`; nothing is decoded by hand.

use std::collections::BTreeMap;

use der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
use der::{Decode, Encode, Tag, Tagged};
use kazashi::{CertificateKind, PinKind};
use kazashi_virtual_card::{Holder, Profile, VirtualCard, VirtualCardConfig};
use sha1::{Digest, Sha1};
use time::{Date, Month, OffsetDateTime};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
    CrlDistributionPoints, ExtendedKeyUsage, IssuerAltName, KeyUsage, KeyUsages, SubjectAltName,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::Certificate;

// Name attributes.
const C: &str = "2.5.4.6";
const O: &str = "2.5.4.10";
const OU: &str = "2.5.4.11";
const L: &str = "2.5.4.7";
const CN: &str = "2.5.4.3";

// Extensions.
const KU: &str = "2.5.29.15";
const EKU: &str = "2.5.29.37";
const SAN: &str = "2.5.29.17";
const IAN: &str = "2.5.29.18";
const BC: &str = "2.5.29.19";
const CRLDP: &str = "2.5.29.31";
const CP: &str = "2.5.29.32";
const AKI: &str = "2.5.29.35";
const SKI: &str = "2.5.29.14";
const AIA: &str = "1.3.6.1.5.5.7.1.1";

const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
const OCSP: &str = "1.3.6.1.5.5.7.48.1";
const CPS: &str = "1.3.6.1.5.5.7.2.1";
const CPS_URL: &str = "http://www.jpki.go.jp/cps.html";
const TEST_OCSP_URL: &str = "http://test-ocspauthnorm.jpki.go.jp";

/// "Within a few bytes" of the real sizes. The leaves' sizes move with the holder's data and
/// municipality; the profiles' holders are like the test card's.
const SIZE_TOLERANCE: usize = 8;

/// The string type of a name attribute (`docs/protocol.md` §6.3a: `C` PrintableString; `O`,
/// `OU`, `L`, `CN` UTF8String).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Str {
    Printable,
    Utf8,
}

/// One single-attribute RDN of a J-LIS name: its type and string type, in DER order.
type Rdn = (&'static str, Str);

/// Root subjects and issuers: `C, O, OU=<purpose>, OU=Japan Agency…`.
const ROOT_DN: [Rdn; 4] = [
    (C, Str::Printable),
    (O, Str::Utf8),
    (OU, Str::Utf8),
    (OU, Str::Utf8),
];
/// The Japanese DirName of roots' SAN and leaves' IAN: `C, O, OU, OU` (four RDNs).
const JAPANESE_DN: [Rdn; 4] = ROOT_DN;
/// Authentication subject: `C, CN`.
const AUTH_SUBJECT: [Rdn; 2] = [(C, Str::Printable), (CN, Str::Utf8)];
/// Signing subject: `C, L=<prefecture>, L=<city>, CN`.
const SIGN_SUBJECT: [Rdn; 4] = [
    (C, Str::Printable),
    (L, Str::Utf8),
    (L, Str::Utf8),
    (CN, Str::Utf8),
];
/// A leaf's CRL distribution point: `C, O, OU=<purpose>, OU=CRL Distribution Points,
/// OU=<prefecture>, CN=<municipality> CRLDP`.
const LEAF_CRLDP_DN: [Rdn; 6] = [
    (C, Str::Printable),
    (O, Str::Utf8),
    (OU, Str::Utf8),
    (OU, Str::Utf8),
    (OU, Str::Utf8),
    (CN, Str::Utf8),
];

/// What differs between the authentication and the signing half of the hierarchy.
struct Purpose {
    english_ou: &'static str,
    japanese_ou: &'static str,
    /// Test-hierarchy root size (`docs/protocol.md` §6.3a).
    root_size: usize,
}

const AUTHENTICATION: Purpose = Purpose {
    english_ou: "JPKI for user authentication",
    japanese_ou: "公的個人認証サービス利用者証明用",
    root_size: 1333,
};
const SIGNATURE: Purpose = Purpose {
    english_ou: "JPKI for digital signature",
    japanese_ou: "公的個人認証サービス署名用",
    root_size: 1318,
};

/// Root extensions, in order, with their criticality (§6.3a, and the production roots).
const ROOT_EXTENSIONS: [(&str, bool); 5] = [
    (KU, true),
    (SAN, false),
    (BC, true),
    (CRLDP, false),
    (SKI, false),
];

/// A leaf's description.
struct LeafProfile {
    what: &'static str,
    purpose: &'static Purpose,
    size: usize,
    subject: &'static [Rdn],
    extensions: &'static [(&'static str, bool)],
    policy: &'static str,
}

/// Authentication certificate (§6.2, §6.3a).
const AUTH: LeafProfile = LeafProfile {
    what: "authentication certificate",
    purpose: &AUTHENTICATION,
    size: 1590,
    subject: &AUTH_SUBJECT,
    extensions: &[
        (KU, true),
        (EKU, false),
        (CP, true),
        (IAN, false),
        (CRLDP, false),
        (AIA, false),
        (AKI, false),
        (SKI, false),
    ],
    policy: "1.2.392.200149.8.5.1.0.30",
};

/// Signing certificate (§6.3, §6.3a): no authorityInfoAccess.
const SIGN: LeafProfile = LeafProfile {
    what: "signing certificate",
    purpose: &SIGNATURE,
    size: 1758,
    subject: &SIGN_SUBJECT,
    extensions: &[
        (KU, true),
        (SAN, false),
        (CP, true),
        (IAN, false),
        (CRLDP, false),
        (AKI, false),
        (SKI, false),
    ],
    policy: "1.2.392.200149.8.5.1.0.20",
};

/// The signing certificate's otherName order (§6.3a): name, birth date, sex, address, the
/// name's and the address's substitute characters.
const SAN_ORDER: [&str; 6] = [
    "1.2.392.200149.8.5.5.1",
    "1.2.392.200149.8.5.5.4",
    "1.2.392.200149.8.5.5.3",
    "1.2.392.200149.8.5.5.5",
    "1.2.392.200149.8.5.5.2",
    "1.2.392.200149.8.5.5.6",
];

fn parse(der: &[u8]) -> Certificate {
    let cert = Certificate::from_der(der).expect("one DER certificate");
    assert_eq!(cert.to_der().unwrap(), der, "re-encodes to the same bytes");
    cert
}

fn extension<'a, T: Decode<'a>>(cert: &'a Certificate, oid: &str) -> T {
    let ext = cert
        .tbs_certificate
        .extensions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|e| e.extn_id.to_string() == oid)
        .unwrap_or_else(|| panic!("extension {oid} missing"));
    T::from_der(ext.extn_value.as_bytes())
        .unwrap_or_else(|e| panic!("extension {oid} does not decode: {e}"))
}

fn text(value: &der::asn1::Any) -> String {
    match value.tag() {
        Tag::Utf8String => Utf8StringRef::try_from(value).unwrap().as_str().into(),
        Tag::PrintableString => PrintableStringRef::try_from(value).unwrap().as_str().into(),
        Tag::Ia5String => Ia5StringRef::try_from(value).unwrap().as_str().into(),
        other => panic!("not a string: {other:?}"),
    }
}

/// Checks a name's RDN layout and string types; returns its values in DER order.
fn name_values(name: &Name, layout: &[Rdn], what: &str) -> Vec<String> {
    let rdns = &name.0;
    assert_eq!(rdns.len(), layout.len(), "{what}: {name}");
    rdns.iter()
        .zip(layout)
        .map(|(rdn, (oid, kind))| {
            let atvs = rdn.0.as_slice();
            assert_eq!(atvs.len(), 1, "{what}: one attribute per RDN ({name})");
            let atv = &atvs[0];
            assert_eq!(
                atv.oid.to_string(),
                *oid,
                "{what}: attribute order ({name})"
            );
            let tag = match kind {
                Str::Printable => Tag::PrintableString,
                Str::Utf8 => Tag::Utf8String,
            };
            assert_eq!(
                atv.value.tag(),
                tag,
                "{what}: string type of {oid} ({name})"
            );
            text(&atv.value)
        })
        .collect()
}

fn directory_name<'a>(names: &'a [GeneralName], what: &str) -> &'a Name {
    match names {
        [GeneralName::DirectoryName(name)] => name,
        other => panic!("{what}: expected one DirName, got {other:?}"),
    }
}

fn crl_directory_name<'a>(points: &'a CrlDistributionPoints, what: &str) -> &'a Name {
    match points.0.as_slice() {
        [DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(names)),
            reasons: None,
            crl_issuer: None,
        }] => directory_name(names, what),
        other => panic!("{what}: expected one full-name distribution point, got {other:?}"),
    }
}

fn unix(t: &x509_cert::time::Time, what: &str) -> OffsetDateTime {
    assert!(
        matches!(t, x509_cert::time::Time::UtcTime(_)),
        "{what}: UTCTime"
    );
    OffsetDateTime::from_unix_timestamp(t.to_unix_duration().as_secs() as i64).unwrap()
}

fn in_japan(t: OffsetDateTime) -> OffsetDateTime {
    t + time::Duration::hours(9)
}

fn hms(t: OffsetDateTime) -> (u8, u8, u8) {
    (t.hour(), t.minute(), t.second())
}

/// What every J-LIS certificate shares: v3, sha256WithRSAEncryption with NULL parameters inside
/// and out, RSA-2048 with e = 65537, UTCTime validity, extensions exactly `expected`.
fn common(cert: &Certificate, extensions: &[(&str, bool)], what: &str) {
    let tbs = &cert.tbs_certificate;
    assert_eq!(tbs.version, x509_cert::Version::V3, "{what}");
    for alg in [&tbs.signature, &cert.signature_algorithm] {
        assert_eq!(alg.oid.to_string(), SHA256_WITH_RSA, "{what}");
        assert_eq!(alg.parameters, Some(der::asn1::Any::null()), "{what}");
    }
    let spki = &tbs.subject_public_key_info;
    assert_eq!(spki.algorithm.oid.to_string(), RSA_ENCRYPTION, "{what}");
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::traits::PublicKeyParts;
    let key =
        rsa::RsaPublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes()).expect("RSA key");
    assert_eq!(key.n().bits(), 2048, "{what}");
    assert_eq!(key.e(), &rsa::BigUint::from(65_537u32), "{what}");
    assert_eq!(cert.signature.raw_bytes().len(), 256, "{what}");
    let found: Vec<(String, bool)> = tbs
        .extensions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|e| (e.extn_id.to_string(), e.critical))
        .collect();
    let expected: Vec<(String, bool)> = extensions
        .iter()
        .map(|(oid, critical)| (oid.to_string(), *critical))
        .collect();
    assert_eq!(
        found, expected,
        "{what}: extension OIDs, order and criticality"
    );
    // The subjectKeyIdentifier is the SHA-1 of the public key bits (RFC 5280 method 1).
    let ski: SubjectKeyIdentifier = extension(cert, SKI);
    assert_eq!(
        ski.0.as_bytes(),
        Sha1::digest(spki.subject_public_key.raw_bytes()).as_slice(),
        "{what}: SKI"
    );
}

/// A root as J-LIS lays it out, in the hierarchy named `organization` (`JPKI` or
/// `JPKI-TEST`).
fn check_root(der: &[u8], purpose: &Purpose, organization: &str, what: &str) -> Certificate {
    let cert = parse(der);
    common(&cert, &ROOT_EXTENSIONS, what);
    let tbs = &cert.tbs_certificate;
    assert_eq!(tbs.subject, tbs.issuer, "{what}: self-issued");
    assert_eq!(
        name_values(&tbs.subject, &ROOT_DN, what),
        [
            "JP",
            organization,
            purpose.english_ou,
            "Japan Agency for Local Authority Information Systems"
        ],
        "{what}"
    );
    let ku: KeyUsage = extension(&cert, KU);
    assert_eq!(ku.0, KeyUsages::KeyCertSign | KeyUsages::CRLSign, "{what}");
    let bc: BasicConstraints = extension(&cert, BC);
    assert!(bc.ca && bc.path_len_constraint.is_none(), "{what}");
    let san: SubjectAltName = extension(&cert, SAN);
    check_japanese_name(directory_name(&san.0, what), purpose, what);
    let crldp: CrlDistributionPoints = extension(&cert, CRLDP);
    assert_eq!(
        crl_directory_name(&crldp, what),
        &tbs.subject,
        "{what}: the CRL distribution point is the root's own DN"
    );
    // Ten years, to 23:59:59 JST the day before the tenth anniversary (in Japan) of the issue.
    let from = unix(&tbs.validity.not_before, what);
    let until = unix(&tbs.validity.not_after, what);
    assert_eq!(hms(until), (14, 59, 59), "{what}: notAfter");
    let issued = in_japan(from).date();
    let anniversary = Date::from_calendar_date(issued.year() + 10, issued.month(), issued.day())
        .unwrap_or_else(|_| Date::from_calendar_date(issued.year() + 10, Month::March, 1).unwrap());
    assert_eq!(
        in_japan(until).date(),
        anniversary.previous_day().unwrap(),
        "{what}: ten years ({from} – {until})"
    );
    cert
}

/// The four-RDN Japanese name of a hierarchy.
fn check_japanese_name(name: &Name, purpose: &Purpose, what: &str) {
    assert_eq!(
        name_values(name, &JAPANESE_DN, what),
        [
            "JP",
            "公的個人認証サービス",
            purpose.japanese_ou,
            "地方公共団体情報システム機構"
        ],
        "{what}: Japanese DirName"
    );
}

/// The virtual card's test roots: the production layout with `O=JPKI-TEST`, a 3-byte serial and
/// the test roots' sizes.
fn check_test_root(der: &[u8], purpose: &Purpose, what: &str) -> Certificate {
    let cert = check_root(der, purpose, "JPKI-TEST", what);
    assert_size(der.len(), purpose.root_size, what);
    check_serial(&cert, what);
    cert
}

fn assert_size(actual: usize, real: usize, what: &str) {
    assert!(
        actual.abs_diff(real) <= SIZE_TOLERANCE,
        "{what}: {actual} bytes, the real one {real} (± {SIZE_TOLERANCE})"
    );
}

/// Three DER bytes, no sign byte (`docs/protocol.md` §6.3a: test serials are 3 bytes).
fn check_serial(cert: &Certificate, what: &str) {
    let serial = cert.tbs_certificate.serial_number.as_bytes();
    assert_eq!(serial.len(), 3, "{what}: serial {serial:02X?}");
    assert!(
        serial[0] != 0 && serial[0] < 0x80,
        "{what}: serial {serial:02X?}"
    );
}

fn check_leaf(
    der: &[u8],
    root: &Certificate,
    profile: &LeafProfile,
    config: &VirtualCardConfig,
) -> Certificate {
    let what = profile.what;
    let cert = parse(der);
    common(&cert, profile.extensions, what);
    assert_size(der.len(), profile.size, what);
    check_serial(&cert, what);
    let tbs = &cert.tbs_certificate;
    let holder = &config.holder;

    // Issuer: the root's subject, byte for byte.
    assert_eq!(tbs.issuer, root.tbs_certificate.subject, "{what}: issuer");
    let subject = name_values(&tbs.subject, profile.subject, what);
    assert_eq!(subject[0], "JP", "{what}");
    let cn = subject.last().unwrap();

    // Validity: the moment of issue on the issue date (in Japan), not midnight; the end at
    // 23:59:59 JST on the holder's fifth birthday after issue.
    let from = unix(&tbs.validity.not_before, what);
    let until = unix(&tbs.validity.not_after, what);
    let (y, m, d) = config.issued_on;
    let issued_on = Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap();
    assert_eq!(in_japan(from).date(), issued_on, "{what}: notBefore {from}");
    assert_ne!(hms(from), (0, 0, 0), "{what}: notBefore at midnight UTC");
    assert_ne!(
        hms(in_japan(from)),
        (0, 0, 0),
        "{what}: notBefore at midnight JST"
    );
    assert_eq!(hms(until), (14, 59, 59), "{what}: notAfter");
    let end = in_japan(until).date();
    let (_, bm, bd) = holder.birth_date;
    assert_eq!(u8::from(end.month()), bm, "{what}: ends on the birthday");
    assert!(
        end.day() == bd || (bm, bd, end.day()) == (2, 29, 28),
        "{what}"
    );
    let years = end.year() - issued_on.year();
    let birthday_this_year = (bm, bd) > (m, d);
    assert_eq!(
        years,
        if birthday_this_year { 4 } else { 5 },
        "{what}: the fifth birthday after issue"
    );

    // Policy: exactly the test hierarchy's, with J-LIS's CPS qualifier.
    let cp: CertificatePolicies = extension(&cert, CP);
    assert_eq!(cp.0.len(), 1, "{what}");
    assert_eq!(
        cp.0[0].policy_identifier.to_string(),
        profile.policy,
        "{what}"
    );
    let qualifiers = cp.0[0].policy_qualifiers.as_deref().unwrap_or_default();
    assert_eq!(qualifiers.len(), 1, "{what}");
    assert_eq!(qualifiers[0].policy_qualifier_id.to_string(), CPS, "{what}");
    let url = qualifiers[0].qualifier.as_ref().expect("CPS URL");
    assert_eq!(url.tag(), Tag::Ia5String, "{what}");
    assert_eq!(text(url), CPS_URL, "{what}");

    // issuerAltName: the hierarchy's four-RDN Japanese name, the same as the root's SAN.
    let ian: IssuerAltName = extension(&cert, IAN);
    let ian = directory_name(&ian.0, what);
    check_japanese_name(ian, profile.purpose, what);
    let root_san: SubjectAltName = extension(root, SAN);
    assert_eq!(
        ian,
        directory_name(&root_san.0, what),
        "{what}: IAN = root SAN"
    );

    // CRL distribution point: the holder's municipality, by directory name.
    let crldp: CrlDistributionPoints = extension(&cert, CRLDP);
    assert_eq!(
        name_values(crl_directory_name(&crldp, what), &LEAF_CRLDP_DN, what),
        [
            "JP".to_string(),
            "JPKI-TEST".into(),
            profile.purpose.english_ou.into(),
            "CRL Distribution Points".into(),
            holder.prefecture.clone(),
            format!("{} CRLDP", holder.city),
        ],
        "{what}: CRL distribution point"
    );

    // authorityKeyIdentifier: the root's key id, name and serial.
    let aki: AuthorityKeyIdentifier = extension(&cert, AKI);
    let root_ski: SubjectKeyIdentifier = extension(root, SKI);
    assert_eq!(
        aki.key_identifier.as_ref(),
        Some(&root_ski.0),
        "{what}: AKI keyid"
    );
    assert_eq!(
        directory_name(
            aki.authority_cert_issuer.as_deref().unwrap_or_default(),
            what
        ),
        &root.tbs_certificate.subject,
        "{what}: AKI issuer"
    );
    assert_eq!(
        aki.authority_cert_serial_number.as_ref(),
        Some(&root.tbs_certificate.serial_number),
        "{what}: AKI serial"
    );

    let ku: KeyUsage = extension(&cert, KU);
    let code = &holder.municipality_code;
    match profile.purpose.english_ou {
        "JPKI for user authentication" => {
            assert_eq!(ku, KeyUsage(KeyUsages::DigitalSignature.into()), "{what}");
            let eku: ExtendedKeyUsage = extension(&cert, EKU);
            let eku: Vec<String> = eku.0.iter().map(|o| o.to_string()).collect();
            assert_eq!(eku, [CLIENT_AUTH], "{what}");
            let aia: AuthorityInfoAccessSyntax = extension(&cert, AIA);
            assert_eq!(aia.0.len(), 1, "{what}");
            assert_eq!(aia.0[0].access_method.to_string(), OCSP, "{what}");
            match &aia.0[0].access_location {
                GeneralName::UniformResourceIdentifier(uri) => {
                    assert_eq!(uri.as_str(), TEST_OCSP_URL, "{what}")
                }
                other => panic!("{what}: OCSP location {other:?}"),
            }
            // 6 digits, E, 1 digit, 6 letters, municipality code, 003A.
            let b = cn.as_bytes();
            assert_eq!(cn.len(), 23, "{what}: CN {cn}");
            assert!(b[..6].iter().all(u8::is_ascii_digit), "{what}: CN {cn}");
            assert_eq!(b[6], b'E', "{what}: CN {cn}");
            assert!(b[7].is_ascii_digit(), "{what}: CN {cn}");
            assert!(
                b[8..14].iter().all(u8::is_ascii_uppercase),
                "{what}: CN {cn}"
            );
            assert_eq!(&cn[14..], format!("{code}003A"), "{what}: CN {cn}");
        }
        _ => {
            assert_eq!(
                ku.0,
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
                "{what}"
            );
            assert_eq!(
                subject[1..3],
                [holder.prefecture.as_str(), holder.city.as_str()],
                "{what}"
            );
            // 28 characters: a 12-digit UTC minute a little before the issue, 7 digits, the
            // municipality code, 003A.
            assert_eq!(cn.len(), 28, "{what}: CN {cn}");
            assert!(
                cn[..19].bytes().all(|b| b.is_ascii_digit()),
                "{what}: CN {cn}"
            );
            assert_eq!(&cn[19..], format!("{code}003A"), "{what}: CN {cn}");
            let stamp = |t: OffsetDateTime| {
                format!(
                    "{:04}{:02}{:02}{:02}{:02}",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute()
                )
            };
            let minutes_before: Vec<String> = (0..=10)
                .map(|n| stamp(from - time::Duration::minutes(n)))
                .collect();
            assert!(
                minutes_before.contains(&cn[..12].to_string()),
                "{what}: CN {cn} does not start with a minute shortly before {from}"
            );
            check_personal_attributes(&cert, holder);
        }
    }
    cert
}

/// The holder's otherNames: J-LIS's order, each `[0] EXPLICIT UTF8String`, the substitute
/// fields as one `0` per character of the name and of the address.
fn check_personal_attributes(cert: &Certificate, holder: &Holder) {
    let san: SubjectAltName = extension(cert, SAN);
    let mut values = BTreeMap::new();
    let mut order = Vec::new();
    for name in &san.0 {
        match name {
            GeneralName::OtherName(other) => {
                assert_eq!(other.value.tag(), Tag::Utf8String, "SAN {}", other.type_id);
                order.push(other.type_id.to_string());
                values.insert(other.type_id.to_string(), text(&other.value));
            }
            other => panic!("the signing certificate's SAN has only otherNames, not {other:?}"),
        }
    }
    assert_eq!(order, SAN_ORDER, "SAN otherName order");
    let value = |i: usize| values[SAN_ORDER[i]].as_str();
    assert_eq!(value(0), holder.name);
    let (y, m, d) = holder.birth_date;
    assert_eq!(
        value(1),
        format!("{}{y:04}{m:02}{d:02}", era(holder.birth_date))
    );
    assert_eq!(value(2), holder.sex);
    assert_eq!(value(3), holder.address);
    assert_eq!(value(4), "0".repeat(holder.name.chars().count()));
    assert_eq!(value(5), "0".repeat(holder.address.chars().count()));
}

/// The era digit of a Gregorian date: 3 Shōwa from 1926-12-25, 4 Heisei from 1989-01-08,
/// 5 Reiwa from 2019-05-01 (the holders here are all born in one of these).
fn era(date: (i32, u8, u8)) -> char {
    match date {
        d if d >= (2019, 5, 1) => '5',
        d if d >= (1989, 1, 8) => '4',
        d if d >= (1926, 12, 25) => '3',
        other => panic!("no holder is born on {other:?}"),
    }
}

#[test]
fn every_virtual_card_certificate_has_the_jlis_profile() {
    // Each distinct certificate of every profile, checked once (most profiles share the
    // physical card's; the under-15 holder's authentication certificate differs).
    let mut seen = std::collections::HashSet::new();
    let mut checked = BTreeMap::<&str, usize>::new();
    for profile in Profile::ALL {
        let card = VirtualCard::from_profile(profile);
        let config = card.config();
        let auth_root = card.root_der(PinKind::Authentication).to_vec();
        let sign_root = card.root_der(PinKind::Signing).to_vec();
        let auth_root_cert = parse(&auth_root);
        let sign_root_cert = parse(&sign_root);
        if seen.insert(auth_root.clone()) {
            check_test_root(&auth_root, &AUTHENTICATION, "authentication root");
            *checked.entry("auth root").or_default() += 1;
        }
        if seen.insert(sign_root.clone()) {
            check_test_root(&sign_root, &SIGNATURE, "signing root");
            *checked.entry("sign root").or_default() += 1;
        }
        let auth = card
            .certificate_der(CertificateKind::Authentication)
            .unwrap()
            .to_vec();
        let auth_cert = if seen.insert(auth.clone()) {
            *checked.entry("auth").or_default() += 1;
            check_leaf(&auth, &auth_root_cert, &AUTH, config)
        } else {
            parse(&auth)
        };
        if let Some(sign) = card.certificate_der(CertificateKind::Signing) {
            if seen.insert(sign.to_vec()) {
                *checked.entry("sign").or_default() += 1;
                let sign_cert = check_leaf(sign, &sign_root_cert, &SIGN, config);
                // The signing certificate never outlives the authentication certificate, and
                // is issued at the same visit, after it.
                let validity = |c: &Certificate| c.tbs_certificate.validity;
                let (a, s) = (validity(&auth_cert), validity(&sign_cert));
                assert!(s.not_after.to_unix_duration() <= a.not_after.to_unix_duration());
                let gap = s
                    .not_before
                    .to_unix_duration()
                    .checked_sub(a.not_before.to_unix_duration())
                    .expect("the signing certificate is issued after the authentication one");
                assert!(gap.as_secs() < 600, "{gap:?}");
            }
        } else {
            assert_eq!(profile, Profile::Under15);
        }
    }
    // Both roots, and the physical card's and the under-15 holder's leaves.
    assert_eq!(
        checked,
        BTreeMap::from([("auth", 2), ("auth root", 1), ("sign", 1), ("sign root", 1)]),
        "certificates checked"
    );
}

/// The sizes, printed for the record; the structural test above holds them to the real ones.
#[test]
fn sizes_are_the_real_ones() {
    let card = VirtualCard::default();
    let sizes = [
        card.certificate_der(CertificateKind::Authentication)
            .unwrap()
            .len(),
        card.certificate_der(CertificateKind::Signing)
            .unwrap()
            .len(),
        card.root_der(PinKind::Authentication).len(),
        card.root_der(PinKind::Signing).len(),
    ];
    println!(
        "auth {} sign {} auth root {} sign root {}",
        sizes[0], sizes[1], sizes[2], sizes[3]
    );
    for (size, real) in sizes.into_iter().zip([1590, 1758, 1333, 1318]) {
        assert_size(size, real, "certificate");
    }
}

/// The root description is J-LIS's own: the six production roots fit it (with `O=JPKI`).
#[test]
fn the_root_description_fits_the_production_roots() {
    let roots: [(&[u8], &Purpose, &str); 6] = [
        (
            include_bytes!("../../verify/roots/authca01.cer"),
            &AUTHENTICATION,
            "authca01",
        ),
        (
            include_bytes!("../../verify/roots/authca02.cer"),
            &AUTHENTICATION,
            "authca02",
        ),
        (
            include_bytes!("../../verify/roots/authca03.cer"),
            &AUTHENTICATION,
            "authca03",
        ),
        (
            include_bytes!("../../verify/roots/signca01.cer"),
            &SIGNATURE,
            "signca01",
        ),
        (
            include_bytes!("../../verify/roots/signca02.cer"),
            &SIGNATURE,
            "signca02",
        ),
        (
            include_bytes!("../../verify/roots/signca03.cer"),
            &SIGNATURE,
            "signca03",
        ),
    ];
    for (der, purpose, name) in roots {
        check_root(der, purpose, "JPKI", name);
        // A production root is the test root's layout with five bytes less of `O` in each of
        // the subject, the issuer and the CRL distribution point, and its own serial length.
        let serial = parse(der).tbs_certificate.serial_number.as_bytes().len();
        assert_eq!(der.len() + 15 + 3, purpose.root_size + serial, "{name}");
    }
}

#[test]
fn the_same_seed_gives_the_same_certificates() {
    let all = |card: &VirtualCard| {
        [
            card.certificate_der(CertificateKind::Authentication)
                .unwrap()
                .to_vec(),
            card.certificate_der(CertificateKind::Signing)
                .unwrap()
                .to_vec(),
            card.root_der(PinKind::Authentication).to_vec(),
            card.root_der(PinKind::Signing).to_vec(),
        ]
    };
    let a = all(&VirtualCard::default());
    assert_eq!(a, all(&VirtualCard::default()));
    let other = all(&VirtualCard::new(VirtualCardConfig {
        seed: "another seed".into(),
        ..VirtualCardConfig::default()
    }));
    for (mine, theirs) in a.iter().zip(&other) {
        assert_ne!(mine, theirs);
    }
}
