//! Helpers of the service's HTTP tests: a server on a real 127.0.0.1 socket (in this process or
//! the real binary), an HTTP client (reqwest) that records every response it gets for the
//! OpenAPI check, and the virtual card playing the phone.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use kazashi::{AuthPin, JpkiCard, LastAttempt};
use kazashi_login::{LoginMessage, LoginRequest};
use kazashi_server::store::{ChallengeBackend, MemoryStore};
use kazashi_server::{AppState, Config};
use kazashi_virtual_card::VirtualCard;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A server running in this process on an ephemeral 127.0.0.1 port.
pub struct TestServer {
    pub base: String,
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// A configuration for `rp` that trusts the virtual card (and nothing limits the tests).
pub fn config(rp: &str) -> Config {
    let mut config = Config::for_relying_party(rp);
    config.trust_virtual_card = true;
    config.rate_limit_per_minute = 0;
    config
}

impl TestServer {
    /// Starts a server with `config` (its listen address replaced by a free port).
    pub async fn start(config: Config) -> Self {
        let store: Arc<dyn ChallengeBackend> = Arc::new(MemoryStore::new(config.max_challenges));
        Self::start_with_store(config, store).await
    }

    /// The same, over a given store (two servers sharing one store).
    pub async fn start_with_store(mut config: Config, store: Arc<dyn ChallengeBackend>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        config.listen = addr;
        config.public_url = format!("http://{addr}");
        let state = AppState::with_store(config, store).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(kazashi_server::serve(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        Self {
            base: format!("http://{addr}"),
            state,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops it gracefully and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

/// The real `kazashi-server` binary, started with `args` on a free port; killed on drop.
pub struct BinaryServer {
    pub base: String,
    child: Child,
}

impl BinaryServer {
    /// Starts the binary with `args` plus `--listen 127.0.0.1:0`, and reads the address it
    /// listens on from its one line of standard output.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_env(args, &[])
    }

    /// The same, with environment variables.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::spawn(args, env, Stdio::inherit())
    }

    /// The same, logging at `info` into `log`.
    pub fn start_logging_to(args: &[&str], log: &std::path::Path) -> Self {
        let file = std::fs::File::create(log).unwrap();
        Self::spawn(args, &[("KAZASHI_LOG", "info")], Stdio::from(file))
    }

    fn spawn(args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kazashi-server"))
            .args(args)
            .env("KAZASHI_LOG", "warn")
            .envs(env.iter().copied())
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the kazashi-server binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in the server's first line: {line:?}"))
            .to_string();
        Self { base, child }
    }

    /// Sends SIGTERM and waits; returns whether it exited successfully.
    pub fn terminate(mut self) -> bool {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status.success()
    }
}

impl Drop for BinaryServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that records (method, route template, status, body) of every answer, for
/// the OpenAPI check of `scripts/test-server.sh`.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    record: Arc<PathBuf>,
}

/// One answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Client {
    /// A client recording into `target/tmp/kazashi-server-responses/<name>.jsonl`.
    pub fn new(name: &str) -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kazashi-server-responses");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.jsonl"));
        let _ = std::fs::remove_file(&path);
        Self {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()
                .unwrap(),
            record: Arc::new(path),
        }
    }

    /// Sends `method` to `base` + `template` with `{challenge}` replaced by `param`.
    pub async fn send(
        &self,
        method: Method,
        base: &str,
        template: &str,
        param: Option<&str>,
        body: Option<Vec<u8>>,
        bearer: Option<&str>,
    ) -> Answer {
        let path = match param {
            Some(p) => template.replace("{challenge}", p),
            None => template.to_string(),
        };
        let mut request = self.http.request(method.clone(), format!("{base}{path}"));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        if let Some(token) = bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if template == "/metrics" {
            Value::String(text)
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{method} {path} -> {status}: not JSON ({e}): {text}"))
        };
        let line = json!({
            "method": method.as_str(),
            "path": template,
            "status": status.as_u16(),
            "content_type": headers.get("content-type").and_then(|v| v.to_str().ok()),
            "body": body,
        });
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&*self.record)
            .unwrap();
        writeln!(file, "{line}").unwrap();
        Answer {
            status,
            body,
            headers,
        }
    }

    /// `POST /v1/login/challenges` with `{}`.
    pub async fn challenge(&self, base: &str) -> Answer {
        self.send(
            Method::POST,
            base,
            "/v1/login/challenges",
            None,
            Some(b"{}".to_vec()),
            None,
        )
        .await
    }

    /// `POST /v1/login/verify` with raw bytes.
    pub async fn verify_raw(&self, base: &str, body: Vec<u8>) -> Answer {
        self.send(
            Method::POST,
            base,
            "/v1/login/verify",
            None,
            Some(body),
            None,
        )
        .await
    }

    /// `POST /v1/login/verify` with a message.
    pub async fn verify(&self, base: &str, message: &LoginMessage) -> Answer {
        self.verify_raw(base, message.to_json().into_bytes()).await
    }

    /// `GET /v1/login/challenges/{challenge}/result`.
    pub async fn result(&self, base: &str, challenge_id: &str, token: Option<&str>) -> Answer {
        self.send(
            Method::GET,
            base,
            "/v1/login/challenges/{challenge}/result",
            Some(challenge_id),
            None,
            token,
        )
        .await
    }

    /// `POST /v1/signatures/verify` with a JSON body.
    pub async fn verify_signature(&self, base: &str, body: &Value) -> Answer {
        self.send(
            Method::POST,
            base,
            "/v1/signatures/verify",
            None,
            Some(body.to_string().into_bytes()),
            None,
        )
        .await
    }
}

/// The phone: reads the request from the server's JSON (the `request` object of a challenge
/// answer), shows nothing, taps the virtual card with PIN 1234 and builds the message.
pub fn phone_login(card: &mut VirtualCard, request: &Value) -> LoginMessage {
    let request = LoginRequest::from_json(&request.to_string()).expect("the server's request");
    let result = pollster::block_on(JpkiCard::new(card).login_v2(
        &request,
        &AuthPin::new("1234").unwrap(),
        LastAttempt::Refuse,
    ))
    .expect("the virtual card signs");
    LoginMessage::v2(
        &request,
        &result.signature,
        result.certificate.der(),
        "physical-card",
    )
}

/// A fresh challenge from `base` answered by the card: (the challenge answer, the message).
pub async fn logged_in_message(
    client: &Client,
    base: &str,
    card: &mut VirtualCard,
) -> (Value, LoginMessage) {
    let issued = client.challenge(base).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{:?}", issued.body);
    let message = phone_login(card, &issued.body["request"]);
    (issued.body, message)
}
