//! Every flow against the virtual card, with signatures checked by an independent verifier.

mod common;

use common::{block, verify_independently, Tamper};
use kazashi::jpki::ins;
use kazashi::{
    AuthPin, CertificateKind, CertificatePurpose, DigestAlgorithm, DocumentDigest, Error, JpkiCard,
    LastAttempt, PinKind, SignOptions, SigningPassword, TokenType, TransportError,
};
use kazashi_virtual_card::faults::{Fault, FaultyTransport};
use kazashi_virtual_card::Exchange;
use kazashi_virtual_card::{Profile, VirtualCard};

fn auth_pin() -> AuthPin {
    AuthPin::new("1234").unwrap()
}

fn password() -> SigningPassword {
    SigningPassword::new("ABC123").unwrap()
}

fn pin_verifies(card: &VirtualCard) -> usize {
    card.transcript()
        .iter()
        .filter(|e| e.is_pin_verify())
        .count()
}

fn card(profile: Profile) -> VirtualCard {
    let mut card = VirtualCard::from_profile(profile);
    card.record_transcript(true);
    card
}

#[test]
fn login_signature_verifies_independently() {
    for profile in [
        Profile::PhysicalCard,
        Profile::NoExtendedLength,
        Profile::AndroidPhoneToken,
    ] {
        let mut virtual_card = card(profile);
        let challenge = b"a fresh server challenge 0123456789";
        let result = {
            let mut session = JpkiCard::new(&mut virtual_card);
            block(session.login(challenge, &auth_pin(), LastAttempt::Refuse)).unwrap()
        };
        assert_eq!(result.signature.len(), 256);
        assert_eq!(
            result.certificate.purpose,
            CertificatePurpose::Authentication
        );
        assert_eq!(
            result.certificate.der(),
            virtual_card
                .certificate_der(CertificateKind::Authentication)
                .unwrap()
        );
        assert!(verify_independently::<sha2::Sha256>(
            result.certificate.der(),
            challenge,
            &result.signature
        ));
        // The signature is over this challenge and no other.
        assert!(!verify_independently::<sha2::Sha256>(
            result.certificate.der(),
            b"another challenge",
            &result.signature
        ));
        assert_eq!(pin_verifies(&virtual_card), 1);
        assert_eq!(virtual_card.attempts_left(PinKind::Authentication), Some(3));
        assert_eq!(result.stats.apdus as usize, virtual_card.transcript().len());
    }
}

#[test]
fn login_round_trip_targets() {
    // Retry check included: ≤ 5 with extended length (short EF ids), ≤ 12 without.
    let mut ext = card(Profile::PhysicalCard);
    let with_ext =
        block(JpkiCard::new(&mut ext).login(b"challenge", &auth_pin(), LastAttempt::Refuse))
            .unwrap();
    assert!(with_ext.stats.apdus <= 5, "{:?}", with_ext.stats);
    let mut short = card(Profile::NoExtendedLength);
    let without =
        block(JpkiCard::new(&mut short).login(b"challenge", &auth_pin(), LastAttempt::Refuse))
            .unwrap();
    let cert_len = without.certificate.der().len();
    assert!(
        cert_len > 1280,
        "certificate is realistically large ({cert_len} bytes)"
    );
    assert!(without.stats.apdus <= 12, "{:?}", without.stats);
    // No extended APDU went out on the short link.
    assert!(short.transcript().iter().all(|e| e.command.len() <= 261));
    // The first READ BINARY carries the header: no separate 4-byte header read.
    let reads: Vec<&Exchange> = short
        .transcript()
        .iter()
        .filter(|e| e.ins() == Some(ins::READ_BINARY))
        .collect();
    assert_eq!(reads.len(), cert_len.div_ceil(256));
}

