//! J-LIS's two hierarchies and their certificate policies (`JLIS_POLICIES` in `src/chain.rs`,
//! `docs/protocol.md` §6.3a): a test-hierarchy certificate verifies under the test root the
//! caller opted into, a production policy under a test root or a test policy under a
//! production-named (`O=JPKI`) root is refused with a reason naming the policy, the hierarchy
//! and the root; and OpenSSL, which shares no code with us, reaches the same verdicts on the
//! same chains when asked for the same policy.

mod common;

use common::{cert, openssl, test_store, workdir, write_pem, Pki, NOW};
use kazashi::certificate::{
    POLICY_AUTHENTICATION, POLICY_AUTHENTICATION_TEST, POLICY_SIGNATURE, POLICY_SIGNATURE_TEST,
};
use kazashi::{CertificateInfo, CertificateKind, CertificatePurpose, PinKind};
use kazashi_verify::{verify_certificate, TrustError, TrustStore};
use kazashi_virtual_card::VirtualCard;

/// One certificate family of the card: its root, its leaf, and its policies in each hierarchy.
struct Family {
    pin: PinKind,
    kind: CertificateKind,
    purpose: CertificatePurpose,
    /// The purpose as `JLIS_POLICIES`' reasons name it.
    word: &'static str,
    /// The production policy the tests put on a leaf, and where it is documented.
    production: &'static str,
    production_source: &'static str,
    /// Every production policy of the purpose, as a reason lists them.
    production_all: &'static str,
    test: &'static str,
}

const FAMILIES: [Family; 2] = [
    Family {
        pin: PinKind::Authentication,
        kind: CertificateKind::Authentication,
        purpose: CertificatePurpose::Authentication,
        word: "authentication",
        production: POLICY_AUTHENTICATION,
        production_source: "protocol.md §6.2",
        production_all: "1.2.392.200149.8.5.1.3.30",
        test: POLICY_AUTHENTICATION_TEST,
    },
    Family {
        pin: PinKind::Signing,
        kind: CertificateKind::Signing,
        purpose: CertificatePurpose::Signature,
        word: "signature",
        production: POLICY_SIGNATURE,
        production_source: "protocol.md §6.3",
        production_all: "1.2.392.200149.8.5.1.1.20 or 1.2.392.200149.8.5.1.1.40",
        test: POLICY_SIGNATURE_TEST,
    },
];

/// The `reason` of a [`TrustError::WrongUsage`].
fn wrong_usage(result: Result<kazashi_verify::ChainVerification, TrustError>) -> String {
    match result {
        Err(TrustError::WrongUsage { reason }) => reason,
        other => panic!("expected WrongUsage, got {other:?}"),
    }
}

/// The root's label in results: `test root: <subject>` for a root the caller added.
fn label(root_der: &[u8]) -> String {
    format!(
        "test root: {}",
        CertificateInfo::from_der(root_der).unwrap().subject
    )
}

#[test]
fn the_virtual_cards_test_certificates_verify_only_under_their_opted_in_test_roots() {
    let card = VirtualCard::default();
    for family in &FAMILIES {
        let leaf = cert(&card, family.kind);
        assert_eq!(
            CertificateInfo::from_der(&leaf).unwrap().policies,
            [family.test]
        );
        let ok = verify_certificate(&leaf, family.purpose, NOW, &test_store(&card)).unwrap();
        assert_eq!(ok.anchor, label(card.root_der(family.pin)));
        assert!(!ok.production && ok.generation.is_none());
        assert_eq!(
            verify_certificate(&leaf, family.purpose, NOW, &TrustStore::production()).unwrap_err(),
            TrustError::TestRootNotAccepted
        );
    }
}

/// A leaf carrying the production policy, correctly issued by the opted-in test root, is not a
/// certificate J-LIS's test process issues.
#[test]
fn a_production_policy_leaf_under_a_test_root_is_refused() {
    let card = VirtualCard::default();
    for family in &FAMILIES {
        let pki = Pki::of(&card, family.purpose);
        let root = pki.root_der(|_| {});
        // The harness: the re-issued leaf with its own (test) policy verifies.
        pki.check(&root, &pki.leaf_der(|_| {})).unwrap();

        let leaf = pki.leaf_der(|tbs| common::set_policy(tbs, family.production));
        assert_eq!(
            CertificateInfo::from_der(&leaf).unwrap().policies,
            [family.production]
        );
        assert_eq!(
            wrong_usage(pki.check(&root, &leaf)),
            format!(
                "certificate policy {} is the production hierarchy's {} policy ({}), but the \
                 certificate chains to the test root {}, whose certificates carry {}",
                family.production,
                family.word,
                family.production_source,
                label(&root),
                family.test,
            )
        );
    }
}

