//! Log-in verification for a relying party: the versioned message the app sends, single-use
//! challenges with expiry, the signature and the authentication certificate.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Mutex;

use rand_core::{OsRng, RngCore};

use crate::chain::{verify_certificate, ChainVerification, TrustStore};
use crate::error::TrustError;
use kazashi_certificate::certificate::{CertificateInfo, CertificatePurpose};
use kazashi_certificate::digest::DigestAlgorithm;
pub use kazashi_login::{
    LoginMessage, LoginRequest, RelyingPartyId, LOGIN_ALGORITHM, LOGIN_VERSION_1, LOGIN_VERSION_2,
    MIN_CHALLENGE_LEN,
};

/// The version of [`LoginMessage`] this library writes.
pub const LOGIN_MESSAGE_VERSION: u32 = LOGIN_VERSION_2;
/// How far in the future a request's signed issue time may lie, for a server whose instances'
/// clocks differ a little.
pub const ISSUE_TIME_SKEW_SECONDS: i64 = 60;

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
    /// The message's version: 2, or 1 when the verifier accepts unbound log-ins.
    pub version: u32,
    /// The relying party the signature is bound to (`None` for version 1, which binds none).
    pub relying_party: Option<RelyingPartyId>,
}

/// Checks log-in messages against the challenges a server issued, for one relying party.
///
/// Several verifiers (several server instances) may share one [`ChallengeStore`]: a challenge
/// is spent once across all of them.
pub struct LoginVerifier<'a> {
    trust: &'a TrustStore,
    challenges: &'a dyn ChallengeStore,
    relying_party: RelyingPartyId,
    revocation: Option<&'a dyn RevocationChecker>,
    accept_version_1: bool,
}

impl<'a> LoginVerifier<'a> {
    /// A verifier for `relying_party` (this server's own id: version-2 messages made for any
    /// other are rejected) over a trust store and a challenge store, without revocation
    /// checking, reading version-2 messages only.
    pub fn new(
        trust: &'a TrustStore,
        challenges: &'a dyn ChallengeStore,
        relying_party: RelyingPartyId,
    ) -> Self {
        Self {
            trust,
            challenges,
            relying_party,
            revocation: None,
            accept_version_1: false,
        }
    }

    /// Adds a revocation checker.
    pub fn with_revocation(mut self, checker: &'a dyn RevocationChecker) -> Self {
        self.revocation = Some(checker);
        self
    }

    /// Also reads version-1 messages, whose signature covers only the challenge and so is not
    /// bound to this relying party: a phishing site can relay this server's challenge and pass
    /// the user's signature on. Only for apps that have not moved to version 2.
    pub fn accept_version_1(mut self) -> Self {
        self.accept_version_1 = true;
        self
    }

    /// The relying party this verifier serves.
    pub fn relying_party(&self) -> &RelyingPartyId {
        &self.relying_party
    }

    /// Issues a version-2 log-in request for this relying party: a fresh 32-byte challenge,
    /// valid for `ttl_seconds` from `now`, recorded in the store. Send
    /// [`LoginRequest::to_json`] to the app.
    ///
    /// # Errors
    ///
    /// [`TrustError::ChallengeStoreFull`] when the store takes no more;
    /// [`TrustError::Malformed`] for a lifetime outside 1 s to a day.
    pub fn issue_request(&self, now: i64, ttl_seconds: i64) -> Result<LoginRequest, TrustError> {
        let request = LoginRequest::new(
            self.relying_party.clone(),
            random_challenge(),
            now,
            now.saturating_add(ttl_seconds),
        )?;
        self.challenges
            .remember(request.challenge(), now, request.expires_at())?;
        Ok(request)
    }

