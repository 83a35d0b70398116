//! The relying party's checks: J-LIS roots, certificate chains and log-in messages, each
//! rejection with its own typed reason.

use kazashi::{
    AuthPin, CertificateInfo, CertificateKind, CertificatePurpose, JpkiCard, LastAttempt, PinKind,
};
use kazashi_verify::{
    verify_certificate, InMemoryChallengeStore, LoginMessage, LoginVerifier, RevocationChecker,
    RevocationStatus, TrustError, TrustStore, PRODUCTION_ROOTS,
};
use kazashi_virtual_card::{VirtualCard, VirtualCardConfig};
use rsa::pkcs8::DecodePublicKey;
use x509_parser::prelude::{FromDer, X509Certificate};

/// 2027-01-15, inside the virtual card's validity (2025-10-27 .. 2030-04-01).
const NOW: i64 = 1_800_000_000;

fn test_store(card: &VirtualCard) -> TrustStore {
    TrustStore::production()
        .with_test_root(
            card.root_der(PinKind::Authentication),
            CertificatePurpose::Authentication,
        )
        .unwrap()
        .with_test_root(
            card.root_der(PinKind::Signing),
            CertificatePurpose::Signature,
        )
        .unwrap()
}

fn cert(card: &VirtualCard, kind: CertificateKind) -> Vec<u8> {
    card.certificate_der(kind).unwrap().to_vec()
}

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

/// A phone logs in on the virtual card; returns the message the server receives.
fn phone_login(card: &mut VirtualCard, challenge: &[u8]) -> LoginMessage {
    let result = pollster::block_on(JpkiCard::new(card).login(
        challenge,
        &AuthPin::new("1234").unwrap(),
        LastAttempt::Refuse,
    ))
    .unwrap();
    let json = LoginMessage::new(
        challenge,
        &result.signature,
        result.certificate.der(),
        "physical-card",
    )
    .to_json();
    LoginMessage::from_json(&json).unwrap()
}

#[test]
fn a_login_verifies_once() {
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let challenges = InMemoryChallengeStore::default();
    let verifier = LoginVerifier::new(&store, &challenges);
    let challenge = verifier.issue_challenge(NOW, 120);
    assert_eq!(challenge.len(), 32);
    let message = phone_login(&mut card, &challenge);
    let ok = verifier.verify(&message, &challenge, NOW + 5).unwrap();
    assert_eq!(ok.revocation, RevocationStatus::NotChecked);
    assert!(ok.revocation.describe().contains("not checked"));
    assert_eq!(
        ok.chain.certificate.purpose,
        CertificatePurpose::Authentication
    );
    assert_eq!(ok.token_type, "physical-card");
    // The same message again is a replay.
    assert_eq!(
        verifier.verify(&message, &challenge, NOW + 6).unwrap_err(),
        TrustError::ChallengeReplayed
    );
}

