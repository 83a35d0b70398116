//! The card-surface application (券面事項確認AP) of the virtual card, driven with raw APDU bytes
//! only: every access rule, the counters of its secrets, the image formats and the signatures.

mod common;

use common::*;
use kazashi::pin::PinKind;
use kazashi_virtual_card::{VirtualCard, VirtualCardConfig};
use rsa::pkcs8::DecodePublicKey;
use rsa::RsaPublicKey;

const BIRTH_DATE: u8 = 0x11;
const NUMBER_B: u8 = 0x12;
const NUMBER_A: u8 = 0x13;

const JP2_SIGNATURE: [u8; 8] = [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20];
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unlock {
    None,
    BirthDate,
    A,
    B,
}

fn unlocked(unlock: Unlock) -> VirtualCard {
    let mut card = VirtualCard::default();
    assert_eq!(sw(&send(&mut card, SELECT_CARD_SURFACE)), 0x9000);
    let (fid, value) = match unlock {
        Unlock::None => return card,
        Unlock::BirthDate => (BIRTH_DATE, card.era_birth_date()),
        Unlock::A => (NUMBER_A, card.my_number()),
        Unlock::B => (NUMBER_B, card.verification_number_b()),
    };
    assert_eq!(verify(&mut card, fid, &value), 0x9000, "{unlock:?}");
    card
}

/// §2.1: EF 0001 by the birth date; EF 0002 by A or B; EF 0003 and 0004 free; EF 0005 (the
/// back, the My Number image) by A only.
fn opens(fid: u16, unlock: Unlock) -> bool {
    match fid {
        0x0001 => unlock == Unlock::BirthDate,
        0x0002 => matches!(unlock, Unlock::A | Unlock::B),
        0x0003 | 0x0004 => true,
        0x0005 => unlock == Unlock::A,
        _ => unreachable!(),
    }
}

#[test]
fn every_ef_under_every_unlock() {
    for unlock in [Unlock::None, Unlock::BirthDate, Unlock::A, Unlock::B] {
        let mut card = unlocked(unlock);
        for fid in 1..=5u16 {
            let expected = card.card_surface_file(fid).unwrap();
            for read in [
                read_by_select(&mut card, fid),
                read_by_sfi(&mut card, fid as u8),
            ] {
                if opens(fid, unlock) {
                    assert_eq!(read, Ok(expected.clone()), "EF {fid:04X} with {unlock:?}");
                } else {
                    assert_eq!(read, Err(0x6982), "EF {fid:04X} with {unlock:?}");
                }
            }
        }
        assert_eq!(read_by_select(&mut card, 0x0006), Err(0x6A82));
        assert_eq!(read_by_select(&mut card, 0x0014), Err(0x6A82));
        for secret in [0x0011, 0x0012, 0x0013] {
            assert_eq!(read_by_select(&mut card, secret), Err(0x6981));
        }
    }
}

#[test]
fn its_counters_are_its_own() {
    let mut card = unlocked(Unlock::None);
    assert_eq!(query(&mut card, NUMBER_A), 0x63CA);
    assert_eq!(query(&mut card, NUMBER_B), 0x63CA);
    assert_eq!(query(&mut card, BIRTH_DATE), 0x63CA);
    assert_eq!(verify(&mut card, NUMBER_A, "000000000000"), 0x63C9);
    assert_eq!(verify(&mut card, BIRTH_DATE, "000000"), 0x63C9);
    assert_eq!(
        card.card_surface_attempts_left(PinKind::VerificationNumberA),
        Some(9)
    );
    assert_eq!(
        card.card_surface_attempts_left(PinKind::VerificationNumberB),
        Some(10)
    );
    // The card-info application's 照合番号A is another key reference.
    assert_eq!(card.attempts_left(PinKind::VerificationNumberA), Some(10));
    send(&mut card, SELECT_CARD_INFO);
    assert_eq!(query(&mut card, 0x14), 0x63CA);
    // Lockout: the tenth failure answers 63C0, then 6984.
    send(&mut card, SELECT_CARD_SURFACE);
    for left in (0..9).rev() {
        assert_eq!(verify(&mut card, NUMBER_A, "000000000000"), 0x63C0 | left);
    }
    let a = card.my_number();
    assert_eq!(verify(&mut card, NUMBER_A, &a), 0x6984);
    assert_eq!(query(&mut card, NUMBER_A), 0x63C0);
    let b = card.verification_number_b();
    assert_eq!(verify(&mut card, NUMBER_B, &b), 0x9000);
}