    /// Issues a bare 32-byte challenge for a version-1 log-in, valid for `ttl_seconds` from
    /// `now`. Prefer [`LoginVerifier::issue_request`].
    ///
    /// # Errors
    ///
    /// [`TrustError::ChallengeStoreFull`] when the store takes no more.
    pub fn issue_challenge(&self, now: i64, ttl_seconds: i64) -> Result<Vec<u8>, TrustError> {
        let challenge = random_challenge();
        self.challenges
            .remember(&challenge, now, now.saturating_add(ttl_seconds))?;
        Ok(challenge)
    }

    /// Verifies `message` as the answer to `expected_challenge` (the one this server issued to
    /// the session now logging in) at `now` (Unix seconds). The challenge is spent by this
    /// call, whatever the outcome of the later checks.
    ///
    /// # Errors
    ///
    /// A [`TrustError`]: the relying party not this one; the challenge unknown, replayed,
    /// expired, too short or not the one signed; an unsupported or not accepted version; a
    /// bad signature; the chain's errors; a revoked certificate.
    pub fn verify(
        &self,
        message: &LoginMessage,
        expected_challenge: &[u8],
        now: i64,
    ) -> Result<LoginVerification, TrustError> {
        self.verify_inner(message, Some(expected_challenge), now)
    }

    /// Verifies `message` against whichever challenge it names, for a server that does not tie
    /// challenges to sessions: the store alone decides whether it was issued and is unspent.
    ///
    /// # Errors
    ///
    /// As [`LoginVerifier::verify`].
    pub fn verify_issued(
        &self,
        message: &LoginMessage,
        now: i64,
    ) -> Result<LoginVerification, TrustError> {
        self.verify_inner(message, None, now)
    }

    fn verify_inner(
        &self,
        message: &LoginMessage,
        expected_challenge: Option<&[u8]>,
        now: i64,
    ) -> Result<LoginVerification, TrustError> {
        let relying_party = match message.version {
            LOGIN_VERSION_2 => Some(self.check_request(message, now)?),
            LOGIN_VERSION_1 if self.accept_version_1 => None,
            LOGIN_VERSION_1 => return Err(TrustError::Version1NotAccepted),
            version => return Err(TrustError::UnsupportedVersion { version }),
        };
        if message.algorithm != LOGIN_ALGORITHM {
            return Err(TrustError::WeakAlgorithm {
                algorithm: message.algorithm.clone(),
            });
        }
        let challenge = message.challenge_bytes()?;
        let signature = message.signature_bytes()?;
        let certificate = message.certificate_der()?;
        if challenge.len() < MIN_CHALLENGE_LEN {
            return Err(TrustError::ChallengeTooShort {
                len: challenge.len(),
            });
        }
        if let Some(expected) = expected_challenge {
            if challenge != expected {
                return Err(TrustError::ChallengeMismatch);
            }
        }
        self.challenges.take(&challenge, now)?;
        let chain = verify_certificate(
            &certificate,
            CertificatePurpose::Authentication,
            now,
            self.trust,
        )?;
        let digest = DigestAlgorithm::Sha256.digest(&message.signed_bytes()?);
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
            version: message.version,
            relying_party,
        })
    }

    /// The checks of a version-2 message's signed request that need no store or key: it is for
    /// this relying party, and its signed times are plausible.
    fn check_request(
        &self,
        message: &LoginMessage,
        now: i64,
    ) -> Result<RelyingPartyId, TrustError> {
        let request = message.request()?;
        if request.relying_party() != &self.relying_party {
            return Err(TrustError::RelyingPartyMismatch {
                expected: self.relying_party.to_string(),
                found: request.relying_party().to_string(),
            });
        }
        if now > request.expires_at() {
            return Err(TrustError::ChallengeExpired);
        }
        if request.issued_at() > now.saturating_add(ISSUE_TIME_SKEW_SECONDS) {
            return Err(TrustError::malformed(format!(
                "the log-in request claims to be issued at {}, after now ({now})",
                request.issued_at()
            )));
        }
        Ok(request.relying_party().clone())
    }
}

fn random_challenge() -> Vec<u8> {
    let mut challenge = vec![0u8; 32];
    OsRng.fill_bytes(&mut challenge);
    challenge
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
