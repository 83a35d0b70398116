//! # kazashi-verify
//!
//! The relying party's side: the J-LIS trust anchors, certificate chains, log-in verification
//! and signed-file (CMS / CAdES-BES) verification. Production roots only, unless test roots
//! are added explicitly.
//!
//! It depends on the certificate model (`kazashi-certificate`) and never on the card layers,
//! so a server links no card code, and a phone library links none of this.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

pub mod cades;
mod chain;
mod error;
mod login;
mod roots;
mod signed_file;

pub use chain::{verify_certificate, Anchor, ChainCheck, ChainVerification, TrustStore};
pub use error::{RejectionKind, TrustError};
pub use login::{
    ChallengeStore, InMemoryChallengeStore, LoginMessage, LoginRequest, LoginVerification,
    LoginVerifier, RelyingPartyId, RevocationChecker, RevocationStatus, CHALLENGE_GRACE_SECONDS,
    DEFAULT_MAX_CHALLENGES, ISSUE_TIME_SKEW_SECONDS, LOGIN_ALGORITHM, LOGIN_MESSAGE_VERSION,
    LOGIN_VERSION_1, LOGIN_VERSION_2, MIN_CHALLENGE_LEN,
};
pub use roots::{JlisRoot, PRODUCTION_ROOTS};
pub use signed_file::{verify_cms, verify_cms_detached_digest, CmsVerification, SIGNING_TIME_SKEW};
