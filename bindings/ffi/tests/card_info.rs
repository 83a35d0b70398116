//! The card-info application through the bindings, on the virtual card: the attributes and
//! the My Number with each secret, the integrity verdicts, the counters routed to the right
//! application, the cross-check with the signing certificate, and redacting `Debug`.

use kazashi_ffi::{
    cross_check_card_info, AttributesUnlock, CardSession, ErrorKind, IntegrityCheck, KazashiError,
    MyNumberUnlock, PinKind, VirtualCard, VirtualCardProfile,
};

fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

#[test]
fn attributes_and_my_number_through_the_bindings() {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let session = CardSession::new(card.clone());
    let attributes = block(session.read_card_info(
        AttributesUnlock::CardInfoPin,
        "1234".into(),
        false,
        Some(card.card_info_issuer_key()),
    ))
    .unwrap();
    assert_eq!(attributes.sex, "2");
    assert_eq!(attributes.birth_date, "19900401");
    assert_eq!(
        attributes.integrity.attributes_digest,
        IntegrityCheck::Passed
    );
    assert_eq!(
        attributes.integrity.my_number_digest,
        IntegrityCheck::NotRead
    );
    assert!(attributes.integrity.issuer_verified);
    assert!(!format!("{attributes:?}").contains(&attributes.name));

    let by_b = block(session.read_card_info(
        AttributesUnlock::VerificationNumberB,
        card.verification_number_b().into(),
        false,
        None,
    ))
    .unwrap();
    assert!(!by_b.integrity.issuer_verified, "no key, not verified");

    let number = block(session.read_my_number(
        MyNumberUnlock::VerificationNumberA,
        card.my_number().into(),
        false,
        None,
    ))
    .unwrap();
    assert_eq!(number.digits(), card.my_number());
    assert!(!format!("{number:?}").contains(&number.digits()));

    // The signing certificate names the same person.
    let signing = block(session.read_signing_certificate("ABC123".into(), false)).unwrap();
    let check = cross_check_card_info(attributes, signing.der).unwrap();
    assert!(check.all_equal, "{check:?}");
}

#[test]
fn counters_are_read_from_the_application_that_owns_them() {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let session = CardSession::new(card.clone());
    let err =
        block(session.read_card_info(AttributesUnlock::CardInfoPin, "9999".into(), false, None))
            .unwrap_err();
    let KazashiError::Failed {
        kind,
        pin,
        attempts_left,
        ..
    } = err;
    assert_eq!(
        (kind, pin, attempts_left),
        (ErrorKind::WrongPin, Some(PinKind::CardInfo), Some(2))
    );
    let card_info = block(session.retry_counter(PinKind::CardInfo)).unwrap();
    assert_eq!(card_info.attempts_left, Some(2));
    let auth = block(session.retry_counter(PinKind::Authentication)).unwrap();
    assert_eq!(auth.attempts_left, Some(3), "the JPKI counter is its own");
    // A malformed verification number costs nothing.
    let before = card.pin_verifications();
    let err = block(session.read_my_number(
        MyNumberUnlock::VerificationNumberA,
        "123456789012".into(),
        false,
        None,
    ))
    .unwrap_err();
    let KazashiError::Failed { kind, .. } = err;
    assert_eq!(kind, ErrorKind::InvalidPinFormat);
    assert_eq!(card.pin_verifications(), before);
}

#[test]
fn a_tampered_card_is_an_integrity_failure() {
    let card = VirtualCard::new(VirtualCardProfile::CardInfoTampered);
    let session = CardSession::new(card);
    let err =
        block(session.read_card_info(AttributesUnlock::CardInfoPin, "1234".into(), false, None))
            .unwrap_err();
    let KazashiError::Failed { kind, .. } = err;
    assert_eq!(kind, ErrorKind::IntegrityCheckFailed);
}

#[test]
fn the_card_info_pin_can_differ_from_the_authentication_pin() {
    let card = VirtualCard::with_options(kazashi_ffi::VirtualCardOptions {
        profile: VirtualCardProfile::PhysicalCard,
        auth_pin: None,
        signing_password: None,
        auth_attempts_left: None,
        signing_attempts_left: None,
        seed: None,
        card_info_pin: Some("5807".into()),
        card_info_attempts_left: Some(2),
    });
    let session = CardSession::new(card.clone());
    assert_eq!(card.attempts_left(PinKind::CardInfo), Some(2));
    block(session.read_card_info(AttributesUnlock::CardInfoPin, "5807".into(), false, None))
        .unwrap();
    assert_eq!(
        card.attempts_left(PinKind::CardInfo),
        Some(3),
        "the right PIN resets it"
    );
    block(session.login(b"c".to_vec(), "1234".into(), false)).unwrap();
}
