//! The relying party's side for Kotlin and Swift: log-in messages, log-in verification with
//! single-use challenges, certificate chains to the J-LIS roots, and CMS signed files.

use std::sync::Arc;

use kazashi_verify::{
    self as trust, ChallengeStore as _, InMemoryChallengeStore, TrustError, TrustStore,
};

use crate::model::{CertificateInfo, CertificatePurpose, DigestAlgorithm};

/// Mirrors `kazashi_verify::RejectionKind`: written once here with docs, converted by an
/// exhaustive match, so a kind added to the verifier fails this build until it is exported.
macro_rules! mirror_rejection_kinds {
    ($($(#[$doc:meta])* $kind:ident,)*) => {
        /// Why a verification said no. One case per reason; `reason` is a sentence for logs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
        pub enum RejectionKind {
            $($(#[$doc])* $kind,)*
        }

        impl From<kazashi_verify::RejectionKind> for RejectionKind {
            fn from(kind: kazashi_verify::RejectionKind) -> Self {
                match kind {
                    $(kazashi_verify::RejectionKind::$kind => RejectionKind::$kind,)*
                }
            }
        }
    };
}

mirror_rejection_kinds! {
    /// Not decodable.
    Malformed,
    /// A certificate for another purpose.
    WrongPurpose,
    /// Expired at the time of the check.
    Expired,
    /// Not yet valid.
    NotYetValid,
    /// The root was not valid then.
    RootNotValid,
    /// No accepted root issued it.
    UntrustedRoot,
    /// JPKI test hierarchy without the opt-in.
    TestRootNotAccepted,
    /// The certificate was altered.
    TamperedCertificate,
    /// A root is not a usable CA.
    BadRoot,
    /// Missing key usage, extended key usage or policy.
    WrongUsage,
    /// SHA-1 or another weak algorithm.
    WeakAlgorithm,
    /// The signature does not verify.
    BadSignature,
    /// The signed content was altered.
    ContentMismatch,
    /// The signer is not the certificate in the file.
    SignerMismatch,
    /// A CAdES-BES signed attribute is missing or wrong.
    SignedAttributes,
    /// Shorter than 16 bytes.
    ChallengeTooShort,
    /// Answers another challenge.
    ChallengeMismatch,
    /// Never issued here.
    ChallengeUnknown,
    /// Already used.
    ChallengeReplayed,
    /// Expired.
    ChallengeExpired,
    /// The challenge store is full: issue again shortly.
    ChallengeStoreFull,
    /// A critical extension that cannot be honoured.
    CriticalExtension,
    /// An RSA key under 2048 bits.
    WeakKey,
    /// A log-in made for another relying party.
    RelyingPartyMismatch,
    /// A version-1 log-in, not accepted by this verifier.
    Version1NotAccepted,
    /// Unknown message version.
    UnsupportedVersion,
    /// Revoked.
    Revoked,
    /// Revocation could not be checked.
    RevocationUnavailable,
}

/// A verification's rejection. Kotlin: `VerificationException.Rejected`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum VerificationError {
    /// The file, message or certificate was rejected.
    #[error("{reason}")]
    Rejected {
        /// Why, as a case.
        kind: RejectionKind,
        /// Why, in words.
        reason: String,
    },
}

impl From<TrustError> for VerificationError {
    fn from(e: TrustError) -> Self {
        VerificationError::Rejected {
            kind: e.kind().into(),
            reason: e.to_string(),
        }
    }
}

/// A root to accept besides the J-LIS production roots (the explicit opt-in for test PKIs).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TestRoot {
    /// DER bytes.
    pub der: Vec<u8>,
    /// What it issues: `AUTHENTICATION` or `SIGNATURE`.
    pub purpose: CertificatePurpose,
}

/// The production roots plus the caller's test roots: the trust store of every verification
/// call (certificates, log-ins, CMS, PDF, XML).
pub(crate) fn store(test_roots: Vec<TestRoot>) -> Result<TrustStore, VerificationError> {
    let mut store = TrustStore::production();
    for root in test_roots {
        store = store.with_test_root(&root.der, root.purpose.into())?;
    }
    Ok(store)
}

/// A certificate that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChainResult {
    /// The certificate.
    pub certificate: CertificateInfo,
    /// The root that anchored it (`authca02.cer`, or `test root: …`).
    pub anchor: String,
    /// Its J-LIS generation, for production roots.
    pub generation: Option<u8>,
    /// Whether the root is a J-LIS production root.
    pub production_root: bool,
    /// Whole days the certificate has left.
    pub days_left: i64,
}

impl From<&trust::ChainVerification> for ChainResult {
    fn from(c: &trust::ChainVerification) -> Self {
        ChainResult {
            certificate: (&c.certificate).into(),
            anchor: c.anchor.clone(),
            generation: c.generation,
            production_root: c.production,
            days_left: c.days_left,
        }
    }
}

/// Verifies a certificate for `purpose` now: chain to an accepted root, validity, usage.
#[uniffi::export]
pub fn verify_certificate(
    der: Vec<u8>,
    purpose: CertificatePurpose,
    test_roots: Vec<TestRoot>,
) -> Result<ChainResult, VerificationError> {
    let chain = trust::verify_certificate(
        &der,
        purpose.into(),
        kazashi::unix_now(),
        &store(test_roots)?,
    )?;
    Ok((&chain).into())
}

/// The JSON log-in message of version 1 (signature over the bare challenge, not bound to a
/// relying party), for servers that have not moved to version 2. `CardSession.loginV2`
/// returns the version-2 message itself.
#[uniffi::export]
pub fn create_login_message(
    challenge: Vec<u8>,
    signature: Vec<u8>,
    certificate_der: Vec<u8>,
    token_type: String,
) -> String {
    trust::LoginMessage::v1(&challenge, &signature, &certificate_der, &token_type).to_json()
}

/// A verified log-in.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LoginCheck {
    /// The authentication certificate's chain.
    pub chain: ChainResult,
    /// False: no revocation checker is configured (J-LIS data needs an authorised operator).
    pub revocation_checked: bool,
    /// The token type the app reported (informative, not authenticated).
    pub token_type: String,
    /// The message's version (2, or 1 when the verifier accepts it).
    pub version: u32,
    /// The relying party the signature is bound to; `None` for version 1.
    pub relying_party: Option<String>,
}