#[test]
fn document_signatures_verify_for_every_hash() {
    let document = "申請書: 児童手当 / application form".as_bytes();
    let mut virtual_card = card(Profile::PhysicalCard);
    let mut session = JpkiCard::new(&mut virtual_card);
    for algorithm in [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ] {
        let digest = DocumentDigest::of_document(algorithm, document);
        let result = block(session.sign(&digest, &password(), SignOptions::default())).unwrap();
        assert_eq!(result.certificate.purpose, CertificatePurpose::Signature);
        let cert = result.certificate.der();
        let ok = match algorithm {
            DigestAlgorithm::Sha256 => {
                verify_independently::<sha2::Sha256>(cert, document, &result.signature)
            }
            DigestAlgorithm::Sha384 => {
                verify_independently::<sha2::Sha384>(cert, document, &result.signature)
            }
            DigestAlgorithm::Sha512 => {
                verify_independently::<sha2::Sha512>(cert, document, &result.signature)
            }
            DigestAlgorithm::Sha1 => unreachable!(),
        };
        assert!(ok, "{algorithm:?}");
    }
    // A digest computed elsewhere signs the same way.
    let digest = DocumentDigest::from_digest(
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha256.digest(document),
    )
    .unwrap();
    let result = block(session.sign(&digest, &password(), SignOptions::default())).unwrap();
    assert!(verify_independently::<sha2::Sha256>(
        result.certificate.der(),
        document,
        &result.signature
    ));
    let personal = result
        .certificate
        .personal
        .as_ref()
        .expect("personal attributes");
    assert_eq!(personal.name.as_deref(), Some("仮想\u{3000}花子"));
    assert_eq!(personal.birth_date_iso().as_deref(), Some("1990-04-01"));
    assert!(personal.address.as_deref().unwrap().starts_with("東京都"));
}

#[test]
fn sha1_only_with_explicit_legacy_opt_in() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha1, b"legacy");
    let err =
        block(JpkiCard::new(&mut virtual_card).sign(&digest, &password(), SignOptions::default()))
            .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    assert_eq!(virtual_card.commands_processed(), 0);
    let options = SignOptions {
        allow_legacy_sha1: true,
        ..SignOptions::default()
    };
    let result =
        block(JpkiCard::new(&mut virtual_card).sign(&digest, &password(), options)).unwrap();
    assert!(verify_independently::<sha1::Sha1>(
        result.certificate.der(),
        b"legacy",
        &result.signature
    ));
}

#[test]
fn three_wrong_authentication_pins_lock_it() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let wrong = AuthPin::new("9999").unwrap();
    let mut session = JpkiCard::new(&mut virtual_card);
    let e1 = block(session.login(b"c", &wrong, LastAttempt::Refuse)).unwrap_err();
    assert_eq!(
        e1.to_string(),
        "authentication PIN incorrect: 2 attempts left"
    );
    let e2 = block(session.login(b"c", &wrong, LastAttempt::Refuse)).unwrap_err();
    assert_eq!(
        e2.to_string(),
        "authentication PIN incorrect: 1 attempt left"
    );
    // The last attempt is refused until the caller confirms it; nothing reaches VERIFY.
    let e3 = block(session.login(b"c", &wrong, LastAttempt::Refuse)).unwrap_err();
    assert_eq!(
        e3,
        Error::LastAttemptNotConfirmed {
            pin: PinKind::Authentication
        }
    );
    let e4 = block(session.login(b"c", &wrong, LastAttempt::Confirmed)).unwrap_err();
    assert_eq!(
        e4,
        Error::PinBlocked {
            pin: PinKind::Authentication,
            by_this_attempt: true
        }
    );
    assert!(e4.to_string().contains("municipal office"));
    // Blocked: even the right PIN is not sent.
    let e5 = block(session.login(b"c", &auth_pin(), LastAttempt::Confirmed)).unwrap_err();
    assert_eq!(
        e5,
        Error::PinBlocked {
            pin: PinKind::Authentication,
            by_this_attempt: false
        }
    );
    assert_eq!(
        pin_verifies(&virtual_card),
        3,
        "one VERIFY per confirmed entry"
    );
    assert_eq!(virtual_card.attempts_left(PinKind::Authentication), Some(0));
}

