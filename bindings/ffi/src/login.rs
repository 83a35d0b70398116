//! The app's side of a version-2 log-in: read the server's request, show the user whom they log
//! in to, then tap (`CardSession.loginV2`) and send back the message it returns.

use kazashi::login::{self, RelyingPartyId};

use crate::error::KazashiError;
use crate::model::{ApduStats, CertificateInfo};

/// A relying party's log-in request, checked. Show `prompt` to the user before asking for the
/// PIN: the signature will be valid for `relying_party` only.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LoginRequest {
    /// Whom the log-in is for: a lowercase host name or `https://` origin.
    pub relying_party: String,
    /// What to show before the tap: `Log in to example.jp`.
    pub prompt: String,
    /// The server's random challenge (16 to 64 bytes).
    pub challenge: Vec<u8>,
    /// When the server issued it (Unix seconds, server clock).
    pub issued_at: i64,
    /// Until when the server accepts it (Unix seconds, server clock).
    pub expires_at: i64,
}

impl From<&login::LoginRequest> for LoginRequest {
    fn from(r: &login::LoginRequest) -> Self {
        Self {
            relying_party: r.relying_party().to_string(),
            prompt: r.prompt(),
            challenge: r.challenge().to_vec(),
            issued_at: r.issued_at(),
            expires_at: r.expires_at(),
        }
    }
}

impl TryFrom<&LoginRequest> for login::LoginRequest {
    type Error = KazashiError;

    /// Checked again: a record can be built by foreign code, not only by `parseLoginRequest`.
    fn try_from(r: &LoginRequest) -> Result<Self, KazashiError> {
        let relying_party =
            RelyingPartyId::parse(&r.relying_party).map_err(kazashi::Error::from)?;
        Ok(login::LoginRequest::new(
            relying_party,
            r.challenge.clone(),
            r.issued_at,
            r.expires_at,
        )
        .map_err(kazashi::Error::from)?)
    }
}

/// Parses the server's log-in request (version-2 JSON). An app that knows its server passes its
/// id as `expected_relying_party`: a request for anyone else (relayed by a phishing page) is
/// refused here, before any PIN is asked for.
#[uniffi::export]
pub fn parse_login_request(
    json: String,
    expected_relying_party: Option<String>,
) -> Result<LoginRequest, KazashiError> {
    let request = login::LoginRequest::from_json(&json).map_err(kazashi::Error::from)?;
    if let Some(expected) = expected_relying_party {
        let expected = RelyingPartyId::parse(&expected).map_err(kazashi::Error::from)?;
        request
            .expect_relying_party(&expected)
            .map_err(kazashi::Error::from)?;
    }
    Ok((&request).into())
}

/// A version-2 log-in, verified against its certificate: send `message_json` to the server.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LoginV2Result {
    /// The log-in message (version-2 JSON) for the server. Its token type is `unknown`: it is
    /// not read during log-in (two more APDUs) and servers treat it as informative only.
    pub message_json: String,
    /// The relying party the signature is bound to.
    pub relying_party: String,
    /// RSASSA-PKCS1-v1_5 with SHA-256 over the request's signed bytes (256 bytes).
    pub signature: Vec<u8>,
    /// The authentication certificate the signature was checked against.
    pub certificate: CertificateInfo,
    /// Whether `certificate` is the cached one passed in (no certificate read from the card).
    pub certificate_from_cache: bool,
    /// What the flow exchanged.
    pub counts: ApduStats,
}

impl LoginV2Result {
    pub(crate) fn new(request: &login::LoginRequest, r: kazashi::LoginResult) -> Self {
        let message =
            login::LoginMessage::v2(request, &r.signature, r.certificate.der(), "unknown");
        Self {
            message_json: message.to_json(),
            relying_party: request.relying_party().to_string(),
            certificate: (&r.certificate).into(),
            certificate_from_cache: r.certificate_from_cache,
            counts: r.stats.into(),
            signature: r.signature,
        }
    }
}
