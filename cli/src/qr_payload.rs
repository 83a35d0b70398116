//! What the phone reads from a portal's QR code, and the checks made on it before any PIN is
//! asked for.
//!
//! A desktop page that offers "Log in with My Number Card" shows a QR code with
//!
//! ```json
//! {"kazashi_login":1,"server":"https://login.example.jp","request":{ …the version-2 log-in request… }}
//! ```
//!
//! The phone signs the request and posts the message to `server`. Why each check:
//!
//! - `kazashi_login` is the payload's version: a later layout is refused, not half-read.
//! - `server` must be `https://` (or plain `http://` on this machine's loopback, for tests):
//!   whoever sees the posted message in transit can post it first and be logged in.
//! - `server` must be the relying party's host or one of its subdomains. A QR code is a
//!   relay's favourite: without this check, a page could show a code whose request names
//!   `bank.example` but whose server is the attacker's, collect the signed message and log in
//!   at the bank with it.
//! - The request itself is checked by [`LoginRequest::from_json`] (unknown fields refused, so
//!   nothing meant for the user's eyes is hidden in it).

use std::net::IpAddr;

use kazashi::{LoginRequest, RelyingPartyId};
use serde_json::Value;
use ureq::http::Uri;

/// The payload layout this tool reads.
pub const QR_PAYLOAD_VERSION: u64 = 1;

/// The longest QR payload read, in bytes. A QR code holds at most 2,953 bytes; anything longer
/// did not come from one.
pub const MAX_QR_PAYLOAD_LEN: usize = 2_953;

/// Why a QR payload or a server URL is refused. Nothing has been sent to the card or to the
/// server when one of these is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QrPayloadError {
    /// Not the JSON object described above.
    #[error("the QR payload is not a kazashi log-in code: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// A payload layout this tool does not read.
    #[error("the QR payload has version {version}; this kazashi reads version {QR_PAYLOAD_VERSION}: update kazashi")]
    UnsupportedVersion {
        /// The version found.
        version: u64,
    },
    /// The server URL is unusable or unsafe.
    #[error("the server URL {url:?} is refused: {reason}")]
    ServerUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The log-in request inside is malformed.
    #[error("the QR payload's log-in request is refused: {0}")]
    Request(#[from] kazashi::login::LoginFormatError),
    /// The request names one relying party and the answer would go to another host.
    #[error(
        "the log-in request is for {relying_party} but the answer would go to {server_host}, \
         which is not {relying_party_host} or one of its subdomains: refusing it (a page that \
         relays another site's log-in looks exactly like this)"
    )]
    ServerNotRelyingParty {
        /// The relying party the request names.
        relying_party: String,
        /// Its host.
        relying_party_host: String,
        /// The host the answer would be posted to.
        server_host: String,
    },
}

/// A relying party's server: `https://host[:port][/path]`, or `http://` on the loopback. Kept
/// without a trailing slash, so the API paths can be appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    base: String,
    host: String,
    loopback: bool,
}

impl ServerUrl {
    /// Checks a server's base URL.
    ///
    /// # Errors
    ///
    /// [`QrPayloadError::ServerUrl`] for anything but an absolute `https://` URL (or `http://`
    /// to 127.0.0.0/8, `::1` or `localhost`) without user name, query or fragment.
    pub fn parse(text: &str) -> Result<Self, QrPayloadError> {
        let refuse = |reason| QrPayloadError::ServerUrl {
            url: text.escape_debug().to_string(),
            reason,
        };
        if text.contains(['?', '#']) {
            return Err(refuse("a server URL has no query or fragment"));
        }
        let uri: Uri = text
            .parse()
            .map_err(|_| refuse("it is not an absolute URL"))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(refuse("it is not an absolute URL (https://host[:port])"));
        };
        if authority.as_str().contains('@') {
            return Err(refuse("a server URL has no user name or password"));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let loopback = host == "localhost"
            || host
                .parse::<IpAddr>()
                .is_ok_and(|address| address.is_loopback());
        match scheme {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(refuse(
                    "plain http:// is accepted only on this machine (127.0.0.1, ::1, localhost): \
                     anyone on the way could post the signed log-in first; use https://",
                ))
            }
            _ => {
                return Err(refuse(
                    "only https:// (or http:// on the loopback) is accepted",
                ))
            }
        }
        let base = format!(
            "{scheme}://{}{}",
            authority.as_str().to_ascii_lowercase(),
            uri.path().trim_end_matches('/')
        );
        Ok(Self {
            base,
            host,
            loopback,
        })
    }

    /// The base URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// `base` + `path` (which starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The host name or address, lowercase, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether a log-in for `relying_party` may be posted here: the server is the relying
    /// party's host or a subdomain of it (`login.example.jp` for `example.jp`), or, for the
    /// relying party `localhost`, any loopback address.
    pub fn serves(&self, relying_party: &RelyingPartyId) -> bool {
        let rp_host = relying_party.host();
        self.host == rp_host
            || self
                .host
                .strip_suffix(rp_host)
                .is_some_and(|prefix| prefix.ends_with('.'))
            || (rp_host == "localhost" && self.loopback)
    }
}