/// A root that bears J-LIS's production name (`O=JPKI`) is held to the production policies,
/// even when the caller added it: a test-policy leaf under it is refused, a production-policy
/// one verifies.
#[test]
fn a_test_policy_leaf_under_a_production_named_root_is_refused() {
    let card = VirtualCard::default();
    for family in &FAMILIES {
        let pki = Pki::of(&card, family.purpose);
        let root = pki.production_named_root();
        let root_info = CertificateInfo::from_der(&root).unwrap();
        assert!(
            root_info.subject.starts_with("C=JP, O=JPKI, OU=JPKI for "),
            "{}",
            root_info.subject
        );
        assert!(!root_info.test_hierarchy);

        let leaf = pki.production_named_leaf(family.test);
        assert_eq!(
            wrong_usage(pki.check(&root, &leaf)),
            format!(
                "certificate policy {} is the test hierarchy's {} policy (protocol.md §6.3a), \
                 but the certificate chains to the production root {}, whose certificates \
                 carry {}",
                family.test,
                family.word,
                label(&root),
                family.production_all,
            )
        );

        // The production policy under the same root: accepted, anchored by that root, which
        // is still not one of J-LIS's built-in roots (no generation).
        let ok = pki
            .check(&root, &pki.production_named_leaf(family.production))
            .unwrap();
        assert_eq!(ok.anchor, label(&root));
        assert!(!ok.production && ok.generation.is_none());
    }
}

/// `openssl verify -x509_strict -policy_check -explicit_policy -policy OID` on each chain,
/// against our verifier on the same chain.
#[test]
fn openssl_agrees_on_each_hierarchys_policies() {
    let card = VirtualCard::default();
    let dir = workdir("hierarchies");
    let openssl_accepts = |name: &str, root: &[u8], leaf: &[u8], policy: &str| {
        let root_pem = dir.join(format!("{name}-root.pem"));
        let leaf_pem = dir.join(format!("{name}-leaf.pem"));
        write_pem(&root_pem, root);
        write_pem(&leaf_pem, leaf);
        let (ok, text) = openssl(&[
            "verify",
            "-x509_strict",
            "-policy_check",
            "-explicit_policy",
            "-policy",
            policy,
            "-attime",
            &NOW.to_string(),
            "-CAfile",
            root_pem.to_str().unwrap(),
            leaf_pem.to_str().unwrap(),
        ]);
        assert_eq!(
            ok,
            text.contains(&format!("{}: OK", leaf_pem.display())),
            "{text}"
        );
        if !ok {
            // Refused for the policy, not for anything else about the chain.
            assert!(text.contains("no explicit policy"), "{name}: {text}");
        }
        ok
    };

    // The virtual card's own chains (test policies …0.30 / …0.20), as the card hands them out.
    for family in &FAMILIES {
        let root = card.root_der(family.pin);
        let leaf = cert(&card, family.kind);
        let name = family.word;
        // The test policy: both accept (ours with the test root opted in).
        assert!(openssl_accepts(name, root, &leaf, family.test), "{name}");
        verify_certificate(&leaf, family.purpose, NOW, &test_store(&card)).unwrap();
        // The production policy: OpenSSL finds none on the chain; ours, whose production
        // policies come with the production roots, does not accept the chain as production.
        assert!(
            !openssl_accepts(name, root, &leaf, family.production),
            "{name}"
        );
        assert_eq!(
            verify_certificate(&leaf, family.purpose, NOW, &TrustStore::production()).unwrap_err(),
            TrustError::TestRootNotAccepted
        );
    }

    // Re-issued chains, asked for the policy of the root's hierarchy (the one ours requires).
    for family in &FAMILIES {
        let (production, test) = (family.production, family.test);
        let pki = Pki::of(&card, family.purpose);
        let name = family.word;
        let test_root = pki.root_der(|_| {});
        let production_root = pki.production_named_root();
        for (case, root, leaf, policy, accepted) in [
            (
                "production policy under a test root",
                &test_root,
                pki.leaf_der(|tbs| common::set_policy(tbs, production)),
                test,
                false,
            ),
            (
                "test policy under an O=JPKI root",
                &production_root,
                pki.production_named_leaf(test),
                production,
                false,
            ),
            (
                "production policy under an O=JPKI root",
                &production_root,
                pki.production_named_leaf(production),
                production,
                true,
            ),
        ] {
            let file = format!("{name}-{}", case.replace(' ', "-"));
            assert_eq!(
                openssl_accepts(&file, root, &leaf, policy),
                accepted,
                "openssl, {name}: {case}"
            );
            let ours = pki.check(root, &leaf);
            assert_eq!(ours.is_ok(), accepted, "ours, {name}: {case}: {ours:?}");
            if !accepted {
                assert!(matches!(ours, Err(TrustError::WrongUsage { .. })));
            }
        }
    }
}
