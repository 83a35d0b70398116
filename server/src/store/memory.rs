//! The in-process challenge store: the default, so the service runs with no other service.
//!
//! Shaped like `kazashi_verify::InMemoryChallengeStore` and for the same reasons: issuing is
//! unauthenticated, so its cost must not grow with what is stored. Records leave in expiry
//! order (a min-heap), each at most once, [`GRACE_SECONDS`] after their own expiry; the number
//! held is bounded, with a clear error past the bound.
//!
//! Keys are the service's 32-byte challenges held inline (no allocation per record), and a
//! result is boxed, so a record of an open challenge stays small: about 250 bytes each at a
//! million, hash table included (the load benchmark measures it). A challenge of another length was not issued here
//! and is unknown.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;

use super::{
    ChallengeBackend, Issued, LoginResult, Record, Spend, State, StoreError, GRACE_SECONDS,
};

/// Challenges in this process's memory. Instances do not share it: behind a load balancer use
/// [`super::RedisStore`].
#[derive(Debug)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    max: usize,
}

/// The service's challenges are 32 bytes.
type Key = [u8; 32];

/// A record as held: [`Record`] with the result boxed.
#[derive(Debug, Clone)]
struct Held {
    poll_hash: [u8; 32],
    expires_at: i64,
    state: HeldState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HeldState {
    Issued,
    Spent,
    Rejected,
    LoggedIn(Box<LoginResult>),
}

impl Held {
    fn record(&self) -> Record {
        Record {
            poll_hash: self.poll_hash,
            expires_at: self.expires_at,
            state: match &self.state {
                HeldState::Issued => State::Issued,
                HeldState::Spent => State::Spent,
                HeldState::Rejected => State::Rejected,
                HeldState::LoggedIn(r) => State::LoggedIn((**r).clone()),
            },
        }
    }
}

fn key(challenge: &[u8]) -> Option<Key> {
    challenge.try_into().ok()
}

#[derive(Debug, Default)]
struct Inner {
    records: HashMap<Key, Held>,
    /// (time to drop it, challenge), earliest first.
    by_expiry: BinaryHeap<Reverse<(i64, Key)>>,
}

impl MemoryStore {
    /// A store holding at most `max` records.
    pub fn new(max: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            max,
        }
    }

    /// How many records are held (outstanding, spent, or expired within the grace period).
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    fn prune(&mut self, now: i64) {
        while let Some(Reverse((drop_at, _))) = self.by_expiry.peek() {
            if *drop_at >= now {
                break;
            }
            if let Some(Reverse((_, challenge))) = self.by_expiry.pop() {
                self.records.remove(&challenge);
            }
        }
    }
}

#[async_trait]
impl ChallengeBackend for MemoryStore {
    async fn issue(&self, issued: &Issued, now: i64) -> Result<(), StoreError> {
        let Some(challenge) = key(&issued.challenge) else {
            return Err(StoreError::Unavailable(
                "the in-process store holds 32-byte challenges only".into(),
            ));
        };
        let mut inner = self.lock();
        inner.prune(now);
        if inner.records.contains_key(&challenge) {
            // 32 random bytes never repeat; should they, the first issue stands.
            return Ok(());
        }
        if inner.records.len() >= self.max {
            return Err(StoreError::Full { limit: self.max });
        }
        inner.records.insert(
            challenge,
            Held {
                poll_hash: issued.poll_hash,
                expires_at: issued.expires_at,
                state: HeldState::Issued,
            },
        );
        inner.by_expiry.push(Reverse((
            issued.expires_at.saturating_add(GRACE_SECONDS),
            challenge,
        )));
        Ok(())
    }

    async fn spend(&self, challenge: &[u8], now: i64) -> Result<Spend, StoreError> {
        let Some(challenge) = key(challenge) else {
            return Ok(Spend::Unknown);
        };
        let mut inner = self.lock();
        let Some(record) = inner.records.get_mut(&challenge) else {
            return Ok(Spend::Unknown);
        };
        if record.state != HeldState::Issued {
            return Ok(Spend::Replayed);
        }
        record.state = HeldState::Spent;
        Ok(if now > record.expires_at {
            Spend::Expired
        } else {
            Spend::Spent
        })
    }

    async fn finish(
        &self,
        challenge: &[u8],
        result: Option<&LoginResult>,
    ) -> Result<(), StoreError> {
        let Some(challenge) = key(challenge) else {
            return Ok(());
        };
        if let Some(record) = self.lock().records.get_mut(&challenge) {
            record.state = match result {
                Some(r) => HeldState::LoggedIn(Box::new(r.clone())),
                None => HeldState::Rejected,
            };
        }
        Ok(())
    }

    async fn record(&self, challenge: &[u8], now: i64) -> Result<Option<Record>, StoreError> {
        let Some(challenge) = key(challenge) else {
            return Ok(None);
        };
        let mut inner = self.lock();
        inner.prune(now);
        Ok(inner.records.get(&challenge).map(Held::record))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "in-process"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn issued(n: u8, expires_at: i64) -> Issued {
        Issued {
            challenge: vec![n; 32],
            poll_hash: [n; 32],
            issued_at: NOW,
            expires_at,
        }
    }

    #[test]
    fn a_challenge_is_spent_once_and_forgotten_after_its_grace_period() {
        pollster::block_on(async {
            let store = MemoryStore::new(2);
            store.issue(&issued(1, NOW + 60), NOW).await.unwrap();
            store.issue(&issued(2, NOW + 10), NOW).await.unwrap();
            assert_eq!(
                store.issue(&issued(3, NOW + 60), NOW).await,
                Err(StoreError::Full { limit: 2 })
            );
            assert_eq!(store.spend(&[1; 32], NOW + 5).await, Ok(Spend::Spent));
            assert_eq!(store.spend(&[1; 32], NOW + 6).await, Ok(Spend::Replayed));
            assert_eq!(store.spend(&[2; 32], NOW + 11).await, Ok(Spend::Expired));
            assert_eq!(store.spend(&[2; 32], NOW + 12).await, Ok(Spend::Replayed));
            assert_eq!(store.spend(&[9; 32], NOW).await, Ok(Spend::Unknown));
            // The service issues 32-byte challenges: any other length was not issued here.
            assert_eq!(store.spend(&[1; 16], NOW).await, Ok(Spend::Unknown));
            let result = LoginResult {
                subject_id: "X".into(),
                token_type: "physical-card".into(),
                certificate_expires_at: NOW + 1000,
            };
            store.finish(&[1; 32], Some(&result)).await.unwrap();
            let record = store.record(&[1; 32], NOW + 7).await.unwrap().unwrap();
            assert_eq!(record.state, State::LoggedIn(result));
            let later = NOW + 60 + GRACE_SECONDS + 1;
            assert_eq!(store.record(&[1; 32], later).await.unwrap(), None);
            assert!(store.is_empty());
        });
    }
}
