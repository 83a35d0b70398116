//! # kazashi
//!
//! The JPKI protocol engine for Japan's My Number Card (マイナンバーカード): log in with the
//! authentication certificate and sign with the signature certificate, over any APDU
//! [`Transport`] — Android `IsoDep`, iOS Core NFC, PC/SC, or the virtual card of the
//! `kazashi-virtual-card` crate.
//!
//! Layers, bottom up:
//! - [`transport`], [`apdu`], [`channel`]: ISO 7816-4, from `kazashi-iso7816` (re-exported);
//! - [`card`]: what every application of the card does the same way — SELECT, whole-file
//!   reads with the short-EF-id fallback, the retry query, the guarded VERIFY;
//! - [`jpki`]: the JPKI application — its identifiers, command constructors and flows;
//! - [`pin`]: typed PINs, which make malformed PINs unrepresentable;
//! - [`progress`]: the stages of a flow (card found, reading, checking the PIN, signing, done)
//!   as the user should hear them, judged from the commands on their way to the card;
//! - [`certificate`], [`digest`]: the certificate model, from `kazashi-certificate`
//!   (re-exported);
//! - [`login`]: the log-in request and message exchanged with a relying party, from
//!   `kazashi-login` (re-exported).
//!
//! ```
//! use kazashi::{AuthPin, JpkiCard, LastAttempt};
//! use kazashi_virtual_card::VirtualCard;
//!
//! let mut card = VirtualCard::default();
//! let mut session = JpkiCard::new(&mut card);
//! let pin = AuthPin::new("1234")?;
//! let login = pollster::block_on(session.login(b"server challenge", &pin, LastAttempt::Refuse))?;
//! assert_eq!(login.signature.len(), 256);
//! # Ok::<(), kazashi::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

pub use kazashi_certificate::{certificate, digest};
pub use kazashi_iso7816::{apdu, channel, transport};
/// The log-in exchange with a relying party (`kazashi-login`, re-exported): the request the
/// server sends, the bytes the card signs for it, the message the app sends back.
pub use kazashi_login as login;

pub mod card;
pub mod card_info;
pub mod card_surface;
pub mod error;
pub mod jpki;
pub mod pin;
pub mod progress;

pub use certificate::{unix_now, CertificateInfo, CertificatePurpose, PersonalAttributes};
pub use channel::ApduStats;
pub use digest::{DigestAlgorithm, DocumentDigest};
pub use error::{Error, ErrorKind, Result};
pub use jpki::{
    CardStatus, CertificateAvailability, CertificateKind, JpkiCard, LoginResult, SignOptions,
    SignResult, TokenInfo, TokenType,
};
pub use kazashi_certificate::CertificateError;
pub use kazashi_login::{LoginMessage, LoginRequest, RelyingPartyId};
pub use pin::{
    AuthPin, JpkiPin, LastAttempt, Pin, PinFormatError, PinKind, PinStatus, SigningPassword,
};
pub use transport::{LinkCapabilities, Transport, TransportError};

/// The README's Rust examples compile and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
