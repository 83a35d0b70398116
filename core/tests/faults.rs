//! Fault injection on every APDU of every flow: each run ends in the matching typed error (never
//! a panic), the PIN attempts spent equal the PINs entered, no VERIFY is sent twice for one
//! entry, and a following tap on a healthy link succeeds.

mod common;

use common::block;
use kazashi::card_info::{
    AttributesKey, CardInfoCard, CardInfoPin, MyNumberKey, VerificationNumberB,
};
use kazashi::card_surface::{CardSurfaceCard, SurfaceKey};
use kazashi::{
    AuthPin, CertificateKind, DigestAlgorithm, DocumentDigest, Error, JpkiCard, LastAttempt,
    PinKind, SignOptions, SigningPassword, Transport, TransportError,
};
use kazashi_virtual_card::faults::{Fault, FaultyTransport};
use kazashi_virtual_card::{Profile, VirtualCard};

/// The short-EF-id path, its SELECT fallback, and chunked reads on a short link.
const PROFILES: [Profile; 3] = [
    Profile::PhysicalCard,
    Profile::NoShortEfIds,
    Profile::NoExtendedLength,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Status,
    ReadAuthCertificate,
    ReadAuthCa,
    ReadSigningCertificate,
    Login,
    LoginWrongPin,
    Sign,
    SignWrongPassword,
    ChangeAuthPin,
    ChangeSigningPassword,
    ChangeAuthPinToNew,
    ChangeSigningPasswordToNew,
    CardInfoAttributes,
    CardInfoMyNumber,
    CardInfoWrongPin,
    CardSurfaceFront,
}

/// The values the `...ToNew` flows change the PINs to.
const NEW_AUTH_PIN: &str = "5678";
const NEW_SIGNING_PASSWORD: &str = "NEW456";

impl Flow {
    const ALL: [Flow; 16] = [
        Flow::Status,
        Flow::ReadAuthCertificate,
        Flow::ReadAuthCa,
        Flow::ReadSigningCertificate,
        Flow::Login,
        Flow::LoginWrongPin,
        Flow::Sign,
        Flow::SignWrongPassword,
        Flow::ChangeAuthPin,
        Flow::ChangeSigningPassword,
        Flow::ChangeAuthPinToNew,
        Flow::ChangeSigningPasswordToNew,
        Flow::CardInfoAttributes,
        Flow::CardInfoMyNumber,
        Flow::CardInfoWrongPin,
        Flow::CardSurfaceFront,
    ];

    /// The PIN the user entered for this flow, if any, and whether it is wrong.
    fn pin(self) -> Option<(PinKind, bool)> {
        match self {
            // The card-surface application's verification number B has a counter of its own,
            // not among those accounted for below; the right number spends nothing anyway.
            Flow::Status
            | Flow::ReadAuthCertificate
            | Flow::ReadAuthCa
            | Flow::CardSurfaceFront => None,
            Flow::Login | Flow::ChangeAuthPin | Flow::ChangeAuthPinToNew => {
                Some((PinKind::Authentication, false))
            }
            Flow::LoginWrongPin => Some((PinKind::Authentication, true)),
            Flow::ReadSigningCertificate
            | Flow::Sign
            | Flow::ChangeSigningPassword
            | Flow::ChangeSigningPasswordToNew => Some((PinKind::Signing, false)),
            Flow::SignWrongPassword => Some((PinKind::Signing, true)),
            Flow::CardInfoAttributes | Flow::CardInfoMyNumber => Some((PinKind::CardInfo, false)),
            Flow::CardInfoWrongPin => Some((PinKind::CardInfo, true)),
        }
    }

