//! A [`Transport`] over a PC/SC reader (pcsc-lite on Linux and macOS, WinSCard on Windows).

use std::ffi::{CStr, CString};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use kazashi_iso7816::{LinkCapabilities, Transport, TransportError};
use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};

/// Readers known to carry extended-length APDUs to a My Number Card, matched by the start of
/// their PC/SC name. Only readers tested with a real card belong here; none has been yet.
///
/// vsmartcard's `Virtual PCD` carries extended APDUs, but whether they work depends on the
/// emulated card (the virtual card's `no-extended-length` profile answers `6700`), so it is
/// not listed either: use `--extended` with it.
pub const KNOWN_EXTENDED_READERS: &[&str] = &[];

/// What went wrong before a card connection existed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReaderError {
    /// No PC/SC service (pcscd not running or not installed).
    #[error(
        "the PC/SC service is not available (is pcscd running? on Linux: `sudo systemctl start pcscd.socket`)"
    )]
    NoService,
    /// The service runs but no reader is connected.
    #[error("no smart card reader found: connect a PC/SC reader (or use --virtual)")]
    NoReaders,
    /// `--reader NAME` matched no reader.
    #[error("no reader matches \"{name}\"; readers: {}", available.join(", "))]
    ReaderNotFound {
        /// What was asked for.
        name: String,
        /// What exists.
        available: Vec<String>,
    },
    /// No card arrived before the timeout.
    #[error("no card in {where_} after {} s: insert or place the card and try again", waited.as_secs())]
    NoCard {
        /// The reader, or "any reader".
        where_: String,
        /// How long we waited.
        waited: Duration,
    },
    /// Another program holds the card.
    #[error("another program is using the card in \"{reader}\": close it and try again")]
    InUse {
        /// The reader.
        reader: String,
    },
    /// Any other PC/SC failure.
    #[error("PC/SC: {0}")]
    Pcsc(pcsc::Error),
}

impl From<pcsc::Error> for ReaderError {
    fn from(e: pcsc::Error) -> Self {
        match e {
            pcsc::Error::NoService | pcsc::Error::ServiceStopped => ReaderError::NoService,
            pcsc::Error::NoReadersAvailable => ReaderError::NoReaders,
            e => ReaderError::Pcsc(e),
        }
    }
}

/// One reader as PC/SC reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The reader's PC/SC name (what `--reader` matches).
    pub name: String,
    /// Whether a card is present.
    pub card_present: bool,
    /// Whether another program holds the card exclusively.
    pub exclusive: bool,
    /// The card's ATR, when a card is present.
    pub atr: Option<Vec<u8>>,
}

/// How to pick and open a reader.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// A reader name, or a part of one (exact matches win, then the first name containing it,
    /// case-insensitive). `None`: the first reader with a card.
    pub reader: Option<String>,
    /// How long to wait for a card. Zero: do not wait.
    pub wait: Duration,
    /// Force extended-length APDUs on (`Some(true)`) or off (`Some(false)`); `None` decides
    /// from [`KNOWN_EXTENDED_READERS`].
    pub extended: Option<bool>,
}

fn establish() -> Result<Context, ReaderError> {
    Ok(Context::establish(Scope::User)?)
}

fn reader_names(context: &Context) -> Result<Vec<CString>, ReaderError> {
    match context.list_readers_owned() {
        Ok(names) if names.is_empty() => Err(ReaderError::NoReaders),
        Ok(names) => Ok(names),
        Err(e) => Err(e.into()),
    }
}

fn states(names: &[CString]) -> Vec<ReaderState> {
    names
        .iter()
        .map(|n| ReaderState::new(n.clone(), State::UNAWARE))
        .collect()
}

fn info(state: &ReaderState) -> ReaderInfo {
    let present = state.event_state().contains(State::PRESENT);
    ReaderInfo {
        name: state.name().to_string_lossy().into_owned(),
        card_present: present,
        exclusive: state.event_state().contains(State::EXCLUSIVE),
        atr: (present && !state.atr().is_empty()).then(|| state.atr().to_vec()),
    }
}

/// Lists the readers, with whether each holds a card.
///
/// # Errors
///
/// [`ReaderError`] when the PC/SC service is not running or cannot be asked.
pub fn list_readers() -> Result<Vec<ReaderInfo>, ReaderError> {
    let context = establish()?;
    let names = match reader_names(&context) {
        Err(ReaderError::NoReaders) => return Ok(Vec::new()),
        other => other?,
    };
    let mut states = states(&names);
    context.get_status_change(Duration::ZERO, &mut states)?;
    Ok(states.iter().map(info).collect())
}