#[test]
fn five_wrong_signing_passwords_lock_it() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let wrong = SigningPassword::new("WRONG1").unwrap();
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"doc");
    let confirmed = SignOptions {
        last_attempt: LastAttempt::Confirmed,
        ..SignOptions::default()
    };
    let mut session = JpkiCard::new(&mut virtual_card);
    for left in [4, 3, 2, 1] {
        let err = block(session.sign(&digest, &wrong, SignOptions::default())).unwrap_err();
        assert_eq!(
            err,
            Error::WrongPin {
                pin: PinKind::Signing,
                attempts_left: left
            }
        );
    }
    assert_eq!(
        block(session.sign(&digest, &wrong, SignOptions::default())).unwrap_err(),
        Error::LastAttemptNotConfirmed {
            pin: PinKind::Signing
        }
    );
    let err = block(session.sign(&digest, &wrong, confirmed)).unwrap_err();
    assert_eq!(
        err,
        Error::PinBlocked {
            pin: PinKind::Signing,
            by_this_attempt: true
        }
    );
    assert!(err.to_string().contains("kiosk"));
    assert!(matches!(
        block(session.sign(&digest, &password(), confirmed)),
        Err(Error::PinBlocked {
            by_this_attempt: false,
            ..
        })
    ));
    assert_eq!(pin_verifies(&virtual_card), 5);
}

#[test]
fn a_correct_pin_resets_the_counter() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let mut session = JpkiCard::new(&mut virtual_card);
    let _ = block(session.login(b"c", &AuthPin::new("0000").unwrap(), LastAttempt::Refuse));
    let _ = block(session.login(b"c", &AuthPin::new("0001").unwrap(), LastAttempt::Refuse));
    assert_eq!(
        block(session.retry_counter(PinKind::Authentication))
            .unwrap()
            .attempts_left,
        Some(1)
    );
    // One attempt left: the correct PIN still needs the caller's confirmation.
    assert!(block(session.login(b"c", &auth_pin(), LastAttempt::Refuse)).is_err());
    block(session.login(b"c", &auth_pin(), LastAttempt::Confirmed)).unwrap();
    assert_eq!(
        block(session.retry_counter(PinKind::Authentication))
            .unwrap()
            .attempts_left,
        Some(3)
    );
}

#[test]
fn retry_queries_spend_nothing() {
    let mut virtual_card = card(Profile::SigningLastAttempt);
    let mut session = JpkiCard::new(&mut virtual_card);
    for _ in 0..5 {
        let status = block(session.retry_counter(PinKind::Signing)).unwrap();
        assert_eq!(status.attempts_left, Some(1));
    }
    assert_eq!(pin_verifies(&virtual_card), 0);
    // Query APDUs are exactly the four-byte case 1, naming the password by short EF id.
    assert!(virtual_card
        .transcript()
        .iter()
        .filter(|e| e.ins() == Some(ins::VERIFY))
        .all(|e| e.command == [0x00, 0x20, 0x00, 0x9B]));
}

#[test]
fn blocked_profiles_send_no_verify() {
    for (profile, kind) in [
        (Profile::AuthBlocked, PinKind::Authentication),
        (Profile::SigningBlocked, PinKind::Signing),
    ] {
        let mut virtual_card = card(profile);
        let mut session = JpkiCard::new(&mut virtual_card);
        let err = match kind {
            PinKind::Authentication => {
                block(session.login(b"c", &auth_pin(), LastAttempt::Confirmed)).unwrap_err()
            }
            _ => block(session.sign(
                &DocumentDigest::of_document(DigestAlgorithm::Sha256, b"d"),
                &password(),
                SignOptions {
                    last_attempt: LastAttempt::Confirmed,
                    ..SignOptions::default()
                },
            ))
            .unwrap_err(),
        };
        assert_eq!(
            err,
            Error::PinBlocked {
                pin: kind,
                by_this_attempt: false
            }
        );
        assert_eq!(pin_verifies(&virtual_card), 0, "{profile}");
    }
}

