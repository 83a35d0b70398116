//! # kazashi
//!
//! The JPKI protocol engine for Japan's My Number Card (マイナンバーカード): log in with the
//! authentication certificate and sign with the signature certificate, over any APDU
//! [`Transport`] — Android `IsoDep`, iOS Core NFC, PC/SC, or the [`virtual_card`].
//!
//! Layers, bottom up: [`transport`] (bytes), [`apdu`] (ISO 7816-4 codec), [`channel`]
//! (counting, `61xx`/`6Cxx`, redacted logging), [`jpki`] (the application's commands and
//! flows), [`certificate`] (the parsed model). [`pin`] makes malformed PINs unrepresentable.
//!
//! ```
//! use kazashi::{AuthPin, JpkiCard, LastAttempt, VirtualCard};
//!
//! let mut card = VirtualCard::default();
//! let mut session = JpkiCard::new(&mut card);
//! let pin = AuthPin::new("1234")?;
//! let login = pollster::block_on(session.login(b"server challenge", &pin, LastAttempt::Refuse))?;
//! assert_eq!(login.signature.len(), 256);
//! # Ok::<(), kazashi::Error>(())
//! ```

pub mod apdu;
pub mod certificate;
pub mod channel;
mod der_limits;
pub mod digest;
pub mod error;
pub mod faults;
pub mod jpki;
pub mod pin;
pub mod transport;
pub mod trust;
pub mod virtual_card;

pub use certificate::{unix_now, CertificateInfo, CertificatePurpose, PersonalAttributes};
pub use channel::ApduStats;
pub use digest::{DigestAlgorithm, DocumentDigest};
pub use error::{Error, Result};
pub use jpki::{
    CardStatus, CertificateAvailability, CertificateKind, JpkiCard, LoginResult, SignOptions,
    SignResult, TokenInfo, TokenType,
};
pub use pin::{AuthPin, LastAttempt, Pin, PinFormatError, PinKind, PinStatus, SigningPassword};
pub use transport::{LinkCapabilities, Transport, TransportError};
pub use virtual_card::{Profile, VirtualCard, VirtualCardConfig};

/// The README's Rust examples compile and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
