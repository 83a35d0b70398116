//! A one-line progress indicator on standard error while the card works: what the card is
//! doing (the same sentence a phone's NFC sheet shows) and how many APDUs so far. Shown only
//! on a terminal and never with `--json`.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use kazashi::progress::{ProgressStage, ProgressTracker};
use kazashi::{LinkCapabilities, Transport, TransportError};
use kazashi_messages::{stage_message, Language};

static SHOWN: AtomicBool = AtomicBool::new(false);
const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// Wraps a transport and redraws the progress line before each APDU, with the stage the core
/// judges from the command ([`ProgressStage`]) in the catalogue's words, as a phone shows them.
pub struct Progress<T> {
    inner: T,
    count: usize,
    tracker: ProgressTracker,
    language: Language,
}

impl<T> Progress<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            count: 0,
            tracker: ProgressTracker::default(),
            language: crate::language::user_language(),
        }
    }
}

#[async_trait]
impl<T: Transport> Transport for Progress<T> {
    fn capabilities(&self) -> LinkCapabilities {
        self.inner.capabilities()
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.count += 1;
        self.tracker.on_command(command);
        self.tracker.take_pending();
        let stage = self.tracker.current().unwrap_or(ProgressStage::CardFound);
        draw(self.count, &stage_message(stage, None, self.language));
        self.inner.transmit(command).await
    }
}

fn draw(count: usize, doing: &str) {
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r\x1b[K{} {doing} ({count} APDUs)",
        FRAMES[count % FRAMES.len()],
    );
    let _ = err.flush();
    SHOWN.store(true, Ordering::Relaxed);
}

/// Erases the progress line, if one is shown (before a prompt or the final output).
pub fn clear() {
    if SHOWN.swap(false, Ordering::Relaxed) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
}
