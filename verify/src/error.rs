//! Why a relying party rejects a certificate, a log-in or a signed file. One variant per
//! reason, so a server can log and react precisely.

use kazashi_certificate::certificate::CertificatePurpose;

/// A rejection, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The input could not be decoded (not DER, not base64, not JSON...).
    #[error("malformed input: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
    },
    /// A certificate for another purpose (a signing certificate offered for log-in, a CA...).
    #[error("wrong certificate purpose: expected {expected}, got {found}")]
    WrongPurpose {
        /// What the check needed.
        expected: CertificatePurpose,
        /// What the certificate is.
        found: CertificatePurpose,
    },
    /// The certificate's validity ended before the time of the check.
    #[error("the certificate expired on {not_after}")]
    Expired {
        /// End of validity, `YYYY-MM-DD`.
        not_after: String,
    },
    /// The certificate's validity starts after the time of the check.
    #[error("the certificate is not valid before {not_before}")]
    NotYetValid {
        /// Start of validity, `YYYY-MM-DD`.
        not_before: String,
    },
    /// The root that issued the certificate was not valid at the time of the check.
    #[error("the issuing root {root} was not valid at that time")]
    RootNotValid {
        /// The root's label.
        root: String,
    },
    /// No accepted root issued this certificate.
    #[error("the certificate does not chain to an accepted J-LIS root (issuer: {issuer})")]
    UntrustedRoot {
        /// The certificate's issuer.
        issuer: String,
    },
    /// The certificate comes from the JPKI test hierarchy, which was not opted in.
    #[error("the certificate comes from the JPKI test hierarchy, which is not accepted unless explicitly enabled")]
    TestRootNotAccepted,
    /// A root with the issuer's name exists but its signature over the certificate is wrong:
    /// the certificate was altered.
    #[error("the certificate's signature does not verify: it was altered or not issued by J-LIS")]
    TamperedCertificate,
    /// A root is not a usable CA (basicConstraints or keyUsage).
    #[error("the root {root} is not a usable certification authority: {reason}")]
    BadRoot {
        /// The root's label.
        root: String,
        /// What is missing.
        reason: String,
    },
    /// The certificate lacks the key usage, extended key usage or policy of its purpose.
    #[error("the certificate is not issued for this use: {reason}")]
    WrongUsage {
        /// What is missing.
        reason: String,
    },
    /// SHA-1 or another algorithm below SHA-256.
    #[error("weak or unsupported algorithm {algorithm}: SHA-256 or stronger is required")]
    WeakAlgorithm {
        /// The algorithm's name or OID.
        algorithm: String,
    },
    /// The signature does not verify with the certificate's key.
    #[error("the signature does not verify against the certificate")]
    BadSignature,
    /// The signed content does not match the signature (altered document).
    #[error("the signed content does not match: the document was altered")]
    ContentMismatch,
    /// The signer of a CMS file is not the certificate it names.
    #[error("the signer does not match the certificate in the signed file")]
    SignerMismatch,
    /// A signed attribute required by CAdES-BES is missing or wrong.
    #[error("signed attribute problem: {reason}")]
    SignedAttributes {
        /// What is wrong.
        reason: String,
    },
    /// The challenge is shorter than 16 bytes.
    #[error("the challenge has {len} bytes; at least 16 random bytes are required")]
    ChallengeTooShort {
        /// Its length.
        len: usize,
    },
    /// The message answers another challenge than the one the server expects.
    #[error("the log-in message answers a different challenge")]
    ChallengeMismatch,
    /// The server never issued this challenge.
    #[error("the challenge was not issued by this server")]
    ChallengeUnknown,
    /// The challenge was already used.
    #[error("the challenge was already used (replay)")]
    ChallengeReplayed,
    /// The challenge expired.
    #[error("the challenge expired; ask for a new one")]
    ChallengeExpired,
    /// The challenge store holds as many outstanding challenges as it may.
    #[error("too many outstanding challenges (limit {limit}); try again shortly")]
    ChallengeStoreFull {
        /// The store's limit.
        limit: usize,
    },
    /// A certificate carries a critical extension this verifier does not process (RFC 5280
    /// §4.2: such a certificate must be rejected), or a critical nameConstraints in a leaf.
    #[error("the certificate has a critical extension {oid} that cannot be honoured")]
    CriticalExtension {
        /// The extension's OID.
        oid: String,
    },
    /// The certificate's RSA key is shorter than 2048 bits.
    #[error("the certificate's RSA key has {bits} bits; at least 2048 are required")]
    WeakKey {
        /// The key's size.
        bits: usize,
    },
    /// A version-2 log-in message made for another relying party: relayed by a phishing site,
    /// or a misconfigured verifier.
    #[error("the log-in was made for {found}, not for this service ({expected})")]
    RelyingPartyMismatch {
        /// This verifier's relying-party id.
        expected: String,
        /// The one the user's signature is bound to.
        found: String,
    },
    /// A version-1 log-in message, which this verifier does not accept: its signature is not
    /// bound to a relying party.
    #[error("a version-1 log-in message is not bound to this service and is not accepted; update the app to version 2 (or enable version 1 explicitly)")]
    Version1NotAccepted,
    /// The log-in message has a version this library does not know.
    #[error("unsupported log-in message version {version}")]
    UnsupportedVersion {
        /// The version found.
        version: u32,
    },
    /// The certificate is revoked, as the configured checker reports.
    #[error("the certificate is revoked: {reason}")]
    Revoked {
        /// The checker's reason.
        reason: String,
    },
    /// The revocation checker could not give an answer.
    #[error("revocation could not be checked: {reason}")]
    RevocationUnavailable {
        /// The checker's reason.
        reason: String,
    },
}

