//! Log-in verification for a relying party: the versioned message the app sends, single-use
//! challenges with expiry, the signature and the authentication certificate.

use std::collections::HashMap;
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
    /// Records a challenge just issued, valid until `expires_at` (Unix seconds).
    fn remember(&self, challenge: &[u8], expires_at: i64);
    /// Spends a challenge: succeeds once for an issued, unexpired challenge; a second use gives
    /// [`TrustError::ChallengeReplayed`].
    ///
    /// # Errors
    ///
    /// [`TrustError::ChallengeUnknown`], [`TrustError::ChallengeReplayed`] or
    /// [`TrustError::ChallengeExpired`].
    fn take(&self, challenge: &[u8], now: i64) -> Result<(), TrustError>;
}

/// A [`ChallengeStore`] in memory, for one server process. Expired entries are dropped as new
/// challenges are issued.
#[derive(Debug, Default)]
pub struct InMemoryChallengeStore {
    entries: Mutex<HashMap<Vec<u8>, Entry>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    expires_at: i64,
    used: bool,
}

impl ChallengeStore for InMemoryChallengeStore {
    fn remember(&self, challenge: &[u8], expires_at: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Forget what can no longer be presented: a replay of it fails as expired or unknown.
        entries.retain(|_, e| e.expires_at >= expires_at - 86_400);
        // A challenge once used stays used until it is pruned, whatever is registered later:
        // re-registering a spent challenge must not re-arm it for a replay.
        entries
            .entry(challenge.to_vec())
            .and_modify(|entry| {
                if !entry.used {
                    entry.expires_at = expires_at;
                }
            })
            .or_insert(Entry {
                expires_at,
                used: false,
            });
    }

    fn take(&self, challenge: &[u8], now: i64) -> Result<(), TrustError> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let entry = entries
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
    pub fn issue_challenge(&self, now: i64, ttl_seconds: i64) -> Vec<u8> {
        let mut challenge = vec![0u8; 32];
        OsRng.fill_bytes(&mut challenge);
        self.challenges.remember(&challenge, now + ttl_seconds);
        challenge
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
