//! The simulator checklist of `docs/protocol.md` §10, driven with raw bytes.

use super::*;
use rsa::Pkcs1v15Sign;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn sw(response: &[u8]) -> u16 {
    u16::from_be_bytes([response[response.len() - 2], response[response.len() - 1]])
}

fn send(card: &mut VirtualCard, apdu: &str) -> Vec<u8> {
    card.process(&hex(apdu))
}

const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";

#[test]
fn selection_rules() {
    let mut card = VirtualCard::default();
    // Nothing selected after power-on.
    assert_eq!(sw(&send(&mut card, "00 A4 02 0C 02 00 0A")), 0x6A82);
    assert_eq!(sw(&send(&mut card, "00 A4 00 00")), 0x6A86);
    assert_eq!(
        sw(&send(&mut card, "00 A4 04 0C 05 A0 00 00 00 03")),
        0x6A82
    );
    assert_eq!(send(&mut card, SELECT_JPKI), hex("90 00"));
    // Prefix match.
    assert_eq!(sw(&send(&mut card, "00 A4 04 0C 04 D3 92 F0 00")), 0x9000);
    assert_eq!(sw(&send(&mut card, "00 A4 02 0C 02 00 0A")), 0x9000);
    assert_eq!(sw(&send(&mut card, "00 A4 02 0C 02 00 18")), 0x9000);
    assert_eq!(sw(&send(&mut card, "00 A4 02 0C 02 12 34")), 0x6A82);
    assert_eq!(sw(&send(&mut card, "00 A4 00 00")), 0x9000);
    // The text AP can be selected; it has no files here.
    assert_eq!(
        sw(&send(
            &mut card,
            "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"
        )),
        0x9000
    );
    assert_eq!(sw(&send(&mut card, "00 A4 02 0C 02 00 0A")), 0x6A82);
}

#[test]
fn unknown_instructions_and_classes() {
    let mut card = VirtualCard::default();
    assert_eq!(sw(&send(&mut card, "00 86 00 00 08")), 0x6D00);
    assert_eq!(sw(&send(&mut card, "80 FC 00 00")), 0x6D00);
    assert_eq!(sw(&send(&mut card, "A0 A4 00 00")), 0x6E00);
    assert_eq!(sw(&send(&mut card, "01 A4 04 0C 01 D3")), 0x6881);
    assert_eq!(sw(&card.process(&[0x00, 0xA4])), 0x6700);
}

#[test]
fn read_binary_offsets_ends_and_extended_le() {
    let mut card = VirtualCard::default();
    let cert = card
        .certificate_der(CertificateKind::Authentication)
        .unwrap()
        .to_vec();
    send(&mut card, SELECT_JPKI);
    send(&mut card, "00 A4 02 0C 02 00 0A");
    let head = send(&mut card, "00 B0 00 00 04");
    assert_eq!(&head[..4], &cert[..4]);
    assert_eq!(sw(&head), 0x9000);
    // Le = 00 means 256.
    assert_eq!(send(&mut card, "00 B0 00 00 00").len(), 258);
    // Whole file with extended Le = 65536.
    let whole = send(&mut card, "00 B0 00 00 00 00 00");
    assert_eq!(&whole[..whole.len() - 2], &cert[..]);
    // Offset addressing; the tail is shorter than Le.
    let offset = cert.len() - 10;
    let tail = card.process(&[0x00, 0xB0, (offset >> 8) as u8, offset as u8, 0x00]);
    assert_eq!(&tail[..10], &cert[offset..]);
    // Past the end.
    let past = cert.len();
    assert_eq!(
        sw(&card.process(&[0x00, 0xB0, (past >> 8) as u8, past as u8, 0x01])),
        0x6B00
    );
    // Short EF identifier: EF 000B by SFI.
    let ca = card
        .certificate_der(CertificateKind::AuthenticationCa)
        .unwrap()
        .to_vec();
    assert_eq!(&send(&mut card, "00 B0 8B 00 04")[..4], &ca[..4]);
    // No Le is a wrong length; key EFs are not readable.
    assert_eq!(sw(&send(&mut card, "00 B0 00 00")), 0x6700);
    send(&mut card, "00 A4 02 0C 02 00 17");
    assert_eq!(sw(&send(&mut card, "00 B0 00 00 04")), 0x6981);
}

