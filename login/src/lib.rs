//! # kazashi-login
//!
//! The log-in exchange between an app and its relying party's server, in three parts:
//!
//! 1. the server sends a [`LoginRequest`]: who it is (a [`RelyingPartyId`]), a fresh random
//!    challenge, when it issued it and until when it is valid;
//! 2. the app shows the user whom they are logging in to ([`LoginRequest::prompt`]) and has the
//!    card sign SHA-256 of [`LoginRequest::signed_bytes`], a domain-separated encoding of all of
//!    the request;
//! 3. the app sends back a [`LoginMessage`] (version 2), which the server's verifier checks
//!    against its own relying-party id and the challenge it issued.
//!
//! Why version 2 exists: in version 1 the card signed SHA-256 of the bare challenge. A phishing
//! site could relay the real service's challenge (a QR code or a web-to-app hand-off), have the
//! user tap, and pass the signature on: nothing in the signed bytes said for whom it was made.
//! And an app's log-in call signed the hash of any bytes at all, which made it a general
//! signing oracle on the authentication key. Version 2 signs bytes that start with a fixed
//! context string and name the relying party, so a signature made for `a.example` never
//! verifies for `b.example`, and no caller can choose the digest the card signs.
//!
//! Both the card side (`kazashi`) and the verifier (`kazashi-verify`) link this crate, so the two
//! ends cannot disagree on a byte.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

mod error;
mod message;
mod relying_party;
mod request;

pub use error::LoginFormatError;
pub use message::{LoginMessage, LOGIN_ALGORITHM};
pub use relying_party::RelyingPartyId;
pub use request::{
    LoginRequest, LOGIN_CONTEXT, MAX_CHALLENGE_LEN, MAX_LIFETIME_SECONDS, MIN_CHALLENGE_LEN,
};

/// The original log-in message: the card signed SHA-256 of the bare challenge. Read only by a
/// verifier that opts in.
pub const LOGIN_VERSION_1: u32 = 1;
/// The log-in message bound to its relying party; what this library writes.
pub const LOGIN_VERSION_2: u32 = 2;