#[test]
fn last_attempt_profiles_need_confirmation_then_reset() {
    let mut virtual_card = card(Profile::SigningLastAttempt);
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"d");
    let mut session = JpkiCard::new(&mut virtual_card);
    assert_eq!(
        block(session.sign(&digest, &password(), SignOptions::default())).unwrap_err(),
        Error::LastAttemptNotConfirmed {
            pin: PinKind::Signing
        }
    );
    let confirmed = SignOptions {
        last_attempt: LastAttempt::Confirmed,
        ..SignOptions::default()
    };
    block(session.sign(&digest, &password(), confirmed)).unwrap();
    assert_eq!(virtual_card.attempts_left(PinKind::Signing), Some(5));
}

#[test]
fn malformed_pins_send_no_apdu() {
    let mut virtual_card = card(Profile::PhysicalCard);
    for bad in ["123", "12345", "12a4", ""] {
        assert!(AuthPin::new(bad).is_err());
    }
    for bad in ["ABC12", "ABCDEF", "123456", "ABC 123", "A1B2C3D4E5F6G7H8I"] {
        assert!(SigningPassword::new(bad).is_err());
    }
    // The app's path: build the PIN, then tap. A malformed PIN stops before the card.
    for bad in ["123", "12a4"] {
        let mut session = JpkiCard::new(&mut virtual_card);
        let outcome = AuthPin::new(bad)
            .map_err(Error::from)
            .and_then(|pin| block(session.login(b"c", &pin, LastAttempt::Confirmed)));
        assert!(matches!(outcome, Err(Error::PinFormat(_))), "{outcome:?}");
    }
    for bad in ["ABCDEF", "ABC 123"] {
        let mut session = JpkiCard::new(&mut virtual_card);
        let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"d");
        let outcome = SigningPassword::new(bad)
            .map_err(Error::from)
            .and_then(|password| block(session.sign(&digest, &password, SignOptions::default())));
        assert!(matches!(outcome, Err(Error::PinFormat(_))), "{outcome:?}");
    }
    assert_eq!(virtual_card.commands_processed(), 0);
    // Lower case is upper-cased and accepted by the card.
    let lower = SigningPassword::new("abc123").unwrap();
    block(JpkiCard::new(&mut virtual_card).read_signing_certificate(&lower, LastAttempt::Refuse))
        .unwrap();
}

#[test]
fn under_15_card_has_no_signing_certificate() {
    let mut virtual_card = card(Profile::Under15);
    let mut session = JpkiCard::new(&mut virtual_card);
    let status = block(session.status()).unwrap();
    assert!(!status.has_signing_certificate());
    assert!(!status.availability.unwrap().has_signing_certificate());
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"d");
    assert_eq!(
        block(session.sign(&digest, &password(), SignOptions::default())).unwrap_err(),
        Error::NoSigningCertificate
    );
    assert_eq!(
        block(session.read_signing_certificate(&password(), LastAttempt::Refuse)).unwrap_err(),
        Error::NoSigningCertificate
    );
    assert_eq!(
        block(session.change_pin(
            &password(),
            &SigningPassword::new("NEW999").unwrap(),
            LastAttempt::Refuse
        ))
        .unwrap_err(),
        Error::NoSigningCertificate
    );
    // Logging in works as on any card.
    let login = block(session.login(b"child login", &auth_pin(), LastAttempt::Refuse)).unwrap();
    assert!(verify_independently::<sha2::Sha256>(
        login.certificate.der(),
        b"child login",
        &login.signature
    ));
    assert_eq!(pin_verifies(&virtual_card), 1, "only the log-in's VERIFY");
}

