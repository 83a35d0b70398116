//! The card-info application against the virtual card: every unlock path, the PIN rules for
//! its own secrets (counters independent of JPKI's), the integrity chain (a tampered file of
//! each kind fails with a typed error), the cross-check with the signing certificate, and the
//! APDU count.

mod common;

use common::block;
use kazashi::card::Card;
use kazashi::card_info::{
    cross_check, AttributesKey, CardInfoCard, CardInfoPin, Check, IssuerCheck, MyNumberKey,
    VerificationNumberA, VerificationNumberB,
};
use kazashi::{AuthPin, Error, JpkiCard, LastAttempt, PinKind, SigningPassword};
use kazashi_virtual_card::{Profile, VirtualCard, VirtualCardConfig};

fn card(profile: Profile) -> VirtualCard {
    let mut card = VirtualCard::from_profile(profile);
    card.record_transcript(true);
    card
}

fn pin(digits: &str) -> CardInfoPin {
    CardInfoPin::new(digits).unwrap()
}

/// VERIFYs that carried a secret, of any application.
fn secrets_sent(card: &VirtualCard) -> usize {
    card.transcript()
        .iter()
        .filter(|e| e.is_pin_verify())
        .count()
}

#[test]
fn the_pin_opens_the_attributes_checked_and_equal_to_the_signing_certificate() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let issuer = virtual_card.card_info_issuer_public_key_der();
    let read = {
        let mut layer = Card::new(&mut virtual_card);
        let mut session = CardInfoCard::new(&mut layer)
            .with_issuer_key(&issuer)
            .unwrap();
        block(session.read_attributes(AttributesKey::Pin(&pin("1234")), LastAttempt::Refuse))
            .unwrap()
    };
    let holder = &virtual_card.config().holder;
    assert_eq!(read.attributes.name, holder.name);
    assert_eq!(read.attributes.address, holder.address);
    assert_eq!(read.attributes.sex, holder.sex);
    let (y, m, d) = holder.birth_date;
    assert_eq!(read.attributes.birth_date, format!("{y:04}{m:02}{d:02}"));
    assert_eq!(read.integrity.attributes_digest, Check::Passed);
    assert_eq!(read.integrity.my_number_digest, Check::NotRead);
    assert_eq!(read.integrity.record_signature, Check::Passed);
    assert_eq!(read.integrity.issuer, IssuerCheck::Verified);
    // SELECT, retry query, VERIFY, READ 0002, 0003, 0004.
    assert_eq!(read.stats.apdus, 6, "APDUs for the attributes");

    // The same person as the signing certificate says.
    let signing = {
        let mut jpki = JpkiCard::new(&mut virtual_card);
        let password = SigningPassword::new("ABC123").unwrap();
        block(jpki.read_signing_certificate(&password, LastAttempt::Refuse)).unwrap()
    };
    let personal = signing.personal.as_ref().expect("personal attributes");
    assert!(cross_check(&read.attributes, personal).all_equal());
    let mut moved = personal.clone();
    moved.address = Some("大阪府大阪市北区中之島一丁目３番２０号".into());
    let result = cross_check(&read.attributes, &moved);
    assert!(!result.all_equal());
    assert_eq!(result.address, kazashi::card_info::FieldMatch::Different);
    assert_eq!(result.name, kazashi::card_info::FieldMatch::Equal);
}

#[test]
fn without_an_issuer_key_the_certificate_is_not_verified_and_says_so() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let mut layer = Card::new(&mut virtual_card);
    let mut session = CardInfoCard::new(&mut layer);
    let read =
        block(session.read_attributes(AttributesKey::Pin(&pin("1234")), LastAttempt::Refuse))
            .unwrap();
    assert_eq!(read.integrity.issuer, IssuerCheck::NotVerified);
}

#[test]
fn verification_number_b_opens_the_attributes_and_a_the_my_number() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let number_b = VerificationNumberB::new(&virtual_card.verification_number_b()).unwrap();
    let number_a = VerificationNumberA::new(&virtual_card.my_number()).unwrap();
    let expected = virtual_card.my_number();
    let mut layer = Card::new(&mut virtual_card);
    let mut session = CardInfoCard::new(&mut layer);
    let attributes =
        block(session.read_attributes(AttributesKey::NumberB(&number_b), LastAttempt::Refuse))
            .unwrap();
    assert_eq!(attributes.integrity.attributes_digest, Check::Passed);
    let by_a = block(session.read_my_number(MyNumberKey::NumberA(&number_a), LastAttempt::Refuse))
        .unwrap();
    assert_eq!(by_a.my_number.digits(), expected);
    assert_eq!(by_a.integrity.my_number_digest, Check::Passed);
    assert_eq!(by_a.integrity.attributes_digest, Check::NotRead);
    let by_pin =
        block(session.read_my_number(MyNumberKey::Pin(&pin("1234")), LastAttempt::Refuse)).unwrap();
    assert_eq!(by_pin.my_number.digits(), expected);
    assert!(
        !format!("{by_pin:?}").contains(&expected),
        "Debug hides the number"
    );
}

