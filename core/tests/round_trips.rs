//! The fewest round trips: short-EF-id forms with their fallback, the certificate cache, and
//! the APDU targets of the hardening issue. Every signature is checked independently.

mod common;

use async_trait::async_trait;
use common::{block, verify_independently};
use kazashi::apdu::StatusWord;
use kazashi::jpki::{ins, EfAddressing, Support};
use kazashi::{
    AuthPin, CertificateKind, DigestAlgorithm, DocumentDigest, Error, JpkiCard, LastAttempt,
    LinkCapabilities, PinKind, SignOptions, SigningPassword, Transport, TransportError,
};
use kazashi_virtual_card::Exchange;
use kazashi_virtual_card::{Profile, VirtualCard, VirtualCardConfig};

const CHALLENGE: &[u8] = b"server challenge 0123456789abcdef";

fn auth_pin() -> AuthPin {
    AuthPin::new("1234").unwrap()
}

fn password() -> SigningPassword {
    SigningPassword::new("ABC123").unwrap()
}

fn recording(config: VirtualCardConfig) -> VirtualCard {
    let mut card = VirtualCard::new(config);
    card.record_transcript(true);
    card
}

/// Whether a command names its file by short EF id.
fn is_short_form(e: &Exchange) -> bool {
    let (p1, p2) = (e.command[2], e.command[3]);
    match e.ins() {
        Some(ins::READ_BINARY) => p1 & 0x80 != 0,
        Some(ins::VERIFY | ins::COMPUTE_DIGITAL_SIGNATURE) => p2 != 0x80,
        _ => false,
    }
}

fn count(card: &VirtualCard, ins_byte: u8) -> usize {
    card.transcript()
        .iter()
        .filter(|e| e.ins() == Some(ins_byte))
        .count()
}

fn pin_verifies(card: &VirtualCard) -> usize {
    card.transcript()
        .iter()
        .filter(|e| e.is_pin_verify())
        .count()
}

#[test]
fn login_reads_the_certificate_in_five_apdus() {
    let mut card = recording(VirtualCardConfig::default());
    let result =
        block(JpkiCard::new(&mut card).login(CHALLENGE, &auth_pin(), LastAttempt::Refuse)).unwrap();
    assert!(result.stats.apdus <= 5, "{:?}", result.stats);
    assert!(!result.certificate_from_cache);
    assert!(verify_independently::<sha2::Sha256>(
        result.certificate.der(),
        CHALLENGE,
        &result.signature
    ));
    // SELECT AP, then everything by short EF id: query 98, VERIFY 98, SIGN 97, READ 8A.
    let headers: Vec<[u8; 4]> = card
        .transcript()
        .iter()
        .map(|e| e.command[..4].try_into().unwrap())
        .collect();
    assert_eq!(
        headers,
        [
            [0x00, 0xA4, 0x04, 0x0C],
            [0x00, 0x20, 0x00, 0x98],
            [0x00, 0x20, 0x00, 0x98],
            [0x80, 0x2A, 0x00, 0x97],
            [0x00, 0xB0, 0x8A, 0x00],
        ]
    );
    assert_eq!(card.transcript()[1].command.len(), 4, "the query is case 1");
    assert_eq!(pin_verifies(&card), 1);
}

#[test]
fn cached_certificate_login_takes_four_apdus_and_no_read() {
    let mut card = recording(VirtualCardConfig::default());
    let mut session = JpkiCard::new(&mut card);
    let first = block(session.login(CHALLENGE, &auth_pin(), LastAttempt::Refuse)).unwrap();
    // What an app would persist between taps: the DER, parsed back.
    let cached = kazashi::CertificateInfo::from_der(first.certificate.der()).unwrap();
    card.reset();
    card.record_transcript(true);
    let challenge = b"the next day's challenge";
    let again = block(JpkiCard::new(&mut card).login_with_cached_certificate(
        challenge,
        &auth_pin(),
        LastAttempt::Refuse,
        &cached,
    ))
    .unwrap();
    assert!(again.certificate_from_cache);
    assert!(again.stats.apdus <= 4, "{:?}", again.stats);
    assert_eq!(count(&card, ins::READ_BINARY), 0);
    assert_eq!(again.certificate.der(), first.certificate.der());
    assert!(verify_independently::<sha2::Sha256>(
        card.certificate_der(CertificateKind::Authentication)
            .unwrap(),
        challenge,
        &again.signature
    ));
}

