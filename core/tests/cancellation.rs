//! A flow dropped while its PIN command is on its way (an app cancelled it: a Kotlin coroutine
//! cancelled when the user leaves the screen drops the Rust future). The card may have counted
//! the attempt, so the next PIN entry on that card is refused once with the interrupted-PIN
//! error instead of going ahead as if nothing had happened; nothing is ever re-sent.

mod common;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

use async_trait::async_trait;
use common::block;
use kazashi::jpki::ins;
use kazashi::{
    AuthPin, Error, JpkiCard, LastAttempt, LinkCapabilities, PinKind, Transport, TransportError,
};
use kazashi_virtual_card::{Profile, VirtualCard};

/// The virtual card behind a link that delivers the next command with instruction `stall_ins`
/// and then never answers: the card acts on it, the app never hears back.
struct StallOnce {
    card: VirtualCard,
    stall_ins: Option<u8>,
}

impl StallOnce {
    fn new(stall_ins: u8) -> Self {
        let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
        card.record_transcript(true);
        Self {
            card,
            stall_ins: Some(stall_ins),
        }
    }

    fn pin_commands(&self) -> usize {
        self.card
            .transcript()
            .iter()
            .filter(|e| {
                matches!(
                    e.command.get(1),
                    Some(&ins::VERIFY | &ins::CHANGE_REFERENCE_DATA)
                ) && e.command.len() > 5
            })
            .count()
    }
}

#[async_trait]
impl Transport for StallOnce {
    fn capabilities(&self) -> LinkCapabilities {
        self.card.capabilities()
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let response = self.card.process(command);
        // Only a command with data: the retry query is a bare VERIFY header.
        if command.len() > 5 && self.stall_ins == command.get(1).copied() {
            self.stall_ins = None;
            std::future::pending::<()>().await;
        }
        Ok(response)
    }
}

/// Polls `flow` until it waits on the link, then drops it, as a cancelled caller does.
fn cancel_when_stalled<F: Future>(flow: F) {
    let mut flow = pin!(flow);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..16 {
        if flow.as_mut().poll(&mut cx).is_ready() {
            panic!("the flow finished; it should be waiting for the stalled command");
        }
    }
}

fn pin(digits: &str) -> AuthPin {
    AuthPin::new(digits).unwrap()
}

#[test]
fn a_log_in_cancelled_during_verify_is_reported_at_the_next_entry() {
    let mut session = JpkiCard::new(StallOnce::new(ins::VERIFY));
    // A wrong PIN, delivered: the card counts it, the app never learns.
    cancel_when_stalled(session.login(b"c", &pin("9999"), LastAttempt::Refuse));
    assert_eq!(session.transport_mut().pin_commands(), 1);

    let err = block(session.login(b"c", &pin("1234"), LastAttempt::Refuse)).unwrap_err();
    assert_eq!(
        err,
        Error::PinCheckInterrupted {
            pin: PinKind::Authentication,
            cause: TransportError::Cancelled
        }
    );
    assert_eq!(
        session.transport_mut().pin_commands(),
        1,
        "refused without a VERIFY"
    );
    assert!(err.to_string().contains("may have been counted"), "{err}");

    // Reported once: the next entry goes ahead with its own counter checks, and the counter
    // shows the attempt the cancelled flow spent.
    let status = block(session.retry_counter(PinKind::Authentication)).unwrap();
    assert_eq!(status.attempts_left, Some(2));
    block(session.login(b"c", &pin("1234"), LastAttempt::Refuse)).unwrap();
    assert_eq!(
        session.transport_mut().pin_commands(),
        2,
        "nothing was re-sent"
    );
}

#[test]
fn reading_the_counter_acknowledges_the_interruption() {
    let mut session = JpkiCard::new(StallOnce::new(ins::VERIFY));
    cancel_when_stalled(session.login(b"c", &pin("1234"), LastAttempt::Refuse));
    block(session.status()).unwrap();
    block(session.login(b"c", &pin("1234"), LastAttempt::Refuse)).unwrap();
}

#[test]
fn a_pin_change_cancelled_in_flight_says_either_pin_may_be_on_the_card() {
    let mut session = JpkiCard::new(StallOnce::new(ins::CHANGE_REFERENCE_DATA));
    cancel_when_stalled(session.change_pin(&pin("1234"), &pin("4321"), LastAttempt::Refuse));
    let err =
        block(session.change_pin(&pin("1234"), &pin("4321"), LastAttempt::Refuse)).unwrap_err();
    assert_eq!(
        err,
        Error::PinChangeInterrupted {
            pin: PinKind::Authentication,
            cause: TransportError::Cancelled
        }
    );
    assert!(
        err.to_string().contains("either your old or your new"),
        "{err}"
    );
    // The change went through on the card: the new PIN logs in.
    block(session.login(b"c", &pin("4321"), LastAttempt::Refuse)).unwrap();
}

#[test]
fn a_flow_cancelled_before_its_pin_command_leaves_nothing_behind() {
    // Stalled on the SIGN, after the VERIFY was answered: no PIN command was cut off.
    let mut session = JpkiCard::new(StallOnce::new(ins::COMPUTE_DIGITAL_SIGNATURE));
    cancel_when_stalled(session.login(b"c", &pin("1234"), LastAttempt::Refuse));
    block(session.login(b"c", &pin("1234"), LastAttempt::Refuse)).unwrap();
}