#[test]
fn the_card_info_pin_has_its_own_counter_and_locks_after_three() {
    let mut virtual_card = card(Profile::PhysicalCard);
    {
        let mut layer = Card::new(&mut virtual_card);
        let mut session = CardInfoCard::new(&mut layer);
        for left in [2, 1] {
            let err = block(
                session.read_attributes(AttributesKey::Pin(&pin("9999")), LastAttempt::Refuse),
            )
            .unwrap_err();
            assert_eq!(
                err,
                Error::WrongPin {
                    pin: PinKind::CardInfo,
                    attempts_left: left
                }
            );
        }
        // One left: refused without a VERIFY unless confirmed.
        let before = session.stats().apdus;
        let err =
            block(session.read_attributes(AttributesKey::Pin(&pin("9999")), LastAttempt::Refuse))
                .unwrap_err();
        assert_eq!(
            err,
            Error::LastAttemptNotConfirmed {
                pin: PinKind::CardInfo
            }
        );
        assert_eq!(
            session.stats().apdus - before,
            2,
            "SELECT and the retry query only"
        );
        let err = block(
            session.read_attributes(AttributesKey::Pin(&pin("9999")), LastAttempt::Confirmed),
        )
        .unwrap_err();
        assert_eq!(
            err,
            Error::PinBlocked {
                pin: PinKind::CardInfo,
                by_this_attempt: true
            }
        );
        let err = block(
            session.read_attributes(AttributesKey::Pin(&pin("1234")), LastAttempt::Confirmed),
        )
        .unwrap_err();
        assert_eq!(
            err,
            Error::PinBlocked {
                pin: PinKind::CardInfo,
                by_this_attempt: false
            }
        );
        assert!(
            err.action().contains("municipal office"),
            "{}",
            err.action()
        );
    }
    assert_eq!(
        secrets_sent(&virtual_card),
        3,
        "three entries, three VERIFYs"
    );
    assert_eq!(virtual_card.attempts_left(PinKind::CardInfo), Some(0));
    // The authentication PIN, often the same digits, is untouched.
    assert_eq!(virtual_card.attempts_left(PinKind::Authentication), Some(3));
    block(JpkiCard::new(&mut virtual_card).login(
        b"c",
        &AuthPin::new("1234").unwrap(),
        LastAttempt::Refuse,
    ))
    .unwrap();
    // And verification number B still opens the attributes.
    let number_b = VerificationNumberB::new(&virtual_card.verification_number_b()).unwrap();
    block(
        CardInfoCard::new(&mut Card::new(&mut virtual_card))
            .read_attributes(AttributesKey::NumberB(&number_b), LastAttempt::Refuse),
    )
    .unwrap();
}

#[test]
fn a_wrong_authentication_pin_leaves_the_card_info_counter_alone() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let _ = block(JpkiCard::new(&mut virtual_card).login(
        b"c",
        &AuthPin::new("9999").unwrap(),
        LastAttempt::Refuse,
    ));
    assert_eq!(virtual_card.attempts_left(PinKind::Authentication), Some(2));
    let status = block(
        CardInfoCard::new(&mut Card::new(&mut virtual_card)).retry_counter(PinKind::CardInfo),
    )
    .unwrap();
    assert_eq!(status.attempts_left, Some(3));
}

#[test]
fn blocked_and_last_attempt_profiles_send_no_verify() {
    let mut blocked = card(Profile::CardInfoPinBlocked);
    let err = block(
        CardInfoCard::new(&mut Card::new(&mut blocked))
            .read_my_number(MyNumberKey::Pin(&pin("1234")), LastAttempt::Confirmed),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::PinBlocked {
            pin: PinKind::CardInfo,
            by_this_attempt: false
        }
    ));
    assert_eq!(secrets_sent(&blocked), 0);

    let mut last = card(Profile::CardInfoLastAttempt);
    let err = block(
        CardInfoCard::new(&mut Card::new(&mut last))
            .read_my_number(MyNumberKey::Pin(&pin("1234")), LastAttempt::Refuse),
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::LastAttemptNotConfirmed {
            pin: PinKind::CardInfo
        }
    );
    assert_eq!(secrets_sent(&last), 0);
    // Confirmed, the right PIN resets the counter.
    block(
        CardInfoCard::new(&mut Card::new(&mut last))
            .read_my_number(MyNumberKey::Pin(&pin("1234")), LastAttempt::Confirmed),
    )
    .unwrap();
    assert_eq!(last.attempts_left(PinKind::CardInfo), Some(3));
}