#[test]
fn a_cached_certificate_of_another_card_triggers_a_read() {
    let mut other = VirtualCard::new(VirtualCardConfig {
        seed: "another holder".into(),
        ..VirtualCardConfig::default()
    });
    let stale =
        block(JpkiCard::new(&mut other).read_certificate(CertificateKind::Authentication)).unwrap();
    let mut card = recording(VirtualCardConfig::default());
    let result = block(JpkiCard::new(&mut card).login_with_cached_certificate(
        CHALLENGE,
        &auth_pin(),
        LastAttempt::Refuse,
        &stale,
    ))
    .unwrap();
    assert!(!result.certificate_from_cache);
    assert_ne!(result.certificate.der(), stale.der());
    assert_eq!(
        result.certificate.der(),
        card.certificate_der(CertificateKind::Authentication)
            .unwrap()
    );
    assert!(verify_independently::<sha2::Sha256>(
        result.certificate.der(),
        CHALLENGE,
        &result.signature
    ));
    assert!(!verify_independently::<sha2::Sha256>(
        stale.der(),
        CHALLENGE,
        &result.signature
    ));
    assert_eq!(result.stats.apdus, 5);
    assert_eq!(
        pin_verifies(&card),
        1,
        "the mismatch costs a read, not a PIN"
    );
}

#[test]
fn signing_with_the_certificate_takes_six_apdus() {
    let mut card = recording(VirtualCardConfig::default());
    let document = b"an application form";
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, document);
    let result =
        block(JpkiCard::new(&mut card).sign(&digest, &password(), SignOptions::default())).unwrap();
    assert!(result.stats.apdus <= 6, "{:?}", result.stats);
    assert!(verify_independently::<sha2::Sha256>(
        result.certificate.der(),
        document,
        &result.signature
    ));
    assert_eq!(
        result.certificate.der(),
        card.certificate_der(CertificateKind::Signing).unwrap()
    );
}

#[test]
fn every_refusal_falls_back_to_select_and_is_remembered() {
    for refusal in [
        StatusWord::INCORRECT_P1_P2,
        StatusWord::FILE_NOT_FOUND,
        StatusWord::INS_NOT_SUPPORTED,
    ] {
        let mut card = recording(VirtualCardConfig {
            short_ef_id_refusal: Some(refusal),
            ..VirtualCardConfig::default()
        });
        let mut session = JpkiCard::new(&mut card);
        let first = block(session.login(CHALLENGE, &auth_pin(), LastAttempt::Refuse)).unwrap();
        assert_eq!(session.addressing(), EfAddressing::SELECT_ONLY);
        let second = block(session.login(b"again", &auth_pin(), LastAttempt::Refuse)).unwrap();
        let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"doc");
        let signed = block(session.sign(&digest, &password(), SignOptions::default())).unwrap();
        // One probe, the attempt-free retry query, and never again.
        let short: Vec<&Exchange> = card
            .transcript()
            .iter()
            .filter(|e| is_short_form(e))
            .collect();
        assert_eq!(short.len(), 1, "{refusal:?}");
        assert_eq!(short[0].command, [0x00, 0x20, 0x00, 0x98]);
        assert_eq!(first.stats.apdus, 9, "8 + the probe");
        assert_eq!(second.stats.apdus, 8, "SELECT forms, no probe");
        assert!(verify_independently::<sha2::Sha256>(
            first.certificate.der(),
            CHALLENGE,
            &first.signature
        ));
        assert!(verify_independently::<sha2::Sha256>(
            second.certificate.der(),
            b"again",
            &second.signature
        ));
        assert!(verify_independently::<sha2::Sha256>(
            signed.certificate.der(),
            b"doc",
            &signed.signature
        ));
        assert_eq!(pin_verifies(&card), 3, "one VERIFY per entry");
        assert_eq!(card.attempts_left(PinKind::Authentication), Some(3));
        assert_eq!(card.attempts_left(PinKind::Signing), Some(5));
    }
}

