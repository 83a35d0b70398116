//! What the server sends to start a log-in, and the exact bytes the card signs for it.

use base64ct::{Base64, Encoding};

use crate::error::LoginFormatError;
use crate::relying_party::RelyingPartyId;
use crate::LOGIN_VERSION_2;

/// The fixed string the signed bytes of a version-2 log-in start with. It separates these
/// signatures from every other use of the authentication key: no other protocol's message
/// starts with it, and a caller cannot make the card sign a digest of its choosing.
pub const LOGIN_CONTEXT: &[u8] = b"kazashi JPKI log-in v2\0";
/// The shortest challenge accepted, in bytes: 128 bits cannot be guessed.
pub const MIN_CHALLENGE_LEN: usize = 16;
/// The longest challenge accepted, in bytes.
pub const MAX_CHALLENGE_LEN: usize = 64;
/// The longest validity a request may state: a day. A log-in is a tap away from its request;
/// anything longer is a mistake or a stockpile.
pub const MAX_LIFETIME_SECONDS: i64 = 86_400;

/// A server's request for a log-in (version 2), as the app receives it:
///
/// ```json
/// { "version": 2, "relying_party": "example.jp", "challenge": "<base64, 16-64 bytes>",
///   "issued_at": 1800000000, "expires_at": 1800000300 }
/// ```
///
/// Times are Unix seconds on the server's clock. The app does not judge them (a phone's clock
/// may be off); the server does, and they are signed so that a relayed request cannot be
/// re-dated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRequest {
    relying_party: RelyingPartyId,
    challenge: Vec<u8>,
    issued_at: i64,
    expires_at: i64,
}

/// The JSON form, checked into a [`LoginRequest`] on the way in.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    version: u32,
    relying_party: String,
    challenge: String,
    issued_at: i64,
    expires_at: i64,
}

impl LoginRequest {
    /// A request from its parts.
    ///
    /// # Errors
    ///
    /// [`LoginFormatError::ChallengeLength`] for a challenge outside 16–64 bytes and
    /// [`LoginFormatError::Lifetime`] unless `issued_at < expires_at <= issued_at + 1 day`.
    pub fn new(
        relying_party: RelyingPartyId,
        challenge: Vec<u8>,
        issued_at: i64,
        expires_at: i64,
    ) -> Result<Self, LoginFormatError> {
        if !(MIN_CHALLENGE_LEN..=MAX_CHALLENGE_LEN).contains(&challenge.len()) {
            return Err(LoginFormatError::ChallengeLength {
                len: challenge.len(),
                min: MIN_CHALLENGE_LEN,
                max: MAX_CHALLENGE_LEN,
            });
        }
        let lifetime = expires_at.checked_sub(issued_at);
        match lifetime {
            Some(seconds) if seconds > 0 && seconds <= MAX_LIFETIME_SECONDS => {}
            _ => {
                return Err(LoginFormatError::Lifetime {
                    reason: format!(
                        "it must end after it starts and last at most {MAX_LIFETIME_SECONDS} s \
                         (issued_at {issued_at}, expires_at {expires_at})"
                    ),
                })
            }
        }
        Ok(Self {
            relying_party,
            challenge,
            issued_at,
            expires_at,
        })
    }

    /// Parses the server's JSON.
    ///
    /// # Errors
    ///
    /// [`LoginFormatError::Malformed`] for other JSON, [`LoginFormatError::UnsupportedVersion`]
    /// for a version other than 2, and the checks of [`RelyingPartyId::parse`] and
    /// [`LoginRequest::new`].
    pub fn from_json(text: &str) -> Result<Self, LoginFormatError> {
        let wire: Wire = serde_json::from_str(text)
            .map_err(|e| LoginFormatError::malformed("request", e.to_string()))?;
        if wire.version != LOGIN_VERSION_2 {
            return Err(LoginFormatError::UnsupportedVersion {
                what: "request",
                version: wire.version,
            });
        }
        let challenge = Base64::decode_vec(&wire.challenge)
            .map_err(|_| LoginFormatError::malformed("request", "the challenge is not base64"))?;
        Self::new(
            RelyingPartyId::parse(&wire.relying_party)?,
            challenge,
            wire.issued_at,
            wire.expires_at,
        )
    }

    /// The JSON the server sends.
    pub fn to_json(&self) -> String {
        let wire = Wire {
            version: LOGIN_VERSION_2,
            relying_party: self.relying_party.to_string(),
            challenge: Base64::encode_string(&self.challenge),
            issued_at: self.issued_at,
            expires_at: self.expires_at,
        };
        serde_json::to_string_pretty(&wire).expect("a request of strings and numbers serialises")
    }

    /// Whom the log-in is for.
    pub fn relying_party(&self) -> &RelyingPartyId {
        &self.relying_party
    }

    /// The server's random challenge.
    pub fn challenge(&self) -> &[u8] {
        &self.challenge
    }

    /// When the server issued it (Unix seconds, server clock).
    pub fn issued_at(&self) -> i64 {
        self.issued_at
    }

    /// Until when the server accepts it (Unix seconds, server clock).
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    /// What to show the user before the tap, so they see whom they log in to:
    /// `Log in to example.jp`.
    pub fn prompt(&self) -> String {
        format!("Log in to {}", self.relying_party.host())
    }

