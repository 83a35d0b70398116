//! The relying party's log-in checks: version-2 messages bound to their relying party, single
//! use across verifiers that share a store, and each rejection with its own typed reason.

mod common;

use common::{test_store, NOW};
use kazashi::{
    AuthPin, CertificateInfo, CertificateKind, CertificatePurpose, JpkiCard, LastAttempt,
};
use kazashi_verify::{
    ChallengeStore, InMemoryChallengeStore, LoginMessage, LoginRequest, LoginVerifier,
    RelyingPartyId, RevocationChecker, RevocationStatus, TrustError, TrustStore,
};
use kazashi_virtual_card::VirtualCard;
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};

fn rp(id: &str) -> RelyingPartyId {
    RelyingPartyId::parse(id).unwrap()
}

/// A phone answers `request` on the virtual card; returns the message the server receives
/// (through its JSON, as on the wire).
fn phone_login(card: &mut VirtualCard, request: &LoginRequest) -> LoginMessage {
    // What the app received is JSON too.
    let request = LoginRequest::from_json(&request.to_json()).unwrap();
    let result = pollster::block_on(JpkiCard::new(card).login_v2(
        &request,
        &AuthPin::new("1234").unwrap(),
        LastAttempt::Refuse,
    ))
    .unwrap();
    let json = LoginMessage::v2(
        &request,
        &result.signature,
        result.certificate.der(),
        "physical-card",
    )
    .to_json();
    LoginMessage::from_json(&json).unwrap()
}

/// A version-1 log-in: the card signs SHA-256 of the bare challenge.
fn phone_login_v1(card: &mut VirtualCard, challenge: &[u8]) -> LoginMessage {
    let result = pollster::block_on(JpkiCard::new(card).login(
        challenge,
        &AuthPin::new("1234").unwrap(),
        LastAttempt::Refuse,
    ))
    .unwrap();
    LoginMessage::v1(
        challenge,
        &result.signature,
        result.certificate.der(),
        "physical-card",
    )
}

fn challenge_of(message: &LoginMessage) -> Vec<u8> {
    message.challenge_bytes().unwrap()
}

#[test]
fn a_v2_login_verifies_once_and_its_signature_covers_the_domain_separated_request() {
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let challenges = InMemoryChallengeStore::default();
    let verifier = LoginVerifier::new(&store, &challenges, rp("a.example"));
    let request = verifier.issue_request(NOW, 120).unwrap();
    assert_eq!(request.challenge().len(), 32);
    assert_eq!(request.prompt(), "Log in to a.example");
    let message = phone_login(&mut card, &request);
    let ok = verifier
        .verify(&message, request.challenge(), NOW + 5)
        .unwrap();
    assert_eq!(ok.version, 2);
    assert_eq!(ok.relying_party, Some(rp("a.example")));
    assert_eq!(ok.revocation, RevocationStatus::NotChecked);
    assert_eq!(ok.token_type, "physical-card");
    assert_eq!(
        ok.chain.certificate.purpose,
        CertificatePurpose::Authentication
    );

    // Independently of our verifier: the rsa crate checks the signature over SHA-256 of the
    // documented bytes, which start with the fixed context string.
    let signed = request.signed_bytes();
    assert!(signed.starts_with(b"kazashi JPKI log-in v2\0"));
    let cert = card
        .certificate_der(CertificateKind::Authentication)
        .unwrap();
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).unwrap();
    let key = rsa::RsaPublicKey::from_public_key_der(parsed.public_key().raw).unwrap();
    key.verify(
        rsa::Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(&signed),
        &message.signature_bytes().unwrap(),
    )
    .unwrap();
    // ...and not over the bare challenge (the version-1 bytes).
    assert!(key
        .verify(
            rsa::Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(request.challenge()),
            &message.signature_bytes().unwrap(),
        )
        .is_err());

    assert_eq!(
        verifier
            .verify(&message, request.challenge(), NOW + 6)
            .unwrap_err(),
        TrustError::ChallengeReplayed
    );
}

