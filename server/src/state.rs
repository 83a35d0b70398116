//! What every request handler shares: the configuration, the trust roots, the challenge store,
//! the optional revocation checker, the metrics and the rate limiter.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use kazashi_login::RelyingPartyId;
use kazashi_verify::{RevocationChecker, TrustStore};

use crate::config::{Config, ConfigError};
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::store::{ChallengeBackend, MemoryStore, RedisStore};
use crate::trust::trust_store;

/// The shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The contents of [`AppState`].
pub struct Shared {
    /// The configuration.
    pub config: Config,
    /// This service's relying-party id.
    pub relying_party: RelyingPartyId,
    /// The accepted roots.
    pub trust: TrustStore,
    /// Where challenges live.
    pub store: Arc<dyn ChallengeBackend>,
    /// The revocation checker, if one is configured (see [`AppState::with_revocation_checker`]).
    pub revocation: Option<Arc<dyn RevocationChecker>>,
    /// The metrics.
    pub metrics: Metrics,
    /// The per-client limiter.
    pub limiter: RateLimiter,
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// The state for `config`: its roots, and the Redis store when a URL is configured, else
    /// the in-process one.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a bad relying-party id, an unreadable or unusable root, or
    /// a Redis URL the client does not accept.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        let store: Arc<dyn ChallengeBackend> = match &config.redis {
            Some(url) => Arc::new(
                RedisStore::new(
                    url,
                    &config.redis_prefix,
                    Duration::from_millis(config.redis_timeout_ms),
                )
                .map_err(|e| ConfigError::Invalid(e.to_string()))?,
            ),
            None => Arc::new(MemoryStore::new(config.max_challenges)),
        };
        Self::with_store(config, store)
    }

    /// The state for `config` over a given store (an embedder's own, or a shared
    /// [`MemoryStore`] in tests and benchmarks).
    ///
    /// # Errors
    ///
    /// As [`AppState::new`].
    pub fn with_store(
        config: Config,
        store: Arc<dyn ChallengeBackend>,
    ) -> Result<Self, ConfigError> {
        let relying_party = RelyingPartyId::parse(&config.rp_id)
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let trust = trust_store(&config)?;
        let limiter = RateLimiter::new(
            config.rate_limit_per_minute,
            config.client_ip_header.clone(),
        );
        Ok(Self(Arc::new(Shared {
            config,
            relying_party,
            trust,
            store,
            revocation: None,
            metrics: Metrics::new(),
            limiter,
        })))
    }

    /// Adds a revocation checker: the hook for an operator authorised to query J-LIS
    /// revocation data (公的個人認証法 §17). Without one, every log-in result says
    /// "revocation": "not checked". Call before the state is shared (cloned).
    ///
    /// # Panics
    ///
    /// When the state was already cloned.
    pub fn with_revocation_checker(mut self, checker: Arc<dyn RevocationChecker>) -> Self {
        Arc::get_mut(&mut self.0)
            .expect("set the revocation checker before sharing the state")
            .revocation = Some(checker);
        self
    }
}