/// A version-2 log-in request this verifier issued: send `json` to the app.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IssuedLoginRequest {
    /// The request, as the app's `parseLoginRequest` reads it.
    pub json: String,
    /// Its challenge, to tie to the session that asked (for `verify`).
    pub challenge: Vec<u8>,
    /// Its expiry (Unix seconds).
    pub expires_at: i64,
}

/// A server's log-in verifier for one relying party: issues single-use log-in requests and
/// checks the messages that answer them. Challenges live in memory, in this object.
#[derive(uniffi::Object)]
pub struct LoginVerifier {
    store: TrustStore,
    challenges: InMemoryChallengeStore,
    relying_party: trust::RelyingPartyId,
    accept_version_1: bool,
}

impl LoginVerifier {
    fn verifier(&self) -> trust::LoginVerifier<'_> {
        let verifier =
            trust::LoginVerifier::new(&self.store, &self.challenges, self.relying_party.clone());
        if self.accept_version_1 {
            verifier.accept_version_1()
        } else {
            verifier
        }
    }

    fn check(verified: trust::LoginVerification) -> LoginCheck {
        LoginCheck {
            chain: (&verified.chain).into(),
            revocation_checked: verified.revocation != trust::RevocationStatus::NotChecked,
            token_type: verified.token_type,
            version: verified.version,
            relying_party: verified.relying_party.map(|rp| rp.to_string()),
        }
    }
}

