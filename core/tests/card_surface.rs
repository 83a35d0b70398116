//! The card-surface application against the virtual card: both unlock paths, the PIN rules
//! for its own verification numbers (counters separate from the card-info application's),
//! the photo, the signature verdict and what it does not claim, and the APDU counts.

mod common;

use common::{block, Tamper};
use kazashi::card::Card;
use kazashi::card_info::{IssuerCheck, VerificationNumberA, VerificationNumberB};
use kazashi::card_surface::{
    image_media_type, CardSurfaceCard, SurfaceKey, SurfaceRead, SurfaceSignature,
};
use kazashi::{Error, ErrorKind, LastAttempt, PinKind};
use kazashi_virtual_card::{Profile, VirtualCard, VirtualCardConfig};

const JP2_SIGNATURE: [u8; 12] = [
    0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
];

fn card(profile: Profile) -> VirtualCard {
    let mut card = VirtualCard::from_profile(profile);
    card.record_transcript(true);
    card
}

fn number_a(card: &VirtualCard) -> VerificationNumberA {
    VerificationNumberA::new(&card.my_number()).unwrap()
}

fn number_b(card: &VirtualCard) -> VerificationNumberB {
    VerificationNumberB::new(&card.verification_number_b()).unwrap()
}

/// A well-formed verification number B that is not the card's (the era birth date kept, the
/// security code changed).
fn wrong_b(card: &VirtualCard) -> VerificationNumberB {
    let right = card.verification_number_b();
    let last = right.as_bytes()[13];
    let changed = if last == b'0' { '1' } else { '0' };
    VerificationNumberB::new(&format!("{}{changed}", &right[..13])).unwrap()
}

/// A well-formed My Number that is not the card's.
fn wrong_a(card: &VirtualCard) -> VerificationNumberA {
    let right = card.my_number();
    ["123456789018", "000000000000"]
        .into_iter()
        .find(|n| *n != right)
        .map(|n| VerificationNumberA::new(n).unwrap())
        .unwrap()
}

/// VERIFYs that carried a secret, of any application.
fn secrets_sent(card: &VirtualCard) -> usize {
    card.transcript()
        .iter()
        .filter(|e| e.is_pin_verify())
        .count()
}

fn read(
    card: &mut VirtualCard,
    key: SurfaceKey<'_>,
    last: LastAttempt,
) -> Result<SurfaceRead, Error> {
    let mut layer = Card::new(card);
    let result = block(CardSurfaceCard::new(&mut layer).read_surface(key, last));
    result
}

fn assert_is_the_cards_front(read: &SurfaceRead, virtual_card: &VirtualCard) {
    let holder = &virtual_card.config().holder;
    let (y, m, d) = holder.birth_date;
    assert_eq!(read.birth_date_raw, format!("{y:04}{m:02}{d:02}"));
    assert_eq!(read.sex, holder.sex);
    let (y, m, d) = virtual_card.card_expiry();
    assert_eq!(read.expiry_raw, format!("{y:04}{m:02}{d:02}"));
    assert_eq!(
        read.birth_date().unwrap().to_string(),
        "1990-04-01 (平成2年)"
    );
    assert_eq!(read.expiry().unwrap().year, y);
    // The photo is the JPEG 2000 file the card holds, JP2 boxes and all.
    assert!(read.photo.starts_with(&JP2_SIGNATURE));
    assert_eq!(read.photo_media_type(), "image/jp2");
    let front = virtual_card.card_surface_file(0x0002).unwrap();
    assert!(front
        .windows(read.photo.len())
        .any(|w| w == read.photo.as_slice()));
    for image in [
        &read.name_image,
        &read.address_image,
        &read.security_code_image,
    ] {
        assert_eq!(image_media_type(image), Some("image/png"));
    }
}

#[test]
fn verification_number_b_opens_the_front_with_the_signature_verified_in_the_virtual_layout() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let number = number_b(&virtual_card);
    let read = read(
        &mut virtual_card,
        SurfaceKey::NumberB(&number),
        LastAttempt::Refuse,
    )
    .unwrap();
    assert_is_the_cards_front(&read, &virtual_card);
    assert_eq!(read.signature, SurfaceSignature::VerifiedVirtualCardLayout);
    assert_eq!(read.issuer, IssuerCheck::NotVerified, "no key configured");
    // SELECT, retry query, VERIFY, READ BINARY of EF 0002 and of EF 0004.
    assert_eq!(read.stats.apdus, 5, "APDUs for the front");
    assert_eq!(secrets_sent(&virtual_card), 1);
    // B's counter here is full again; the card-info application's B is untouched.
    assert_eq!(
        virtual_card.card_surface_attempts_left(PinKind::VerificationNumberB),
        Some(10)
    );
}