fn pick_name(names: &[CString], wanted: &str) -> Result<CString, ReaderError> {
    let lossy = |n: &CStr| n.to_string_lossy().into_owned();
    if let Some(n) = names.iter().find(|n| lossy(n) == wanted) {
        return Ok(n.clone());
    }
    let needle = wanted.to_lowercase();
    names
        .iter()
        .find(|n| lossy(n).to_lowercase().contains(&needle))
        .cloned()
        .ok_or_else(|| ReaderError::ReaderNotFound {
            name: wanted.into(),
            available: names.iter().map(|n| lossy(n)).collect(),
        })
}

/// Whether extended-length APDUs are used on `reader` by default.
///
/// Short APDUs unless the reader is in [`KNOWN_EXTENDED_READERS`]. Every reader and every card
/// generation carries short APDUs; many USB readers (and some contactless ones) reject or
/// silently truncate extended ones, and PC/SC gives no reliable way to ask. The cost of the
/// conservative choice is small: a certificate takes about 8 READ BINARY commands instead of
/// 2, a few milliseconds on a contact reader. `--extended` turns them on for a reader the
/// user knows.
pub fn extended_by_default(reader: &str) -> bool {
    KNOWN_EXTENDED_READERS.iter().any(|k| reader.starts_with(k))
}

/// An exclusive connection to the card in one reader, held until the value is dropped.
///
/// No other program can send an APDU while it lives, so nothing can come between VERIFY and
/// COMPUTE DIGITAL SIGNATURE. The card is never reset while connected (that would forget a
/// verified PIN mid-flow). On close it is left as it is (`LeaveCard`) unless this connection
/// sent a PIN: then it is reset, so that no verified PIN outlives the program for another
/// program to use.
pub struct PcscTransport {
    card: Option<pcsc::Card>,
    reader: String,
    atr: Vec<u8>,
    capabilities: LinkCapabilities,
    pin_sent: bool,
    buffer: Vec<u8>,
}

impl std::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .field("atr", &self.atr)
            .field("capabilities", &self.capabilities)
            .finish()
    }
}

impl PcscTransport {
    /// Picks a reader, waits for a card (up to `options.wait`) and connects exclusively.
    ///
    /// # Errors
    ///
    /// [`ReaderError`]: no reader, the named reader not found, no card within the wait, the card
    /// in use by another program, or the PC/SC service not running.
    pub fn connect(options: &ConnectOptions) -> Result<Self, ReaderError> {
        let context = establish()?;
        let names = reader_names(&context)?;
        let candidates = match &options.reader {
            Some(wanted) => vec![pick_name(&names, wanted)?],
            None => names,
        };
        let name = wait_for_card(&context, &candidates, options.wait)?;
        let card = match context.connect(&name, ShareMode::Exclusive, Protocols::ANY) {
            Ok(card) => card,
            Err(pcsc::Error::SharingViolation) => {
                return Err(ReaderError::InUse {
                    reader: name.to_string_lossy().into_owned(),
                })
            }
            Err(pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard) => {
                return Err(ReaderError::NoCard {
                    where_: name.to_string_lossy().into_owned(),
                    waited: options.wait,
                })
            }
            Err(e) => return Err(e.into()),
        };
        let reader = name.to_string_lossy().into_owned();
        let atr = card
            .get_attribute_owned(pcsc::Attribute::AtrString)
            .unwrap_or_default();
        let extended = options
            .extended
            .unwrap_or_else(|| extended_by_default(&reader));
        Ok(Self {
            card: Some(card),
            reader,
            atr,
            capabilities: if extended {
                LinkCapabilities::EXTENDED
            } else {
                LinkCapabilities::SHORT_ONLY
            },
            pin_sent: false,
            buffer: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        })
    }

