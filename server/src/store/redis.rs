//! The challenge store on Redis, shared by every instance of the service.
//!
//! One hash per challenge, `<prefix>challenge:<hex>`, with fields `st` (issued, spent,
//! rejected, ok), `exp` (expiry), `ph` (poll-token hash, hex) and `res` (the result, JSON),
//! and a Redis TTL of the challenge's lifetime plus the grace period: Redis forgets it, no
//! sweeper needed. Spending is one Lua script (atomic in Redis: no two callers, on any
//! instance, both see `issued`).
//!
//! Fail closed: every operation has a timeout; an error or a timeout is
//! [`StoreError::Unavailable`], which the service answers with 503 and accepts nothing. The
//! connection is a `redis` connection manager, which reconnects by itself after Redis comes
//! back; if Redis is down when the service starts, the first request that needs it connects.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};
use tokio::sync::Mutex;

use super::{
    ChallengeBackend, Issued, LoginResult, Record, Spend, State, StoreError, GRACE_SECONDS,
};

/// Spends `KEYS[1]` at time `ARGV[1]`: `unknown`, `replayed`, `expired` (spent now too) or
/// `spent`.
const SPEND: &str = r"
local st = redis.call('HGET', KEYS[1], 'st')
if not st then return 'unknown' end
if st ~= 'issued' then return 'replayed' end
redis.call('HSET', KEYS[1], 'st', 'spent')
if tonumber(ARGV[1]) > tonumber(redis.call('HGET', KEYS[1], 'exp')) then return 'expired' end
return 'spent'
";

/// Records the end of a verification on `KEYS[1]` if it still exists (never re-creates a key
/// without its TTL): `ARGV[1]` the state, `ARGV[2]` the result JSON (may be empty).
const FINISH: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'st', ARGV[1], 'res', ARGV[2])
end
return 1
";

/// Challenges in Redis.
pub struct RedisStore {
    client: redis::Client,
    connection: Mutex<Option<ConnectionManager>>,
    timeout: Duration,
    prefix: String,
    spend: Script,
    finish: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://host:port/db`). Connects lazily: the service
    /// starts even when Redis is down, and fails closed until it is up.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] for a URL the client does not accept.
    pub fn new(url: &str, prefix: &str, timeout: Duration) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)
            .map_err(|e| StoreError::Unavailable(format!("invalid Redis URL: {e}")))?;
        Ok(Self {
            client,
            connection: Mutex::new(None),
            timeout,
            prefix: prefix.to_string(),
            spend: Script::new(SPEND),
            finish: Script::new(FINISH),
        })
    }

    fn key(&self, challenge: &[u8]) -> String {
        format!("{}challenge:{}", self.prefix, hex(challenge))
    }

    /// The shared connection, made on first use (and again if the first attempt failed).
    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let mut slot = self.connection.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(self.timeout)
            .set_response_timeout(self.timeout)
            .set_number_of_retries(1)
            .set_max_delay(500);
        let made = tokio::time::timeout(
            self.timeout,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        .map_err(|_| unavailable("connecting to Redis timed out"))?
        .map_err(unavailable)?;
        *slot = Some(made.clone());
        Ok(made)
    }

    /// Runs one operation with the timeout; any failure is "unavailable".
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let connection = self.connection().await?;
        tokio::time::timeout(self.timeout, op(connection))
            .await
            .map_err(|_| unavailable("Redis did not answer in time"))?
            .map_err(unavailable)
    }
}

#[async_trait]
impl ChallengeBackend for RedisStore {
    async fn issue(&self, issued: &Issued, now: i64) -> Result<(), StoreError> {
        let key = self.key(&issued.challenge);
        let ttl = (issued.expires_at.saturating_add(GRACE_SECONDS) - now).max(1);
        let fields = [
            ("st", "issued".to_string()),
            ("exp", issued.expires_at.to_string()),
            ("ph", hex(&issued.poll_hash)),
        ];
        self.run(|mut c| async move {
            redis::pipe()
                .atomic()
                .hset_multiple(&key, &fields)
                .ignore()
                .expire(&key, ttl)
                .ignore()
                .query_async::<()>(&mut c)
                .await
        })
        .await
    }

    async fn spend(&self, challenge: &[u8], now: i64) -> Result<Spend, StoreError> {
        let key = self.key(challenge);
        let answer: String = self
            .run(|mut c| async move {
                self.spend
                    .key(&key)
                    .arg(now)
                    .invoke_async::<String>(&mut c)
                    .await
            })
            .await?;
        match answer.as_str() {
            "spent" => Ok(Spend::Spent),
            "expired" => Ok(Spend::Expired),
            "replayed" => Ok(Spend::Replayed),
            "unknown" => Ok(Spend::Unknown),
            other => Err(unavailable(format!(
                "unexpected answer from Redis: {other}"
            ))),
        }
    }

    async fn finish(
        &self,
        challenge: &[u8],
        result: Option<&LoginResult>,
    ) -> Result<(), StoreError> {
        let key = self.key(challenge);
        let (state, json) = match result {
            Some(r) => (
                "ok",
                serde_json::to_string(r).map_err(|e| unavailable(e.to_string()))?,
            ),
            None => ("rejected", String::new()),
        };
        self.run(|mut c| async move {
            self.finish
                .key(&key)
                .arg(state)
                .arg(json)
                .invoke_async::<i64>(&mut c)
                .await
        })
        .await
        .map(|_| ())
    }

    async fn record(&self, challenge: &[u8], _now: i64) -> Result<Option<Record>, StoreError> {
        let key = self.key(challenge);
        let (st, exp, ph, res): (Option<String>, Option<i64>, Option<String>, Option<String>) =
            self.run(|mut c| async move {
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg("st")
                    .arg("exp")
                    .arg("ph")
                    .arg("res")
                    .query_async(&mut c)
                    .await
            })
            .await?;
        let (Some(st), Some(expires_at), Some(ph)) = (st, exp, ph) else {
            return Ok(None);
        };
        let Some(poll_hash) = unhex32(&ph) else {
            return Err(unavailable("a challenge record in Redis is corrupt"));
        };
        let state = match st.as_str() {
            "issued" => State::Issued,
            "spent" => State::Spent,
            "rejected" => State::Rejected,
            "ok" => {
                let result = res
                    .as_deref()
                    .and_then(|r| serde_json::from_str(r).ok())
                    .ok_or_else(|| unavailable("a log-in result in Redis is corrupt"))?;
                State::LoggedIn(result)
            }
            _ => return Err(unavailable("a challenge record in Redis is corrupt")),
        };
        Ok(Some(Record {
            poll_hash,
            expires_at,
            state,
        }))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.run(|mut c| async move { c.ping::<String>().await })
            .await
            .map(|_| ())
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn unhex32(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}