#[test]
fn verification_number_a_opens_the_same_front_and_the_issuer_key_verifies_the_certificate() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let number = number_a(&virtual_card);
    let issuer = virtual_card.card_info_issuer_public_key_der();
    let by_a = {
        let mut layer = Card::new(&mut virtual_card);
        let mut session = CardSurfaceCard::new(&mut layer)
            .with_issuer_key(&issuer)
            .unwrap()
            .require_virtual_card_signature();
        block(session.read_surface(SurfaceKey::NumberA(&number), LastAttempt::Refuse)).unwrap()
    };
    assert_is_the_cards_front(&by_a, &virtual_card);
    assert_eq!(by_a.issuer, IssuerCheck::Verified);
    assert_eq!(by_a.signature, SurfaceSignature::VerifiedVirtualCardLayout);
    let b = number_b(&virtual_card);
    let by_b = read(
        &mut virtual_card,
        SurfaceKey::NumberB(&b),
        LastAttempt::Refuse,
    )
    .unwrap();
    assert_eq!(by_a.photo, by_b.photo, "B hides nothing of EF 0002");
    assert_eq!(by_a.security_code_image, by_b.security_code_image);

    // Another issuer's key: the certificate does not verify, a typed error.
    let other = VirtualCard::new(VirtualCardConfig {
        seed: "another issuer".into(),
        ..Profile::PhysicalCard.config()
    })
    .card_info_issuer_public_key_der();
    let mut layer = Card::new(&mut virtual_card);
    let err = block(
        CardSurfaceCard::new(&mut layer)
            .with_issuer_key(&other)
            .unwrap()
            .read_surface(SurfaceKey::NumberA(&number), LastAttempt::Refuse),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::IntegrityCheckFailed { what, .. } if what.contains("EF 0004")),
        "{err:?}"
    );
}

#[test]
fn debug_output_redacts_the_face_data() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let number = number_b(&virtual_card);
    let read = read(
        &mut virtual_card,
        SurfaceKey::NumberB(&number),
        LastAttempt::Refuse,
    )
    .unwrap();
    let shown = format!("{read:?}");
    assert!(!shown.contains(&read.birth_date_raw), "{shown}");
    assert!(!shown.contains(&read.expiry_raw), "{shown}");
    assert!(!shown.contains("106, 80"), "no photo bytes: {shown}");
    assert!(shown.contains("2669 bytes, image/jp2"), "{shown}");
    assert!(!format!("{number:?}").contains(&virtual_card.verification_number_b()));
}

