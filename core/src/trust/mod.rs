//! The relying party's side: J-LIS trust anchors, certificate chains, log-in verification and
//! signed files. Production roots only, unless test roots are added explicitly.

mod chain;
mod error;
mod login;
mod roots;
mod signed_file;

pub use chain::{verify_certificate, Anchor, ChainVerification, TrustStore};
pub use error::TrustError;
pub use login::{
    ChallengeStore, InMemoryChallengeStore, LoginMessage, LoginVerification, LoginVerifier,
    RevocationChecker, RevocationStatus, LOGIN_ALGORITHM, LOGIN_MESSAGE_VERSION, MIN_CHALLENGE_LEN,
};
pub use roots::{JlisRoot, PRODUCTION_ROOTS};
pub use signed_file::{sign_cms, verify_cms, CmsOptions, CmsVerification, SignedFile};
