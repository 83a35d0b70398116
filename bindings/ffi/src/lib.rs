//! # kazashi-ffi
//!
//! The kazashi core as Kotlin and Swift see it, through uniffi. The platform implements one
//! thing, [`NfcTransceiver`] (a `suspend` function in Kotlin, `async throws` in Swift), and
//! calls the [`CardSession`] flows. The [`VirtualCard`] is a transceiver too, so every flow runs
//! in an emulator, the iOS simulator or a unit test without a card.
//!
//! PINs cross the boundary as strings because that is what UI toolkits hand over; on the Rust
//! side they are checked, copied into zeroize-on-drop buffers at once and never logged.

mod error;
mod model;
mod session;
mod transceiver;
mod trust;
mod virtual_card;

pub use error::{KazashiError, NfcError};
pub use model::{
    ApduCounts, CardStatus, CertificateInfo, CertificatePurpose, CertificateType, DigestAlgorithm,
    LoginResult, PersonalAttributes, PinCounter, PinType, SignOptions, SignResult, SignedFile,
    TokenType,
};
pub use session::CardSession;
pub use transceiver::{LinkInfo, NfcTransceiver};
pub use trust::{
    create_login_message, verify_certificate, verify_signed_file, ChainResult, LoginCheck,
    LoginVerifier, RejectionKind, SignedFileCheck, TestRoot, VerificationError,
};
pub use virtual_card::{LinkFault, VirtualCard, VirtualCardOptions, VirtualCardProfile};

uniffi::setup_scaffolding!();

/// The library's version, for bug reports.
#[uniffi::export]
pub fn kazashi_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
