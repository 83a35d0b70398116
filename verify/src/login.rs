//! Log-in verification for a relying party: the versioned message the app sends, single-use
//! challenges with expiry, the signature and the authentication certificate.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Mutex;

use base64ct::{Base64, Encoding};
use rand_core::{OsRng, RngCore};

use crate::chain::{verify_certificate, ChainVerification, TrustStore};
use crate::error::TrustError;
use kazashi_certificate::certificate::{CertificateInfo, CertificatePurpose};
use kazashi_certificate::digest::DigestAlgorithm;

/// The version of [`LoginMessage`] this library writes and reads.
pub const LOGIN_MESSAGE_VERSION: u32 = 1;
/// The only log-in signature algorithm: RSASSA-PKCS1-v1_5 with SHA-256 over the challenge.
pub const LOGIN_ALGORITHM: &str = "sha256WithRSAEncryption";
/// The shortest challenge accepted, in bytes.
pub const MIN_CHALLENGE_LEN: usize = 16;

/// What the app sends to the server after a tap (JSON, binary fields in standard base64):
///
/// ```json
/// { "version": 1, "challenge": "…", "signature": "…", "certificate": "…",
///   "algorithm": "sha256WithRSAEncryption", "token_type": "physical-card" }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoginMessage {
    /// Always [`LOGIN_MESSAGE_VERSION`] for this format.
    pub version: u32,
    /// The server's challenge, base64.
    pub challenge: String,
    /// The card's signature, base64.
    pub signature: String,
    /// The authentication certificate (DER), base64.
    pub certificate: String,
    /// [`LOGIN_ALGORITHM`].
    pub algorithm: String,
    /// `physical-card`, `android-phone`, `iphone`, `juki-card` or `unknown`.
    pub token_type: String,
}

impl LoginMessage {
    /// Builds the message from a log-in's parts.
    pub fn new(
        challenge: &[u8],
        signature: &[u8],
        certificate_der: &[u8],
        token_type: &str,
    ) -> Self {
        Self {
            version: LOGIN_MESSAGE_VERSION,
            challenge: Base64::encode_string(challenge),
            signature: Base64::encode_string(signature),
            certificate: Base64::encode_string(certificate_der),
            algorithm: LOGIN_ALGORITHM.to_string(),
            token_type: token_type.to_string(),
        }
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a LoginMessage always serialises")
    }

    /// Parses the JSON text.
    ///
    /// # Errors
    ///
    /// [`TrustError::Malformed`] for text that is not a log-in message, and
    /// [`TrustError::UnsupportedVersion`].
    pub fn from_json(text: &str) -> Result<Self, TrustError> {
        serde_json::from_str(text)
            .map_err(|e| TrustError::malformed(format!("log-in message: {e}")))
    }

    fn field(name: &str, value: &str) -> Result<Vec<u8>, TrustError> {
        Base64::decode_vec(value)
            .map_err(|_| TrustError::malformed(format!("log-in message: {name} is not base64")))
    }
}

/// Where a server keeps the challenges it issued, so each is used once and before it expires.
pub trait ChallengeStore: Send + Sync {
    /// Records a challenge issued at `now`, valid until `expires_at` (Unix seconds). A
    /// challenge already spent stays spent, whatever is registered later.
    ///
    /// # Errors
    ///
    /// [`TrustError::ChallengeStoreFull`] when the store holds as many outstanding challenges
    /// as it may: the server should refuse to issue more until some expire.
    fn remember(&self, challenge: &[u8], now: i64, expires_at: i64) -> Result<(), TrustError>;
    /// Spends a challenge: succeeds once for an issued, unexpired challenge; a second use gives
    /// [`TrustError::ChallengeReplayed`].
    ///
    /// # Errors
    ///
    /// [`TrustError::ChallengeUnknown`], [`TrustError::ChallengeReplayed`] or
    /// [`TrustError::ChallengeExpired`].
    fn take(&self, challenge: &[u8], now: i64) -> Result<(), TrustError>;
}