impl TrustError {
    /// Why it was rejected, for code that reacts (servers, the CLI's JSON `kind`).
    pub fn kind(&self) -> RejectionKind {
        match self {
            TrustError::Malformed { .. } => RejectionKind::Malformed,
            TrustError::WrongPurpose { .. } => RejectionKind::WrongPurpose,
            TrustError::Expired { .. } => RejectionKind::Expired,
            TrustError::NotYetValid { .. } => RejectionKind::NotYetValid,
            TrustError::RootNotValid { .. } => RejectionKind::RootNotValid,
            TrustError::UntrustedRoot { .. } => RejectionKind::UntrustedRoot,
            TrustError::TestRootNotAccepted => RejectionKind::TestRootNotAccepted,
            TrustError::TamperedCertificate => RejectionKind::TamperedCertificate,
            TrustError::BadRoot { .. } => RejectionKind::BadRoot,
            TrustError::WrongUsage { .. } => RejectionKind::WrongUsage,
            TrustError::WeakAlgorithm { .. } => RejectionKind::WeakAlgorithm,
            TrustError::BadSignature => RejectionKind::BadSignature,
            TrustError::ContentMismatch => RejectionKind::ContentMismatch,
            TrustError::SignerMismatch => RejectionKind::SignerMismatch,
            TrustError::SignedAttributes { .. } => RejectionKind::SignedAttributes,
            TrustError::ChallengeTooShort { .. } => RejectionKind::ChallengeTooShort,
            TrustError::ChallengeMismatch => RejectionKind::ChallengeMismatch,
            TrustError::ChallengeUnknown => RejectionKind::ChallengeUnknown,
            TrustError::ChallengeReplayed => RejectionKind::ChallengeReplayed,
            TrustError::ChallengeExpired => RejectionKind::ChallengeExpired,
            TrustError::ChallengeStoreFull { .. } => RejectionKind::ChallengeStoreFull,
            TrustError::CriticalExtension { .. } => RejectionKind::CriticalExtension,
            TrustError::WeakKey { .. } => RejectionKind::WeakKey,
            TrustError::RelyingPartyMismatch { .. } => RejectionKind::RelyingPartyMismatch,
            TrustError::Version1NotAccepted => RejectionKind::Version1NotAccepted,
            TrustError::UnsupportedVersion { .. } => RejectionKind::UnsupportedVersion,
            TrustError::Revoked { .. } => RejectionKind::Revoked,
            TrustError::RevocationUnavailable { .. } => RejectionKind::RevocationUnavailable,
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        TrustError::Malformed {
            reason: reason.into(),
        }
    }
}

/// Declares [`RejectionKind`] from one list, each kind with its stable name. The bindings mirror
/// it (`kazashi-ffi`'s `RejectionKind`, checked by an exhaustive match).
macro_rules! rejection_kinds {
    ($($(#[$doc:meta])* $kind:ident = $name:literal;)*) => {
        /// Why a relying party said no: one kind per [`TrustError`] variant. Not
        /// `#[non_exhaustive]` on purpose: code that matches on it should learn of a new kind
        /// from the compiler.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RejectionKind {
            $($(#[$doc])* $kind,)*
        }

        impl RejectionKind {
            /// Every kind, in the order of the list.
            pub const ALL: &'static [RejectionKind] = &[$(RejectionKind::$kind,)*];

            /// A stable kebab-case name (`"challenge-replayed"`).
            pub fn name(self) -> &'static str {
                match self {
                    $(RejectionKind::$kind => $name,)*
                }
            }
        }

        impl std::fmt::Display for RejectionKind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

rejection_kinds! {
    /// The input could not be decoded.
    Malformed = "malformed";
    /// A certificate for another purpose.
    WrongPurpose = "wrong-purpose";
    /// Expired at the time of the check.
    Expired = "expired";
    /// Not yet valid at the time of the check.
    NotYetValid = "not-yet-valid";
    /// The issuing root was not valid then.
    RootNotValid = "root-not-valid";
    /// No accepted root issued it.
    UntrustedRoot = "untrusted-root";
    /// A JPKI test-hierarchy certificate without the opt-in.
    TestRootNotAccepted = "test-root-not-accepted";
    /// The certificate was altered.
    TamperedCertificate = "tampered-certificate";
    /// A root is not a usable CA.
    BadRoot = "bad-root";
    /// Missing key usage, extended key usage or policy.
    WrongUsage = "wrong-usage";
    /// SHA-1 or another weak algorithm.
    WeakAlgorithm = "weak-algorithm";
    /// The signature does not verify.
    BadSignature = "bad-signature";
    /// The signed content was altered.
    ContentMismatch = "content-mismatch";
    /// The signer is not the certificate the file names.
    SignerMismatch = "signer-mismatch";
    /// The signed attributes are missing or wrong.
    SignedAttributes = "signed-attributes";
    /// The challenge is too short.
    ChallengeTooShort = "challenge-too-short";
    /// The message is for another challenge.
    ChallengeMismatch = "challenge-mismatch";
    /// The challenge was never issued (or was pruned).
    ChallengeUnknown = "challenge-unknown";
    /// The challenge was used already.
    ChallengeReplayed = "challenge-replayed";
    /// The challenge expired.
    ChallengeExpired = "challenge-expired";
    /// The challenge store is full.
    ChallengeStoreFull = "challenge-store-full";
    /// A critical extension that cannot be honoured.
    CriticalExtension = "critical-extension";
    /// An RSA key under 2048 bits.
    WeakKey = "weak-key";
    /// A log-in made for another relying party.
    RelyingPartyMismatch = "relying-party-mismatch";
    /// A version-1 log-in without the opt-in.
    Version1NotAccepted = "version-1-not-accepted";
    /// A log-in message version this verifier does not read.
    UnsupportedVersion = "unsupported-version";
    /// The certificate is revoked.
    Revoked = "revoked";
    /// Revocation could not be checked and the checker requires it.
    RevocationUnavailable = "revocation-unavailable";
}

/// A log-in request or message that breaks the format is malformed, except for the cases a
/// server reacts to specifically.
impl From<kazashi_login::LoginFormatError> for TrustError {
    fn from(e: kazashi_login::LoginFormatError) -> Self {
        use kazashi_login::LoginFormatError as F;
        match e {
            F::UnsupportedVersion { version, .. } => TrustError::UnsupportedVersion { version },
            F::ChallengeLength { len, min, .. } if len < min => {
                TrustError::ChallengeTooShort { len }
            }
            other => TrustError::malformed(other.to_string()),
        }
    }
}