    fn run<T: Transport>(self, card: &mut JpkiCard<T>) -> Result<(), Error> {
        let pin = AuthPin::new("1234").unwrap();
        let password = SigningPassword::new("ABC123").unwrap();
        let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"document");
        let last = LastAttempt::Refuse;
        match self {
            Flow::Status => block(card.status()).map(drop),
            Flow::ReadAuthCertificate => {
                block(card.read_certificate(CertificateKind::Authentication)).map(drop)
            }
            Flow::ReadAuthCa => {
                block(card.read_certificate(CertificateKind::AuthenticationCa)).map(drop)
            }
            Flow::ReadSigningCertificate => {
                block(card.read_signing_certificate(&password, last)).map(drop)
            }
            Flow::Login => block(card.login(b"challenge", &pin, last)).map(drop),
            Flow::LoginWrongPin => {
                block(card.login(b"challenge", &AuthPin::new("9999").unwrap(), last)).map(drop)
            }
            Flow::Sign => block(card.sign(&digest, &password, SignOptions::default())).map(drop),
            Flow::SignWrongPassword => block(card.sign(
                &digest,
                &SigningPassword::new("WRONG9").unwrap(),
                SignOptions::default(),
            ))
            .map(drop),
            // Changing to the same value keeps the follow-up tap meaningful.
            Flow::ChangeAuthPin => block(card.change_pin(&pin, &pin, last)),
            Flow::ChangeSigningPassword => block(card.change_pin(&password, &password, last)),
            Flow::ChangeAuthPinToNew => {
                block(card.change_pin(&pin, &AuthPin::new(NEW_AUTH_PIN).unwrap(), last))
            }
            Flow::ChangeSigningPasswordToNew => block(card.change_pin(
                &password,
                &SigningPassword::new(NEW_SIGNING_PASSWORD).unwrap(),
                last,
            )),
            Flow::CardInfoAttributes => block(
                CardInfoCard::new(card.card_mut())
                    .read_attributes(AttributesKey::Pin(&card_info_pin("1234")), last),
            )
            .map(drop),
            Flow::CardInfoMyNumber => block(
                CardInfoCard::new(card.card_mut())
                    .read_my_number(MyNumberKey::Pin(&card_info_pin("1234")), last),
            )
            .map(drop),
            Flow::CardSurfaceFront => {
                let number = VerificationNumberB::new(number_b()).unwrap();
                block(
                    CardSurfaceCard::new(card.card_mut())
                        .read_surface(SurfaceKey::NumberB(&number), last),
                )
                .map(drop)
            }
            Flow::CardInfoWrongPin => block(
                CardInfoCard::new(card.card_mut())
                    .read_attributes(AttributesKey::Pin(&card_info_pin("9999")), last),
            )
            .map(drop),
        }
    }

    /// The next tap, on a healthy link. A PIN change to a new value is followed by a log-in (or
    /// signature) with whichever PIN the card holds now: the new one if the CHANGE reached it.
    fn follow_up<T: Transport>(self, card: &mut JpkiCard<T>, changed: bool) -> Result<(), Error> {
        let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"document");
        let last = LastAttempt::Refuse;
        match self {
            Flow::ChangeAuthPinToNew => {
                let pin = AuthPin::new(if changed { NEW_AUTH_PIN } else { "1234" }).unwrap();
                block(card.login(b"challenge", &pin, last)).map(drop)
            }
            Flow::ChangeSigningPasswordToNew => {
                let password = SigningPassword::new(if changed {
                    NEW_SIGNING_PASSWORD
                } else {
                    "ABC123"
                })
                .unwrap();
                block(card.sign(&digest, &password, SignOptions::default())).map(drop)
            }
            other => other.run(card),
        }
    }
}

/// The virtual cards' verification number B (the same default seed in every profile here).
fn number_b() -> &'static str {
    static NUMBER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NUMBER.get_or_init(|| VirtualCard::from_profile(Profile::PhysicalCard).verification_number_b())
}

fn card_info_pin(digits: &str) -> CardInfoPin {
    CardInfoPin::new(digits).unwrap()
}

/// The secrets whose attempts are accounted for.
const COUNTED: [PinKind; 3] = [PinKind::Authentication, PinKind::Signing, PinKind::CardInfo];

/// Whether a CHANGE REFERENCE DATA reached the card and succeeded.
fn pin_changed(card: &VirtualCard) -> bool {
    card.transcript()
        .iter()
        .any(|e| e.ins() == Some(0x24) && e.response.ends_with(&[0x90, 0x00]))
}

fn pin_verifies(card: &VirtualCard) -> usize {
    card.transcript()
        .iter()
        .filter(|e| e.is_pin_verify())
        .count()
}

fn expected_link_error(result: &Result<(), Error>, want: TransportError) -> bool {
    match result {
        Err(Error::Transport(got)) => *got == want,
        Err(Error::PinCheckInterrupted { cause, .. }) => *cause == want,
        Err(Error::PinChangeInterrupted { cause, .. }) => *cause == want,
        _ => false,
    }
}