/// How long a challenge is kept past its expiry, so that a late replay is reported as expired
/// or replayed rather than unknown. Short on purpose: memory is bounded by what was issued in
/// the last TTL plus this.
pub const CHALLENGE_GRACE_SECONDS: i64 = 300;

/// The default bound on outstanding challenges of an [`InMemoryChallengeStore`]: about 100 MB.
pub const DEFAULT_MAX_CHALLENGES: usize = 1_000_000;

/// A [`ChallengeStore`] in memory, for one server process.
///
/// Why it is shaped so: issuing is unauthenticated, so its cost must not grow with what is
/// stored. Entries are pruned in expiry order (a min-heap), each at most once, so remembering
/// and taking cost O(log n) amortised; an entry is dropped [`CHALLENGE_GRACE_SECONDS`] after its
/// own expiry, so a long-lived challenge never evicts short ones; and the number outstanding is
/// capped, with a clear error past the cap.
#[derive(Debug)]
pub struct InMemoryChallengeStore {
    inner: Mutex<Challenges>,
    max_outstanding: usize,
}

#[derive(Debug, Default)]
struct Challenges {
    entries: HashMap<Vec<u8>, Entry>,
    /// (time to drop it, challenge), earliest first. An extended entry leaves a stale record,
    /// skipped when it comes up.
    by_expiry: BinaryHeap<Reverse<(i64, Vec<u8>)>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    expires_at: i64,
    used: bool,
}

impl Default for InMemoryChallengeStore {
    fn default() -> Self {
        Self::with_max_outstanding(DEFAULT_MAX_CHALLENGES)
    }
}

impl InMemoryChallengeStore {
    /// A store that holds at most `max` challenges at once.
    pub fn with_max_outstanding(max: usize) -> Self {
        Self {
            inner: Mutex::new(Challenges::default()),
            max_outstanding: max,
        }
    }

    /// How many challenges are held (outstanding, spent or expired within the grace period).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Challenges> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Challenges {
    /// Drops every entry whose grace period ended before `now`, earliest first.
    fn prune(&mut self, now: i64) {
        while let Some(Reverse((drop_at, _))) = self.by_expiry.peek() {
            if *drop_at >= now {
                break;
            }
            let Some(Reverse((drop_at, challenge))) = self.by_expiry.pop() else {
                break;
            };
            if let Some(entry) = self.entries.get(&challenge) {
                // Only the record of its current expiry removes it (an extension left this one).
                if entry.expires_at + CHALLENGE_GRACE_SECONDS == drop_at {
                    self.entries.remove(&challenge);
                }
            }
        }
    }
}

impl ChallengeStore for InMemoryChallengeStore {
    fn remember(&self, challenge: &[u8], now: i64, expires_at: i64) -> Result<(), TrustError> {
        let mut inner = self.lock();
        inner.prune(now);
        let drop_at = expires_at + CHALLENGE_GRACE_SECONDS;
        if let Some(entry) = inner.entries.get_mut(challenge) {
            // A spent challenge stays spent: registering it again must not re-arm a replay.
            if !entry.used && expires_at > entry.expires_at {
                entry.expires_at = expires_at;
                inner.by_expiry.push(Reverse((drop_at, challenge.to_vec())));
            }
            return Ok(());
        }
        if inner.entries.len() >= self.max_outstanding {
            return Err(TrustError::ChallengeStoreFull {
                limit: self.max_outstanding,
            });
        }
        inner.entries.insert(
            challenge.to_vec(),
            Entry {
                expires_at,
                used: false,
            },
        );
        inner.by_expiry.push(Reverse((drop_at, challenge.to_vec())));
        Ok(())
    }

