//! The one interface a platform implements, and its adapter to the core's `Transport`.

use std::sync::Arc;

use async_trait::async_trait;
use kazashi::progress::ProgressTracker;
use kazashi_iso7816::{LinkCapabilities, Transport, TransportError};

use crate::error::NfcError;
use crate::messages::ProgressListener;

/// What the NFC link carries. Android: `IsoDep.isExtendedLengthApduSupported()` and
/// `IsoDep.maxTransceiveLength`; iOS Core NFC: extended length, 65 546 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct LinkInfo {
    /// Whether extended-length APDUs get through.
    pub extended_length: bool,
    /// The largest APDU in either direction, header and status word included.
    pub max_transceive_length: u32,
}

impl From<LinkInfo> for LinkCapabilities {
    fn from(l: LinkInfo) -> Self {
        LinkCapabilities {
            extended_length: l.extended_length,
            max_transceive_length: l.max_transceive_length as usize,
        }
    }
}

/// Sends one command APDU to the card and returns its response (data then SW1 SW2).
///
/// Implement it with Android `IsoDep.transceive` (inside `withContext(Dispatchers.IO)`) or
/// Core NFC `NFCISO7816Tag.sendCommand`. Throw `NfcError.TagLost` / `Timeout` / `Io`; anything
/// else is caught and reported as a transport failure. Never retry, never log the bytes: a
/// command may carry a PIN. `command` is the implementation's own copy: overwrite it with
/// zeros once the card has answered (Kotlin `command.fill(0)`), as the Android shell does.
/// The library wipes its side of the buffer when the foreign side frees it.
#[uniffi::export(with_foreign)]
#[async_trait]
pub trait NfcTransceiver: Send + Sync {
    /// The link's capabilities, read once when a session starts. If this throws, the session
    /// assumes the most conservative link (short APDUs, 261 bytes).
    fn link_info(&self) -> Result<LinkInfo, NfcError>;

    /// Exchanges one APDU.
    async fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, NfcError>;
}

/// The core's view of a foreign transceiver.
pub(crate) struct ForeignTransport {
    transceiver: Arc<dyn NfcTransceiver>,
    capabilities: LinkCapabilities,
    progress: Option<Progress>,
}

/// A listener and where the current flow stands.
struct Progress {
    listener: Arc<dyn ProgressListener>,
    tracker: ProgressTracker,
}

impl ForeignTransport {
    pub(crate) fn new(
        transceiver: Arc<dyn NfcTransceiver>,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> Self {
        let capabilities = transceiver
            .link_info()
            .map(Into::into)
            .unwrap_or(LinkCapabilities::SHORT_ONLY);
        Self {
            transceiver,
            capabilities,
            progress: listener.map(|listener| Progress {
                listener,
                tracker: ProgressTracker::default(),
            }),
        }
    }

    /// A new flow starts: its first command reports "card found" again.
    pub(crate) fn start_flow(&mut self) {
        if let Some(p) = &mut self.progress {
            p.tracker.reset();
        }
    }

    /// The flow succeeded: reports "done".
    pub(crate) fn finish_flow(&mut self) {
        if let Some(p) = &mut self.progress {
            if let Some(stage) = p.tracker.finish() {
                p.listener.on_progress(stage.into());
            }
        }
    }

    fn report(&mut self, command: &[u8]) {
        if let Some(p) = &mut self.progress {
            let stages = [p.tracker.on_command(command), p.tracker.take_pending()];
            for stage in stages.into_iter().flatten() {
                p.listener.on_progress(stage.into());
            }
        }
    }
}

#[async_trait]
impl Transport for ForeignTransport {
    fn capabilities(&self) -> LinkCapabilities {
        self.capabilities
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.report(command);
        self.transceiver
            .transceive(command.to_vec())
            .await
            .map_err(TransportError::from)
    }
}
