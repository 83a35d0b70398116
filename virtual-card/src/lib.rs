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
//! - [`CommandStrictness`]: what the card does where no public source says what a real card
//!   does. The default is the stricter reading, so a client that works here also works on a
//!   card that turns out to be more forgiving; the `lenient` profile is the other reading.
//!
//! # Command forms: what is sourced and what is chosen
//!
//! | Command | The virtual card | Basis |
//! |---|---|---|
//! | `80 2A` P1 `00` | PKCS#1 v1.5 type-1 padding of the data as given (1–245 bytes) | every client (`docs/protocol.md` §3.5) |
//! | `80 2A` P1 `01` | SHA-256 of the data, the bare hash padded (no DigestInfo) | myna-card, probed on a card `[single]` |
//! | `80 2A` P1 `02` | the data is a SHA-256 hash (32 bytes); wrapped in its DigestInfo, padded | myna-card `[single]` |
//! | `80 2A` P1 `03` | SHA-256 of the data, DigestInfo, padded: `sha256WithRSAEncryption` | myna-card `[single]`; its README's usage |
//! | `80 2A` P1 `04` | the data is a SHA-256 hash; RSASSA-PSS, MGF1-SHA-256, 32-byte salt | myna-card `[single]` (salt length: the one its verifier checks) |
//! | `80 2A` P1 `05` | SHA-256 of the data, then as `04` | myna-card `[single]` |
//! | `80 2A` other P1 | `6A86` | myna-card `[single]` |
//! | `80 2A` input lengths | empty → `6700`; P1 `00` over 245 → `6700`; P1 `02`/`04` not 32 → `6985`; P1 `01`/`03`/`05` over 255 (extended Lc) → `6700` | "6985 or 6700" is sourced (myna-card); which for which is our choice |
//! | `80 2A` with no Le or Le < 256 | `6700`; lenient: signs anyway | our choice (every client sends `Le = 00`) |
//! | `00 84 00 00 Le` GET CHALLENGE | Le (1–256) bytes from the card's generator, in any state; extended Le → `6985`; P1-P2 ≠ `0000` → `6A86`; no Le → `6700` | myna-card `[single]`; the last two status words are our choice |
//! | CLA `04`/`08`/`0C` (secure messaging) | SELECT → `6882`; READ BINARY and VERIFY → `69FC`; any other command → `6882` | myna-card's README `[single]`; `6882` elsewhere is ISO/IEC 7816-4's "secure messaging not supported", our choice |
//! | verified PINs after SELECT by DF name | cleared by every successful application SELECT; lenient: kept until reset | our choice (`docs/protocol.md` §5: no source) |
//!
//! The card's "random" bytes (GET CHALLENGE, PSS salts) come from a generator seeded by the
//! configuration's seed: they differ from one call to the next, and the same session replays
//! byte for byte.
//! - [`faults`]: a transport wrapper that loses the tag, times out or corrupts a response at
//!   a chosen APDU.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

mod card;
pub mod faults;
mod pki;
mod profile;
mod strictness;

pub use card::{is_pin_verify, Exchange, VirtualCard};
pub use pki::{Holder, AUTH_ROOT_DN, SIGN_ROOT_DN};
pub use profile::{
    Profile, VirtualCardConfig, DEFAULT_AUTH_PIN, DEFAULT_SEED, DEFAULT_SIGNING_PASSWORD,
};
pub use strictness::CommandStrictness;
