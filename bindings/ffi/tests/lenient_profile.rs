//! `VirtualCardProfile::Lenient` through the bindings: raw APDUs show where it differs from the
//! default (strict) card, and the library's flows show that they do not depend on it. Every
//! signature is checked with the `rsa` crate against the card's certificate.
#![cfg(feature = "virtual-card")]

use std::sync::Arc;

use kazashi_ffi::{CardSession, CertificateKind, PinKind, VirtualCard, VirtualCardProfile};
use rsa::pkcs8::DecodePublicKey;
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

const SELECT_JPKI: &[u8] = &[
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];
/// 券面事項入力補助AP (the "text AP", `docs/protocol.md` §1): another application of the card.
const SELECT_TEXT_AP: &[u8] = &[
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08,
];
const VERIFY_AUTH_PIN: &[u8] = &[0x00, 0x20, 0x00, 0x98, 0x04, b'1', b'2', b'3', b'4'];
/// The DER prefix of a SHA-256 DigestInfo.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

fn sw(response: &[u8]) -> u16 {
    u16::from_be_bytes([response[response.len() - 2], response[response.len() - 1]])
}

/// The library's SIGN form: `80 2A 00 97`, the authentication key by short EF id, a SHA-256
/// DigestInfo of `message`, then `le` (none, or one byte).
fn sign_apdu(message: &[u8], le: Option<u8>) -> Vec<u8> {
    let digest_info = [&SHA256_DIGEST_INFO[..], &Sha256::digest(message)].concat();
    let mut apdu = vec![0x80, 0x2A, 0x00, 0x97, digest_info.len() as u8];
    apdu.extend_from_slice(&digest_info);
    apdu.extend(le);
    apdu
}

/// Whether `signature` is the authentication key's sha256WithRSAEncryption over `message`.
fn verifies(card: &VirtualCard, message: &[u8], signature: &[u8]) -> bool {
    let der = card.certificate(CertificateKind::Authentication).unwrap();
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    let key = rsa::RsaPublicKey::from_public_key_der(cert.public_key().raw).unwrap();
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(message),
        signature,
    )
    .is_ok()
}

/// JPKI selected, PIN verified, then another application and the JPKI one selected again:
/// whether the card still signs without a second VERIFY.
fn signs_after_another_application(profile: VirtualCardProfile) -> (u16, Arc<VirtualCard>) {
    let card = VirtualCard::new(profile);
    assert_eq!(sw(&card.process(SELECT_JPKI.to_vec())), 0x9000);
    assert_eq!(sw(&card.process(VERIFY_AUTH_PIN.to_vec())), 0x9000);
    let before = card.process(sign_apdu(b"before", Some(0)));
    assert_eq!(sw(&before), 0x9000, "{profile:?}: verified, the card signs");
    assert!(verifies(&card, b"before", &before[..256]));
    assert_eq!(sw(&card.process(SELECT_TEXT_AP.to_vec())), 0x9000);
    assert_eq!(sw(&card.process(SELECT_JPKI.to_vec())), 0x9000);
    let after = card.process(sign_apdu(b"after", Some(0)));
    if sw(&after) == 0x9000 {
        assert!(verifies(&card, b"after", &after[..256]));
    }
    (sw(&after), card)
}

#[test]
fn the_verified_pin_survives_another_application_only_on_the_lenient_card() {
    let (strict, card) = signs_after_another_application(VirtualCardProfile::PhysicalCard);
    assert_eq!(strict, 0x6982, "strict: security status not satisfied");
    // A VERIFY after the last SELECT, as every flow of the library sends it, works on both.
    assert_eq!(sw(&card.process(VERIFY_AUTH_PIN.to_vec())), 0x9000);
    assert_eq!(sw(&card.process(sign_apdu(b"again", Some(0)))), 0x9000);
    assert_eq!(card.pin_verifications(), 2);

    let (lenient, card) = signs_after_another_application(VirtualCardProfile::Lenient);
    assert_eq!(lenient, 0x9000, "lenient: still verified");
    assert_eq!(card.pin_verifications(), 1);
    // Leaving the field ends it on every card.
    card.reset();
    assert_eq!(sw(&card.process(SELECT_JPKI.to_vec())), 0x9000);
    assert_eq!(sw(&card.process(sign_apdu(b"reset", Some(0)))), 0x6982);
}

#[test]
fn sign_without_a_full_le_is_refused_unless_lenient() {
    for (profile, expected) in [
        (VirtualCardProfile::PhysicalCard, 0x6700),
        (VirtualCardProfile::Lenient, 0x9000),
    ] {
        let card = VirtualCard::new(profile);
        card.process(SELECT_JPKI.to_vec());
        card.process(VERIFY_AUTH_PIN.to_vec());
        for le in [None, Some(0x01)] {
            let response = card.process(sign_apdu(b"short le", le));
            assert_eq!(sw(&response), expected, "{profile:?}, Le {le:?}");
            if expected == 0x9000 {
                assert_eq!(response.len(), 258);
                assert!(verifies(&card, b"short le", &response[..256]));
            }
        }
    }
}

/// The library VERIFYs after its last SELECT and always sends Le = 00, so its flows are the
/// same on both cards, APDU for APDU.
#[test]
fn the_library_flows_are_the_same_on_both_profiles() {
    let mut counts = Vec::new();
    for profile in [
        VirtualCardProfile::PhysicalCard,
        VirtualCardProfile::Lenient,
    ] {
        let card = VirtualCard::new(profile);
        let session = CardSession::new(card.clone());
        let challenge = b"lenient or strict".to_vec();
        let login =
            pollster::block_on(session.login(challenge.clone(), "1234".into(), false)).unwrap();
        assert!(verifies(&card, &challenge, &login.signature));
        let status = pollster::block_on(session.retry_counter(PinKind::Authentication)).unwrap();
        assert_eq!(status.attempts_left, Some(3));
        counts.push((login.counts.apdus, card.commands_processed()));
    }
    assert_eq!(counts[0], counts[1], "strict vs lenient");
    assert_eq!(counts[0].0, 5);
}
