//! The card-info application (券面事項入力補助AP) of the virtual card, driven with raw APDU bytes
//! only: every access rule, the secrets and their counters, the integrity chain checked with
//! the `rsa` and `sha2` crates, the tamper profile, and the transcripts.

mod common;

use common::*;
use kazashi::pin::PinKind;
use kazashi_virtual_card::{Profile, VirtualCard, VirtualCardConfig};
use rsa::pkcs8::DecodePublicKey;
use rsa::RsaPublicKey;
use sha2::{Digest, Sha256};

const PIN: u8 = 0x11;
const BLOCKED: u8 = 0x12;
const NUMBER_A: u8 = 0x14;
const NUMBER_B: u8 = 0x15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unlock {
    None,
    Pin,
    A,
    B,
}

fn unlocked(config: VirtualCardConfig, unlock: Unlock) -> VirtualCard {
    let mut card = VirtualCard::new(config);
    assert_eq!(sw(&send(&mut card, SELECT_CARD_INFO)), 0x9000);
    let (fid, value) = match unlock {
        Unlock::None => return card,
        Unlock::Pin => (PIN, "1234".to_string()),
        Unlock::A => (NUMBER_A, card.my_number()),
        Unlock::B => (NUMBER_B, card.verification_number_b()),
    };
    assert_eq!(verify(&mut card, fid, &value), 0x9000, "{unlock:?}");
    card
}

/// §2.1's table: which unlock opens which EF.
fn opens(fid: u16, unlock: Unlock) -> bool {
    match (fid, unlock) {
        (0x0004 | 0x0005, _) => true,
        (_, Unlock::None) => false,
        (0x0001, u) => matches!(u, Unlock::Pin | Unlock::A),
        (0x0002, u) => matches!(u, Unlock::Pin | Unlock::B),
        (0x0003 | 0x0006 | 0x0007, _) => true,
        _ => unreachable!(),
    }
}

