//! Model-based testing: random sequences of user actions against the virtual card and a
//! simple model of the card's PIN rules; after every step the counters, lock states and
//! outcomes must agree.

mod common;

use common::block;
use kazashi::{
    AuthPin, DigestAlgorithm, DocumentDigest, Error, JpkiCard, LastAttempt, PinKind, SignOptions,
    SigningPassword,
};
use kazashi_virtual_card::VirtualCard;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Action {
    Login {
        correct: bool,
        confirm: bool,
    },
    Sign {
        correct: bool,
        confirm: bool,
    },
    ChangeAuthPin {
        correct: bool,
        confirm: bool,
        to: u8,
    },
    Status,
    LostTap,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (any::<bool>(), any::<bool>())
            .prop_map(|(correct, confirm)| Action::Login { correct, confirm }),
        (any::<bool>(), any::<bool>())
            .prop_map(|(correct, confirm)| Action::Sign { correct, confirm }),
        (any::<bool>(), any::<bool>(), 0u8..3).prop_map(|(correct, confirm, to)| {
            Action::ChangeAuthPin {
                correct,
                confirm,
                to,
            }
        }),
        Just(Action::Status),
        Just(Action::LostTap),
    ]
}

/// What the card's rules say should happen.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    Wrong(u8),
    LockedNow,
    Locked,
    NeedsConfirmation,
}

struct Model {
    auth_pin: String,
    auth_left: u8,
    sign_left: u8,
}

impl Model {
    /// One PIN entry under the rules: counter first, confirmation for the last attempt,
    /// reset on success, lock at zero.
    fn enter(left: &mut u8, max: u8, correct: bool, confirm: bool) -> Outcome {
        if *left == 0 {
            Outcome::Locked
        } else if *left == 1 && !confirm {
            Outcome::NeedsConfirmation
        } else if correct {
            *left = max;
            Outcome::Ok
        } else {
            *left -= 1;
            if *left == 0 {
                Outcome::LockedNow
            } else {
                Outcome::Wrong(*left)
            }
        }
    }
}

fn observed(result: Result<(), Error>) -> Outcome {
    match result {
        Ok(()) => Outcome::Ok,
        Err(Error::WrongPin { attempts_left, .. }) => Outcome::Wrong(attempts_left),
        Err(Error::PinBlocked {
            by_this_attempt: true,
            ..
        }) => Outcome::LockedNow,
        Err(Error::PinBlocked {
            by_this_attempt: false,
            ..
        }) => Outcome::Locked,
        Err(Error::LastAttemptNotConfirmed { .. }) => Outcome::NeedsConfirmation,
        Err(other) => panic!("unexpected error: {other}"),
    }
}

fn confirm(c: bool) -> LastAttempt {
    if c {
        LastAttempt::Confirmed
    } else {
        LastAttempt::Refuse
    }
}

const PINS: [&str; 3] = ["1234", "2468", "8642"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn card_and_model_agree(actions in prop::collection::vec(action(), 1..24)) {
        let mut card = VirtualCard::default();
        let mut model = Model { auth_pin: "1234".into(), auth_left: 3, sign_left: 5 };
        let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"doc");
        for step in actions {
            let wrong_auth = PINS.iter().find(|p| **p != model.auth_pin).unwrap().to_string();
            let (result, expected) = match step.clone() {
                Action::Login { correct, confirm: c } => {
                    let pin = AuthPin::new(if correct { &model.auth_pin } else { &wrong_auth }).unwrap();
                    let r = block(JpkiCard::new(&mut card).login(b"c", &pin, confirm(c))).map(drop);
                    (r, Model::enter(&mut model.auth_left, 3, correct, c))
                }
                Action::Sign { correct, confirm: c } => {
                    let password = SigningPassword::new(if correct { "ABC123" } else { "XYZ789" }).unwrap();
                    let options = SignOptions { last_attempt: confirm(c), ..SignOptions::default() };
                    let r = block(JpkiCard::new(&mut card).sign(&digest, &password, options)).map(drop);
                    (r, Model::enter(&mut model.sign_left, 5, correct, c))
                }
                Action::ChangeAuthPin { correct, confirm: c, to } => {
                    let current = AuthPin::new(if correct { &model.auth_pin } else { &wrong_auth }).unwrap();
                    let new = AuthPin::new(PINS[to as usize]).unwrap();
                    let r = block(JpkiCard::new(&mut card).change_pin(&current, &new, confirm(c)));
                    let expected = Model::enter(&mut model.auth_left, 3, correct, c);
                    if expected == Outcome::Ok {
                        model.auth_pin = PINS[to as usize].to_string();
                    }
                    (r, expected)
                }
                Action::Status => {
                    let status = block(JpkiCard::new(&mut card).status()).unwrap();
                    prop_assert_eq!(status.authentication_pin.attempts_left, Some(model.auth_left));
                    prop_assert_eq!(status.signing_password.unwrap().attempts_left, Some(model.sign_left));
                    (Ok(()), Outcome::Ok)
                }
                Action::LostTap => {
                    card.reset();
                    (Ok(()), Outcome::Ok)
                }
            };
            prop_assert_eq!(observed(result), expected, "step {:?}", step);
            prop_assert_eq!(card.attempts_left(PinKind::Authentication), Some(model.auth_left));
            prop_assert_eq!(card.attempts_left(PinKind::Signing), Some(model.sign_left));
        }
    }
}