#[test]
fn android_token_protects_its_authentication_certificate() {
    let mut virtual_card = card(Profile::AndroidPhoneToken);
    let mut session = JpkiCard::new(&mut virtual_card);
    let status = block(session.status()).unwrap();
    assert_eq!(status.token.token_type, TokenType::AndroidPhone);
    assert!(status.authentication_certificate.is_none());
    assert_eq!(
        block(session.read_certificate(CertificateKind::Authentication)).unwrap_err(),
        Error::PinRequired {
            pin: PinKind::Authentication
        }
    );
    let cert =
        block(session.read_authentication_certificate_with_pin(&auth_pin(), LastAttempt::Refuse))
            .unwrap();
    assert_eq!(cert.purpose, CertificatePurpose::Authentication);
    // CA certificates stay free.
    block(session.read_certificate(CertificateKind::AuthenticationCa)).unwrap();
}

#[test]
fn status_and_certificates_on_the_physical_card() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let mut session = JpkiCard::new(&mut virtual_card);
    let status = block(session.status()).unwrap();
    assert_eq!(status.token.token_type, TokenType::PhysicalCard);
    assert_eq!(status.authentication_pin.attempts_left, Some(3));
    assert_eq!(status.signing_password.unwrap().attempts_left, Some(5));
    let auth = status.authentication_certificate.unwrap();
    assert!(auth.subject.starts_with("C=JP, CN="));
    assert_eq!(auth.key_bits, 2048);
    assert!(auth.test_hierarchy);
    for kind in [
        CertificateKind::AuthenticationCa,
        CertificateKind::SigningCa,
    ] {
        let ca = block(session.read_certificate(kind)).unwrap();
        assert_eq!(ca.purpose, CertificatePurpose::CertificateAuthority);
        assert!(ca.issuer.contains("O=JPKI-TEST"));
    }
    // The signing certificate is never read without the password.
    assert_eq!(
        block(session.read_certificate(CertificateKind::Signing)).unwrap_err(),
        Error::PinRequired {
            pin: PinKind::Signing
        }
    );
    let sign = block(session.read_signing_certificate(&password(), LastAttempt::Refuse)).unwrap();
    assert!(sign.subject.contains("L=Kiyose-shi"));
    assert_eq!(pin_verifies(&virtual_card), 1);
}

#[test]
fn certificate_reads_agree_with_and_without_extended_length() {
    let mut ext = card(Profile::PhysicalCard);
    let mut short = card(Profile::NoExtendedLength);
    for kind in [
        CertificateKind::Authentication,
        CertificateKind::AuthenticationCa,
        CertificateKind::SigningCa,
    ] {
        let a = block(JpkiCard::new(&mut ext).read_certificate(kind)).unwrap();
        let b = block(JpkiCard::new(&mut short).read_certificate(kind)).unwrap();
        assert_eq!(a.der(), b.der());
        assert_eq!(a.der(), ext.certificate_der(kind).unwrap());
    }
}

#[test]
fn pins_can_be_changed() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let mut session = JpkiCard::new(&mut virtual_card);
    let new_pin = AuthPin::new("4321").unwrap();
    block(session.change_pin(&auth_pin(), &new_pin, LastAttempt::Refuse)).unwrap();
    let new_password = SigningPassword::new("NEWPASS42").unwrap();
    block(session.change_pin(&password(), &new_password, LastAttempt::Refuse)).unwrap();
    virtual_card.reset();
    let mut session = JpkiCard::new(&mut virtual_card);
    assert!(matches!(
        block(session.login(b"c", &auth_pin(), LastAttempt::Refuse)),
        Err(Error::WrongPin {
            attempts_left: 2,
            ..
        })
    ));
    block(session.login(b"c", &new_pin, LastAttempt::Refuse)).unwrap();
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"d");
    block(session.sign(&digest, &new_password, SignOptions::default())).unwrap();
    // A wrong current PIN changes nothing.
    let err = block(session.change_pin(
        &AuthPin::new("0000").unwrap(),
        &auth_pin(),
        LastAttempt::Refuse,
    ))
    .unwrap_err();
    assert!(matches!(err, Error::WrongPin { .. }));
    block(session.login(b"c", &new_pin, LastAttempt::Refuse)).unwrap();
}