#[test]
fn token_and_availability_files() {
    let mut card = VirtualCard::default();
    send(&mut card, SELECT_JPKI);
    send(&mut card, "00 A4 02 0C 02 00 06");
    let token = send(&mut card, "00 B0 00 00 00");
    assert_eq!(token.len(), 162);
    assert_eq!(&token[..32], b"JPKIAPICCTOKEN2                 ");
    send(&mut card, "00 A4 02 0C 02 00 08");
    assert_eq!(send(&mut card, "00 B0 00 00 00"), hex("8F 8F 00 90 00"));

    let mut child = VirtualCard::from_profile(Profile::Under15);
    send(&mut child, SELECT_JPKI);
    send(&mut child, "00 A4 02 0C 02 00 08");
    assert_eq!(send(&mut child, "00 B0 00 00 03"), hex("00 8F 00 90 00"));
    assert_eq!(sw(&send(&mut child, "00 A4 02 0C 02 00 01")), 0x6A82);
    assert_eq!(sw(&send(&mut child, "00 A4 02 0C 02 00 1B")), 0x6A82);
}

#[test]
fn verify_counts_down_blocks_and_resets() {
    let mut card = VirtualCard::default();
    send(&mut card, SELECT_JPKI);
    send(&mut card, "00 A4 02 0C 02 00 18");
    // The case-1 query spends nothing; a stray Le is a wrong length.
    assert_eq!(send(&mut card, "00 20 00 80"), hex("63 C3"));
    assert_eq!(send(&mut card, "00 20 00 80"), hex("63 C3"));
    assert_eq!(send(&mut card, "00 20 00 80 00"), hex("67 00"));
    assert_eq!(send(&mut card, "00 20 00 80 04 39 39 39 39"), hex("63 C2"));
    // A correct PIN resets the counter, and the query still answers 63Cx after success.
    assert_eq!(send(&mut card, "00 20 00 80 04 31 32 33 34"), hex("90 00"));
    assert_eq!(send(&mut card, "00 20 00 80"), hex("63 C3"));
    assert!(card.is_verified(PinKind::Authentication));
    for left in [2, 1] {
        assert_eq!(
            sw(&send(&mut card, "00 20 00 80 04 30 30 30 30")),
            0x63C0 | left
        );
    }
    // The exhausting attempt answers 63C0, every later one 6984, even the right PIN.
    assert_eq!(send(&mut card, "00 20 00 80 04 30 30 30 30"), hex("63 C0"));
    assert_eq!(send(&mut card, "00 20 00 80 04 31 32 33 34"), hex("69 84"));
    assert_eq!(send(&mut card, "00 20 00 80"), hex("63 C0"));
    assert_eq!(card.attempts_left(PinKind::Authentication), Some(0));
    assert!(!card.is_verified(PinKind::Authentication));
}

#[test]
fn verify_by_short_ef_id_and_without_a_pin_ef() {
    let mut card = VirtualCard::default();
    send(&mut card, SELECT_JPKI);
    // No current EF: nothing to verify.
    assert_eq!(sw(&send(&mut card, "00 20 00 80")), 0x6A88);
    assert_eq!(send(&mut card, "00 20 00 9B"), hex("63 C5"));
    assert_eq!(send(&mut card, "00 20 00 98 04 31 32 33 34"), hex("90 00"));
    // An EF that is not a PIN.
    send(&mut card, "00 A4 02 0C 02 00 0A");
    assert_eq!(sw(&send(&mut card, "00 20 00 80")), 0x6A88);
    assert_eq!(sw(&send(&mut card, "00 20 01 80")), 0x6A86);
}

#[test]
fn the_no_short_ef_ids_profile_refuses_every_short_form_only() {
    let mut card = VirtualCard::from_profile(Profile::NoShortEfIds);
    send(&mut card, SELECT_JPKI);
    for short in [
        "00 20 00 98",
        "00 20 00 98 04 31 32 33 34",
        "00 24 01 98 04 31 32 33 34",
        "00 B0 8A 00 04",
        "00 B0 86 00 00 00 A0",
        "80 2A 00 97 03 01 02 03 00",
    ] {
        assert_eq!(sw(&send(&mut card, short)), 0x6A86, "{short}");
    }
    assert_eq!(card.attempts_left(PinKind::Authentication), Some(3));
    // The SELECT forms work as on any card.
    assert_eq!(sw(&send(&mut card, "00 A4 02 0C 02 00 18")), 0x9000);
    assert_eq!(send(&mut card, "00 20 00 80"), hex("63 C3"));
    assert_eq!(send(&mut card, "00 20 00 80 04 31 32 33 34"), hex("90 00"));
    assert_eq!(sw(&send(&mut card, "00 A4 02 0C 02 00 0A")), 0x9000);
    assert_eq!(send(&mut card, "00 B0 00 00 02"), hex("30 82 90 00"));
    // Any status word can stand for the refusal.
    let mut card = VirtualCard::new(VirtualCardConfig {
        short_ef_id_refusal: Some(StatusWord::INS_NOT_SUPPORTED),
        ..VirtualCardConfig::default()
    });
    send(&mut card, SELECT_JPKI);
    assert_eq!(sw(&send(&mut card, "00 20 00 98")), 0x6D00);
}

