//! The bindings' certificate record for certification authorities: which hierarchy, what it
//! issues and, for one of the six J-LIS production roots, which root and generation — what
//! `kazashi cert inspect` shows.

use kazashi_ffi::{CertificateInfo, CertificatePurpose};

/// The roots as J-LIS publishes them (`verify/roots/`), with what they are.
const ROOTS: [(&str, &[u8], CertificatePurpose, u8); 6] = [
    (
        "authca01.cer",
        include_bytes!("../../../verify/roots/authca01.cer"),
        CertificatePurpose::Authentication,
        1,
    ),
    (
        "authca02.cer",
        include_bytes!("../../../verify/roots/authca02.cer"),
        CertificatePurpose::Authentication,
        2,
    ),
    (
        "authca03.cer",
        include_bytes!("../../../verify/roots/authca03.cer"),
        CertificatePurpose::Authentication,
        3,
    ),
    (
        "signca01.cer",
        include_bytes!("../../../verify/roots/signca01.cer"),
        CertificatePurpose::Signature,
        1,
    ),
    (
        "signca02.cer",
        include_bytes!("../../../verify/roots/signca02.cer"),
        CertificatePurpose::Signature,
        2,
    ),
    (
        "signca03.cer",
        include_bytes!("../../../verify/roots/signca03.cer"),
        CertificatePurpose::Signature,
        3,
    ),
];

fn record(der: &[u8]) -> CertificateInfo {
    (&kazashi::CertificateInfo::from_der(der).unwrap()).into()
}

#[test]
fn each_production_root_carries_its_name_generation_hierarchy_and_purpose() {
    for (name, der, purpose, generation) in ROOTS {
        let root = record(der);
        assert_eq!(root.purpose, CertificatePurpose::CertificateAuthority);
        assert_eq!(root.ca_purpose, Some(purpose), "{name}");
        assert_eq!(root.root_name.as_deref(), Some(name));
        assert_eq!(root.root_generation, Some(generation), "{name}");
        assert!(!root.test_hierarchy, "{name}");
        assert_eq!(root.key_usage, ["keyCertSign", "cRLSign"], "{name}");
    }
}

#[test]
fn a_root_altered_by_one_byte_is_no_longer_known() {
    let (_, der, _, _) = ROOTS[1];
    let mut altered = der.to_vec();
    // The last byte of the signature: still a certificate, no longer the published one.
    *altered.last_mut().unwrap() ^= 0x01;
    let root = record(&altered);
    assert_eq!(root.purpose, CertificatePurpose::CertificateAuthority);
    assert_eq!(root.ca_purpose, Some(CertificatePurpose::Authentication));
    assert_eq!((root.root_name, root.root_generation), (None, None));
}

#[cfg(feature = "virtual-card")]
#[test]
fn the_virtual_cards_roots_and_leaves_have_no_generation() {
    use kazashi_ffi::{CertificateKind, PinKind, VirtualCard, VirtualCardProfile};

    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    for (pin, purpose) in [
        (PinKind::Authentication, CertificatePurpose::Authentication),
        (PinKind::Signing, CertificatePurpose::Signature),
    ] {
        let root = record(&card.root_certificate(pin));
        assert_eq!(root.purpose, CertificatePurpose::CertificateAuthority);
        assert_eq!(root.ca_purpose, Some(purpose));
        assert!(root.test_hierarchy, "O=JPKI-TEST");
        assert_eq!((root.root_name, root.root_generation), (None, None));
    }
    let leaf = record(&card.certificate(CertificateKind::Authentication).unwrap());
    assert_eq!(leaf.ca_purpose, None);
    assert_eq!((leaf.root_name, leaf.root_generation), (None, None));
}
