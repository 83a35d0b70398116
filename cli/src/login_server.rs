//! `kazashi login --server URL` and `kazashi login --qr-payload TEXT`: a log-in against a running
//! `kazashi-server`, end to end.
//!
//! With `--server`, this tool is the whole client: it asks the server for a challenge
//! (`POST /v1/login/challenges`), taps the card, posts the version-2 message
//! (`POST /v1/login/verify`) and prints the server's verdict. With `--qr-payload`, it is the
//! phone of the cross-device flow: the challenge comes from the QR code a desktop page shows
//! (checked by [`crate::qr_payload`]), and the page, which holds the poll token, learns the
//! result from the server.
//!
//! The request is checked and its relying party shown before the PIN is read; the message is
//! written to `--message-out` exactly as posted, so a test can replay it.

use std::path::Path;
use std::time::Duration;

use kazashi::{Error, JpkiCard, LoginMessage, LoginRequest, RelyingPartyId, Transport};
use serde_json::{json, Value};

use crate::commands::{block, Outcome, PinOptions};
use crate::failure::Failure;
use crate::qr_payload::{check_destination, QrPayload, ServerUrl};
use crate::report::{certificate_lines, stats_json, stats_line};

/// The longest answer read from a server. Verdicts and challenges are a few hundred bytes.
const MAX_ANSWER: u64 = 64 * 1024;
/// How long one exchange with the server may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where the log-in request comes from.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// `--server URL`: ask that server for a fresh challenge.
    Server(&'a str),
    /// `--qr-payload TEXT`: the request and server from a portal's QR code.
    QrPayload(&'a str),
}

/// `kazashi login --server` / `--qr-payload`.
pub struct ServerLogin<'a> {
    /// Where the request comes from.
    pub origin: Origin<'a>,
    /// `--expect-relying-party`: refuse a request for anyone else before the PIN.
    pub expect_relying_party: Option<&'a str>,
    /// `--message-out`: the message exactly as posted.
    pub message_out: Option<&'a Path>,
}

/// What went wrong between this tool and the server. The card is not involved (its errors are
/// [`Failure::Card`]).
#[derive(Debug, thiserror::Error)]
pub enum ServerFailure {
    /// No answer: wrong URL, server down, TLS failure, timeout.
    #[error("cannot reach the server {url}: {reason}; check the URL and that the server runs")]
    Unreachable {
        /// The URL called.
        url: String,
        /// The client's error.
        reason: String,
    },
    /// An answer that is not this API's.
    #[error("the server {url} answered HTTP {status} with {detail}: is it a kazashi-server?")]
    Unexpected {
        /// The URL called.
        url: String,
        /// The HTTP status.
        status: u16,
        /// What was wrong with the answer.
        detail: String,
    },
    /// The server checked the log-in and said no (HTTP 4xx, `"verdict": "rejected"`).
    #[error("the server rejected the log-in ({reason}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The server's reason code (kebab-case), e.g. `replay`.
        reason: String,
        /// The server's explanation.
        message: String,
        /// The server's whole answer.
        verdict: Value,
    },
    /// The server could not decide (HTTP 5xx, e.g. its challenge store is down): nothing was
    /// accepted; try again later.
    #[error(
        "the server could not decide ({reason}): {message}; nothing was accepted, try again later"
    )]
    Unavailable {
        /// The HTTP status.
        status: u16,
        /// The server's reason code.
        reason: String,
        /// The server's explanation.
        message: String,
        /// The server's whole answer.
        verdict: Value,
    },
}

impl ServerFailure {
    /// The machine-readable kind for `--json`.
    pub fn kind(&self) -> &'static str {
        match self {
            ServerFailure::Unreachable { .. } => "server-unreachable",
            ServerFailure::Unexpected { .. } => "server-unexpected-answer",
            ServerFailure::Rejected { .. } => "server-rejected",
            ServerFailure::Unavailable { .. } => "server-unavailable",
        }
    }

    /// The server's verdict object, when it gave one.
    pub fn verdict(&self) -> Option<&Value> {
        match self {
            ServerFailure::Rejected { verdict, .. }
            | ServerFailure::Unavailable { verdict, .. } => Some(verdict),
            ServerFailure::Unreachable { .. } | ServerFailure::Unexpected { .. } => None,
        }
    }
}

impl From<ServerFailure> for Failure {
    fn from(e: ServerFailure) -> Self {
        Failure::Server(e)
    }
}

/// A JSON exchange with the server: no redirects (a log-in is posted where the user was told,
/// or nowhere), bounded time and size, any status readable.
struct Client {
    agent: ureq::Agent,
}