#[uniffi::export]
impl LoginVerifier {
    /// A verifier for `relying_party` (this server's id: a lowercase host name or `https://`
    /// origin): production roots, plus `test_roots` if given (explicit opt-in). Version-1
    /// messages are read only with `accept_version_1`.
    #[uniffi::constructor]
    pub fn new(
        relying_party: String,
        test_roots: Vec<TestRoot>,
        accept_version_1: bool,
    ) -> Result<Arc<Self>, VerificationError> {
        Ok(Arc::new(Self {
            store: store(test_roots)?,
            challenges: InMemoryChallengeStore::default(),
            relying_party: trust::RelyingPartyId::parse(&relying_party)
                .map_err(TrustError::from)?,
            accept_version_1,
        }))
    }

    /// A fresh version-2 log-in request, valid for `ttl_seconds`. Fails with
    /// `ChallengeStoreFull` when too many are outstanding.
    pub fn issue_request(&self, ttl_seconds: u32) -> Result<IssuedLoginRequest, VerificationError> {
        let request = self
            .verifier()
            .issue_request(kazashi::unix_now(), i64::from(ttl_seconds))?;
        Ok(IssuedLoginRequest {
            json: request.to_json(),
            challenge: request.challenge().to_vec(),
            expires_at: request.expires_at(),
        })
    }

    /// A fresh 32-byte challenge for a version-1 log-in, valid for `ttl_seconds`.
    pub fn issue_challenge(&self, ttl_seconds: u32) -> Result<Vec<u8>, VerificationError> {
        Ok(self
            .verifier()
            .issue_challenge(kazashi::unix_now(), i64::from(ttl_seconds))?)
    }

    /// Checks a log-in message (JSON) against the challenge this verifier issued to the session
    /// logging in; the challenge is spent.
    pub fn verify(
        &self,
        message_json: String,
        challenge: Vec<u8>,
    ) -> Result<LoginCheck, VerificationError> {
        let message = trust::LoginMessage::from_json(&message_json).map_err(TrustError::from)?;
        let verified = self
            .verifier()
            .verify(&message, &challenge, kazashi::unix_now())?;
        Ok(Self::check(verified))
    }

    /// Checks a log-in message against whichever issued challenge it names (servers that do not
    /// tie challenges to sessions); the challenge is spent.
    pub fn verify_issued(&self, message_json: String) -> Result<LoginCheck, VerificationError> {
        let message = trust::LoginMessage::from_json(&message_json).map_err(TrustError::from)?;
        let verified = self
            .verifier()
            .verify_issued(&message, kazashi::unix_now())?;
        Ok(Self::check(verified))
    }

    /// Records a challenge issued elsewhere (another process, a database) for `ttl_seconds`.
    /// A challenge already spent stays spent: registering it again does not re-arm it.
    pub fn remember_challenge(
        &self,
        challenge: Vec<u8>,
        ttl_seconds: u32,
    ) -> Result<(), VerificationError> {
        let now = kazashi::unix_now();
        Ok(self
            .challenges
            .remember(&challenge, now, now + i64::from(ttl_seconds))?)
    }
}

/// A verified CMS signed file.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignedFileCheck {
    /// The signer's certificate chain.
    pub chain: ChainResult,
    /// The hash algorithm.
    pub algorithm: DigestAlgorithm,
    /// signingTime, Unix seconds.
    pub signing_time: Option<i64>,
    /// Whether the content was supplied separately.
    pub detached: bool,
    /// The signed content.
    pub content: Vec<u8>,
}

/// Verifies a CMS SignedData file (DER): signature, content (attached, or `content` for a
/// detached file), CAdES-BES attributes and the signer's certificate.
#[uniffi::export]
pub fn verify_signed_file(
    der: Vec<u8>,
    content: Option<Vec<u8>>,
    test_roots: Vec<TestRoot>,
) -> Result<SignedFileCheck, VerificationError> {
    let verified = trust::verify_cms(
        &der,
        content.as_deref(),
        kazashi::unix_now(),
        &store(test_roots)?,
    )?;
    Ok(SignedFileCheck {
        chain: (&verified.chain).into(),
        algorithm: verified.algorithm.into(),
        signing_time: verified.signing_time,
        detached: verified.detached,
        content: verified.content,
    })
}
