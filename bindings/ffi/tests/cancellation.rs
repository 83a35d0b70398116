//! A call cancelled by the app while its VERIFY is on the air (Kotlin: the coroutine is
//! cancelled and uniffi drops the Rust future) is not a plain cancellation: the session's next
//! PIN entry reports `PinCheckInterrupted`, sends no VERIFY, and nothing is re-sent.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Waker};

use async_trait::async_trait;
use kazashi_ffi::{
    CardSession, ErrorKind, KazashiError, LinkInfo, NfcError, NfcTransceiver, PinKind, VirtualCard,
    VirtualCardProfile,
};

/// Delivers the first VERIFY that carries a PIN to the virtual card, then never answers it.
struct StallFirstVerify {
    card: Arc<VirtualCard>,
    stalled: AtomicBool,
}

#[async_trait]
impl NfcTransceiver for StallFirstVerify {
    fn link_info(&self) -> Result<LinkInfo, NfcError> {
        self.card.link_info()
    }

    async fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, NfcError> {
        let is_verify_with_pin = command.get(1) == Some(&0x20) && command.len() > 5;
        let response = self.card.process(command);
        if is_verify_with_pin && !self.stalled.swap(true, Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        Ok(response)
    }
}

/// Polls `call` until it waits on the card, then drops it, as uniffi does on cancellation.
fn cancel_when_stalled<F: Future>(call: F) {
    let mut call = pin!(call);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..16 {
        if call.as_mut().poll(&mut cx).is_ready() {
            panic!("the call finished; it should be waiting for the VERIFY's answer");
        }
    }
}

#[test]
fn a_call_cancelled_during_verify_surfaces_as_pin_check_interrupted() {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let session = CardSession::new(Arc::new(StallFirstVerify {
        card: card.clone(),
        stalled: AtomicBool::new(false),
    }));
    // A wrong PIN reaches the card, which counts it; the call is cancelled before the answer.
    cancel_when_stalled(session.login(b"c".to_vec(), "9999".into(), false));
    assert_eq!(card.pin_verifications(), 1);
    assert_eq!(card.attempts_left(PinKind::Authentication), Some(2));

    let err = pollster::block_on(session.login(b"c".to_vec(), "1234".into(), false)).unwrap_err();
    let KazashiError::Failed {
        kind, pin, reason, ..
    } = err;
    assert_eq!(kind, ErrorKind::PinCheckInterrupted);
    assert_eq!(pin, Some(PinKind::Authentication));
    assert!(reason.contains("cancelled"), "{reason}");
    assert_eq!(card.pin_verifications(), 1, "no VERIFY was sent");

    // The counter tells the truth; the next entry is the user's own, and it works.
    let counter = pollster::block_on(session.retry_counter(PinKind::Authentication)).unwrap();
    assert_eq!(counter.attempts_left, Some(2));
    pollster::block_on(session.login(b"c".to_vec(), "1234".into(), false)).unwrap();
    assert_eq!(card.pin_verifications(), 2);
}