#[test]
fn the_counters_are_the_applications_own_and_lock_after_ten() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let wrong = wrong_b(&virtual_card);
    for left in (1..=9).rev() {
        let err = read(
            &mut virtual_card,
            SurfaceKey::NumberB(&wrong),
            LastAttempt::Refuse,
        )
        .unwrap_err();
        assert_eq!(
            err,
            Error::WrongPin {
                pin: PinKind::VerificationNumberB,
                attempts_left: left
            }
        );
    }
    assert_eq!(
        virtual_card.card_surface_attempts_left(PinKind::VerificationNumberB),
        Some(1)
    );
    // The card-info application's verification number B counts for itself.
    assert_eq!(
        virtual_card.attempts_left(PinKind::VerificationNumberB),
        Some(10)
    );
    assert_eq!(
        virtual_card.card_surface_attempts_left(PinKind::VerificationNumberA),
        Some(10)
    );

    // One left: refused without a VERIFY unless confirmed.
    let sent = secrets_sent(&virtual_card);
    let mut layer = Card::new(&mut virtual_card);
    let mut session = CardSurfaceCard::new(&mut layer);
    let before = session.stats().apdus;
    let err =
        block(session.read_surface(SurfaceKey::NumberB(&wrong), LastAttempt::Refuse)).unwrap_err();
    assert_eq!(
        err,
        Error::LastAttemptNotConfirmed {
            pin: PinKind::VerificationNumberB
        }
    );
    assert_eq!(
        session.stats().apdus - before,
        2,
        "SELECT and the retry query only"
    );
    let err = block(session.read_surface(SurfaceKey::NumberB(&wrong), LastAttempt::Confirmed))
        .unwrap_err();
    assert_eq!(
        err,
        Error::PinBlocked {
            pin: PinKind::VerificationNumberB,
            by_this_attempt: true
        }
    );
    let status = block(session.retry_counter(PinKind::VerificationNumberB)).unwrap();
    assert!(status.is_blocked());
    assert_eq!(secrets_sent(&virtual_card), sent + 1);

    // Blocked: even the right number sends no VERIFY.
    let right = number_b(&virtual_card);
    let err = read(
        &mut virtual_card,
        SurfaceKey::NumberB(&right),
        LastAttempt::Confirmed,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::PinBlocked {
            pin: PinKind::VerificationNumberB,
            by_this_attempt: false
        }
    );
    assert_eq!(
        secrets_sent(&virtual_card),
        sent + 1,
        "no VERIFY when blocked"
    );
    assert_eq!(err.kind(), ErrorKind::PinBlocked);

    // A still opens the front, and the card-info application still takes its own B.
    let a = number_a(&virtual_card);
    read(
        &mut virtual_card,
        SurfaceKey::NumberA(&a),
        LastAttempt::Refuse,
    )
    .unwrap();
    let attributes = {
        let mut layer = Card::new(&mut virtual_card);
        block(
            kazashi::card_info::CardInfoCard::new(&mut layer).read_attributes(
                kazashi::card_info::AttributesKey::NumberB(&right),
                LastAttempt::Refuse,
            ),
        )
    };
    assert!(attributes.is_ok());
}

#[test]
fn a_wrong_number_a_costs_one_attempt_here_and_none_in_the_card_info_application() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let wrong = wrong_a(&virtual_card);
    let err = read(
        &mut virtual_card,
        SurfaceKey::NumberA(&wrong),
        LastAttempt::Refuse,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::WrongPin {
            pin: PinKind::VerificationNumberA,
            attempts_left: 9
        }
    );
    assert_eq!(
        virtual_card.card_surface_attempts_left(PinKind::VerificationNumberA),
        Some(9)
    );
    assert_eq!(
        virtual_card.attempts_left(PinKind::VerificationNumberA),
        Some(10)
    );
    let status = block(
        CardSurfaceCard::new(&mut Card::new(&mut virtual_card))
            .retry_counter(PinKind::VerificationNumberA),
    )
    .unwrap();
    assert_eq!(status.attempts_left, Some(9));
    // The right one resets it.
    let right = number_a(&virtual_card);
    read(
        &mut virtual_card,
        SurfaceKey::NumberA(&right),
        LastAttempt::Refuse,
    )
    .unwrap();
    assert_eq!(
        virtual_card.card_surface_attempts_left(PinKind::VerificationNumberA),
        Some(10)
    );
}

#[test]
fn other_secrets_are_refused_before_any_apdu() {
    let mut virtual_card = card(Profile::PhysicalCard);
    for kind in [PinKind::CardInfo, PinKind::Authentication, PinKind::Signing] {
        let err =
            block(CardSurfaceCard::new(&mut Card::new(&mut virtual_card)).retry_counter(kind))
                .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
    assert_eq!(virtual_card.commands_processed(), 0);
}

#[test]
fn a_card_without_the_application_is_told_apart_and_no_secret_is_sent() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let number = number_b(&virtual_card);
    // A card that answers 6A82 (not found) to the application's SELECT.
    let mut without = Tamper::new(
        &mut virtual_card,
        Box::new(|_, command, response| {
            if command.starts_with(&[0x00, 0xA4, 0x04]) {
                vec![0x6A, 0x82]
            } else {
                response
            }
        }),
    );
    let mut layer = Card::new(&mut without);
    let err = block(
        CardSurfaceCard::new(&mut layer)
            .read_surface(SurfaceKey::NumberB(&number), LastAttempt::Refuse),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::ApplicationNotFound { application } if application.contains("券面事項確認AP")),
        "{err:?}"
    );
    assert_eq!(layer.stats().apdus, 1, "the SELECT only");
}

