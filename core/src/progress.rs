//! What the card is doing, as the user should hear it: the stages of a flow, judged from the
//! command APDUs on their way to the card.
//!
//! Why here: the core's flows are single calls (`login`, `sign`), and the card's RSA takes most
//! of a second, so a phone's NFC sheet and a desktop's progress line must say "checking your
//! PIN" or "signing" while it happens. Every platform sees the same APDUs; classifying them once
//! here keeps Android, iOS and the CLI from drifting. Only the instruction byte and whether a
//! data field is present are looked at: the data of a VERIFY is the PIN, and it is never read.

use async_trait::async_trait;

use crate::transport::{LinkCapabilities, Transport, TransportError};

/// One stage of a card flow, in the order a flow passes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgressStage {
    /// The card answered the first command: the user can stop searching for the spot.
    CardFound,
    /// Selecting the application, reading certificates or files.
    ReadingCertificate,
    /// Reading a PIN's retry counter (spends nothing).
    CheckingPinCounter,
    /// The card is checking a PIN (an attempt is being spent).
    VerifyingPin,
    /// The card is changing a PIN.
    ChangingPin,
    /// The card is computing a signature.
    Signing,
    /// The flow finished; the card may be taken away.
    Done,
}

impl ProgressStage {
    /// Every stage, in flow order.
    pub const ALL: &'static [ProgressStage] = &[
        ProgressStage::CardFound,
        ProgressStage::ReadingCertificate,
        ProgressStage::CheckingPinCounter,
        ProgressStage::VerifyingPin,
        ProgressStage::ChangingPin,
        ProgressStage::Signing,
        ProgressStage::Done,
    ];

    /// A stable kebab-case name (`"verifying-pin"`), for logs and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ProgressStage::CardFound => "card-found",
            ProgressStage::ReadingCertificate => "reading-certificate",
            ProgressStage::CheckingPinCounter => "checking-pin-counter",
            ProgressStage::VerifyingPin => "verifying-pin",
            ProgressStage::ChangingPin => "changing-pin",
            ProgressStage::Signing => "signing",
            ProgressStage::Done => "done",
        }
    }

    /// The stage a command APDU belongs to, from its header alone; `None` for a command that
    /// does not change what the user should be told (or one shorter than a header).
    pub fn of_command(command: &[u8]) -> Option<ProgressStage> {
        if command.len() < 4 {
            return None;
        }
        let has_body = command.len() > 4;
        match command[1] {
            0xA4 | 0xB0 | 0xB1 => Some(ProgressStage::ReadingCertificate),
            // A header-only VERIFY is the retry query; anything longer carries a PIN.
            0x20 if has_body => Some(ProgressStage::VerifyingPin),
            0x20 => Some(ProgressStage::CheckingPinCounter),
            0x24 => Some(ProgressStage::ChangingPin),
            0x2A => Some(ProgressStage::Signing),
            _ => None,
        }
    }

    /// How far into a flow the stage is. A flow reads, checks the counter, verifies, then signs
    /// (and reads a certificate once more); progress only moves forward, so the SELECT between
    /// VERIFY and the signature does not flash "reading" again.
    fn rank(self) -> u8 {
        match self {
            ProgressStage::CardFound => 0,
            ProgressStage::ReadingCertificate => 1,
            ProgressStage::CheckingPinCounter => 2,
            ProgressStage::VerifyingPin => 3,
            ProgressStage::ChangingPin | ProgressStage::Signing => 4,
            ProgressStage::Done => 5,
        }
    }
}

/// Follows one flow's commands and says when the stage moves forward.
///
/// ```
/// use kazashi::progress::{ProgressStage, ProgressTracker};
///
/// let mut tracker = ProgressTracker::default();
/// assert_eq!(tracker.on_command(&[0x00, 0xA4, 0x04, 0x0C]), Some(ProgressStage::CardFound));
/// assert_eq!(tracker.on_command(&[0x00, 0xB0, 0x00, 0x00, 0x00]), Some(ProgressStage::ReadingCertificate));
/// assert_eq!(tracker.on_command(&[0x00, 0x20, 0x00, 0x80, 0x04, 1, 2, 3, 4]), Some(ProgressStage::VerifyingPin));
/// assert_eq!(tracker.on_command(&[0x00, 0xA4, 0x02, 0x0C]), None); // no step back
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProgressTracker {
    current: Option<ProgressStage>,
    pending: Option<ProgressStage>,
}

impl ProgressTracker {
    /// Starts a new flow: the next command reports [`ProgressStage::CardFound`] first.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The stage on screen, if any.
    pub fn current(&self) -> Option<ProgressStage> {
        self.current
    }

    /// Notes a command about to be sent. Returns the new stage when it moved forward. The first
    /// command of a flow reports [`ProgressStage::CardFound`]; its own stage is reported with
    /// the next call to [`ProgressTracker::take_pending`] (a listener that wants both calls it
    /// right after).
    pub fn on_command(&mut self, command: &[u8]) -> Option<ProgressStage> {
        let proposed = ProgressStage::of_command(command);
        if self.current.is_none() {
            self.current = Some(ProgressStage::CardFound);
            self.pending = proposed;
            return Some(ProgressStage::CardFound);
        }
        self.advance(proposed?)
    }

