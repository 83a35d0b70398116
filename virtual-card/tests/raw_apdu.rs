//! The command forms of the J-LIS fidelity issue, driven with raw APDU bytes only: COMPUTE
//! DIGITAL SIGNATURE P1 `00`–`05` and its length errors, SIGN without a full Le, GET CHALLENGE,
//! secure-messaging classes, and the verified state across application SELECTs. Every
//! signature is checked with the `rsa` crate against the certificate read off the card, never
//! with the card's own code.

use kazashi::jpki::CertificateKind;
use kazashi_virtual_card::{CommandStrictness, Profile, VirtualCard, VirtualCardConfig};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, Pss, RsaPublicKey};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
const SELECT_TEXT_AP: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
const VERIFY_AUTH_PIN: &str = "00 20 00 98 04 31 32 33 34";
const VERIFY_SIGN_PASSWORD: &str = "00 20 00 9B 06 41 42 43 31 32 33";

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn send(card: &mut VirtualCard, apdu: &str) -> Vec<u8> {
    card.process(&hex(apdu))
}

fn sw(response: &[u8]) -> u16 {
    u16::from_be_bytes([response[response.len() - 2], response[response.len() - 1]])
}

/// `80 2A P1 P2 Lc data Le=00`, short form.
fn sign_apdu(p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let lc = u8::try_from(data.len()).expect("short Lc");
    [vec![0x80, 0x2A, p1, p2, lc], data.to_vec(), vec![0x00]].concat()
}

/// The signature of a successful answer (256 bytes, then `9000`).
fn signature(response: &[u8]) -> Vec<u8> {
    assert_eq!(
        sw(response),
        0x9000,
        "{:02X?}",
        &response[response.len() - 2..]
    );
    assert_eq!(response.len(), 258);
    response[..256].to_vec()
}

fn public_key(card: &VirtualCard, kind: CertificateKind) -> RsaPublicKey {
    let der = card.certificate_der(kind).unwrap();
    let (_, cert) = X509Certificate::from_der(der).unwrap();
    RsaPublicKey::from_public_key_der(cert.public_key().raw).unwrap()
}

/// A card with the JPKI application selected and the authentication PIN verified.
fn ready_card(config: VirtualCardConfig) -> VirtualCard {
    let mut card = VirtualCard::new(config);
    assert_eq!(sw(&send(&mut card, SELECT_JPKI)), 0x9000);
    assert_eq!(sw(&send(&mut card, VERIFY_AUTH_PIN)), 0x9000);
    card
}

/// myna-card's README: `80 2A 03 97 <message> 00`, the card hashes and wraps the DigestInfo.
/// The result is an ordinary sha256WithRSAEncryption signature over the message.
#[test]
fn myna_cards_p1_03_form_signs_the_message_as_sha256_with_rsa() {
    let mut card = ready_card(VirtualCardConfig::default());
    let message = b"log-in challenge from a relying party";
    let response = card.process(&sign_apdu(0x03, 0x97, message));
    let sig = signature(&response);
    let key = public_key(&card, CertificateKind::Authentication);
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(message),
        &sig,
    )
    .expect("sha256WithRSAEncryption over the message");
    // Not a signature over another message, nor under the other key.
    assert!(key
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(b"another message"),
            &sig
        )
        .is_err());
    let sign_key = public_key(&card, CertificateKind::Signing);
    assert!(sign_key
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(message),
            &sig
        )
        .is_err());

    // The same form with the signature key, named by SFI (9A), after the signing password.
    assert_eq!(
        sw(&card.process(&sign_apdu(0x03, 0x9A, message))),
        0x6982,
        "the signature key needs its own password"
    );
    assert_eq!(sw(&send(&mut card, VERIFY_SIGN_PASSWORD)), 0x9000);
    let sig = signature(&card.process(&sign_apdu(0x03, 0x9A, message)));
    sign_key
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(message),
            &sig,
        )
        .expect("signed by the signature key");
}

