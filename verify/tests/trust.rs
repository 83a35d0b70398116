//! The relying party's checks of J-LIS roots and certificate chains, each rejection with its
//! own typed reason (log-in messages: `tests/login.rs`; the two hierarchies' policies and the
//! OpenSSL cross-check: `tests/hierarchies.rs`).

mod common;

use common::{cert, test_store, NOW};
use kazashi::{CertificateInfo, CertificateKind, CertificatePurpose, PinKind};
use kazashi_verify::{verify_certificate, TrustError, TrustStore, PRODUCTION_ROOTS};
use kazashi_virtual_card::{VirtualCard, VirtualCardConfig};
use rsa::pkcs8::DecodePublicKey;
use x509_parser::prelude::{FromDer, X509Certificate};

#[test]
fn production_roots_parse_and_verify_their_own_signatures() {
    for root in PRODUCTION_ROOTS {
        let info = CertificateInfo::from_der(root.der).unwrap();
        assert_eq!(
            info.purpose,
            CertificatePurpose::CertificateAuthority,
            "{}",
            root.name
        );
        assert_eq!(info.key_bits, 2048);
        assert!(info.subject.contains("O=JPKI"), "{}", info.subject);
        let (_, parsed) = X509Certificate::from_der(root.der).unwrap();
        let key = rsa::RsaPublicKey::from_public_key_der(parsed.public_key().raw).unwrap();
        let digest = kazashi::DigestAlgorithm::Sha256.digest(parsed.tbs_certificate.as_ref());
        key.verify(
            rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            &digest,
            &parsed.signature_value.data,
        )
        .unwrap_or_else(|_| panic!("{} is not self-signed", root.name));
    }
}

#[test]
fn virtual_card_certificates_verify_with_their_test_roots_opted_in() {
    let card = VirtualCard::default();
    let store = test_store(&card);
    let auth = verify_certificate(
        &cert(&card, CertificateKind::Authentication),
        CertificatePurpose::Authentication,
        NOW,
        &store,
    )
    .unwrap();
    assert!(
        auth.anchor.starts_with("test root: C=JP, O=JPKI-TEST"),
        "{}",
        auth.anchor
    );
    assert!(!auth.production && auth.generation.is_none());
    assert_eq!(auth.days_left, auth.certificate.days_left(NOW));
    assert!(auth.days_left > 1000);
    let sign = verify_certificate(
        &cert(&card, CertificateKind::Signing),
        CertificatePurpose::Signature,
        NOW,
        &store,
    )
    .unwrap();
    assert!(sign.anchor.contains("digital signature"));
}

#[test]
fn rejections_have_their_own_reasons() {
    let card = VirtualCard::default();
    let store = test_store(&card);
    let auth = cert(&card, CertificateKind::Authentication);
    let sign = cert(&card, CertificateKind::Signing);
    let info = CertificateInfo::from_der(&auth).unwrap();

    // Wrong purpose, both ways, and a CA.
    assert!(matches!(
        verify_certificate(&sign, CertificatePurpose::Authentication, NOW, &store),
        Err(TrustError::WrongPurpose {
            found: CertificatePurpose::Signature,
            ..
        })
    ));
    assert!(matches!(
        verify_certificate(&auth, CertificatePurpose::Signature, NOW, &store),
        Err(TrustError::WrongPurpose {
            found: CertificatePurpose::Authentication,
            ..
        })
    ));
    assert!(matches!(
        verify_certificate(
            card.root_der(PinKind::Authentication),
            CertificatePurpose::Authentication,
            NOW,
            &store
        ),
        Err(TrustError::WrongPurpose { .. })
    ));
    // Expired and not yet valid.
    assert!(matches!(
        verify_certificate(
            &auth,
            CertificatePurpose::Authentication,
            info.not_after + 1,
            &store
        ),
        Err(TrustError::Expired { .. })
    ));
    assert!(matches!(
        verify_certificate(
            &auth,
            CertificatePurpose::Authentication,
            info.not_before - 1,
            &store
        ),
        Err(TrustError::NotYetValid { .. })
    ));
    // The test hierarchy without the opt-in.
    assert_eq!(
        verify_certificate(
            &auth,
            CertificatePurpose::Authentication,
            NOW,
            &TrustStore::production()
        )
        .unwrap_err(),
        TrustError::TestRootNotAccepted
    );
    // Another PKI under the same name: not ours.
    let stranger = VirtualCard::new(VirtualCardConfig {
        seed: "someone else".into(),
        ..VirtualCardConfig::default()
    });
    assert!(matches!(
        verify_certificate(
            &cert(&stranger, CertificateKind::Authentication),
            CertificatePurpose::Authentication,
            NOW,
            &store
        ),
        Err(TrustError::UntrustedRoot { .. })
    ));
    // One altered byte in the subject.
    let mut tampered = auth.clone();
    let cn = info.subject.rsplit('=').next().unwrap().as_bytes().to_vec();
    let at = tampered
        .windows(cn.len())
        .position(|w| w == cn.as_slice())
        .unwrap();
    tampered[at] ^= 0x01;
    assert_eq!(
        verify_certificate(&tampered, CertificatePurpose::Authentication, NOW, &store).unwrap_err(),
        TrustError::TamperedCertificate
    );
    // Garbage.
    assert!(matches!(
        verify_certificate(
            b"not a certificate",
            CertificatePurpose::Authentication,
            NOW,
            &store
        ),
        Err(TrustError::Malformed { .. })
    ));
}