impl std::fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)
    }
}

/// A checked QR payload: where to post, and what to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPayload {
    /// The relying party's server.
    pub server: ServerUrl,
    /// The log-in request to sign.
    pub request: LoginRequest,
}

impl QrPayload {
    /// Parses and checks a payload (see the module's documentation for each check).
    ///
    /// # Errors
    ///
    /// Each [`QrPayloadError`], before anything is sent anywhere.
    pub fn parse(text: &str) -> Result<Self, QrPayloadError> {
        let malformed = |reason: String| QrPayloadError::Malformed { reason };
        if text.len() > MAX_QR_PAYLOAD_LEN {
            return Err(malformed(format!(
                "it has {} bytes, more than a QR code holds ({MAX_QR_PAYLOAD_LEN})",
                text.len()
            )));
        }
        let value: Value =
            serde_json::from_str(text.trim()).map_err(|e| malformed(format!("not JSON ({e})")))?;
        let Value::Object(mut fields) = value else {
            return Err(malformed("not a JSON object".into()));
        };
        // The version first: a later layout may differ in any other field.
        match fields.remove("kazashi_login") {
            Some(Value::Number(n)) if n.as_u64() == Some(QR_PAYLOAD_VERSION) => {}
            Some(Value::Number(n)) => {
                return Err(QrPayloadError::UnsupportedVersion {
                    version: n.as_u64().unwrap_or(0),
                })
            }
            Some(_) => return Err(malformed("\"kazashi_login\" is not a number".into())),
            None => return Err(malformed("\"kazashi_login\" is missing".into())),
        }
        let server = match fields.remove("server") {
            Some(Value::String(url)) => ServerUrl::parse(&url)?,
            _ => return Err(malformed("\"server\" (a URL) is missing".into())),
        };
        let request = match fields.remove("request") {
            Some(request @ Value::Object(_)) => LoginRequest::from_json(&request.to_string())?,
            _ => return Err(malformed("\"request\" (an object) is missing".into())),
        };
        if let Some(extra) = fields.keys().next() {
            // As in the request: an unknown field could be something the user was meant to see.
            return Err(malformed(format!("unknown field {extra:?}")));
        }
        check_destination(&server, &request)?;
        Ok(Self { server, request })
    }
}

