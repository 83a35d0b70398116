//! Fault injection on every APDU of every flow: each run ends in the matching typed error (never
//! a panic), the PIN attempts spent equal the PINs entered, no VERIFY is sent twice for one
//! entry, and a following tap on a healthy link succeeds.

mod common;

use common::block;
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
}

impl Flow {
    const ALL: [Flow; 10] = [
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
    ];

    /// The PIN the user entered for this flow, if any, and whether it is wrong.
    fn pin(self) -> Option<(PinKind, bool)> {
        match self {
            Flow::Status | Flow::ReadAuthCertificate | Flow::ReadAuthCa => None,
            Flow::Login | Flow::ChangeAuthPin => Some((PinKind::Authentication, false)),
            Flow::LoginWrongPin => Some((PinKind::Authentication, true)),
            Flow::ReadSigningCertificate | Flow::Sign | Flow::ChangeSigningPassword => {
                Some((PinKind::Signing, false))
            }
            Flow::SignWrongPassword => Some((PinKind::Signing, true)),
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
        }
    }
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
        _ => false,
    }
}

#[test]
fn every_fault_at_every_apdu_of_every_flow() {
    let mut runs = 0;
    let mut apdus = 0;
    for (profile, flow) in PROFILES.into_iter().flat_map(|p| Flow::ALL.map(|f| (p, f))) {
        let healthy = {
            let mut card = VirtualCard::from_profile(profile);
            let mut session = JpkiCard::new(&mut card);
            let result = flow.run(&mut session);
            assert_eq!(
                result.is_ok(),
                flow.pin().is_none_or(|(_, wrong)| !wrong),
                "{profile}: {flow:?}: {result:?}"
            );
            session.stats().apdus as usize
        };
        apdus += healthy;
        for at in 0..healthy {
            for fault in Fault::ALL {
                runs += 1;
                let mut card = VirtualCard::from_profile(profile);
                card.record_transcript(true);
                let before =
                    [PinKind::Authentication, PinKind::Signing].map(|k| card.attempts_left(k));
                let result = {
                    let mut link = FaultyTransport::new(&mut card, at, fault);
                    let mut session = JpkiCard::new(&mut link);
                    flow.run(&mut session)
                };
                let context = format!("{profile}: {flow:?}, {fault:?} at APDU {at}: {result:?}");
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
                            Err(Error::Transport(_)) | Err(Error::PinCheckInterrupted { .. })
                        ),
                        "{context}"
                    ),
                }
                // PIN accounting: at most the one entry was checked, and only a wrong entry
                // that reached the card cost an attempt.
                let verifies = pin_verifies(&card);
                assert!(verifies <= 1, "VERIFY sent twice: {context}");
                for (i, kind) in [PinKind::Authentication, PinKind::Signing]
                    .into_iter()
                    .enumerate()
                {
                    let spent = before[i].unwrap() - card.attempts_left(kind).unwrap();
                    let expected = match flow.pin() {
                        Some((k, true)) if k == kind => verifies,
                        _ => 0,
                    };
                    assert_eq!(spent as usize, expected, "attempts on {kind}: {context}");
                }
                // The next tap, on a healthy link, works.
                card.reset();
                let follow_up = flow.run(&mut JpkiCard::new(&mut card));
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
}