#[test]
fn sha1_certificates_are_refused() {
    let dir = std::env::temp_dir().join(format!("kazashi-trust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let der = dir.join("sha1.der");
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha1",
            "-days",
            "30",
            "-subj",
            "/C=JP/CN=sha1",
        ])
        .args([
            "-keyout",
            dir.join("k.pem").to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            der.to_str().unwrap(),
        ])
        .output()
        .expect("openssl is installed");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let bytes = std::fs::read(der).unwrap();
    assert!(matches!(
        verify_certificate(
            &bytes,
            CertificatePurpose::Authentication,
            NOW,
            &TrustStore::production()
        ),
        Err(TrustError::WeakAlgorithm { .. })
    ));
}

/// Security review, finding 8: what RFC 5280 requires of a chain. Each certificate is issued
/// correctly (signed by a root whose key the test holds, re-issued from the virtual card's
/// templates), so only the property under test can make it fail.
mod rfc5280 {
    use super::*;
    use common::{critical, key, spki, Pki};

    const SHA384_WITH_RSA: &str = "1.2.840.113549.1.1.12";

    #[test]
    fn a_correctly_issued_chain_verifies_and_each_violation_is_refused() {
        let card = VirtualCard::default();
        let pki = Pki::new(&card);
        let root = pki.root_der(|_| {});
        // The harness itself: an unchanged re-issued leaf verifies.
        pki.check(&root, &pki.leaf_der(|_| {})).unwrap();

        // An unrecognised critical extension in the leaf.
        let leaf = pki.leaf_der(|tbs| {
            tbs.extensions
                .get_or_insert_with(Vec::new)
                .push(critical("1.2.3.4.5.6", &[0x05, 0x00]))
        });
        assert_eq!(
            pki.check(&root, &leaf).unwrap_err(),
            TrustError::CriticalExtension {
                oid: "1.2.3.4.5.6".into()
            }
        );
        // A critical nameConstraints in the leaf (an empty NameConstraints).
        let leaf = pki.leaf_der(|tbs| {
            tbs.extensions
                .get_or_insert_with(Vec::new)
                .push(critical("2.5.29.30", &[0x30, 0x00]))
        });
        assert_eq!(
            pki.check(&root, &leaf).unwrap_err(),
            TrustError::CriticalExtension {
                oid: "2.5.29.30".into()
            }
        );
        // An inner signature algorithm that differs from the outer one.
        let leaf = pki.leaf_der(|tbs| {
            tbs.signature.oid = der::asn1::ObjectIdentifier::new_unwrap(SHA384_WITH_RSA)
        });
        assert!(matches!(
            pki.check(&root, &leaf),
            Err(TrustError::Malformed { reason }) if reason.contains("inner signature algorithm")
        ));
        // A 1024-bit leaf key.
        let small = key(1024, 2);
        let leaf = pki.leaf_der(|tbs| tbs.subject_public_key_info = spki(&small));
        assert_eq!(
            pki.check(&root, &leaf).unwrap_err(),
            TrustError::WeakKey { bits: 1024 }
        );
        // An unrecognised critical extension in the root.
        let bad_root = pki.root_der(|tbs| {
            tbs.extensions
                .get_or_insert_with(Vec::new)
                .push(critical("1.2.3.4.5.7", &[0x05, 0x00]))
        });
        assert_eq!(
            pki.check(&bad_root, &pki.leaf_der(|_| {})).unwrap_err(),
            TrustError::CriticalExtension {
                oid: "1.2.3.4.5.7".into()
            }
        );
    }
}