#[test]
fn every_fault_at_every_apdu_of_every_flow() {
    let mut runs = 0;
    let mut apdus = 0;
    let mut interrupted_changes = 0;
    for (profile, flow) in PROFILES.into_iter().flat_map(|p| Flow::ALL.map(|f| (p, f))) {
        // The healthy run, and the instruction byte of each of its APDUs.
        let (healthy, instructions) = {
            let mut card = VirtualCard::from_profile(profile);
            card.record_transcript(true);
            let mut session = JpkiCard::new(&mut card);
            let result = flow.run(&mut session);
            assert_eq!(
                result.is_ok(),
                flow.pin().is_none_or(|(_, wrong)| !wrong),
                "{profile}: {flow:?}: {result:?}"
            );
            let apdus = session.stats().apdus as usize;
            let instructions: Vec<Option<u8>> = card.transcript().iter().map(|e| e.ins()).collect();
            (apdus, instructions)
        };
        apdus += healthy;
        for at in 0..healthy {
            for fault in Fault::ALL {
                runs += 1;
                let mut card = VirtualCard::from_profile(profile);
                card.record_transcript(true);
                let before = COUNTED.map(|k| card.attempts_left(k));
                let result = {
                    let mut link = FaultyTransport::new(&mut card, at, fault);
                    let mut session = JpkiCard::new(&mut link);
                    flow.run(&mut session)
                };
                let context = format!("{profile}: {flow:?}, {fault:?} at APDU {at}: {result:?}");
                // A link failure on the CHANGE itself says the card may hold either PIN.
                let on_change = instructions.get(at) == Some(&Some(0x24));
                if on_change && !matches!(fault, Fault::Corrupt | Fault::Truncate | Fault::Delay(_))
                {
                    interrupted_changes += 1;
                    assert!(
                        matches!(&result, Err(e @ Error::PinChangeInterrupted { .. })
                            if e.to_string().contains("either your old or your new")),
                        "{context}"
                    );
                }
                match fault {
                    Fault::TagLostBeforeDelivery | Fault::TagLostAfterDelivery => {
                        assert!(
                            expected_link_error(&result, TransportError::TagLost),
                            "{context}"
                        )
                    }
                    Fault::Timeout => assert!(
                        expected_link_error(&result, TransportError::Timeout),
                        "{context}"
                    ),
                    Fault::Delay(_) => {
                        let wrong = flow.pin().is_some_and(|(_, wrong)| wrong);
                        assert_eq!(result.is_ok(), !wrong, "{context}");
                    }
                    // A damaged response is a typed card/format error, never a link error.
                    Fault::Corrupt | Fault::Truncate => assert!(
                        !matches!(
                            result,
                            Err(Error::Transport(_))
                                | Err(Error::PinCheckInterrupted { .. })
                                | Err(Error::PinChangeInterrupted { .. })
                        ),
                        "{context}"
                    ),
                }
                // PIN accounting: at most the one entry was checked, and only a wrong entry
                // that reached the card cost an attempt.
                let verifies = pin_verifies(&card);
                assert!(verifies <= 1, "VERIFY sent twice: {context}");
                for (i, kind) in COUNTED.into_iter().enumerate() {
                    let spent = before[i].unwrap() - card.attempts_left(kind).unwrap();
                    let expected = match flow.pin() {
                        Some((k, true)) if k == kind => verifies,
                        _ => 0,
                    };
                    assert_eq!(spent as usize, expected, "attempts on {kind}: {context}");
                }
                // The next tap, on a healthy link, works (with the PIN the card holds now).
                let changed = pin_changed(&card);
                card.reset();
                let follow_up = flow.follow_up(&mut JpkiCard::new(&mut card), changed);
                match flow.pin() {
                    Some((_, true)) => assert!(
                        matches!(follow_up, Err(Error::WrongPin { .. })),
                        "{context}"
                    ),
                    _ => assert!(
                        follow_up.is_ok(),
                        "follow-up after {context}: {follow_up:?}"
                    ),
                }
            }
        }
    }
    println!(
        "fault matrix: {runs} runs ({} profiles x {} flows x every APDU x {} faults)",
        PROFILES.len(),
        Flow::ALL.len(),
        Fault::ALL.len()
    );
    assert_eq!(
        runs,
        apdus * Fault::ALL.len(),
        "every APDU of every flow, every fault"
    );
    // 3 profiles x 4 change flows x 3 link faults on the CHANGE itself.
    assert_eq!(
        interrupted_changes, 36,
        "PIN changes interrupted on the CHANGE"
    );
}
