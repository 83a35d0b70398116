//! # kazashi-virtual-card
//!
//! A virtual My Number Card for tests, demos and app development, and the fault tooling that
//! goes with it. A shipping app does not link it: it is a dev-dependency of the crates' tests
//! and the `virtual-card` feature of `kazashi-ffi` (the testing artifact).
//!
//! - [`VirtualCard`]: a stateful JPKI application that answers raw APDU bytes, with a test
//!   PKI shaped like J-LIS's and derived from a seed; any code drives it, the protocol engine
//!   through [`kazashi::Transport`], other tools through [`VirtualCard::process`];
//! - [`Profile`] / [`VirtualCardConfig`]: the card variants (phone token, locked PINs, no
//!   short EF ids, no extended length...);
//! - [`faults`]: a transport wrapper that loses the tag, times out or corrupts a response at
//!   a chosen APDU.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

mod card;
pub mod faults;
mod pki;
mod profile;

pub use card::{is_pin_verify, Exchange, VirtualCard};
pub use pki::{Holder, AUTH_ROOT_DN, SIGN_ROOT_DN};
pub use profile::{
    Profile, VirtualCardConfig, DEFAULT_AUTH_PIN, DEFAULT_SEED, DEFAULT_SIGNING_PASSWORD,
};