#[test]
fn malformed_secrets_and_jpki_kinds_send_nothing() {
    assert!(CardInfoPin::new("12345").is_err());
    assert!(
        VerificationNumberA::new("000000000001").is_err(),
        "check digit"
    );
    assert!(
        VerificationNumberB::new("99999999999999").is_err(),
        "month 99"
    );
    let mut virtual_card = card(Profile::PhysicalCard);
    let err = block(
        CardInfoCard::new(&mut Card::new(&mut virtual_card)).retry_counter(PinKind::Authentication),
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
    assert_eq!(virtual_card.commands_processed(), 0);
}

#[test]
fn a_tampered_file_of_each_kind_fails_the_integrity_check() {
    for (ef, what) in [
        (0x0001u16, "My Number"),
        (0x0002, "four attributes"),
        (0x0003, "integrity record"),
        (0x0004, "integrity record"),
    ] {
        let config = VirtualCardConfig {
            tamper_card_info_ef: Some(ef),
            ..Profile::PhysicalCard.config()
        };
        let mut virtual_card = VirtualCard::new(config);
        let mut layer = Card::new(&mut virtual_card);
        let mut session = CardInfoCard::new(&mut layer);
        let err = if ef == 0x0001 {
            block(session.read_my_number(MyNumberKey::Pin(&pin("1234")), LastAttempt::Refuse))
                .unwrap_err()
        } else {
            block(session.read_attributes(AttributesKey::Pin(&pin("1234")), LastAttempt::Refuse))
                .unwrap_err()
        };
        match &err {
            Error::IntegrityCheckFailed { what: found, .. } => {
                assert!(found.contains(what), "EF {ef:04X}: blamed {found}")
            }
            other => panic!("EF {ef:04X}: {other:?}"),
        }
        assert_eq!(err.kind(), kazashi::ErrorKind::IntegrityCheckFailed);
    }
    // The ready-made profile: EF 0002 altered.
    let mut tampered = card(Profile::CardInfoTampered);
    let err = block(
        CardInfoCard::new(&mut Card::new(&mut tampered))
            .read_attributes(AttributesKey::Pin(&pin("1234")), LastAttempt::Refuse),
    )
    .unwrap_err();
    assert!(matches!(err, Error::IntegrityCheckFailed { .. }), "{err:?}");
}

#[test]
fn a_wrong_issuer_key_is_a_broken_chain() {
    let mut virtual_card = card(Profile::PhysicalCard);
    // Another card's issuer: a different seed.
    let other = VirtualCard::new(VirtualCardConfig {
        seed: "another issuer".into(),
        ..Profile::PhysicalCard.config()
    })
    .card_info_issuer_public_key_der();
    let mut layer = Card::new(&mut virtual_card);
    let mut session = CardInfoCard::new(&mut layer)
        .with_issuer_key(&other)
        .unwrap();
    let err = block(session.read_attributes(AttributesKey::Pin(&pin("1234")), LastAttempt::Refuse))
        .unwrap_err();
    assert!(
        matches!(err, Error::IntegrityCheckFailed { what, .. } if what.contains("certificate")),
        "{err:?}"
    );
    assert!(CardInfoCard::new(&mut Card::new(&mut virtual_card))
        .with_issuer_key(b"not a key")
        .is_err());
}

#[test]
fn short_apdu_links_read_the_same_data() {
    let mut virtual_card = card(Profile::NoExtendedLength);
    let mut layer = Card::new(&mut virtual_card);
    let mut session = CardInfoCard::new(&mut layer);
    let read =
        block(session.read_attributes(AttributesKey::Pin(&pin("1234")), LastAttempt::Refuse))
            .unwrap();
    assert_eq!(read.integrity.record_signature, Check::Passed);
    let mut select_only = card(Profile::NoShortEfIds);
    let mut layer = Card::new(&mut select_only);
    let mut session = CardInfoCard::new(&mut layer);
    let read =
        block(session.read_attributes(AttributesKey::Pin(&pin("1234")), LastAttempt::Refuse))
            .unwrap();
    assert_eq!(read.integrity.attributes_digest, Check::Passed);
}

#[test]
fn the_cross_check_finds_a_card_whose_text_differs_from_its_certificate() {
    // The card-info text was updated after a move; the signing certificate names the old
    // address. The card's integrity record covers what it holds, so the read succeeds.
    let base = Profile::PhysicalCard.config();
    let moved = kazashi_virtual_card::Holder {
        address: "大阪府大阪市北区中之島一丁目３番２０号".into(),
        ..base.holder.clone()
    };
    let mut virtual_card = VirtualCard::new(VirtualCardConfig {
        card_info_holder: Some(moved),
        ..base
    });
    let read = {
        let mut layer = Card::new(&mut virtual_card);
        block(
            CardInfoCard::new(&mut layer)
                .read_attributes(AttributesKey::Pin(&pin("1234")), LastAttempt::Refuse),
        )
        .unwrap()
    };
    assert_eq!(read.integrity.attributes_digest, Check::Passed);
    let signing = block(JpkiCard::new(&mut virtual_card).read_signing_certificate(
        &SigningPassword::new("ABC123").unwrap(),
        LastAttempt::Refuse,
    ))
    .unwrap();
    let result = cross_check(&read.attributes, signing.personal.as_ref().unwrap());
    assert_eq!(result.address, kazashi::card_info::FieldMatch::Different);
    assert_eq!(result.name, kazashi::card_info::FieldMatch::Equal);
    assert_eq!(result.birth_date, kazashi::card_info::FieldMatch::Equal);
    assert_eq!(result.sex, kazashi::card_info::FieldMatch::Equal);
    assert!(!result.all_equal());
}