#[test]
fn not_a_jpki_card() {
    let mut virtual_card = VirtualCard::default();
    let mut other = Tamper::new(
        &mut virtual_card,
        Box::new(|_, command, response| {
            // Pretend the JPKI AID is unknown.
            if command.get(1) == Some(&0xA4) && command.get(2) == Some(&0x04) {
                vec![0x6A, 0x82]
            } else {
                response
            }
        }),
    );
    let err = block(JpkiCard::new(&mut other).status()).unwrap_err();
    assert_eq!(err, Error::NotJpkiCard);
}

/// Runs a log-in through a tamperer that rewrites the response to APDU `k`.
fn login_with(
    profile: Profile,
    k: usize,
    rewrite: impl Fn(Vec<u8>) -> Vec<u8> + Send + 'static,
) -> (Result<kazashi::LoginResult, Error>, VirtualCard) {
    let mut virtual_card = card(profile);
    let result = {
        let mut tamper = Tamper::new(
            &mut virtual_card,
            Box::new(move |i, _, response| if i == k { rewrite(response) } else { response }),
        );
        block(JpkiCard::new(&mut tamper).login(b"challenge", &auth_pin(), LastAttempt::Refuse))
    };
    (result, virtual_card)
}

#[test]
fn malformed_responses_are_typed_errors() {
    // Log-in APDUs: 0 SELECT AP, 1 query, 2 VERIFY, 3 SIGN, 4 READ BINARY (short EF ids).
    let (r, _) = login_with(Profile::PhysicalCard, 0, |_| vec![0x90]);
    assert!(
        matches!(r, Err(Error::MalformedResponse { .. })),
        "missing SW: {r:?}"
    );
    let (r, _) = login_with(Profile::PhysicalCard, 4, |mut resp| {
        resp.truncate(600);
        resp.extend([0x90, 0x00]);
        resp
    });
    assert!(
        matches!(r, Err(Error::MalformedResponse { .. })),
        "truncated certificate: {r:?}"
    );
    let (r, _) = login_with(Profile::PhysicalCard, 4, |mut resp| {
        resp[2] = 0x7F; // length header says ~32 KB
        resp
    });
    assert!(
        matches!(r, Err(Error::MalformedResponse { .. })),
        "wrong length header: {r:?}"
    );
    let (r, _) = login_with(Profile::PhysicalCard, 4, |mut resp| {
        resp[1] = 0x83; // oversize length form
        resp
    });
    assert!(
        matches!(r, Err(Error::MalformedResponse { .. })),
        "oversize length: {r:?}"
    );
    let (r, _) = login_with(Profile::PhysicalCard, 4, |resp| {
        let mut garbage = vec![0x30, 0x10];
        garbage.extend([0xAB; 16]);
        garbage.extend(&resp[resp.len() - 2..]);
        garbage
    });
    assert!(
        matches!(r, Err(Error::Certificate { .. })),
        "non-DER certificate: {r:?}"
    );
    let (r, _) = login_with(Profile::PhysicalCard, 3, |resp| {
        let mut garbage = vec![0x42; resp.len() - 2];
        garbage.extend([0x90, 0x00]);
        garbage
    });
    assert_eq!(
        r.unwrap_err(),
        Error::SignatureMismatch,
        "garbage signature"
    );
    let (r, _) = login_with(Profile::PhysicalCard, 3, |_| vec![0x90, 0x00]);
    assert!(
        matches!(r, Err(Error::MalformedResponse { .. })),
        "empty signature"
    );
    // An odd answer to the short query sends the SELECT form, whose odd answer is final.
    let (r, card) = login_with(Profile::PhysicalCard, 1, |_| vec![0x6F, 0x00]);
    assert_eq!(pin_verifies(&card), 1, "the SELECT form decided: {r:?}");
    let (r, card) = login_with(Profile::NoShortEfIds, 3, |_| vec![0x6F, 0x00]);
    assert!(
        matches!(r, Err(Error::CardStatus { .. })),
        "odd status to the SELECT-form query: {r:?}"
    );
    assert_eq!(pin_verifies(&card), 0);
    // Without extended length, a chunk that comes back short.
    let (r, _) = login_with(Profile::NoExtendedLength, 8, |mut resp| {
        resp.drain(..10);
        resp
    });
    assert!(
        matches!(r, Err(Error::MalformedResponse { .. })),
        "short chunk: {r:?}"
    );
}