    fn take(&self, challenge: &[u8], now: i64) -> Result<(), TrustError> {
        let mut inner = self.lock();
        let entry = inner
            .entries
            .get_mut(challenge)
            .ok_or(TrustError::ChallengeUnknown)?;
        if entry.used {
            return Err(TrustError::ChallengeReplayed);
        }
        entry.used = true;
        if now > entry.expires_at {
            return Err(TrustError::ChallengeExpired);
        }
        Ok(())
    }
}

/// Whether a certificate is revoked. J-LIS revocation data (CRLs, OCSP) is reachable only
/// through a platform operator authorised under 公的個人認証法 §17, so no checker ships here;
/// implement this trait over your operator's service.
pub trait RevocationChecker: Send + Sync {
    /// Checks one certificate.
    ///
    /// # Errors
    ///
    /// [`TrustError::Revoked`] or [`TrustError::RevocationUnavailable`].
    fn check(&self, certificate: &CertificateInfo) -> Result<RevocationStatus, TrustError>;
}

/// The revocation outcome recorded in a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationStatus {
    /// No checker was configured: the certificate may be revoked.
    NotChecked,
    /// The checker reports the certificate good.
    Good,
}

impl RevocationStatus {
    /// Words for logs and results.
    pub fn describe(&self) -> &'static str {
        match self {
            RevocationStatus::NotChecked => {
                "revocation not checked (no revocation checker configured)"
            }
            RevocationStatus::Good => "not revoked",
        }
    }
}

/// A log-in that passed every check.
#[derive(Debug, Clone)]
pub struct LoginVerification {
    /// The certificate chain result (root, generation, days left).
    pub chain: ChainVerification,
    /// Whether revocation was checked.
    pub revocation: RevocationStatus,
    /// The token type the app reported (not authenticated: informative only).
    pub token_type: String,
}

/// Checks log-in messages against the challenges a server issued.
pub struct LoginVerifier<'a> {
    trust: &'a TrustStore,
    challenges: &'a dyn ChallengeStore,
    revocation: Option<&'a dyn RevocationChecker>,
}

impl<'a> LoginVerifier<'a> {
    /// A verifier over a trust store and a challenge store, without revocation checking.
    pub fn new(trust: &'a TrustStore, challenges: &'a dyn ChallengeStore) -> Self {
        Self {
            trust,
            challenges,
            revocation: None,
        }
    }

    /// Adds a revocation checker.
    pub fn with_revocation(mut self, checker: &'a dyn RevocationChecker) -> Self {
        self.revocation = Some(checker);
        self
    }

    /// Issues a fresh 32-byte challenge valid for `ttl_seconds` from `now`.
    ///
    /// # Errors
    ///
    /// [`TrustError::ChallengeStoreFull`] when the store takes no more.
    pub fn issue_challenge(&self, now: i64, ttl_seconds: i64) -> Result<Vec<u8>, TrustError> {
        let mut challenge = vec![0u8; 32];
        OsRng.fill_bytes(&mut challenge);
        self.challenges
            .remember(&challenge, now, now + ttl_seconds)?;
        Ok(challenge)
    }