#[test]
fn access_rules_for_certificates_and_keys() {
    let mut card = VirtualCard::default();
    send(&mut card, SELECT_JPKI);
    for free in ["00 02", "00 06", "00 08", "00 0A", "00 0B"] {
        send(&mut card, &format!("00 A4 02 0C 02 {free}"));
        assert_eq!(sw(&send(&mut card, "00 B0 00 00 04")), 0x9000, "EF {free}");
    }
    send(&mut card, "00 A4 02 0C 02 00 01");
    assert_eq!(sw(&send(&mut card, "00 B0 00 00 04")), 0x6982);
    send(&mut card, "00 A4 02 0C 02 00 1A");
    let digest_info = "33".to_string() + &" AA".repeat(51);
    assert_eq!(
        sw(&send(&mut card, &format!("80 2A 00 80 {digest_info} 00"))),
        0x6982
    );
    send(&mut card, "00 A4 02 0C 02 00 1B");
    assert_eq!(
        sw(&send(&mut card, "00 20 00 80 06 41 42 43 31 32 33")),
        0x9000
    );
    send(&mut card, "00 A4 02 0C 02 00 01");
    assert_eq!(sw(&send(&mut card, "00 B0 00 00 04")), 0x9000);
    // Phone token: the authentication certificate is behind the PIN.
    let mut phone = VirtualCard::from_profile(Profile::AndroidPhoneToken);
    send(&mut phone, SELECT_JPKI);
    send(&mut phone, "00 A4 02 0C 02 00 0A");
    assert_eq!(sw(&send(&mut phone, "00 B0 00 00 04")), 0x6982);
}

#[test]
fn signs_whatever_digest_info_arrives() {
    use rsa::pkcs8::DecodePublicKey;
    use x509_parser::prelude::{FromDer, X509Certificate};
    let mut card = VirtualCard::default();
    let cert = card
        .certificate_der(CertificateKind::Authentication)
        .unwrap()
        .to_vec();
    let (_, parsed) = X509Certificate::from_der(&cert).unwrap();
    let public = rsa::RsaPublicKey::from_public_key_der(parsed.public_key().raw).unwrap();
    send(&mut card, SELECT_JPKI);
    send(&mut card, "00 A4 02 0C 02 00 18");
    send(&mut card, "00 20 00 80 04 31 32 33 34");
    send(&mut card, "00 A4 02 0C 02 00 17");
    let payload = b"any bytes at all".to_vec();
    let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, payload.len() as u8];
    apdu.extend(&payload);
    apdu.push(0x00);
    let response = card.process(&apdu);
    assert_eq!(response.len(), 258);
    assert_eq!(sw(&response), 0x9000);
    public
        .verify(Pkcs1v15Sign::new_unprefixed(), &payload, &response[..256])
        .expect("type-1 padding of the raw payload");
    // Limits: 245 bytes, no empty input, Le needed, P1 beyond 05 refused (the forms 01–05
    // are tested in tests/raw_apdu.rs).
    let too_long = [vec![0x80, 0x2A, 0x00, 0x80, 246], vec![0; 246], vec![0]].concat();
    assert_eq!(sw(&card.process(&too_long)), 0x6700);
    assert_eq!(sw(&send(&mut card, "80 2A 00 80 01 00")), 0x6700);
    assert_eq!(sw(&send(&mut card, "80 2A 06 80 01 00 00")), 0x6A86);
    // The SFI form names the key directly.
    assert_eq!(sw(&send(&mut card, "80 2A 00 97 01 AA 00")), 0x9000);
    assert_eq!(sw(&send(&mut card, "80 2A 00 9A 01 AA 00")), 0x6982);
}

#[test]
fn change_reference_data_needs_a_verified_pin() {
    let mut card = VirtualCard::default();
    send(&mut card, SELECT_JPKI);
    send(&mut card, "00 A4 02 0C 02 00 18");
    assert_eq!(sw(&send(&mut card, "00 24 01 80 04 35 36 37 38")), 0x6982);
    send(&mut card, "00 20 00 80 04 31 32 33 34");
    assert_eq!(sw(&send(&mut card, "00 24 01 80 03 35 36 37")), 0x6A80);
    assert_eq!(sw(&send(&mut card, "00 24 00 80 04 35 36 37 38")), 0x6A86);
    assert_eq!(sw(&send(&mut card, "00 24 01 80 04 35 36 37 38")), 0x9000);
    card.reset();
    send(&mut card, SELECT_JPKI);
    send(&mut card, "00 A4 02 0C 02 00 18");
    assert_eq!(sw(&send(&mut card, "00 20 00 80 04 31 32 33 34")), 0x63C2);
    assert_eq!(sw(&send(&mut card, "00 20 00 80 04 35 36 37 38")), 0x9000);
}

