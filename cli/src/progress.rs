//! A one-line progress indicator on standard error while the card works: what the card is
//! doing and how many APDUs so far. Shown only on a terminal and never with `--json`.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use kazashi::{LinkCapabilities, Transport, TransportError};

static SHOWN: AtomicBool = AtomicBool::new(false);
const FRAMES: [char; 4] = ['|', '/', '-', '\\'];

/// Wraps a transport and redraws the progress line before each APDU.
pub struct Progress<T> {
    inner: T,
    count: usize,
}

impl<T> Progress<T> {
    pub fn new(inner: T) -> Self {
        Self { inner, count: 0 }
    }
}

fn doing(command: &[u8]) -> &'static str {
    match command.get(1) {
        Some(0x2A) => "signing",
        Some(0x20) if command.len() > 5 => "checking the PIN",
        Some(0x20) => "reading the PIN counter",
        Some(0x24) => "changing the PIN",
        Some(0xB0) => "reading",
        _ => "talking to the card",
    }
}

#[async_trait]
impl<T: Transport> Transport for Progress<T> {
    fn capabilities(&self) -> LinkCapabilities {
        self.inner.capabilities()
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.count += 1;
        draw(self.count, doing(command));
        self.inner.transmit(command).await
    }
}

fn draw(count: usize, doing: &str) {
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r\x1b[K{} {doing}… ({count} APDUs) keep the card in the reader",
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