    /// Verifies `message` as the answer to `expected_challenge` at `now` (Unix seconds). The
    /// challenge is spent by this call, whatever the outcome of the later checks.
    ///
    /// # Errors
    ///
    /// A [`TrustError`]: the challenge unknown, replayed, expired, too short or not the one
    /// signed; an unsupported version; a bad signature; the chain's errors; a revoked certificate.
    pub fn verify(
        &self,
        message: &LoginMessage,
        expected_challenge: &[u8],
        now: i64,
    ) -> Result<LoginVerification, TrustError> {
        if message.version != LOGIN_MESSAGE_VERSION {
            return Err(TrustError::UnsupportedVersion {
                version: message.version,
            });
        }
        if message.algorithm != LOGIN_ALGORITHM {
            return Err(TrustError::WeakAlgorithm {
                algorithm: message.algorithm.clone(),
            });
        }
        let challenge = LoginMessage::field("challenge", &message.challenge)?;
        let signature = LoginMessage::field("signature", &message.signature)?;
        let certificate = LoginMessage::field("certificate", &message.certificate)?;
        if expected_challenge.len() < MIN_CHALLENGE_LEN {
            return Err(TrustError::ChallengeTooShort {
                len: expected_challenge.len(),
            });
        }
        if challenge != expected_challenge {
            return Err(TrustError::ChallengeMismatch);
        }
        self.challenges.take(&challenge, now)?;
        let chain = verify_certificate(
            &certificate,
            CertificatePurpose::Authentication,
            now,
            self.trust,
        )?;
        let digest = DigestAlgorithm::Sha256.digest(&challenge);
        chain
            .certificate
            .verify_digest_signature(DigestAlgorithm::Sha256, &digest, &signature)
            .map_err(|_| TrustError::BadSignature)?;
        let revocation = match self.revocation {
            Some(checker) => checker.check(&chain.certificate)?,
            None => RevocationStatus::NotChecked,
        };
        Ok(LoginVerification {
            chain,
            revocation,
            token_type: message.token_type.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn id(n: u32) -> Vec<u8> {
        let mut c = vec![0u8; 32];
        c[..4].copy_from_slice(&n.to_be_bytes());
        c
    }

    /// Security review, finding 3: one long-lived challenge evicted short valid ones, and
    /// memory grew for a day past expiry. Now each entry leaves on its own expiry plus a short
    /// grace period, and a short one is kept as long as it is valid.
    #[test]
    fn entries_leave_on_their_own_expiry_plus_the_grace_period() {
        let store = InMemoryChallengeStore::default();
        store.remember(&id(1), NOW, NOW + 60).unwrap();
        // A long-lived challenge issued later does not push the short one out.
        store.remember(&id(2), NOW + 10, NOW + 86_400).unwrap();
        assert_eq!(store.len(), 2);
        store.take(&id(1), NOW + 30).unwrap();
        // Past expiry but within the grace period: a replay is still told apart.
        store.remember(&id(3), NOW + 61, NOW + 120).unwrap();
        assert_eq!(
            store.take(&id(1), NOW + 62),
            Err(TrustError::ChallengeReplayed)
        );
        // After the grace period the spent and the expired ones are gone, the long one stays.
        let later = NOW + 120 + CHALLENGE_GRACE_SECONDS + 1;
        store.remember(&id(4), later, later + 60).unwrap();
        assert_eq!(store.len(), 2, "ids 2 and 4 remain");
        assert_eq!(store.take(&id(1), later), Err(TrustError::ChallengeUnknown));
        assert_eq!(store.take(&id(3), later), Err(TrustError::ChallengeUnknown));
        store.take(&id(2), later).unwrap();
    }

    #[test]
    fn an_extended_challenge_is_not_dropped_by_its_old_expiry() {
        let store = InMemoryChallengeStore::default();
        store.remember(&id(1), NOW, NOW + 60).unwrap();
        store.remember(&id(1), NOW, NOW + 3_600).unwrap();
        let after_first = NOW + 60 + CHALLENGE_GRACE_SECONDS + 1;
        store
            .remember(&id(2), after_first, after_first + 60)
            .unwrap();
        store.take(&id(1), after_first).unwrap();
    }

    #[test]
    fn a_full_store_says_so_and_frees_up_as_challenges_expire() {
        let store = InMemoryChallengeStore::with_max_outstanding(3);
        for n in 0..3 {
            store.remember(&id(n), NOW, NOW + 60).unwrap();
        }
        assert_eq!(
            store.remember(&id(9), NOW, NOW + 60),
            Err(TrustError::ChallengeStoreFull { limit: 3 })
        );
        // Registering a held challenge again is not a new entry.
        store.remember(&id(0), NOW, NOW + 60).unwrap();
        let later = NOW + 60 + CHALLENGE_GRACE_SECONDS + 1;
        store.remember(&id(9), later, later + 60).unwrap();
        assert_eq!(store.len(), 1);
    }
}