/// P1 = 02 takes the 32-byte hash and wraps it itself: the same signature as P1 = 00 with the
/// caller's 51-byte DigestInfo (PKCS#1 v1.5 is deterministic).
#[test]
fn p1_02_wraps_the_hash_and_equals_p1_00_over_the_digest_info() {
    let mut card = ready_card(VirtualCardConfig::default());
    let hash = Sha256::digest(b"a document");
    // The DigestInfo prefix as the rsa crate knows it, independent of the card's builder.
    let digest_info = [Pkcs1v15Sign::new::<Sha256>().prefix.to_vec(), hash.to_vec()].concat();
    assert_eq!(digest_info.len(), 51);
    let by_hash = signature(&card.process(&sign_apdu(0x02, 0x97, &hash)));
    let by_digest_info = signature(&card.process(&sign_apdu(0x00, 0x97, &digest_info)));
    assert_eq!(by_hash, by_digest_info);
    public_key(&card, CertificateKind::Authentication)
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &by_hash)
        .expect("sha256WithRSAEncryption of the hash");
}

/// P1 = 01 hashes the message and pads the bare hash, with no DigestInfo around it.
#[test]
fn p1_01_signs_the_bare_sha256_of_the_message() {
    let mut card = ready_card(VirtualCardConfig::default());
    let message = b"bare";
    let sig = signature(&card.process(&sign_apdu(0x01, 0x97, message)));
    let key = public_key(&card, CertificateKind::Authentication);
    key.verify(
        Pkcs1v15Sign::new_unprefixed(),
        &Sha256::digest(message),
        &sig,
    )
    .expect("type-1 padding of the bare hash");
    assert!(key
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(message),
            &sig
        )
        .is_err());
}

/// P1 = 04 (hash given) and 05 (card hashes): RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt.
/// The salt is random, so two signatures over one hash differ and both verify.
#[test]
fn p1_04_and_05_sign_with_pss() {
    let mut card = ready_card(VirtualCardConfig::default());
    let key = public_key(&card, CertificateKind::Authentication);
    let message = b"pss message";
    let hash = Sha256::digest(message);
    let first = signature(&card.process(&sign_apdu(0x04, 0x97, &hash)));
    let second = signature(&card.process(&sign_apdu(0x04, 0x97, &hash)));
    assert_ne!(first, second, "a fresh salt each time");
    let by_message = signature(&card.process(&sign_apdu(0x05, 0x97, message)));
    for sig in [&first, &second, &by_message] {
        key.verify(Pss::new::<Sha256>(), &hash, sig)
            .expect("PSS over SHA-256 of the message");
    }
    assert!(key
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &first)
        .is_err());
}

#[test]
fn every_p1_form_needs_the_pin_and_p1_beyond_05_is_refused() {
    let mut card = VirtualCard::default();
    send(&mut card, SELECT_JPKI);
    let hash = Sha256::digest(b"x");
    for p1 in 0x00..=0x05 {
        assert_eq!(
            sw(&card.process(&sign_apdu(p1, 0x97, &hash))),
            0x6982,
            "P1 {p1:02X}"
        );
    }
    send(&mut card, VERIFY_AUTH_PIN);
    for p1 in [0x06, 0x10, 0x80, 0xFF] {
        assert_eq!(
            sw(&card.process(&sign_apdu(p1, 0x97, &hash))),
            0x6A86,
            "P1 {p1:02X}"
        );
    }
}

/// §3.5: "a wrong input length gives 6985 or 6700". Hash forms: exactly 32 bytes, else 6985;
/// empty data, P1 = 00 over 245 bytes and messages over 255 bytes: 6700.
#[test]
fn length_errors_of_each_form() {
    let mut card = ready_card(VirtualCardConfig::default());
    for p1 in [0x02, 0x04] {
        for len in [1, 31, 33, 51] {
            assert_eq!(
                sw(&card.process(&sign_apdu(p1, 0x97, &vec![0xAB; len]))),
                0x6985,
                "P1 {p1:02X}, {len} bytes"
            );
        }
        signature(&card.process(&sign_apdu(p1, 0x97, &[0xAB; 32])));
    }
    for p1 in 0x00..=0x05 {
        assert_eq!(
            sw(&send(&mut card, &format!("80 2A {p1:02X} 97 00"))),
            0x6700,
            "P1 {p1:02X} with no data"
        );
    }
    assert_eq!(
        sw(&card.process(&sign_apdu(0x00, 0x97, &[0xAB; 246]))),
        0x6700
    );
    signature(&card.process(&sign_apdu(0x00, 0x97, &[0xAB; 245])));
    for p1 in [0x01, 0x03, 0x05] {
        // The longest message a short Lc carries signs; a longer one (extended Lc) does not.
        signature(&card.process(&sign_apdu(p1, 0x97, &[0xAB; 255])));
        let extended = [
            vec![0x80, 0x2A, p1, 0x97, 0x00, 0x01, 0x00],
            vec![0xAB; 256],
            vec![0x00, 0x00],
        ]
        .concat();
        assert_eq!(sw(&card.process(&extended)), 0x6700, "P1 {p1:02X}");
    }
}

