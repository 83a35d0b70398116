//! # kazashi-ffi
//!
//! The kazashi core as Kotlin and Swift see it, through uniffi. The platform implements one
//! thing, [`NfcTransceiver`] (a `suspend` function in Kotlin, `async throws` in Swift), and
//! calls the [`CardSession`] flows.
//!
//! Cargo features choose what the library carries (see `Cargo.toml`): none for a shipping
//! app's card flows; `documents` adds CMS signing; `verify` the relying party's verifier;
//! `virtual-card` the virtual card, a transceiver too, so every flow runs in an emulator, the
//! iOS simulator or a unit test without a card; `testing` all of them.
//!
//! PINs, passwords and verification numbers cross the boundary as bytes, their UTF-8 encoding
//! (Kotlin `ByteArray`, Swift `Data`), never as strings: a JVM or Swift `String` cannot be
//! wiped, a byte array can. The Android shell takes a `CharArray` and wipes it and the bytes
//! after the call. On the Rust side they go into zeroize-on-drop buffers at once, are checked
//! for format before any APDU, and are never logged (`secret.rs`).
//!
//! # PIN copies in memory
//!
//! Some copies of a PIN are made where no zeroizing type can reach them: uniffi lowers the
//! VERIFY command [`NfcTransceiver::transceive`] receives into a fresh buffer (growing it as it
//! writes), and the foreign side frees that buffer by calling back into this library. So the
//! library's global allocator wipes every block it frees ([`zeroizing_alloc::ZeroAlloc`] over the
//! system allocator): whatever the path, no byte of a PIN outlives the Rust buffer that held
//! it. The foreign side owns its own copy (a Kotlin `ByteArray`, a Swift `Data`): the Android
//! shell wipes the command array once the card has answered; see `NfcTransceiver`.
//! `tests/pin_memory.rs` scans the process's memory after every PIN-carrying call.

#![warn(missing_docs)]

mod card_info;
mod card_surface;
#[cfg(feature = "documents")]
mod documents;
mod error;
mod login;
mod messages;
mod model;
#[cfg(feature = "pdf")]
pub mod pdf;
mod secret;
mod session;
mod transceiver;
#[cfg(feature = "verify")]
mod trust;
#[cfg(feature = "virtual-card")]
mod virtual_card;
#[cfg(feature = "xml")]
pub mod xml;

pub use card_info::{
    cross_check_card_info, AttributesUnlock, CardInfoAttributes, CardInfoCrossCheck,
    CardInfoIntegrity, FieldMatch, IntegrityCheck, MyNumberResult, MyNumberUnlock,
};
pub use card_surface::{CardSurface, SurfaceSignatureVerdict, SurfaceUnlock};
pub use error::{ErrorKind, KazashiError, NfcError};
pub use login::{parse_login_request, LoginRequest, LoginV2Result};
pub use messages::{
    error_kind_message, error_message, language_for_locale, notice_message, progress_message,
    secret_name, Device, Language, Notice, ProgressListener, ProgressStage,
};
pub use model::{
    parse_certificate, ApduStats, CardStatus, CertificateInfo, CertificateKind, CertificatePurpose,
    DigestAlgorithm, InfoAccess, LoginResult, PersonalAttributes, PinKind, PinStatus, SignOptions,
    SignResult, SignedFile, TokenType,
};
pub use session::CardSession;
pub use transceiver::{LinkInfo, NfcTransceiver};
#[cfg(feature = "verify")]
pub use trust::{
    create_login_message, verify_certificate, verify_signed_file, ChainResult, IssuedLoginRequest,
    LoginCheck, LoginVerifier, RejectionKind, SignedFileCheck, TestRoot, VerificationError,
};
#[cfg(feature = "virtual-card")]
pub use virtual_card::{LinkFault, VirtualCard, VirtualCardOptions, VirtualCardProfile};

uniffi::setup_scaffolding!();

/// Wipes every freed block (see the crate docs, "PIN copies in memory"). The cost is one
/// `memset` per free; the FFI benchmark measures the round trip with it.
#[global_allocator]
static ALLOCATOR: zeroizing_alloc::ZeroAlloc<std::alloc::System> =
    zeroizing_alloc::ZeroAlloc(std::alloc::System);

/// The library's version, for bug reports.
#[uniffi::export]
pub fn kazashi_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