/// Security review, finding 4: a log-in made for `a.example` (a phishing site's own request, or
/// one a verifier for another service issued) is refused by the verifier of `b.example`, and
/// rewriting the relying party in the message breaks the signature.
#[test]
fn a_login_made_for_one_relying_party_is_rejected_by_another() {
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let challenges = InMemoryChallengeStore::default();
    let a = LoginVerifier::new(&store, &challenges, rp("a.example"));
    let b = LoginVerifier::new(&store, &challenges, rp("b.example"));

    let for_a = a.issue_request(NOW, 120).unwrap();
    let message = phone_login(&mut card, &for_a);
    assert_eq!(
        b.verify(&message, for_a.challenge(), NOW).unwrap_err(),
        TrustError::RelyingPartyMismatch {
            expected: "b.example".into(),
            found: "a.example".into()
        }
    );
    // The mismatch is found before the challenge is spent: a.example's user still logs in.
    a.verify(&message, for_a.challenge(), NOW).unwrap();

    // Relabelled for b.example: the card never signed that.
    let for_a = a.issue_request(NOW, 120).unwrap();
    let mut relabelled = phone_login(&mut card, &for_a);
    relabelled.relying_party = Some("b.example".into());
    assert_eq!(
        b.verify(&relabelled, for_a.challenge(), NOW).unwrap_err(),
        TrustError::BadSignature
    );
}

/// Two server instances behind a load balancer share one store: a log-in accepted by one is a
/// replay at the other.
#[test]
fn a_replay_across_two_verifiers_sharing_a_store_is_rejected() {
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let shared = InMemoryChallengeStore::default();
    let instance_1 = LoginVerifier::new(&store, &shared, rp("a.example"));
    let instance_2 = LoginVerifier::new(&store, &shared, rp("a.example"));
    let request = instance_1.issue_request(NOW, 120).unwrap();
    let message = phone_login(&mut card, &request);
    instance_2.verify_issued(&message, NOW + 1).unwrap();
    assert_eq!(
        instance_1.verify_issued(&message, NOW + 2).unwrap_err(),
        TrustError::ChallengeReplayed
    );
    assert_eq!(
        instance_2
            .verify(&message, request.challenge(), NOW + 3)
            .unwrap_err(),
        TrustError::ChallengeReplayed
    );
}

#[test]
fn version_1_is_read_only_when_enabled() {
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let challenges = InMemoryChallengeStore::default();
    let strict = LoginVerifier::new(&store, &challenges, rp("a.example"));
    let challenge = strict.issue_challenge(NOW, 120).unwrap();
    let message = phone_login_v1(&mut card, &challenge);
    assert_eq!(
        strict.verify(&message, &challenge, NOW).unwrap_err(),
        TrustError::Version1NotAccepted
    );
    let lenient = LoginVerifier::new(&store, &challenges, rp("a.example")).accept_version_1();
    let ok = lenient.verify(&message, &challenge, NOW).unwrap();
    assert_eq!((ok.version, ok.relying_party), (1, None));

    // A version-2 signature passed off as version 1 (same challenge) does not verify: the
    // card signed the request's bytes, not the bare challenge.
    let request = lenient.issue_request(NOW, 120).unwrap();
    let v2 = phone_login(&mut card, &request);
    let mut as_v1 = v2.clone();
    as_v1.version = 1;
    assert_eq!(
        lenient
            .verify(&as_v1, request.challenge(), NOW)
            .unwrap_err(),
        TrustError::BadSignature
    );
}