/// Rewrites the response to the READ BINARY of EF 0002 (by short EF id: `P1 = 82`).
fn alter_front(
    virtual_card: &mut VirtualCard,
    alter: impl Fn(&mut Vec<u8>) + Send + 'static,
) -> Tamper<'_> {
    Tamper::new(
        virtual_card,
        Box::new(move |_, command, mut response| {
            if command.get(1) == Some(&0xB0) && command.get(2) == Some(&0x82) {
                alter(&mut response);
            }
            response
        }),
    )
}

#[test]
fn an_altered_front_is_not_verified_and_refused_when_the_signature_is_required() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let number = number_b(&virtual_card);
    // One byte inside the photo, past its JP2 signature.
    let offset = {
        let front = virtual_card.card_surface_file(0x0002).unwrap();
        front.windows(12).position(|w| w == JP2_SIGNATURE).unwrap() + 40
    };
    let mut altered = alter_front(&mut virtual_card, move |r| r[offset] ^= 0x01);
    let reported = {
        let mut layer = Card::new(&mut altered);
        block(
            CardSurfaceCard::new(&mut layer)
                .read_surface(SurfaceKey::NumberB(&number), LastAttempt::Refuse),
        )
        .unwrap()
    };
    assert_eq!(reported.signature, SurfaceSignature::NotVerified);
    let mut altered = alter_front(&mut virtual_card, move |r| r[offset] ^= 0x01);
    let mut layer = Card::new(&mut altered);
    let err = block(
        CardSurfaceCard::new(&mut layer)
            .require_virtual_card_signature()
            .read_surface(SurfaceKey::NumberB(&number), LastAttempt::Refuse),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::IntegrityCheckFailed { what, .. } if what.contains("EF 0002")),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::IntegrityCheckFailed);
}

#[test]
fn a_photo_that_is_not_jpeg_2000_is_a_malformed_file() {
    let mut virtual_card = card(Profile::PhysicalCard);
    let number = number_b(&virtual_card);
    let offset = {
        let front = virtual_card.card_surface_file(0x0002).unwrap();
        front.windows(12).position(|w| w == JP2_SIGNATURE).unwrap() + 4
    };
    let mut altered = alter_front(&mut virtual_card, move |r| r[offset] = b'X');
    let mut layer = Card::new(&mut altered);
    let err = block(
        CardSurfaceCard::new(&mut layer)
            .read_surface(SurfaceKey::NumberB(&number), LastAttempt::Refuse),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::MalformedResponse { reason, .. } if reason.contains("JPEG 2000")),
        "{err:?}"
    );
}

#[test]
fn short_apdu_links_and_select_only_cards_read_the_same_bytes() {
    let mut reference = card(Profile::PhysicalCard);
    let number = number_a(&reference);
    let expected = read(
        &mut reference,
        SurfaceKey::NumberA(&number),
        LastAttempt::Refuse,
    )
    .unwrap();

    let mut short = card(Profile::NoExtendedLength);
    let by_short = read(
        &mut short,
        SurfaceKey::NumberA(&number),
        LastAttempt::Refuse,
    )
    .unwrap();
    assert_eq!(by_short.photo, expected.photo);
    assert_eq!(by_short.name_image, expected.name_image);
    assert_eq!(by_short.address_image, expected.address_image);
    assert_eq!(by_short.security_code_image, expected.security_code_image);
    assert_eq!(
        by_short.signature,
        SurfaceSignature::VerifiedVirtualCardLayout
    );
    // 256-byte reads: more APDUs, the same data.
    let front_len = short.card_surface_file(0x0002).unwrap().len();
    let certificate_len = short.card_surface_file(0x0004).unwrap().len();
    let reads = front_len.div_ceil(256) + certificate_len.div_ceil(256);
    // SELECT, query, VERIFY, the reads, and one SELECT per file after its first chunk.
    assert_eq!(by_short.stats.apdus as usize, 3 + reads + 2, "short link");
    eprintln!(
        "card-surface front: {} APDUs on a short-APDU link ({front_len} + {certificate_len} bytes)",
        by_short.stats.apdus
    );

    let mut select_only = card(Profile::NoShortEfIds);
    let by_select = read(
        &mut select_only,
        SurfaceKey::NumberA(&number),
        LastAttempt::Refuse,
    )
    .unwrap();
    assert_eq!(by_select.photo, expected.photo);
    assert_eq!(
        by_select.signature,
        SurfaceSignature::VerifiedVirtualCardLayout
    );
}