/// Refuses to post a log-in for `request`'s relying party to a `server` that is not its host or
/// a subdomain of it (see [`ServerUrl::serves`]): whatever the request came from, a QR code or
/// a server the user named, the signed answer goes to the party it is valid for or nowhere.
///
/// # Errors
///
/// [`QrPayloadError::ServerNotRelyingParty`].
pub fn check_destination(server: &ServerUrl, request: &LoginRequest) -> Result<(), QrPayloadError> {
    if server.serves(request.relying_party()) {
        return Ok(());
    }
    Err(QrPayloadError::ServerNotRelyingParty {
        relying_party: request.relying_party().to_string(),
        relying_party_host: request.relying_party().host().to_string(),
        server_host: server.host().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn payload(version: &str, server: &str, rp: &str) -> String {
        format!(
            r#"{{"kazashi_login":{version},"server":"{server}","request":{{"version":2,"relying_party":"{rp}","challenge":"{CHALLENGE}","issued_at":1800000000,"expires_at":1800000300}}}}"#
        )
    }

    #[test]
    fn a_portal_code_is_read() {
        let p = QrPayload::parse(&payload("1", "https://login.example.jp/", "example.jp")).unwrap();
        assert_eq!(p.server.as_str(), "https://login.example.jp");
        assert_eq!(
            p.server.join("/v1/login/verify"),
            "https://login.example.jp/v1/login/verify"
        );
        assert_eq!(p.request.prompt(), "Log in to example.jp");
        assert_eq!(p.request.challenge().len(), 32);
        let origin = QrPayload::parse(&payload(
            "1",
            "https://login.example.jp:8443/kazashi",
            "https://login.example.jp:8443",
        ))
        .unwrap();
        assert_eq!(
            origin.server.as_str(),
            "https://login.example.jp:8443/kazashi"
        );
        // Tests on one machine: the relying party `localhost` at a loopback address.
        for server in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            let p = QrPayload::parse(&payload("1", server, "localhost")).unwrap();
            assert!(p.server.loopback, "{server}");
        }
    }

    #[test]
    fn a_code_that_sends_the_answer_elsewhere_is_refused() {
        for (server, rp) in [
            ("https://evil.example", "example.jp"),
            ("https://example.jp.evil.example", "example.jp"),
            ("https://notexample.jp", "example.jp"),
            ("https://example.jp", "login.example.jp"),
            ("http://127.0.0.1:8080", "example.jp"),
        ] {
            assert!(
                matches!(
                    QrPayload::parse(&payload("1", server, rp)),
                    Err(QrPayloadError::ServerNotRelyingParty { .. })
                ),
                "{server} for {rp}"
            );
        }
    }

    #[test]
    fn unsafe_server_urls_are_refused() {
        for url in [
            "http://example.jp",
            "http://10.0.0.1:8080",
            "ftp://example.jp",
            "example.jp",
            "/v1/login",
            "https://user@example.jp",
            "https://example.jp/?next=x",
            "https://example.jp/#x",
            "",
        ] {
            assert!(
                matches!(ServerUrl::parse(url), Err(QrPayloadError::ServerUrl { .. })),
                "{url:?} accepted"
            );
        }
        assert!(matches!(
            QrPayload::parse(&payload("1", "http://login.example.jp", "example.jp")),
            Err(QrPayloadError::ServerUrl { .. })
        ));
    }

    #[test]
    fn other_versions_and_shapes_are_refused() {
        assert_eq!(
            QrPayload::parse(&payload("2", "https://example.jp", "example.jp")),
            Err(QrPayloadError::UnsupportedVersion { version: 2 })
        );
        let good = payload("1", "https://example.jp", "example.jp");
        for bad in [
            "",
            "[]",
            "https://example.jp",
            r#"{"server":"https://example.jp"}"#,
            r#"{"kazashi_login":"1"}"#,
            r#"{"kazashi_login":1,"server":"https://example.jp"}"#,
            &good.replace(r#""server":"https://example.jp","#, ""),
            &good.replacen('{', r#"{"note":"tap now","#, 1),
        ] {
            assert!(
                matches!(QrPayload::parse(bad), Err(QrPayloadError::Malformed { .. })),
                "{bad:?}"
            );
        }
        // The request's own checks: an unknown field inside it, an uppercase relying party.
        assert!(matches!(
            QrPayload::parse(&good.replace(r#""version":2,"#, r#""version":2,"x":1,"#)),
            Err(QrPayloadError::Request(_))
        ));
        assert!(matches!(
            QrPayload::parse(&payload("1", "https://example.jp", "Example.jp")),
            Err(QrPayloadError::Request(_))
        ));
        let long = format!("{good}{}", " ".repeat(MAX_QR_PAYLOAD_LEN));
        assert!(matches!(
            QrPayload::parse(&long),
            Err(QrPayloadError::Malformed { .. })
        ));
    }
}