#[test]
fn login_rejections() {
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let challenges = InMemoryChallengeStore::default();
    let verifier = LoginVerifier::new(&store, &challenges, rp("a.example"));

    // Expired: by the store, and by the request's own signed expiry.
    let request = verifier.issue_request(NOW, 60).unwrap();
    let message = phone_login(&mut card, &request);
    assert_eq!(
        verifier
            .verify(&message, request.challenge(), NOW + 61)
            .unwrap_err(),
        TrustError::ChallengeExpired
    );

    // A request the server never issued (a phishing site made it up with this server's id).
    let forged = LoginRequest::new(rp("a.example"), vec![7; 32], NOW, NOW + 60).unwrap();
    let message = phone_login(&mut card, &forged);
    assert_eq!(
        verifier
            .verify(&message, forged.challenge(), NOW)
            .unwrap_err(),
        TrustError::ChallengeUnknown
    );

    // The message answers another challenge than this session's.
    let expected = verifier.issue_request(NOW, 60).unwrap();
    let other = verifier.issue_request(NOW, 60).unwrap();
    let message = phone_login(&mut card, &other);
    assert_eq!(
        verifier
            .verify(&message, expected.challenge(), NOW)
            .unwrap_err(),
        TrustError::ChallengeMismatch
    );

    // Re-dated: the signed times are part of the signature.
    let request = verifier.issue_request(NOW, 60).unwrap();
    let mut message = phone_login(&mut card, &request);
    message.expires_at = Some(NOW + 3_600);
    assert_eq!(
        verifier
            .verify(&message, request.challenge(), NOW)
            .unwrap_err(),
        TrustError::BadSignature
    );

    // Issued in the future by more than the skew.
    let future = LoginRequest::new(rp("a.example"), vec![8; 32], NOW + 600, NOW + 900).unwrap();
    challenges
        .remember(future.challenge(), NOW, NOW + 900)
        .unwrap();
    let message = phone_login(&mut card, &future);
    assert!(matches!(
        verifier.verify(&message, future.challenge(), NOW),
        Err(TrustError::Malformed { .. })
    ));

    // A tampered signature.
    let request = verifier.issue_request(NOW, 60).unwrap();
    let mut message = phone_login(&mut card, &request);
    let mut sig = message.signature_bytes().unwrap();
    sig[100] ^= 0xFF;
    message.signature = <base64ct::Base64 as base64ct::Encoding>::encode_string(&sig);
    assert_eq!(
        verifier
            .verify(&message, request.challenge(), NOW)
            .unwrap_err(),
        TrustError::BadSignature
    );

    // The signing certificate offered for log-in.
    let request = verifier.issue_request(NOW, 60).unwrap();
    let mut message = phone_login(&mut card, &request);
    message.certificate = <base64ct::Base64 as base64ct::Encoding>::encode_string(
        card.certificate_der(CertificateKind::Signing).unwrap(),
    );
    assert!(matches!(
        verifier.verify(&message, request.challenge(), NOW),
        Err(TrustError::WrongPurpose { .. })
    ));

    // A weaker algorithm claimed, an unknown version, a version 2 without its request, broken
    // JSON.
    let request = verifier.issue_request(NOW, 60).unwrap();
    let mut message = phone_login(&mut card, &request);
    message.algorithm = "sha1WithRSAEncryption".into();
    assert!(matches!(
        verifier.verify(&message, request.challenge(), NOW),
        Err(TrustError::WeakAlgorithm { .. })
    ));
    message.version = 3;
    assert_eq!(
        verifier
            .verify(&message, request.challenge(), NOW)
            .unwrap_err(),
        TrustError::UnsupportedVersion { version: 3 }
    );
    message.version = 2;
    message.relying_party = None;
    assert!(matches!(
        verifier.verify(&message, request.challenge(), NOW),
        Err(TrustError::Malformed { .. })
    ));
    assert!(LoginMessage::from_json("{").is_err());

    // Production roots only: the virtual card's log-in is refused.
    let production = TrustStore::production();
    let strict = LoginVerifier::new(&production, &challenges, rp("a.example"));
    let request = strict.issue_request(NOW, 60).unwrap();
    let message = phone_login(&mut card, &request);
    assert_eq!(
        strict
            .verify(&message, request.challenge(), NOW)
            .unwrap_err(),
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
    let good = LoginVerifier::new(&store, &challenges, rp("a.example")).with_revocation(&AllGood);
    let request = good.issue_request(NOW, 60).unwrap();
    let message = phone_login(&mut card, &request);
    assert_eq!(
        good.verify_issued(&message, NOW).unwrap().revocation,
        RevocationStatus::Good
    );
    let revoked =
        LoginVerifier::new(&store, &challenges, rp("a.example")).with_revocation(&Revoked);
    let request = revoked.issue_request(NOW, 60).unwrap();
    let message = phone_login(&mut card, &request);
    assert!(matches!(
        revoked.verify_issued(&message, NOW),
        Err(TrustError::Revoked { .. })
    ));
}

/// Security review, finding 2: registering a spent challenge again re-armed it (remember →
/// verify → replay refused → remember → replay accepted). Once used, it stays used.
#[test]
fn a_spent_challenge_is_not_re_armed_by_registering_it_again() {
    let mut card = VirtualCard::default();
    let store = test_store(&card);
    let challenges = InMemoryChallengeStore::default();
    let verifier = LoginVerifier::new(&store, &challenges, rp("a.example"));
    let request = verifier.issue_request(NOW, 120).unwrap();
    let message = phone_login(&mut card, &request);
    verifier.verify_issued(&message, NOW + 1).unwrap();
    for later in [NOW + 2, NOW + 60] {
        challenges
            .remember(&challenge_of(&message), later, later + 120)
            .unwrap();
        assert_eq!(
            verifier.verify_issued(&message, later).unwrap_err(),
            TrustError::ChallengeReplayed
        );
    }
    // An unused challenge registered twice is still good once.
    let fresh = verifier.issue_request(NOW, 120).unwrap();
    challenges
        .remember(fresh.challenge(), NOW, NOW + 300)
        .unwrap();
    let message = phone_login(&mut card, &fresh);
    verifier.verify_issued(&message, NOW + 100).unwrap();
    assert_eq!(
        verifier.verify_issued(&message, NOW + 101).unwrap_err(),
        TrustError::ChallengeReplayed
    );
}