/// Strict default: no Le, or an Le below 256, is `6700` (unchanged); the lenient profile signs.
#[test]
fn sign_without_a_full_le_is_refused_unless_lenient() {
    let digest_info = [
        Pkcs1v15Sign::new::<Sha256>().prefix.to_vec(),
        Sha256::digest(b"doc").to_vec(),
    ]
    .concat();
    let with_le = |le: &[u8]| {
        [
            sign_apdu(0x00, 0x97, &digest_info)[..56].to_vec(),
            le.to_vec(),
        ]
        .concat()
    };
    let no_le = with_le(&[]);
    let le_01 = with_le(&[0x01]);
    let mut strict = ready_card(VirtualCardConfig::default());
    assert_eq!(strict.process(&no_le), [0x67, 0x00]);
    assert_eq!(strict.process(&le_01), [0x67, 0x00]);
    let reference = signature(&strict.process(&with_le(&[0x00])));
    // An extended Le of 65536 asks for at least 256 bytes.
    let extended = [
        vec![0x80, 0x2A, 0x00, 0x97, 0x00, 0x00, 0x33],
        digest_info.clone(),
        vec![0x00, 0x00],
    ]
    .concat();
    assert_eq!(signature(&strict.process(&extended)), reference);

    let mut lenient = ready_card(Profile::Lenient.config());
    assert_eq!(signature(&lenient.process(&no_le)), reference);
    assert_eq!(signature(&lenient.process(&le_01)), reference);
}

/// GET CHALLENGE (myna-card, §3.6): Le bytes, 1–256, with or without an application selected;
/// extended form 6985. Our choices: P1-P2 other than 0000 → 6A86, no Le → 6700.
#[test]
fn get_challenge_answers_in_every_state() {
    let mut card = VirtualCard::default();
    let first = send(&mut card, "00 84 00 00 08");
    assert_eq!(first.len(), 10);
    assert_eq!(sw(&first), 0x9000);
    let second = send(&mut card, "00 84 00 00 08");
    assert_ne!(first, second, "no two draws repeat");
    assert_eq!(send(&mut card, "00 84 00 00 01").len(), 3);
    let full = send(&mut card, "00 84 00 00 00");
    assert_eq!((full.len(), sw(&full)), (258, 0x9000));
    send(&mut card, SELECT_JPKI);
    assert_eq!(send(&mut card, "00 84 00 00 10").len(), 18);
    send(&mut card, SELECT_TEXT_AP);
    assert_eq!(send(&mut card, "00 84 00 00 10").len(), 18);
    assert_eq!(send(&mut card, "00 84 01 00 08"), [0x6A, 0x86]);
    assert_eq!(send(&mut card, "00 84 00 01 08"), [0x6A, 0x86]);
    assert_eq!(send(&mut card, "00 84 00 00"), [0x67, 0x00]);
    assert_eq!(send(&mut card, "00 84 00 00 01 AA 08"), [0x67, 0x00]);
    assert_eq!(send(&mut card, "00 84 00 00 00 00 10"), [0x69, 0x85]);
    // A link without extended length refuses the extended form as it refuses any.
    let mut short = VirtualCard::from_profile(Profile::NoExtendedLength);
    assert_eq!(send(&mut short, "00 84 00 00 00 00 10"), [0x67, 0x00]);

    // Seeded: the same card replays the same draws; another seed draws others.
    let mut again = VirtualCard::default();
    assert_eq!(send(&mut again, "00 84 00 00 08"), first);
    let mut other = VirtualCard::new(VirtualCardConfig {
        seed: "another".into(),
        ..VirtualCardConfig::default()
    });
    assert_ne!(send(&mut other, "00 84 00 00 08"), first);
}