#[test]
fn the_front_holds_real_images_and_the_holders_data() {
    let mut card = unlocked(Unlock::B);
    let file = read_by_sfi(&mut card, 0x02).unwrap();
    let outer = read_tlv(&file, 0);
    assert_eq!(outer.tag, [0xFF, 0x20]);
    assert_eq!(outer.end, file.len());
    let value_start = outer.end - outer.value.len();
    let fields = children(outer.value);
    let tags: Vec<u8> = fields.iter().map(|(_, t)| t.tag[1]).collect();
    assert!(fields.iter().all(|(_, t)| t.tag[0] == 0xDF));
    assert_eq!(tags, (0x21..=0x2A).collect::<Vec<u8>>());
    // DF21: where each of DF22..DF2A starts.
    let table = fields[0].1.value;
    for (i, (at, _)) in fields[1..].iter().enumerate() {
        let offset = usize::from(u16::from_be_bytes([table[2 * i], table[2 * i + 1]]));
        assert_eq!(offset, value_start + at);
    }
    let value = |tag: u8| {
        fields
            .iter()
            .find(|(_, t)| t.tag[1] == tag)
            .unwrap()
            .1
            .value
    };
    assert_eq!(value(0x22), b"19900401");
    assert_eq!(value(0x23), card.config().holder.sex.as_bytes());
    assert_eq!(value(0x29), b"20350401");
    let photo = value(0x27);
    assert_eq!(photo[..8], JP2_SIGNATURE);
    assert!(
        photo.len() > 1000 && photo.len() < 10_000,
        "{}",
        photo.len()
    );
    for png in [0x25, 0x26, 0x2A] {
        assert_eq!(value(png)[..8], PNG_SIGNATURE, "DF{png:02X}");
    }
    let back = card.card_surface_file(0x0005).unwrap();
    assert_eq!(back[..8], PNG_SIGNATURE);

    // DF28: by the EF 0004 key (also DF24) over DF22..DF27 and DF29 as stored.
    let certificate = cv_certificate(&card.card_surface_file(0x0004).unwrap());
    let key = rsa_key(value(0x24));
    assert_eq!(key, certificate.key);
    let signed: Vec<u8> = fields
        .iter()
        .filter(|(_, t)| matches!(t.tag[1], 0x22..=0x27 | 0x29))
        .flat_map(|(at, t)| outer.value[*at..t.end].to_vec())
        .collect();
    assert!(verifies(&key, &signed, value(0x28)));
    assert!(!verifies(&key, &signed[1..], value(0x28)));
    let issuer =
        RsaPublicKey::from_public_key_der(&card.card_info_issuer_public_key_der()).unwrap();
    assert!(verifies(
        &issuer,
        &certificate.body_tlv,
        &certificate.signature
    ));
    let info = card.card_surface_file(0x0003).unwrap();
    let info = read_tlv(&info, 0);
    assert_eq!(
        child(info.value, &[0xDF, 0x42]),
        certificate.holder_reference.as_slice()
    );
}

#[test]
fn the_birth_date_record() {
    let mut card = unlocked(Unlock::BirthDate);
    assert_eq!(card.era_birth_date(), "020401");
    let record = read_by_sfi(&mut card, 0x01).unwrap();
    let outer = read_tlv(&record, 0);
    assert_eq!(outer.tag, [0xFF, 0x10]);
    assert_eq!(child(outer.value, &[0xDF, 0x11]), b"19900401");
}

#[test]
fn the_photo_asset_is_jpeg_2000() {
    let card = VirtualCard::new(VirtualCardConfig::default());
    let front = card.card_surface_file(0x0002).unwrap();
    let photo = include_bytes!("../assets/photo.jp2");
    assert!(front.windows(photo.len()).any(|w| w == photo));
    // JP2 signature box, then the file-type box naming jp2.
    assert_eq!(photo[..8], JP2_SIGNATURE);
    assert_eq!(&photo[16..24], b"ftypjp2 ");
    // The codestream inside starts with SOC, SIZ.
    assert!(photo.windows(4).any(|w| w == [0xFF, 0x4F, 0xFF, 0x51]));
}