#[test]
fn every_ef_under_every_unlock() {
    for unlock in [Unlock::None, Unlock::Pin, Unlock::A, Unlock::B] {
        let mut card = unlocked(VirtualCardConfig::default(), unlock);
        for fid in 1..=7u16 {
            let expected = card.card_info_file(fid).unwrap();
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
        // No such EF.
        assert_eq!(read_by_select(&mut card, 0x0008), Err(0x6A82));
        assert_eq!(read_by_sfi(&mut card, 0x08), Err(0x6A82));
        assert_eq!(read_by_select(&mut card, 0x000A), Err(0x6A82));
    }
}

#[test]
fn secret_efs_can_be_selected_not_read() {
    let mut card = unlocked(VirtualCardConfig::default(), Unlock::Pin);
    for fid in [0x0011, 0x0012, 0x0014, 0x0015] {
        assert_eq!(read_by_select(&mut card, fid), Err(0x6981), "{fid:04X}");
    }
    // The JPKI files are not in this application.
    assert_eq!(read_by_select(&mut card, 0x0018), Err(0x6A82));
    assert_eq!(query(&mut card, 0x18), 0x6A88);
}

#[test]
fn retry_queries_by_short_ef_id_and_by_select() {
    let mut card = unlocked(VirtualCardConfig::default(), Unlock::None);
    assert_eq!(query(&mut card, PIN), 0x63C3);
    assert_eq!(query(&mut card, NUMBER_A), 0x63CA);
    assert_eq!(query(&mut card, NUMBER_B), 0x63CA);
    assert_eq!(query(&mut card, BLOCKED), 0x63C0);
    send(&mut card, "00 A4 02 0C 02 00 11");
    assert_eq!(sw(&send(&mut card, "00 20 00 80")), 0x63C3);
    assert_eq!(sw(&send(&mut card, "00 20 00 80 04 31 32 33 34")), 0x9000);
    // A stray Le is a wrong length, as in the JPKI application.
    assert_eq!(sw(&send(&mut card, "00 20 00 91 00")), 0x6700);
    assert_eq!(card.attempts_left(PinKind::CardInfo), Some(3));
    assert_eq!(card.attempts_left(PinKind::VerificationNumberA), Some(10));
    assert_eq!(card.attempts_left(PinKind::VerificationNumberB), Some(10));
}

#[test]
fn ef_0012_is_blocked() {
    let mut card = unlocked(VirtualCardConfig::default(), Unlock::None);
    assert_eq!(query(&mut card, BLOCKED), 0x63C0);
    assert_eq!(verify(&mut card, BLOCKED, "1234"), 0x6984);
    assert_eq!(query(&mut card, BLOCKED), 0x63C0);
}

#[test]
fn card_info_pin_locks_after_three_and_the_auth_pin_still_works() {
    let mut card = unlocked(VirtualCardConfig::default(), Unlock::None);
    assert_eq!(verify(&mut card, PIN, "0000"), 0x63C2);
    assert_eq!(verify(&mut card, PIN, "0000"), 0x63C1);
    assert_eq!(verify(&mut card, PIN, "0000"), 0x63C0);
    assert_eq!(verify(&mut card, PIN, "1234"), 0x6984);
    assert_eq!(query(&mut card, PIN), 0x63C0);
    assert_eq!(card.attempts_left(PinKind::CardInfo), Some(0));
    assert_eq!(card.attempts_left(PinKind::Authentication), Some(3));
    // The verification numbers still open their files.
    let a = card.my_number();
    assert_eq!(verify(&mut card, NUMBER_A, &a), 0x9000);
    assert!(read_by_sfi(&mut card, 0x01).is_ok());
    // The authentication PIN, same digits, is untouched.
    send(&mut card, SELECT_JPKI);
    assert_eq!(query(&mut card, 0x18), 0x63C3);
    assert_eq!(verify(&mut card, 0x18, "1234"), 0x9000);
}

#[test]
fn a_locked_auth_pin_leaves_the_card_info_pin_alone() {
    let mut card = VirtualCard::default();
    send(&mut card, SELECT_JPKI);
    for left in [0x63C2, 0x63C1, 0x63C0] {
        assert_eq!(verify(&mut card, 0x18, "9999"), left);
    }
    assert_eq!(verify(&mut card, 0x18, "1234"), 0x6984);
    send(&mut card, SELECT_CARD_INFO);
    assert_eq!(query(&mut card, PIN), 0x63C3);
    assert_eq!(verify(&mut card, PIN, "1234"), 0x9000);
    assert_eq!(card.attempts_left(PinKind::Authentication), Some(0));
    assert_eq!(card.attempts_left(PinKind::CardInfo), Some(3));
}

#[test]
fn a_correct_pin_resets_the_counter_and_wrong_numbers_count() {
    let mut card = unlocked(VirtualCardConfig::default(), Unlock::None);
    assert_eq!(verify(&mut card, PIN, "9999"), 0x63C2);
    assert_eq!(verify(&mut card, PIN, "1234"), 0x9000);
    assert_eq!(query(&mut card, PIN), 0x63C3);
    assert_eq!(verify(&mut card, NUMBER_A, "000000000000"), 0x63C9);
    assert_eq!(verify(&mut card, NUMBER_B, "00000000000000"), 0x63C9);
    assert_eq!(card.attempts_left(PinKind::VerificationNumberA), Some(9));
    // A failed VERIFY ends that secret's verified state only.
    assert!(card.is_verified(PinKind::CardInfo));
    assert!(!card.is_verified(PinKind::VerificationNumberA));
}

#[test]
fn the_card_info_pin_is_configurable_and_changeable() {
    let config = VirtualCardConfig {
        card_info_pin: Some("4321".into()),
        ..VirtualCardConfig::default()
    };
    let mut card = unlocked(config, Unlock::None);
    assert_eq!(verify(&mut card, PIN, "1234"), 0x63C2);
    assert_eq!(verify(&mut card, PIN, "4321"), 0x9000);
    assert_eq!(sw(&send(&mut card, "00 24 01 91 04 35 36 37 38")), 0x9000);
    assert_eq!(sw(&send(&mut card, "00 24 01 91 03 35 36 37")), 0x6A80);
    assert_eq!(verify(&mut card, PIN, "4321"), 0x63C2);
    assert_eq!(verify(&mut card, PIN, "5678"), 0x9000);
    // The verification numbers are printed on the card: not changeable.
    let a = card.my_number();
    assert_eq!(verify(&mut card, NUMBER_A, &a), 0x9000);
    assert_eq!(sw(&send(&mut card, "00 24 01 94 04 31 32 33 34")), 0x6985);
    // The auth PIN kept its digits.
    send(&mut card, SELECT_JPKI);
    assert_eq!(verify(&mut card, 0x18, "1234"), 0x9000);
}

#[test]
fn an_application_select_ends_the_verified_state_unless_lenient() {
    let mut strict = unlocked(VirtualCardConfig::default(), Unlock::Pin);
    send(&mut strict, SELECT_JPKI);
    send(&mut strict, SELECT_CARD_INFO);
    assert_eq!(read_by_sfi(&mut strict, 0x02), Err(0x6982));
    let mut lenient = unlocked(Profile::Lenient.config(), Unlock::Pin);
    send(&mut lenient, SELECT_JPKI);
    send(&mut lenient, SELECT_CARD_INFO);
    assert!(read_by_sfi(&mut lenient, 0x02).is_ok());
    // Reset ends it everywhere.
    lenient.reset();
    send(&mut lenient, SELECT_CARD_INFO);
    assert_eq!(read_by_sfi(&mut lenient, 0x02), Err(0x6982));
}

#[test]
fn profiles_for_the_card_info_pin() {
    let mut blocked = VirtualCard::from_profile(Profile::CardInfoPinBlocked);
    send(&mut blocked, SELECT_CARD_INFO);
    assert_eq!(query(&mut blocked, PIN), 0x63C0);
    assert_eq!(verify(&mut blocked, PIN, "1234"), 0x6984);
    let b = blocked.verification_number_b();
    assert_eq!(verify(&mut blocked, NUMBER_B, &b), 0x9000);
    assert!(read_by_sfi(&mut blocked, 0x02).is_ok());

    let mut last = VirtualCard::from_profile(Profile::CardInfoLastAttempt);
    send(&mut last, SELECT_CARD_INFO);
    assert_eq!(query(&mut last, PIN), 0x63C1);
    assert_eq!(verify(&mut last, PIN, "1234"), 0x9000);
    assert_eq!(query(&mut last, PIN), 0x63C3);
    for profile in [
        Profile::CardInfoPinBlocked,
        Profile::CardInfoLastAttempt,
        Profile::CardInfoTampered,
    ] {
        assert_eq!(profile.name().parse::<Profile>().unwrap(), profile);
        assert!(Profile::ALL.contains(&profile));
        // The JPKI side is the physical card's.
        assert_eq!(
            VirtualCard::from_profile(profile).attempts_left(PinKind::Authentication),
            Some(3)
        );
    }
}

#[test]
fn my_number_file_and_check_digit() {
    let mut card = unlocked(VirtualCardConfig::default(), Unlock::A);
    let file = read_by_sfi(&mut card, 0x01).unwrap();
    assert_eq!(file.len(), 17);
    assert_eq!(&file[..3], &[0xFF, 0x10, 0x0C]);
    assert_eq!(&file[15..], &[0xFF, 0xFF]);
    let number = std::str::from_utf8(&file[3..15]).unwrap();
    assert_eq!(number, card.my_number());
    for seed in ["kazashi", "a", "b", "another seed", "0"] {
        let card = VirtualCard::new(VirtualCardConfig {
            seed: seed.into(),
            ..VirtualCardConfig::default()
        });
        let digits: Vec<u32> = card
            .my_number()
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .collect();
        assert_eq!(digits.len(), 12);
        let sum: u32 = digits[..11]
            .iter()
            .zip([6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
            .map(|(d, w)| d * w)
            .sum();
        let check = match sum % 11 {
            0 | 1 => 0,
            r => 11 - r,
        };
        assert_eq!(digits[11], check, "seed {seed}");
    }
}

#[test]
fn verification_number_b_is_era_birth_date_expiry_year_and_security_code() {
    let card = VirtualCard::default(); // born 1990-04-01 = 平成2年4月1日, issued 2025-10-27
    let b = card.verification_number_b();
    assert_eq!(b.len(), 14);
    assert_eq!(&b[..6], "020401");
    assert_eq!(card.card_expiry(), (2035, 4, 1));
    assert_eq!(&b[6..10], "2035");
    assert_eq!(&b[10..], card.security_code());
    assert!(b.bytes().all(|c| c.is_ascii_digit()));
}

/// The four attributes, read off EF 0002 with the BER reader, and the DF21 table checked
/// against where the tags really are.
fn attributes(file: &[u8]) -> ([String; 4], std::ops::Range<usize>) {
    let outer = read_tlv(file, 0);
    assert_eq!(outer.tag, [0xFF, 0x20]);
    let value_start = outer.end - outer.value.len();
    let fields = children(outer.value);
    assert_eq!(fields[0].1.tag, [0xDF, 0x21]);
    let table = fields[0].1.value;
    assert_eq!(table.len(), 8);
    let mut values = Vec::new();
    for (i, (at, tlv)) in fields[1..].iter().enumerate() {
        assert_eq!(tlv.tag, [0xDF, 0x22 + i as u8]);
        let offset = usize::from(u16::from_be_bytes([table[2 * i], table[2 * i + 1]]));
        assert_eq!(offset, value_start + at, "DF2{} offset", 2 + i);
        values.push(String::from_utf8(tlv.value.to_vec()).unwrap());
    }
    assert!(file[outer.end..].iter().all(|b| *b == 0xFF), "filler");
    let covered = value_start + fields[1].0..outer.end;
    (values.try_into().unwrap(), covered)
}

#[test]
fn the_attributes_are_the_signing_certificates() {
    let mut card = unlocked(VirtualCardConfig::default(), Unlock::B);
    let file = read_by_sfi(&mut card, 0x02).unwrap();
    assert_eq!(file.len(), 512);
    let ([name, address, birth, sex], _) = attributes(&file);
    let holder = &card.config().holder;
    assert_eq!(name, holder.name);
    assert_eq!(address, holder.address);
    assert_eq!(birth, "19900401");
    assert_eq!(sex, holder.sex);
    // The same strings are the signing certificate's SubjectAltName values.
    let cert = card
        .certificate_der(kazashi::jpki::CertificateKind::Signing)
        .unwrap();
    for value in [&name, &address, &sex] {
        assert!(
            cert.windows(value.len()).any(|w| w == value.as_bytes()),
            "{value}"
        );
    }
    assert!(
        cert.windows(9).any(|w| w == b"419900401"),
        "era digit + date"
    );
}

#[test]
fn long_attributes_take_long_form_lengths() {
    let mut config = VirtualCardConfig::default();
    config.holder.address = "北海道札幌市中央区北一条西二丁目一番地".repeat(3);
    config.holder.name = "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末".into();
    let card = VirtualCard::new(config.clone());
    let file = card.card_info_file(0x0002).unwrap();
    assert_eq!(&file[..3], &[0xFF, 0x20, 0x82]);
    let ([name, address, _, _], covered) = attributes(&file);
    assert_eq!(address, config.holder.address);
    assert_eq!(name, config.holder.name);
    let integrity = card.card_info_file(0x0003).unwrap();
    let record = read_tlv(&integrity, 0);
    assert_eq!(
        child(record.value, &[0xDF, 0x32]),
        Sha256::digest(&file[covered]).as_slice()
    );
}

/// What the integrity chain's checks say about a card: (DF31 matches EF 0001, DF32 matches EF
/// 0002, DF33 verifies with the EF 0004 key, 5F37 verifies with the issuer key).
fn integrity_checks(card: &mut VirtualCard) -> [bool; 4] {
    send(card, SELECT_CARD_INFO);
    assert_eq!(verify(card, PIN, "1234"), 0x9000);
    let my_number = read_by_sfi(card, 0x01).unwrap();
    let attributes_file = read_by_sfi(card, 0x02).unwrap();
    let integrity = read_by_sfi(card, 0x03).unwrap();
    let certificate = cv_certificate(&read_by_sfi(card, 0x04).unwrap());

    let record = read_tlv(&integrity, 0);
    assert_eq!(record.tag, [0xFF, 0x30]);
    let fields = children(record.value);
    let tags: Vec<_> = fields.iter().map(|(_, t)| t.tag.clone()).collect();
    assert_eq!(tags, [[0xDF, 0x31], [0xDF, 0x32], [0xDF, 0x33]]);
    let signed = &record.value[..fields[2].0];
    let (_, covered) = attributes(&attributes_file);

    let issuer =
        RsaPublicKey::from_public_key_der(&card.card_info_issuer_public_key_der()).unwrap();
    [
        fields[0].1.value == Sha256::digest(&my_number).as_slice(),
        fields[1].1.value == Sha256::digest(&attributes_file[covered]).as_slice(),
        verifies(&certificate.key, signed, fields[2].1.value),
        verifies(&issuer, &certificate.body_tlv, &certificate.signature),
    ]
}

#[test]
fn the_integrity_chain_verifies() {
    let mut card = VirtualCard::default();
    assert_eq!(integrity_checks(&mut card), [true; 4]);

    // The rest of the chain: EF 0005 names the certificate's holder, EF 0007's DF52 is by
    // the EF 0004 key, EF 0006 holds an RSA-2048 key.
    let certificate = cv_certificate(&card.card_info_file(0x0004).unwrap());
    assert_eq!(&certificate.issuer_reference[6..11], b"\x08\x05001");
    let ap_info = card.card_info_file(0x0005).unwrap();
    let ap_info = read_tlv(&ap_info, 0);
    assert_eq!(ap_info.tag, [0xFF, 0x40]);
    assert_eq!(child(ap_info.value, &[0xDF, 0x41]).len(), 4);
    assert_eq!(
        child(ap_info.value, &[0xDF, 0x42]),
        certificate.holder_reference.as_slice()
    );
    assert_eq!(child(ap_info.value, &[0xDF, 0x43]).len(), 0x80);
    let ap_key = card.card_info_file(0x0007).unwrap();
    let ap_key = read_tlv(&ap_key, 0);
    assert_eq!(ap_key.tag, [0xFF, 0x50]);
    let parts = children(ap_key.value);
    let df51 = &ap_key.value[..parts[0].1.end];
    assert!(verifies(&certificate.key, df51, parts[1].1.value));
    rsa_key(parts[0].1.value);
    let session = card.card_info_file(0x0006).unwrap();
    let session = read_tlv(&session, 0);
    assert_eq!(session.tag, [0xA1]);
    assert_eq!(child(session.value, &[0x90]), [0x01, 0x00, 0x01]);
    assert_eq!(child(session.value, &[0x91]).len(), 256);
}

#[test]
fn tampering_breaks_exactly_its_own_check() {
    let tampered = |fid: u16| {
        let mut card = VirtualCard::new(VirtualCardConfig {
            tamper_card_info_ef: Some(fid),
            ..VirtualCardConfig::default()
        });
        integrity_checks(&mut card)
    };
    assert_eq!(tampered(0x0001), [false, true, true, true]);
    assert_eq!(tampered(0x0002), [true, false, true, true]);
    assert_eq!(tampered(0x0003), [false, true, false, true]);
    assert_eq!(tampered(0x0004), [true, true, false, false]);

    // The profile alters EF 0002, and only there the sex code: the file still parses.
    let mut card = VirtualCard::from_profile(Profile::CardInfoTampered);
    assert_eq!(integrity_checks(&mut card), [true, false, true, true]);
    let ([_, _, _, sex], _) = attributes(&card.card_info_file(0x0002).unwrap());
    assert_ne!(sex, card.config().holder.sex);
    let good = VirtualCard::default();
    for fid in [1, 3, 4, 5, 6, 7] {
        assert_eq!(card.card_info_file(fid), good.card_info_file(fid), "{fid}");
    }
}

#[test]
fn transcripts_mask_every_secret() {
    let mut card = VirtualCard::default();
    card.record_transcript(true);
    let a = card.my_number();
    let b = card.verification_number_b();
    send(&mut card, SELECT_CARD_INFO);
    verify(&mut card, PIN, "1234");
    verify(&mut card, NUMBER_A, &a);
    verify(&mut card, NUMBER_B, &b);
    send(&mut card, "00 A4 02 0C 02 00 11");
    send(&mut card, "00 20 00 80 04 31 32 33 34");
    send(&mut card, "00 24 01 91 04 35 36 37 38");
    send(&mut card, SELECT_CARD_SURFACE);
    verify(&mut card, 0x13, &a);
    verify(&mut card, 0x12, &b);
    let birth = card.era_birth_date();
    verify(&mut card, 0x11, &birth);
    let transcript = card.transcript();
    let pin_commands: Vec<_> = transcript
        .iter()
        .filter(|e| matches!(e.ins(), Some(0x20 | 0x24)))
        .collect();
    assert_eq!(pin_commands.len(), 8);
    for exchange in &pin_commands {
        assert!(
            exchange.command[5..].iter().all(|b| *b == b'*'),
            "{exchange:?}"
        );
    }
    for secret in [a.as_str(), b.as_str(), "1234", "5678"] {
        for exchange in transcript {
            assert!(
                !exchange
                    .command
                    .windows(secret.len())
                    .any(|w| w == secret.as_bytes()),
                "{secret} in {exchange:?}"
            );
        }
    }
}

#[test]
fn the_new_applications_do_not_slow_down_making_a_card() {
    // A card that never touches the two applications never makes their keys: making one
    // costs what it did (about 6 ms in a debug build once the seed's JPKI keys exist).
    let _warm = VirtualCard::default();
    let start = std::time::Instant::now();
    for _ in 0..20 {
        let _ = VirtualCard::from_profile(Profile::PhysicalCard);
    }
    let each = start.elapsed() / 20;
    assert!(each < std::time::Duration::from_millis(200), "{each:?}");
}