    /// The stage of the flow's first command, held back behind [`ProgressStage::CardFound`].
    pub fn take_pending(&mut self) -> Option<ProgressStage> {
        let pending = self.pending.take()?;
        self.advance(pending)
    }

    /// Marks the flow finished; returns [`ProgressStage::Done`] unless it was already reported.
    pub fn finish(&mut self) -> Option<ProgressStage> {
        self.pending = None;
        self.advance(ProgressStage::Done)
    }

    fn advance(&mut self, proposed: ProgressStage) -> Option<ProgressStage> {
        let moves_forward = self.current.is_none_or(|c| proposed.rank() > c.rank());
        if moves_forward {
            self.current = Some(proposed);
            Some(proposed)
        } else {
            None
        }
    }
}

/// A [`Transport`] that reports each forward step of the flow to `listener` before the command
/// goes out. Call [`ProgressTransport::start_flow`] before a flow and
/// [`ProgressTransport::finish_flow`] after it succeeded.
pub struct ProgressTransport<T, F> {
    inner: T,
    tracker: ProgressTracker,
    listener: F,
}

impl<T, F: FnMut(ProgressStage) + Send> ProgressTransport<T, F> {
    /// Wraps `inner`; `listener` hears every new stage.
    pub fn new(inner: T, listener: F) -> Self {
        Self {
            inner,
            tracker: ProgressTracker::default(),
            listener,
        }
    }

    /// The next command reports [`ProgressStage::CardFound`] again.
    pub fn start_flow(&mut self) {
        self.tracker.reset();
    }

    /// Reports [`ProgressStage::Done`].
    pub fn finish_flow(&mut self) {
        if let Some(stage) = self.tracker.finish() {
            (self.listener)(stage);
        }
    }

    /// The wrapped transport.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

#[async_trait]
impl<T: Transport, F: FnMut(ProgressStage) + Send> Transport for ProgressTransport<T, F> {
    fn capabilities(&self) -> LinkCapabilities {
        self.inner.capabilities()
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if let Some(stage) = self.tracker.on_command(command) {
            (self.listener)(stage);
        }
        if let Some(stage) = self.tracker.take_pending() {
            (self.listener)(stage);
        }
        self.inner.transmit(command).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SELECT: &[u8] = &[0x00, 0xA4, 0x04, 0x0C, 0x02, 0x00, 0x0A];
    const READ: &[u8] = &[0x00, 0xB0, 0x00, 0x00, 0x00];
    const COUNTER: &[u8] = &[0x00, 0x20, 0x00, 0x80];
    const VERIFY: &[u8] = &[0x00, 0x20, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34];
    const SIGN: &[u8] = &[0x80, 0x2A, 0x00, 0x80, 0x02, 0xAB, 0xCD, 0x00];

    fn stages(commands: &[&[u8]]) -> Vec<ProgressStage> {
        let mut tracker = ProgressTracker::default();
        let mut seen = Vec::new();
        for command in commands {
            seen.extend(tracker.on_command(command));
            seen.extend(tracker.take_pending());
        }
        seen.extend(tracker.finish());
        seen
    }

    #[test]
    fn a_signing_flow_passes_every_stage_once_and_in_order() {
        use ProgressStage::*;
        let seen = stages(&[SELECT, READ, COUNTER, VERIFY, SELECT, SIGN, SELECT, READ]);
        assert_eq!(
            seen,
            [
                CardFound,
                ReadingCertificate,
                CheckingPinCounter,
                VerifyingPin,
                Signing,
                Done
            ]
        );
    }

    #[test]
    fn the_pin_itself_is_never_needed_to_classify_a_command() {
        // Any body makes a VERIFY a PIN check; the header alone a counter query.
        assert_eq!(
            ProgressStage::of_command(&[0x00, 0x20, 0x00, 0x98, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]),
            Some(ProgressStage::VerifyingPin)
        );
        assert_eq!(
            ProgressStage::of_command(&[0x00, 0x20, 0x00, 0x98]),
            Some(ProgressStage::CheckingPinCounter)
        );
        assert_eq!(ProgressStage::of_command(&[0x00, 0x20]), None);
        assert_eq!(ProgressStage::of_command(&[0x00, 0xCA, 0x00, 0x00]), None);
    }

    #[test]
    fn a_new_flow_starts_over_with_card_found() {
        let mut tracker = ProgressTracker::default();
        tracker.on_command(SIGN);
        tracker.finish();
        tracker.reset();
        assert_eq!(
            tracker.on_command(READ),
            Some(ProgressStage::CardFound),
            "after reset"
        );
        assert_eq!(
            tracker.take_pending(),
            Some(ProgressStage::ReadingCertificate)
        );
    }

    #[test]
    fn every_stage_has_a_distinct_name() {
        let names: std::collections::HashSet<_> =
            ProgressStage::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), ProgressStage::ALL.len());
    }
}