#[test]
fn login_rejections() {
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let challenges = InMemoryChallengeStore::default();
    let verifier = LoginVerifier::new(&store, &challenges);

    // Expired challenge.
    let challenge = verifier.issue_challenge(NOW, 60);
    let message = phone_login(&mut card, &challenge);
    assert_eq!(
        verifier.verify(&message, &challenge, NOW + 61).unwrap_err(),
        TrustError::ChallengeExpired
    );

    // A challenge the server never issued.
    let unknown = vec![7u8; 32];
    let message = phone_login(&mut card, &unknown);
    assert_eq!(
        verifier.verify(&message, &unknown, NOW).unwrap_err(),
        TrustError::ChallengeUnknown
    );

    // Too short to be a real challenge.
    let short = vec![1u8; 8];
    challenges_remember(&challenges, &short);
    let message = phone_login(&mut card, &short);
    assert_eq!(
        verifier.verify(&message, &short, NOW).unwrap_err(),
        TrustError::ChallengeTooShort { len: 8 }
    );

    // The message answers another challenge.
    let expected = verifier.issue_challenge(NOW, 60);
    let other = verifier.issue_challenge(NOW, 60);
    let message = phone_login(&mut card, &other);
    assert_eq!(
        verifier.verify(&message, &expected, NOW).unwrap_err(),
        TrustError::ChallengeMismatch
    );

    // A tampered signature.
    let challenge = verifier.issue_challenge(NOW, 60);
    let mut message = phone_login(&mut card, &challenge);
    let mut sig = base64_decode(&message.signature);
    sig[100] ^= 0xFF;
    message.signature = base64_encode(&sig);
    assert_eq!(
        verifier.verify(&message, &challenge, NOW).unwrap_err(),
        TrustError::BadSignature
    );

    // The signing certificate offered for log-in.
    let challenge = verifier.issue_challenge(NOW, 60);
    let mut message = phone_login(&mut card, &challenge);
    message.certificate = base64_encode(card.certificate_der(CertificateKind::Signing).unwrap());
    assert!(matches!(
        verifier.verify(&message, &challenge, NOW),
        Err(TrustError::WrongPurpose { .. })
    ));

    // A weaker algorithm claimed, an unknown version, broken JSON.
    let mut message = phone_login(&mut card, &challenge);
    message.algorithm = "sha1WithRSAEncryption".into();
    assert!(matches!(
        verifier.verify(&message, &challenge, NOW),
        Err(TrustError::WeakAlgorithm { .. })
    ));
    message.version = 2;
    assert_eq!(
        verifier.verify(&message, &challenge, NOW).unwrap_err(),
        TrustError::UnsupportedVersion { version: 2 }
    );
    assert!(matches!(
        LoginMessage::from_json("{"),
        Err(TrustError::Malformed { .. })
    ));

    // Production roots only: the virtual card's log-in is refused.
    let production = TrustStore::production();
    let strict = LoginVerifier::new(&production, &challenges);
    let challenge = strict.issue_challenge(NOW, 60);
    let message = phone_login(&mut card, &challenge);
    assert_eq!(
        strict.verify(&message, &challenge, NOW).unwrap_err(),
        TrustError::TestRootNotAccepted
    );
}

struct Revoked;
impl RevocationChecker for Revoked {
    fn check(&self, _: &CertificateInfo) -> Result<RevocationStatus, TrustError> {
        Err(TrustError::Revoked {
            reason: "keyCompromise".into(),
        })
    }
}

struct AllGood;
impl RevocationChecker for AllGood {
    fn check(&self, _: &CertificateInfo) -> Result<RevocationStatus, TrustError> {
        Ok(RevocationStatus::Good)
    }
}

#[test]
fn revocation_is_pluggable() {
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let challenges = InMemoryChallengeStore::default();
    let good = LoginVerifier::new(&store, &challenges).with_revocation(&AllGood);
    let challenge = good.issue_challenge(NOW, 60);
    let message = phone_login(&mut card, &challenge);
    assert_eq!(
        good.verify(&message, &challenge, NOW).unwrap().revocation,
        RevocationStatus::Good
    );
    let revoked = LoginVerifier::new(&store, &challenges).with_revocation(&Revoked);
    let challenge = revoked.issue_challenge(NOW, 60);
    let message = phone_login(&mut card, &challenge);
    assert!(matches!(
        revoked.verify(&message, &challenge, NOW),
        Err(TrustError::Revoked { .. })
    ));
}

/// Security review, finding 2: registering a spent challenge again re-armed it (remember →
/// verify → replay refused → remember → replay accepted). Once used, it stays used.
#[test]
fn a_spent_challenge_is_not_re_armed_by_registering_it_again() {
    use kazashi_verify::ChallengeStore;
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let challenges = InMemoryChallengeStore::default();
    let verifier = LoginVerifier::new(&store, &challenges);
    let challenge = verifier.issue_challenge(NOW, 120);
    let message = phone_login(&mut card, &challenge);
    verifier.verify(&message, &challenge, NOW + 1).unwrap();
    for later in [NOW + 2, NOW + 60] {
        challenges.remember(&challenge, later + 120);
        assert_eq!(
            verifier.verify(&message, &challenge, later).unwrap_err(),
            TrustError::ChallengeReplayed
        );
    }
    // An unused challenge registered twice is still good once.
    let fresh = verifier.issue_challenge(NOW, 120);
    challenges.remember(&fresh, NOW + 300);
    let message = phone_login(&mut card, &fresh);
    verifier.verify(&message, &fresh, NOW + 200).unwrap();
    assert_eq!(
        verifier.verify(&message, &fresh, NOW + 201).unwrap_err(),
        TrustError::ChallengeReplayed
    );
}

fn challenges_remember(store: &InMemoryChallengeStore, challenge: &[u8]) {
    use kazashi_verify::ChallengeStore;
    store.remember(challenge, NOW + 60);
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64::decode_vec(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(b)
}
