//! Desktop support for kazashi: a [`Transport`](kazashi_iso7816::Transport) over PC/SC
//! readers ([`PcscTransport`]) and, with the `vpcd` feature, a bridge that serves the virtual
//! card to pcscd through vsmartcard's vpcd driver (`serve_vpcd`), so that any PC/SC program
//! can use it as a card.
//!
//! Building needs the PC/SC headers: `libpcsclite-dev` and `pkg-config` on Debian and Ubuntu
//! (nothing on macOS and Windows).

#![deny(unsafe_code)] // one audited libc call in the vpcd bridge allows it locally
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

mod reader;
#[cfg(feature = "vpcd")]
mod vpcd;

pub use reader::{
    extended_by_default, list_readers, map_error, ConnectOptions, PcscTransport, ReaderError,
    ReaderInfo, KNOWN_EXTENDED_READERS,
};
#[cfg(feature = "vpcd")]
pub use vpcd::{serve_vpcd, serve_vpcd_with_log, Event, Stopped, ATR, DEFAULT_PORT};