#[test]
fn lost_tag_during_verify_is_never_retried() {
    for (fault, delivered) in [
        (Fault::TagLostAfterDelivery, true),
        (Fault::TagLostBeforeDelivery, false),
    ] {
        let mut virtual_card = card(Profile::PhysicalCard);
        let result = {
            // APDU 2 of a log-in is the VERIFY.
            let mut link = FaultyTransport::new(&mut virtual_card, 2, fault);
            block(JpkiCard::new(&mut link).login(
                b"c",
                &AuthPin::new("9999").unwrap(),
                LastAttempt::Refuse,
            ))
        };
        assert_eq!(
            result.unwrap_err(),
            Error::PinCheckInterrupted {
                pin: PinKind::Authentication,
                cause: TransportError::TagLost
            }
        );
        assert_eq!(pin_verifies(&virtual_card), usize::from(delivered));
        // A later tap on a healthy link works and reports the true count.
        let left =
            block(JpkiCard::new(&mut virtual_card).retry_counter(PinKind::Authentication)).unwrap();
        assert_eq!(left.attempts_left, Some(if delivered { 2 } else { 3 }));
    }
}

#[test]
fn lost_tag_elsewhere_is_a_transport_error() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let result = {
        // APDU 3 is the SIGN, after the VERIFY.
        let mut link = FaultyTransport::new(&mut virtual_card, 3, Fault::Timeout);
        block(JpkiCard::new(&mut link).login(b"c", &auth_pin(), LastAttempt::Refuse))
    };
    assert_eq!(
        result.unwrap_err(),
        Error::Transport(TransportError::Timeout)
    );
    assert_eq!(pin_verifies(&virtual_card), 1);
    virtual_card.reset();
    block(JpkiCard::new(&mut virtual_card).login(b"c", &auth_pin(), LastAttempt::Refuse)).unwrap();
}

#[test]
fn invalid_inputs_send_nothing() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let mut session = JpkiCard::new(&mut virtual_card);
    assert!(matches!(
        block(session.login(b"", &auth_pin(), LastAttempt::Refuse)),
        Err(Error::InvalidInput { .. })
    ));
    assert!(DocumentDigest::from_digest(DigestAlgorithm::Sha256, vec![0; 20]).is_err());
    assert_eq!(session.stats().apdus, 0);
}

/// A link that claims extended length in front of a card that refuses it.
struct ClaimsExtended<'a>(&'a mut VirtualCard);

#[async_trait::async_trait]
impl kazashi::Transport for ClaimsExtended<'_> {
    fn capabilities(&self) -> kazashi::LinkCapabilities {
        kazashi::LinkCapabilities::EXTENDED
    }
    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.0.process(command))
    }
}

#[test]
fn extended_length_refused_falls_back_to_short_reads() {
    let mut virtual_card = card(Profile::NoExtendedLength);
    let result = {
        let mut link = ClaimsExtended(&mut virtual_card);
        let mut session = JpkiCard::new(&mut link);
        let login = block(session.login(b"challenge", &auth_pin(), LastAttempt::Refuse)).unwrap();
        // The session remembers: the next read goes straight to short APDUs.
        let again = block(session.read_certificate(CertificateKind::Authentication)).unwrap();
        assert_eq!(again.der(), login.certificate.der());
        login
    };
    assert!(verify_independently::<sha2::Sha256>(
        result.certificate.der(),
        b"challenge",
        &result.signature
    ));
    let refused = virtual_card
        .transcript()
        .iter()
        .filter(|e| e.response == [0x67, 0x00])
        .count();
    assert_eq!(
        refused, 1,
        "one extended read refused, then short reads only"
    );
    assert_eq!(pin_verifies(&virtual_card), 1);
}
