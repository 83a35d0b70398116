//! What the app sends to its server after the tap.

use base64ct::{Base64, Encoding};

use crate::error::LoginFormatError;
use crate::relying_party::RelyingPartyId;
use crate::request::LoginRequest;
use crate::{LOGIN_VERSION_1, LOGIN_VERSION_2};

/// The only log-in signature algorithm: RSASSA-PKCS1-v1_5 with SHA-256.
pub const LOGIN_ALGORITHM: &str = "sha256WithRSAEncryption";

/// What the app sends to the server after a tap (JSON, binary fields in standard base64).
///
/// Version 2 repeats the request it answers, and the card signed
/// SHA-256([`LoginRequest::signed_bytes`]):
///
/// ```json
/// { "version": 2, "relying_party": "example.jp", "challenge": "…",
///   "issued_at": 1800000000, "expires_at": 1800000300,
///   "signature": "…", "certificate": "…",
///   "algorithm": "sha256WithRSAEncryption", "token_type": "physical-card" }
/// ```
///
/// Version 1 has no `relying_party`, `issued_at` or `expires_at`, and the card signed
/// SHA-256(challenge); verifiers read it only when told to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoginMessage {
    /// 2, or 1 for the unbound original.
    pub version: u32,
    /// The relying-party id of the request (version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relying_party: Option<String>,
    /// The server's challenge, base64.
    pub challenge: String,
    /// The request's issue time (version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<i64>,
    /// The request's expiry (version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
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
    /// The answer to a version-2 request.
    pub fn v2(
        request: &LoginRequest,
        signature: &[u8],
        certificate_der: &[u8],
        token_type: &str,
    ) -> Self {
        Self {
            version: LOGIN_VERSION_2,
            relying_party: Some(request.relying_party().to_string()),
            challenge: Base64::encode_string(request.challenge()),
            issued_at: Some(request.issued_at()),
            expires_at: Some(request.expires_at()),
            signature: Base64::encode_string(signature),
            certificate: Base64::encode_string(certificate_der),
            algorithm: LOGIN_ALGORITHM.to_string(),
            token_type: token_type.to_string(),
        }
    }

    /// A version-1 message (signature over SHA-256 of the bare challenge), for servers that have
    /// not moved to version 2.
    pub fn v1(
        challenge: &[u8],
        signature: &[u8],
        certificate_der: &[u8],
        token_type: &str,
    ) -> Self {
        Self {
            version: LOGIN_VERSION_1,
            relying_party: None,
            challenge: Base64::encode_string(challenge),
            issued_at: None,
            expires_at: None,
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
    /// [`LoginFormatError::Malformed`] for text that is not a log-in message.
    pub fn from_json(text: &str) -> Result<Self, LoginFormatError> {
        serde_json::from_str(text)
            .map_err(|e| LoginFormatError::malformed("message", e.to_string()))
    }

    /// The request a version-2 message answers, rebuilt and checked.
    ///
    /// # Errors
    ///
    /// [`LoginFormatError::UnsupportedVersion`] for any version but 2; for a version-2 message
    /// missing a field, or one that fails the request's checks, the errors of
    /// [`LoginRequest::new`].
    pub fn request(&self) -> Result<LoginRequest, LoginFormatError> {
        if self.version != LOGIN_VERSION_2 {
            return Err(LoginFormatError::UnsupportedVersion {
                what: "message",
                version: self.version,
            });
        }
        let missing = |field| LoginFormatError::malformed("message", format!("{field} is missing"));
        let rp = self
            .relying_party
            .as_deref()
            .ok_or_else(|| missing("relying_party"))?;
        LoginRequest::new(
            RelyingPartyId::parse(rp)?,
            self.challenge_bytes()?,
            self.issued_at.ok_or_else(|| missing("issued_at"))?,
            self.expires_at.ok_or_else(|| missing("expires_at"))?,
        )
    }

    /// The bytes whose SHA-256 the card signed: [`LoginRequest::signed_bytes`] for version 2,
    /// the bare challenge for version 1.
    ///
    /// # Errors
    ///
    /// As [`LoginMessage::request`]; [`LoginFormatError::UnsupportedVersion`] for versions
    /// other than 1 and 2.
    pub fn signed_bytes(&self) -> Result<Vec<u8>, LoginFormatError> {
        match self.version {
            LOGIN_VERSION_1 => self.challenge_bytes(),
            _ => Ok(self.request()?.signed_bytes()),
        }
    }

    /// The challenge, decoded.
    ///
    /// # Errors
    ///
    /// [`LoginFormatError::Malformed`] when it is not base64.
    pub fn challenge_bytes(&self) -> Result<Vec<u8>, LoginFormatError> {
        decode("challenge", &self.challenge)
    }

    /// The signature, decoded.
    ///
    /// # Errors
    ///
    /// [`LoginFormatError::Malformed`] when it is not base64.
    pub fn signature_bytes(&self) -> Result<Vec<u8>, LoginFormatError> {
        decode("signature", &self.signature)
    }

    /// The certificate (DER), decoded.
    ///
    /// # Errors
    ///
    /// [`LoginFormatError::Malformed`] when it is not base64.
    pub fn certificate_der(&self) -> Result<Vec<u8>, LoginFormatError> {
        decode("certificate", &self.certificate)
    }
}

fn decode(name: &str, value: &str) -> Result<Vec<u8>, LoginFormatError> {
    Base64::decode_vec(value)
        .map_err(|_| LoginFormatError::malformed("message", format!("{name} is not base64")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> LoginRequest {
        LoginRequest::new(
            RelyingPartyId::parse("a.example").unwrap(),
            vec![3; 32],
            1_800_000_000,
            1_800_000_300,
        )
        .unwrap()
    }

    #[test]
    fn a_v2_message_carries_its_request_and_its_signed_bytes() {
        let r = request();
        let m = LoginMessage::v2(&r, &[1, 2], &[3, 4], "physical-card");
        let back = LoginMessage::from_json(&m.to_json()).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.request().unwrap(), r);
        assert_eq!(back.signed_bytes().unwrap(), r.signed_bytes());
        assert_eq!(back.signature_bytes().unwrap(), [1, 2]);
        assert_eq!(back.certificate_der().unwrap(), [3, 4]);
    }

    #[test]
    fn a_v1_message_has_no_request_and_signs_the_bare_challenge() {
        let m = LoginMessage::v1(&[9; 16], &[1], &[2], "unknown");
        let json = m.to_json();
        assert!(!json.contains("relying_party"), "{json}");
        let back = LoginMessage::from_json(&json).unwrap();
        assert_eq!(back.signed_bytes().unwrap(), [9; 16]);
        assert!(matches!(
            back.request(),
            Err(LoginFormatError::UnsupportedVersion { version: 1, .. })
        ));
    }

    #[test]
    fn a_v2_message_without_its_relying_party_is_malformed() {
        let mut m = LoginMessage::v2(&request(), &[1], &[2], "unknown");
        m.relying_party = None;
        assert!(matches!(
            m.signed_bytes(),
            Err(LoginFormatError::Malformed { .. })
        ));
        let mut m = LoginMessage::v2(&request(), &[1], &[2], "unknown");
        m.version = 3;
        assert!(matches!(
            m.signed_bytes(),
            Err(LoginFormatError::UnsupportedVersion { version: 3, .. })
        ));
    }
}