    /// Refuses a request from another relying party than the one the app serves. An app that
    /// knows its server (most do) calls this before the tap, so a relayed request for another
    /// service is refused before any PIN is asked for.
    ///
    /// # Errors
    ///
    /// [`LoginFormatError::UnexpectedRelyingParty`].
    pub fn expect_relying_party(&self, expected: &RelyingPartyId) -> Result<(), LoginFormatError> {
        if &self.relying_party == expected {
            Ok(())
        } else {
            Err(LoginFormatError::UnexpectedRelyingParty {
                expected: expected.to_string(),
                found: self.relying_party.to_string(),
            })
        }
    }

    /// The bytes whose SHA-256 the card signs: the context string, then the relying-party id
    /// and the challenge each preceded by its length (2 bytes, big-endian), then the issue and
    /// expiry times (8 bytes each, big-endian, two's complement).
    ///
    /// ```text
    /// "kazashi JPKI log-in v2\0" | len(rp) | rp | len(challenge) | challenge | issued_at | expires_at
    /// ```
    ///
    /// Every field has a fixed size or a length in front, so two different requests never give
    /// the same bytes.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let rp = self.relying_party.as_str().as_bytes();
        let mut out =
            Vec::with_capacity(LOGIN_CONTEXT.len() + 2 + rp.len() + 2 + self.challenge.len() + 16);
        out.extend_from_slice(LOGIN_CONTEXT);
        for field in [rp, self.challenge.as_slice()] {
            let len = u16::try_from(field.len()).expect("ids and challenges are checked short");
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(field);
        }
        out.extend_from_slice(&self.issued_at.to_be_bytes());
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(rp: &str, challenge: &[u8]) -> LoginRequest {
        LoginRequest::new(
            RelyingPartyId::parse(rp).unwrap(),
            challenge.to_vec(),
            1_800_000_000,
            1_800_000_300,
        )
        .unwrap()
    }

    #[test]
    fn signed_bytes_follow_the_documented_layout() {
        let r = request("a.example", &[7; 16]);
        let mut expected = b"kazashi JPKI log-in v2\0".to_vec();
        expected.extend([0, 9]);
        expected.extend(b"a.example");
        expected.extend([0, 16]);
        expected.extend([7; 16]);
        expected.extend(1_800_000_000i64.to_be_bytes());
        expected.extend(1_800_000_300i64.to_be_bytes());
        assert_eq!(r.signed_bytes(), expected);
    }

    #[test]
    fn the_relying_party_and_every_other_field_change_the_signed_bytes() {
        let base = request("a.example", &[7; 16]);
        // A shifted boundary between id and challenge must not give the same bytes.
        let shifted = request(
            "a.exampl",
            &[b'e', 0, 16, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7],
        );
        assert_ne!(base.signed_bytes(), shifted.signed_bytes());
        assert_ne!(
            base.signed_bytes(),
            request("b.example", &[7; 16]).signed_bytes()
        );
        let later = LoginRequest::new(
            base.relying_party.clone(),
            vec![7; 16],
            1_800_000_001,
            1_800_000_300,
        )
        .unwrap();
        assert_ne!(base.signed_bytes(), later.signed_bytes());
    }

    #[test]
    fn json_round_trips_and_is_checked() {
        let r = request("https://login.example.jp", &[1; 32]);
        let back = LoginRequest::from_json(&r.to_json()).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.prompt(), "Log in to login.example.jp");

        let json = |version: u32, rp: &str, challenge: &str, issued: i64, expires: i64| {
            format!(
                r#"{{"version":{version},"relying_party":"{rp}","challenge":"{challenge}","issued_at":{issued},"expires_at":{expires}}}"#
            )
        };
        let good_challenge = Base64::encode_string(&[1; 32]);
        assert!(LoginRequest::from_json(&json(2, "a.example", &good_challenge, 10, 20)).is_ok());
        assert!(matches!(
            LoginRequest::from_json(&json(1, "a.example", &good_challenge, 10, 20)),
            Err(LoginFormatError::UnsupportedVersion { version: 1, .. })
        ));
        assert!(matches!(
            LoginRequest::from_json(&json(2, "A.example", &good_challenge, 10, 20)),
            Err(LoginFormatError::InvalidRelyingParty { .. })
        ));
        assert!(matches!(
            LoginRequest::from_json(&json(
                2,
                "a.example",
                &Base64::encode_string(&[1; 8]),
                10,
                20
            )),
            Err(LoginFormatError::ChallengeLength { len: 8, .. })
        ));
        for (issued, expires) in [
            (20, 20),
            (20, 10),
            (0, MAX_LIFETIME_SECONDS + 1),
            (i64::MIN, 1),
        ] {
            assert!(matches!(
                LoginRequest::from_json(&json(2, "a.example", &good_challenge, issued, expires)),
                Err(LoginFormatError::Lifetime { .. })
            ));
        }
        assert!(matches!(
            LoginRequest::from_json(&json(2, "a.example", "not base64!", 10, 20)),
            Err(LoginFormatError::Malformed { .. })
        ));
        // An extra field could be something the user was meant to see: refuse it.
        let extra = json(2, "a.example", &good_challenge, 10, 20).replace('}', r#","note":"x"}"#);
        assert!(matches!(
            LoginRequest::from_json(&extra),
            Err(LoginFormatError::Malformed { .. })
        ));
    }

    #[test]
    fn an_app_refuses_a_request_for_another_relying_party() {
        let r = request("b.example", &[1; 16]);
        let mine = RelyingPartyId::parse("a.example").unwrap();
        assert_eq!(
            r.expect_relying_party(&mine),
            Err(LoginFormatError::UnexpectedRelyingParty {
                expected: "a.example".into(),
                found: "b.example".into()
            })
        );
        r.expect_relying_party(&RelyingPartyId::parse("b.example").unwrap())
            .unwrap();
    }
}