#[test]
fn no_extended_length_profile_refuses_extended_apdus() {
    let mut card = VirtualCard::from_profile(Profile::NoExtendedLength);
    assert_eq!(card.capabilities(), LinkCapabilities::SHORT_ONLY);
    send(&mut card, SELECT_JPKI);
    send(&mut card, "00 A4 02 0C 02 00 0A");
    assert_eq!(sw(&send(&mut card, "00 B0 00 00 00 00 00")), 0x6700);
    assert_eq!(send(&mut card, "00 B0 00 00 00").len(), 258);
}

#[test]
fn verification_ends_at_an_application_select_unless_lenient_and_always_at_reset() {
    let mut strict = VirtualCard::default();
    send(&mut strict, SELECT_JPKI);
    send(&mut strict, "00 A4 02 0C 02 00 18");
    send(&mut strict, "00 20 00 80 04 31 32 33 34");
    assert!(strict.is_verified(PinKind::Authentication));
    send(&mut strict, "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08");
    assert!(!strict.is_verified(PinKind::Authentication));

    let mut lenient = VirtualCard::new(VirtualCardConfig {
        strictness: crate::CommandStrictness::LENIENT,
        ..VirtualCardConfig::default()
    });
    send(&mut lenient, SELECT_JPKI);
    send(&mut lenient, "00 A4 02 0C 02 00 18");
    send(&mut lenient, "00 20 00 80 04 31 32 33 34");
    send(&mut lenient, "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08");
    assert!(lenient.is_verified(PinKind::Authentication));
    lenient.reset();
    assert!(!lenient.is_verified(PinKind::Authentication));
}

#[test]
fn transcripts_record_every_pair_without_pins() {
    let mut card = VirtualCard::default();
    card.record_transcript(true);
    send(&mut card, SELECT_JPKI);
    send(&mut card, "00 A4 02 0C 02 00 18");
    send(&mut card, "00 20 00 80 04 31 32 33 34");
    let t = card.transcript();
    assert_eq!(t.len(), 3);
    assert_eq!(t[2].command, hex("00 20 00 80 04 2A 2A 2A 2A"));
    assert_eq!(t[2].response, hex("90 00"));
    assert!(t[2].is_pin_verify());
}

/// A VERIFY or CHANGE whose length fields are wrong still carries the PIN: everything after
/// the header is masked (it was kept in clear when the command did not decode).
#[test]
fn malformed_pin_commands_are_masked_after_the_header() {
    let mut card = VirtualCard::default();
    card.record_transcript(true);
    send(&mut card, SELECT_JPKI);
    assert_eq!(
        sw(&send(&mut card, "00 20 00 80 04 39 38 37 36 00 00")),
        0x6700
    );
    assert_eq!(sw(&send(&mut card, "00 24 01 80 09 35 36 37 38")), 0x6700);
    let t = card.transcript();
    assert_eq!(t[1].command, hex("00 20 00 80 2A 2A 2A 2A 2A 2A 2A"));
    assert_eq!(t[2].command, hex("00 24 01 80 2A 2A 2A 2A 2A"));
}

#[test]
fn the_same_seed_gives_the_same_pki() {
    let a = VirtualCard::default();
    let b = VirtualCard::default();
    assert_eq!(
        a.certificate_der(CertificateKind::Signing),
        b.certificate_der(CertificateKind::Signing)
    );
    let c = VirtualCard::new(VirtualCardConfig {
        seed: "another".into(),
        ..VirtualCardConfig::default()
    });
    assert_ne!(
        a.certificate_der(CertificateKind::Authentication),
        c.certificate_der(CertificateKind::Authentication)
    );
}

#[test]
fn never_panics_on_arbitrary_commands() {
    use proptest::prelude::*;
    let card = std::cell::RefCell::new(VirtualCard::default());
    let mut runner = proptest::test_runner::TestRunner::default();
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..300), |bytes| {
            let response = card.borrow_mut().process(&bytes);
            prop_assert!(response.len() >= 2);
            Ok(())
        })
        .unwrap();
}
