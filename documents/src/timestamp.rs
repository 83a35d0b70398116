//! RFC 3161 timestamps: ask a timestamp authority (TSA) to vouch for the time a signature
//! existed, check what it answers, and keep its token with the signature (CAdES-T, PAdES B-T,
//! XAdES-T).
//!
//! Why: a signature alone stops being checkable when the signing certificate expires (five
//! years) or is revoked; a TSA's token proves the signature existed before then.
//!
//! The flow, for every format:
//! 1. the card signs (one tap) — the B-B document exists and is kept whatever happens next;
//! 2. [`TimestampClient::timestamp_signature`] (or [`TimestampClient::timestamp_data`]) sends a
//!    `TimeStampReq` (SHA-256 imprint, a random 64-bit nonce, `certReq`) by HTTP POST and
//!    checks the response: status granted, nonce, imprint, the token's CMS signature, the TSA
//!    certificate's chain to the caller's TSA roots and its critical `timeStamping` EKU;
//! 3. the format embeds the token ([`add_signature_timestamp`] for CMS; the PDF and XML
//!    modules for theirs).
//!
//! A verifier checks an embedded token with [`verify_timestamp_token`]. The ASN.1 types are
//! RustCrypto's (`x509-tsp`, `cms`, `x509-cert`); nothing here encodes DER by hand.

mod cades;
mod client;
mod token;

#[cfg(feature = "sign")]
pub use crate::cms::{sign_cms_with_timestamp, timestamp_cms};

pub use cades::{
    add_signature_timestamp, signature_timestamp_token, timestamp_signed_data, EmbeddedTimestamp,
};
pub use client::TimestampClient;
pub use token::{verify_timestamp_token, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};

/// What signing with a timestamp gives: the signed document always, and the timestamp's outcome
/// beside it. The card was tapped before the TSA was asked, so a TSA failure must not cost the
/// user that tap: `document` is then the B-B document (valid, without a trusted time) and
/// `timestamp` says why there is no timestamp; the caller can save it and timestamp later.
#[derive(Debug, Clone)]
pub struct Timestamped<D> {
    /// The signed document: the -T level (CAdES-T, XAdES-T, PAdES B-T) when `timestamp` is
    /// `Ok`, the B-B level otherwise.
    pub document: D,
    /// The embedded token, or why the TSA step failed.
    pub timestamp: Result<TimestampToken, TimestampError>,
}

impl<D> Timestamped<D> {
    /// Whether the document carries a checked timestamp.
    pub fn is_timestamped(&self) -> bool {
        self.timestamp.is_ok()
    }
}

/// A checked timestamp token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampToken {
    /// The token: a DER CMS `ContentInfo` (SignedData over a `TSTInfo`), as embedded in the
    /// signature (`signatureTimeStampToken`, XAdES `EncapsulatedTimeStamp`, PAdES).
    pub der: Vec<u8>,
    /// `genTime`: when the TSA saw the imprint, Unix seconds (UTC).
    pub gen_time: i64,
    /// The TSA's serial number of this token, big-endian bytes.
    pub serial: Vec<u8>,
    /// The TSA policy OID the token was issued under.
    pub policy: String,
    /// The certificate that signed the token (DER).
    pub tsa_certificate: Vec<u8>,
    /// The TSA certificate's subject, for people.
    pub tsa_name: String,
}

/// Why a timestamp could not be obtained or was not accepted. Each variant says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The TSA could not be reached, or answered with an HTTP error or a non-TSA content type.
    #[error("the timestamp authority could not be reached: {reason}; check the TSA URL and the network, then timestamp again (the signed document is kept)")]
    Transport {
        /// What failed.
        reason: String,
    },
    /// The TSA answered with a status other than granted / grantedWithMods.
    #[error("the timestamp authority refused the request (status {status}{}); check the TSA's requirements (hash algorithm, policy, account)", .text.as_deref().map(|t| format!(": {t}")).unwrap_or_default())]
    Rejected {
        /// The PKIStatus number (2 rejection, 3 waiting, 4 revocationWarning, 5 revocationNotification).
        status: u8,
        /// The TSA's statusString, if any.
        text: Option<String>,
    },
    /// The token answers another request (nonce differs): a replayed or misrouted answer.
    #[error(
        "the timestamp answers a different request (wrong nonce); do not use this TSA response"
    )]
    WrongNonce,
    /// The token's message imprint is not the hash of the signature it should cover.
    #[error("the timestamp covers different data (wrong message imprint): it does not belong to this signature")]
    WrongImprint,
    /// The token's signer is not a TSA the caller trusts: no chain to a given root, a bad
    /// signature on the chain or the token, a certificate without the critical timeStamping
    /// EKU, or outside its validity at genTime.
    #[error("the timestamp authority is not trusted: {reason}; add its root with --tsa-root only if you trust it")]
    UntrustedTsa {
        /// What failed.
        reason: String,
    },
    /// The response, the token or the signed file could not be decoded or re-encoded.
    #[error("malformed timestamp data: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
    },
}

impl TimestampError {
    /// A stable kebab-case name for code that reacts (CLI `--json`, bindings).
    pub fn kind(&self) -> &'static str {
        match self {
            TimestampError::Transport { .. } => "transport",
            TimestampError::Rejected { .. } => "rejected",
            TimestampError::WrongNonce => "wrong-nonce",
            TimestampError::WrongImprint => "wrong-imprint",
            TimestampError::UntrustedTsa { .. } => "untrusted-tsa",
            TimestampError::Malformed { .. } => "malformed",
        }
    }

    pub(crate) fn malformed(reason: impl std::fmt::Display) -> Self {
        TimestampError::Malformed {
            reason: reason.to_string(),
        }
    }

    pub(crate) fn untrusted(reason: impl Into<String>) -> Self {
        TimestampError::UntrustedTsa {
            reason: reason.into(),
        }
    }
}
