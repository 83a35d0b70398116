//! Where issued challenges live between the QR code and the tap: in this process, or in Redis
//! shared by every instance behind a load balancer.
//!
//! Why a trait of its own rather than `kazashi_verify::ChallengeStore`: the service also keeps,
//! per challenge, the hash of the poll token and the log-in's result for the page that showed
//! the QR code, and a networked store can be *unavailable*, which is not a verdict about the
//! log-in: the service answers 503 and accepts nothing (fail closed). The verifier still
//! decides every log-in: [`crate::login::SpendThrough`] hands it this store's atomic spend.

mod memory;
mod redis;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use self::memory::MemoryStore;
pub use self::redis::RedisStore;

/// How long a record outlives its challenge's expiry, so a late replay is told apart from an
/// unknown challenge and the page polling for the result sees "expired". The verifier's own
/// grace period, for the same reasons.
pub const GRACE_SECONDS: i64 = kazashi_verify::CHALLENGE_GRACE_SECONDS;

/// A challenge as issued.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The random challenge.
    pub challenge: Vec<u8>,
    /// SHA-256 of the poll token handed to whoever asked for the challenge.
    pub poll_hash: [u8; 32],
    /// Issue time, Unix seconds.
    pub issued_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

/// The result of spending a challenge: exactly one caller ever gets [`Spend::Spent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spend {
    /// It was issued and unspent, and is spent now.
    Spent,
    /// It was issued, unspent but expired; it is spent now too.
    Expired,
    /// It was spent before.
    Replayed,
    /// This store never issued it (or forgot it after its grace period).
    Unknown,
}

/// What a verified log-in leaves for the page polling for it: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResult {
    /// The authentication certificate's subject id (its subject CN, an opaque J-LIS id).
    pub subject_id: String,
    /// The token type the app reported.
    pub token_type: String,
    /// The certificate's end of validity, Unix seconds.
    pub certificate_expires_at: i64,
}

/// Where a challenge stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Issued, not answered yet.
    Issued,
    /// Spent by a verification that has not finished.
    Spent,
    /// Spent by a verification that rejected the log-in.
    Rejected,
    /// Spent by a log-in that was accepted.
    LoggedIn(LoginResult),
}

/// A challenge's record, for the poll endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// SHA-256 of its poll token.
    pub poll_hash: [u8; 32],
    /// Its expiry, Unix seconds.
    pub expires_at: i64,
    /// Where it stands.
    pub state: State,
}

/// The store could not do its job: the request fails closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The store (Redis) cannot be reached or did not answer in time.
    #[error("the challenge store is unavailable: {0}")]
    Unavailable(String),
    /// The in-process store holds as many outstanding challenges as it may.
    #[error("too many outstanding challenges (limit {limit}); try again when some expire")]
    Full {
        /// The bound.
        limit: usize,
    },
}

/// A challenge store for the service. Every operation is atomic on its own; `spend` is the
/// one that makes a log-in single-use.
#[async_trait]
pub trait ChallengeBackend: Send + Sync {
    /// Records a new challenge, kept until its expiry plus [`GRACE_SECONDS`].
    async fn issue(&self, issued: &Issued, now: i64) -> Result<(), StoreError>;
    /// Spends a challenge, atomically across every instance sharing the store.
    async fn spend(&self, challenge: &[u8], now: i64) -> Result<Spend, StoreError>;
    /// Records how the verification of a spent challenge ended (the result, or a rejection).
    /// A record already gone is left gone.
    async fn finish(
        &self,
        challenge: &[u8],
        result: Option<&LoginResult>,
    ) -> Result<(), StoreError>;
    /// The record of a challenge, if the store still holds it.
    async fn record(&self, challenge: &[u8], now: i64) -> Result<Option<Record>, StoreError>;
    /// Whether the store answers (for `/healthz`).
    async fn ping(&self) -> Result<(), StoreError>;
    /// A name for logs and `/healthz`: `in-process` or `redis`.
    fn kind(&self) -> &'static str;
}
