//! # kazashi-iso7816
//!
//! The ISO/IEC 7816-4 layer of kazashi, and the only part a platform backend needs: a PC/SC
//! reader, Android `IsoDep` or iOS Core NFC implements [`Transport`] and nothing else.
//!
//! - [`apdu`]: command and response APDUs, cases 1–4, short and extended length;
//! - [`transport`]: the async trait that moves one command and one response;
//! - [`channel`]: one command in, one response out, with `61xx` / `6Cxx` recovery, APDU and
//!   byte counts, and logging that never shows a secret;
//! - [`ins`]: the interindustry instruction bytes.
//!
//! It knows no application: whether a command carries a secret is a flag its builder sets
//! ([`Command::with_secret_data`]), not a lookup of instruction codes.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

pub mod apdu;
pub mod channel;
pub mod transport;

pub use apdu::{ApduError, Command, LengthForm, Response, StatusWord};
pub use channel::{ApduStats, Channel, ChannelError};
pub use transport::{LinkCapabilities, Transport, TransportError};

/// Interindustry instruction bytes (ISO/IEC 7816-4 §5.1) that kazashi sends.
pub mod ins {
    /// SELECT.
    pub const SELECT: u8 = 0xA4;
    /// READ BINARY.
    pub const READ_BINARY: u8 = 0xB0;
    /// VERIFY (and, without data, the retry query).
    pub const VERIFY: u8 = 0x20;
    /// CHANGE REFERENCE DATA.
    pub const CHANGE_REFERENCE_DATA: u8 = 0x24;
    /// GET RESPONSE.
    pub const GET_RESPONSE: u8 = 0xC0;
}
