//! The bindings' own share of an APDU round trip: the flow of `bindings/kotlin/tests/FfiBench.kt`
//! (the retry-counter read, 5,000 times) through the same [`CardSession`], but with a transceiver
//! written in Rust, so no uniffi lowering, JNA call or Kotlin coroutine is involved. What is left
//! is ours: the session's lock, the progress tracker, the core's APDU building and parsing, the
//! transport adapter's copy and the wiping allocator. FfiBench's figure minus this one is what
//! the crossing into Kotlin and back costs. A report, not a test: it prints the figures.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use kazashi_ffi::{CardSession, LinkInfo, NfcError, NfcTransceiver, PinKind};

/// Answers SELECT with 90 00 and the retry query with 63 C3, as FfiBench's transceiver does.
#[derive(Default)]
struct CannedTransceiver {
    apdus: AtomicU64,
}

#[async_trait]
impl NfcTransceiver for CannedTransceiver {
    fn link_info(&self) -> Result<LinkInfo, NfcError> {
        Ok(LinkInfo {
            extended_length: true,
            max_transceive_length: 65546,
        })
    }

    async fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, NfcError> {
        self.apdus.fetch_add(1, Ordering::Relaxed);
        Ok(if command[1] == 0x20 {
            vec![0x63, 0xC3]
        } else {
            vec![0x90, 0x00]
        })
    }
}

fn main() {
    let link = Arc::new(CannedTransceiver::default());
    let session = CardSession::new(link.clone());
    let flow = || {
        let status = pollster::block_on(session.retry_counter(PinKind::Authentication));
        assert_eq!(status.expect("canned answers").attempts_left, Some(3));
    };
    (0..1_000).for_each(|_| flow()); // warm-up
    link.apdus.store(0, Ordering::Relaxed);
    let calls = 5_000;
    let start = Instant::now();
    (0..calls).for_each(|_| flow());
    let elapsed = start.elapsed().as_secs_f64() * 1e6;
    let apdus = link.apdus.load(Ordering::Relaxed);
    println!(
        "session overhead: {calls} retry-counter flows, {apdus} APDUs, {:.2} µs per APDU, \
         {:.2} µs per flow (Rust transceiver: no FFI crossing)",
        elapsed / apdus as f64,
        elapsed / f64::from(calls)
    );
}
