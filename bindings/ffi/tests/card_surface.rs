//! The card-surface application through the bindings, on the virtual card: the front with
//! each verification number, the photo's media type and bytes, the signature verdict, the
//! issuer key, this application's own counters, and a `Debug` that shows no personal data.

use kazashi_ffi::{
    CardSession, ErrorKind, KazashiError, PinKind, SurfaceSignatureVerdict, SurfaceUnlock,
    VirtualCard, VirtualCardProfile,
};

const JP2_SIGNATURE: [u8; 12] = [
    0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
];

fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

#[test]
fn the_front_through_the_bindings() {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let session = CardSession::new(card.clone());
    let by_b = block(session.read_card_surface(
        SurfaceUnlock::VerificationNumberB,
        card.verification_number_b().into(),
        false,
        None,
    ))
    .unwrap();
    assert!(by_b.photo.starts_with(&JP2_SIGNATURE));
    assert_eq!(by_b.photo_media_type, "image/jp2");
    assert!(by_b.name_image.starts_with(b"\x89PNG"));
    assert!(by_b.address_image.starts_with(b"\x89PNG"));
    assert!(by_b.security_code_image.starts_with(b"\x89PNG"));
    assert_eq!(by_b.birth_date, "19900401");
    assert_eq!(by_b.sex, "2");
    assert_eq!(by_b.expiry.len(), 8);
    assert_eq!(
        by_b.signature,
        SurfaceSignatureVerdict::VerifiedVirtualCardLayout
    );
    assert!(!by_b.issuer_verified, "no key, not verified");
    assert_eq!(by_b.counts.apdus, 5);

    let shown = format!("{by_b:?}");
    for value in [&by_b.birth_date, &by_b.expiry] {
        assert!(!shown.contains(value.as_str()), "{shown}");
    }
    assert!(!shown.contains("106, 80"), "no photo bytes: {shown}");

    let by_a = block(session.read_card_surface(
        SurfaceUnlock::VerificationNumberA,
        card.my_number().into(),
        false,
        Some(card.card_info_issuer_key()),
    ))
    .unwrap();
    assert_eq!(by_a.photo, by_b.photo);
    assert!(by_a.issuer_verified);
}

#[test]
fn the_counters_are_this_applications_own() {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let session = CardSession::new(card.clone());
    let right = card.verification_number_b();
    let last = if right.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &right[..13]);
    let err = block(session.read_card_surface(
        SurfaceUnlock::VerificationNumberB,
        wrong.into(),
        false,
        None,
    ))
    .unwrap_err();
    let KazashiError::Failed {
        kind,
        pin,
        attempts_left,
        ..
    } = err;
    assert_eq!(
        (kind, pin, attempts_left),
        (
            ErrorKind::WrongPin,
            Some(PinKind::VerificationNumberB),
            Some(9)
        )
    );
    let here = block(session.card_surface_retry_counter(PinKind::VerificationNumberB)).unwrap();
    assert_eq!(here.attempts_left, Some(9));
    // The card-info application's verification number B is another counter.
    let card_info = block(session.retry_counter(PinKind::VerificationNumberB)).unwrap();
    assert_eq!(card_info.attempts_left, Some(10));
    assert_eq!(card.attempts_left(PinKind::VerificationNumberB), Some(10));

    // A malformed number, or a secret of another application: no APDU.
    let before = card.commands_processed();
    let err = block(session.read_card_surface(
        SurfaceUnlock::VerificationNumberA,
        "123456789017".into(),
        false,
        None,
    ))
    .unwrap_err();
    let KazashiError::Failed { kind, .. } = err;
    assert_eq!(kind, ErrorKind::InvalidPinFormat);
    assert!(block(session.card_surface_retry_counter(PinKind::CardInfo)).is_err());
    assert_eq!(card.commands_processed(), before);
}