#[test]
fn select_only_sessions_send_no_short_form() {
    let mut card = recording(VirtualCardConfig::default());
    let mut session = JpkiCard::new(&mut card).with_addressing(EfAddressing::SELECT_ONLY);
    let login = block(session.login(CHALLENGE, &auth_pin(), LastAttempt::Refuse)).unwrap();
    let status = block(session.status()).unwrap();
    assert_eq!(login.stats.apdus, 8);
    assert_eq!(status.stats.apdus, 11);
    assert!(!card.transcript().iter().any(is_short_form));
}

#[test]
fn status_uses_short_reads() {
    let mut card = recording(VirtualCardConfig::default());
    let status = block(JpkiCard::new(&mut card).status()).unwrap();
    // SELECT AP, token info, availability, two queries, the certificate.
    assert_eq!(status.stats.apdus, 6);
    assert_eq!(count(&card, ins::SELECT), 1);
    assert_eq!(status.authentication_pin.attempts_left, Some(3));
    assert_eq!(status.signing_password.unwrap().attempts_left, Some(5));
    assert_eq!(
        status.authentication_certificate.unwrap().der(),
        card.certificate_der(CertificateKind::Authentication)
            .unwrap()
    );
}

#[test]
fn short_links_select_before_reading_past_the_first_chunk() {
    let mut card = recording(Profile::NoExtendedLength.config());
    let result =
        block(JpkiCard::new(&mut card).login(CHALLENGE, &auth_pin(), LastAttempt::Refuse)).unwrap();
    let der = card
        .certificate_der(CertificateKind::Authentication)
        .unwrap();
    assert_eq!(result.certificate.der(), der);
    let reads: Vec<&Exchange> = card
        .transcript()
        .iter()
        .filter(|e| e.ins() == Some(ins::READ_BINARY))
        .collect();
    assert_eq!(reads.len(), der.len().div_ceil(256));
    assert!(is_short_form(reads[0]));
    // The EF is selected right after the short read, before any offset read.
    let first_read = card
        .transcript()
        .iter()
        .position(|e| e.ins() == Some(ins::READ_BINARY))
        .unwrap();
    assert_eq!(
        card.transcript()[first_read + 1].command,
        [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A]
    );
    assert!(card.transcript().iter().all(|e| e.command.len() <= 261));
}

/// A card that understands the short retry query but refuses a short VERIFY, answering
/// `6A86` without looking at the PIN.
struct RefusesShortVerify<'a>(&'a mut VirtualCard);

#[async_trait]
impl Transport for RefusesShortVerify<'_> {
    fn capabilities(&self) -> LinkCapabilities {
        self.0.capabilities()
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if command[1] == ins::VERIFY && command.len() > 4 && command[3] != 0x80 {
            return Ok(vec![0x6A, 0x86]);
        }
        Ok(self.0.process(command))
    }
}

#[test]
fn a_refused_short_verify_is_not_resent() {
    let mut card = recording(VirtualCardConfig::default());
    let mut link = RefusesShortVerify(&mut card);
    let mut session = JpkiCard::new(&mut link);
    let err = block(session.login(CHALLENGE, &auth_pin(), LastAttempt::Refuse)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::CardStatus {
                sw: StatusWord::INCORRECT_P1_P2,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(session.addressing().pins, Support::Refused);
    // The user taps again: the PIN goes in the SELECT form.
    let result = block(session.login(CHALLENGE, &auth_pin(), LastAttempt::Refuse)).unwrap();
    assert!(verify_independently::<sha2::Sha256>(
        result.certificate.der(),
        CHALLENGE,
        &result.signature
    ));
    // The card saw one VERIFY (the refused one never reached it), and no attempt was lost.
    assert_eq!(pin_verifies(&card), 1);
    assert_eq!(card.attempts_left(PinKind::Authentication), Some(3));
}

#[test]
fn under_15_cards_need_no_probe_of_the_signing_password() {
    let mut card = recording(Profile::Under15.config());
    let mut session = JpkiCard::new(&mut card);
    let status = block(session.status()).unwrap();
    assert!(!status.has_signing_certificate());
    let err = block(session.sign(
        &DocumentDigest::of_document(DigestAlgorithm::Sha256, b"x"),
        &password(),
        SignOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(err, Error::NoSigningCertificate);
    // The availability file answered first: the short forms stay in use.
    assert_eq!(session.addressing().reads, Support::Accepted);
    assert_eq!(pin_verifies(&card), 0);
}