/// Secure-messaging classes (myna-card's README): SELECT 6882, READ BINARY and VERIFY 69FC;
/// anything else 6882 (ISO/IEC 7816-4). Nothing is selected, read or counted.
#[test]
fn secure_messaging_classes_are_refused_without_effect() {
    let mut card = VirtualCard::default();
    let aid = "0A D3 92 F0 00 26 01 00 00 00 01";
    for cla in ["04", "08", "0C"] {
        assert_eq!(
            send(&mut card, &format!("{cla} A4 04 0C {aid}")),
            [0x68, 0x82],
            "CLA {cla}"
        );
    }
    // The SM SELECT selected nothing.
    assert_eq!(send(&mut card, "00 A4 02 0C 02 00 0A"), [0x6A, 0x82]);
    send(&mut card, SELECT_JPKI);
    send(&mut card, "00 A4 02 0C 02 00 18");
    for cla in ["08", "0C"] {
        assert_eq!(send(&mut card, &format!("{cla} B0 00 00 04")), [0x69, 0xFC]);
        assert_eq!(send(&mut card, &format!("{cla} B0 8A 00 04")), [0x69, 0xFC]);
        assert_eq!(
            send(&mut card, &format!("{cla} 20 00 80 04 39 39 39 39")),
            [0x69, 0xFC]
        );
        assert_eq!(send(&mut card, &format!("{cla} 84 00 00 08")), [0x68, 0x82]);
        assert_eq!(
            send(&mut card, &format!("{cla} 2A 00 97 01 AA 00")),
            [0x68, 0x82]
        );
    }
    assert_eq!(
        card.attempts_left(kazashi::pin::PinKind::Authentication),
        Some(3)
    );
    assert_eq!(send(&mut card, "00 20 00 80"), [0x63, 0xC3]);
}

/// Strict default: every successful SELECT by DF name ends the verified state (another
/// application, the JPKI one again, a partial AID); an unknown AID and "select MF" do not.
/// Lenient: it survives until reset.
#[test]
fn an_application_select_ends_the_verified_state_unless_lenient() {
    let hash = Sha256::digest(b"x");
    let sign = |card: &mut VirtualCard| sw(&card.process(&sign_apdu(0x02, 0x97, &hash)));
    for reselect in [SELECT_TEXT_AP, SELECT_JPKI, "00 A4 04 0C 04 D3 92 F0 00"] {
        let mut card = ready_card(VirtualCardConfig::default());
        assert_eq!(sign(&mut card), 0x9000);
        assert_eq!(sw(&send(&mut card, reselect)), 0x9000);
        send(&mut card, SELECT_JPKI);
        assert_eq!(sign(&mut card), 0x6982, "after {reselect}");
        // VERIFY after the last SELECT works, as every flow of the library does it.
        send(&mut card, VERIFY_AUTH_PIN);
        assert_eq!(sign(&mut card), 0x9000);
    }
    let mut card = ready_card(VirtualCardConfig::default());
    assert_eq!(
        sw(&send(&mut card, "00 A4 04 0C 05 A0 00 00 00 03")),
        0x6A82
    );
    assert_eq!(sw(&send(&mut card, "00 A4 00 00")), 0x9000);
    assert_eq!(
        sign(&mut card),
        0x9000,
        "a failed SELECT or select-MF changes nothing"
    );

    let mut lenient = ready_card(Profile::Lenient.config());
    send(&mut lenient, SELECT_TEXT_AP);
    send(&mut lenient, SELECT_JPKI);
    assert_eq!(sign(&mut lenient), 0x9000);
    lenient.reset();
    send(&mut lenient, SELECT_JPKI);
    assert_eq!(sign(&mut lenient), 0x6982);
}

#[test]
fn strict_is_the_default_and_lenient_a_named_profile() {
    assert_eq!(CommandStrictness::default(), CommandStrictness::STRICT);
    assert_eq!(
        VirtualCardConfig::default().strictness,
        CommandStrictness::STRICT
    );
    assert_eq!(
        Profile::PhysicalCard.config().strictness,
        CommandStrictness::STRICT
    );
    let lenient: Profile = "lenient".parse().unwrap();
    assert_eq!(lenient, Profile::Lenient);
    assert_eq!(lenient.config().strictness, CommandStrictness::LENIENT);
    assert!(Profile::ALL.contains(&Profile::Lenient));
}