    /// The reader's name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's ATR (empty if the reader did not report it).
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Closes the connection (see the type's documentation for the disposition).
    ///
    /// # Errors
    ///
    /// [`TransportError::Io`] when PC/SC refuses to end the transaction or disconnect.
    pub fn close(mut self) -> Result<(), TransportError> {
        self.disconnect()
    }

    fn disconnect(&mut self) -> Result<(), TransportError> {
        let Some(card) = self.card.take() else {
            return Ok(());
        };
        let disposition = if self.pin_sent {
            Disposition::ResetCard
        } else {
            Disposition::LeaveCard
        };
        card.disconnect(disposition).map_err(|(_, e)| map_error(e))
    }
}

impl Drop for PcscTransport {
    fn drop(&mut self) {
        let _ = self.disconnect();
    }
}

/// Waits until one of `names` holds a card; returns the first that does.
fn wait_for_card(
    context: &Context,
    names: &[CString],
    wait: Duration,
) -> Result<CString, ReaderError> {
    let mut states = states(names);
    let deadline = Instant::now() + wait;
    let mut timeout = Duration::ZERO;
    loop {
        match context.get_status_change(timeout, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(e.into()),
        }
        if let Some(found) = states.iter().find(|s| {
            s.event_state().contains(State::PRESENT) && !s.event_state().contains(State::MUTE)
        }) {
            return Ok(found.name().to_owned());
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(ReaderError::NoCard {
                where_: match names {
                    [one] => one.to_string_lossy().into_owned(),
                    _ => "any reader".into(),
                },
                waited: wait,
            });
        }
        for s in &mut states {
            s.sync_current_state();
        }
        timeout = deadline - now;
    }
}

/// PC/SC errors during a flow, as the protocol engine sees them.
pub fn map_error(e: pcsc::Error) -> TransportError {
    match e {
        pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard | pcsc::Error::ResetCard => {
            TransportError::TagLost
        }
        pcsc::Error::Timeout | pcsc::Error::UnresponsiveCard => TransportError::Timeout,
        e => TransportError::Io {
            reason: format!("PC/SC: {e}"),
        },
    }
}

/// Whether `command` carries a PIN: VERIFY or CHANGE REFERENCE DATA with data.
fn carries_pin(command: &[u8]) -> bool {
    command.len() > 5 && matches!(command[1], 0x20 | 0x24)
}

#[async_trait]
impl Transport for PcscTransport {
    fn capabilities(&self) -> LinkCapabilities {
        self.capabilities
    }

    /// Blocks on the PC/SC call: fine for a command-line tool.
    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let card = self.card.as_ref().ok_or(TransportError::TagLost)?;
        if carries_pin(command) {
            self.pin_sent = true;
        }
        let response = card
            .transmit(command, &mut self.buffer)
            .map_err(map_error)?;
        Ok(response.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_exactly_then_by_part() {
        let names = [
            CString::new("Virtual PCD 00 00").unwrap(),
            CString::new("Virtual PCD 00 01").unwrap(),
            CString::new("SONY FeliCa Port/PaSoRi 3.0 00 00").unwrap(),
        ];
        assert_eq!(
            pick_name(&names, "Virtual PCD 00 01").unwrap(),
            names[1].clone()
        );
        assert_eq!(pick_name(&names, "virtual").unwrap(), names[0].clone());
        assert_eq!(pick_name(&names, "pasori").unwrap(), names[2].clone());
        assert!(matches!(
            pick_name(&names, "ACR122"),
            Err(ReaderError::ReaderNotFound { available, .. }) if available.len() == 3
        ));
    }

    #[test]
    fn short_apdus_unless_known() {
        assert!(!extended_by_default("Virtual PCD 00 00"));
        assert!(!extended_by_default("SONY FeliCa Port/PaSoRi 3.0 00 00"));
        assert!(!extended_by_default("Alcor Micro AU9560 00 00"));
    }

    #[test]
    fn pin_commands_are_recognised() {
        assert!(carries_pin(&[0x00, 0x20, 0x00, 0x80, 0x04, 1, 2, 3, 4]));
        assert!(!carries_pin(&[0x00, 0x20, 0x00, 0x80]));
        assert!(carries_pin(&[0x00, 0x24, 0x01, 0x80, 0x04, 1, 2, 3, 4]));
        assert!(!carries_pin(&[0x00, 0xB0, 0x00, 0x00, 0x04]));
    }

    #[test]
    fn link_errors_map_to_transport_errors() {
        assert_eq!(map_error(pcsc::Error::RemovedCard), TransportError::TagLost);
        assert_eq!(map_error(pcsc::Error::Timeout), TransportError::Timeout);
        assert!(matches!(
            map_error(pcsc::Error::CommError),
            TransportError::Io { .. }
        ));
    }
}