impl Client {
    fn new() -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("kazashi/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// Posts `body` (JSON) to `url`; the status and the answer's JSON.
    fn post(&self, url: &str, body: &str) -> Result<(u16, Value), ServerFailure> {
        let unreachable = |e: ureq::Error| ServerFailure::Unreachable {
            url: url.to_string(),
            reason: e.to_string(),
        };
        let response = self
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .send(body)
            .map_err(unreachable)?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string()
            .map_err(unreachable)?;
        let value = serde_json::from_str(&text).map_err(|_| ServerFailure::Unexpected {
            url: url.to_string(),
            status,
            detail: format!("a body that is not JSON ({} bytes)", text.len()),
        })?;
        Ok((status, value))
    }
}

/// `POST /v1/login/challenges`: a fresh request from the server.
fn fetch_request(client: &Client, server: &ServerUrl) -> Result<LoginRequest, Failure> {
    let url = server.join("/v1/login/challenges");
    let (status, answer) = client.post(&url, "{}")?;
    let unexpected = |detail: String| ServerFailure::Unexpected {
        url: url.clone(),
        status,
        detail,
    };
    if !(200..300).contains(&status) {
        return Err(verdict_failure(&url, status, answer).into());
    }
    let request = answer
        .get("request")
        .filter(|r| r.is_object())
        .ok_or_else(|| unexpected("no \"request\" object".into()))?;
    Ok(LoginRequest::from_json(&request.to_string()).map_err(Error::from)?)
}

/// The failure an error answer stands for: the API's error bodies carry a stable `reason` (and
/// `"verdict": "rejected"` on the verification routes); 5xx means the server could not decide.
fn verdict_failure(url: &str, status: u16, verdict: Value) -> ServerFailure {
    let field = |name: &str| {
        verdict
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let Some(reason) = field("reason") else {
        return ServerFailure::Unexpected {
            url: url.to_string(),
            status,
            detail: "no verdict or reason".into(),
        };
    };
    let message = field("message").unwrap_or_default();
    if status >= 500 {
        ServerFailure::Unavailable {
            status,
            reason,
            message,
            verdict,
        }
    } else if status >= 400 {
        ServerFailure::Rejected {
            status,
            reason,
            message,
            verdict,
        }
    } else {
        ServerFailure::Unexpected {
            url: url.to_string(),
            status,
            detail: format!("the reason {reason:?} without an error status"),
        }
    }
}

/// Runs the log-in; returns the outcome and the APDUs exchanged with the card.
pub fn run(
    login: ServerLogin<'_>,
    open_card: impl FnOnce() -> Result<JpkiCard<Box<dyn Transport>>, Failure>,
    pins: PinOptions,
) -> (Result<Outcome, Failure>, u32) {
    let client = Client::new();
    // The server and the request first: a refused QR code or an unreachable server costs no tap.
    let (server, request) = match prepare(&client, &login) {
        Ok(found) => found,
        Err(failure) => return (Err(failure), 0),
    };
    let mut card = match open_card() {
        Ok(card) => card,
        Err(failure) => return (Err(failure), 0),
    };
    let result = tap_and_post(&client, &mut card, &server, &request, &login, pins);
    (result, card.stats().apdus)
}

/// The server to post to and the checked request, with the relying party shown to the user.
fn prepare(client: &Client, login: &ServerLogin<'_>) -> Result<(ServerUrl, LoginRequest), Failure> {
    let (server, request) = match login.origin {
        Origin::Server(url) => {
            let server = ServerUrl::parse(url).map_err(invalid)?;
            let request = fetch_request(client, &server)?;
            check_destination(&server, &request).map_err(invalid)?;
            (server, request)
        }
        Origin::QrPayload(text) => {
            let payload = QrPayload::parse(text).map_err(invalid)?;
            (payload.server, payload.request)
        }
    };
    if let Some(expected) = login.expect_relying_party {
        request
            .expect_relying_party(&RelyingPartyId::parse(expected).map_err(Error::from)?)
            .map_err(Error::from)?;
    }
    // Before the PIN: whom the signature will be valid for, and where it goes.
    eprintln!("{} (the answer goes to {server})", request.prompt());
    Ok((server, request))
}

fn invalid(e: crate::qr_payload::QrPayloadError) -> Failure {
    Failure::Card(Error::InvalidInput {
        reason: e.to_string(),
    })
}

/// Taps the card for `request`, posts the message and reads the verdict.
fn tap_and_post(
    client: &Client,
    card: &mut JpkiCard<Box<dyn Transport>>,
    server: &ServerUrl,
    request: &LoginRequest,
    login: &ServerLogin<'_>,
    pins: PinOptions,
) -> Result<Outcome, Failure> {
    let pin = pins.source.auth_pin("Authentication PIN")?;
    let result = pins.with_last_attempt(|last| block(card.login_v2(request, &pin, last)))?;
    // The token type is not read during log-in (it would cost two APDUs).
    let message = LoginMessage::v2(
        request,
        &result.signature,
        result.certificate.der(),
        "unknown",
    )
    .to_json();
    if let Some(path) = login.message_out {
        std::fs::write(path, message.as_bytes()).map_err(|e| Error::InvalidInput {
            reason: format!("cannot write {}: {e}", path.display()),
        })?;
    }
    let url = server.join("/v1/login/verify");
    let (status, verdict) = client.post(&url, &message)?;
    if status != 200 || verdict.get("verdict").and_then(Value::as_str) != Some("logged_in") {
        return Err(verdict_failure(&url, status, verdict).into());
    }
    let text = |name: &str| verdict.get(name).map_or_else(String::new, value_text);
    let mut lines = vec![
        format!("server: {server}"),
        format!(
            "verdict: logged in to {} (version-2 log-in, verified by the server)",
            request.relying_party()
        ),
        format!("subject id: {}", text("subject_id")),
        format!("token type: {}", text("token_type")),
        format!(
            "certificate expires at: {}",
            expiry_text(&verdict["certificate_expires_at"])
        ),
        format!("checks: {}", text("checks")),
        format!("revocation: {}", text("revocation")),
    ];
    lines.extend(certificate_lines(&result.certificate, false));
    lines.push(stats_line(result.stats));
    Ok(Outcome {
        json: json!({
            "server": server.as_str(),
            "relying_party": request.relying_party().to_string(),
            "challenge": hex::encode(request.challenge()),
            "verdict": verdict,
            "traffic": stats_json(result.stats),
        }),
        lines,
    })
}

/// A Unix time for people: its UTC date, and the number the server sent.
fn expiry_text(value: &Value) -> String {
    match value
        .as_i64()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
    {
        Some(instant) => format!("{} (UTC; Unix time {value})", instant.date()),
        None => value_text(value),
    }
}

/// A verdict field for people: strings as they are, lists joined, anything else as JSON.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
