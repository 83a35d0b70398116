//! `kazashi login --server` and `--qr-payload` against the real `kazashi-server` binary on
//! 127.0.0.1, with the virtual card: logged in, the posted message replayed and rejected, a
//! message for another relying party rejected, unsafe QR codes refused before any APDU. Each
//! log-in's signature is also checked by OpenSSL over the bytes the README documents.
//!
//! The server is another package's binary, so Cargo gives no `CARGO_BIN_EXE_` for it: the tests
//! use the binary beside `kazashi`. The test command builds it with the rest of the workspace
//! (`cargo test --workspace`, scripts/lib/cargo.sh); run alone, the tests build it when it is
//! missing, and fail loudly if that fails. (Not on every run: `cargo build -p kazashi-server`
//! resolves other features than the workspace build and would compile its dependencies again.)

mod common;

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding};
use common::{json, kazashi};
use serde_json::Value;

const PIN: &str = "1234\n";
/// For runs refused before the PIN is read: nothing written, so no broken pipe when the tool
/// exits first.
const NO_PIN: &str = "";

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kazashi-login-server-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// `kazashi-server`, next to `kazashi`; built once if missing.
fn server_binary() -> PathBuf {
    static BUILD: Once = Once::new();
    let binary = Path::new(env!("CARGO_BIN_EXE_kazashi")).with_file_name("kazashi-server");
    BUILD.call_once(|| {
        if binary.is_file() {
            return;
        }
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "-p",
                "kazashi-server",
                "--bin",
                "kazashi-server",
            ])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build -p kazashi-server failed");
    });
    assert!(
        binary.is_file(),
        "{} is missing: run `cargo build -p kazashi-server` (same profile and target directory as \
         this test)",
        binary.display()
    );
    binary
}

/// A `kazashi-server` process on a free loopback port, killed when dropped.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Server {
    fn start(rp_id: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = tmp(&format!("server-{port}.log"));
        let child = Command::new(server_binary())
            .args(["--listen", &format!("127.0.0.1:{port}"), "--rp-id", rp_id])
            .arg("--trust-virtual-card")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
            .spawn()
            .expect("kazashi-server starts");
        let mut server = Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("kazashi-server exited ({status}): {}", server.logs());
            }
            assert!(
                Instant::now() < deadline,
                "kazashi-server did not listen: {}",
                server.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn logs(&self) -> String {
        let mut text = String::new();
        for path in [self.log.clone(), self.log.with_extension("err")] {
            if let Ok(mut f) = std::fs::File::open(path) {
                let _ = f.read_to_string(&mut text);
            }
        }
        text
    }

    /// POSTs `body` with a real HTTP client; the status and the JSON answer.
    fn post(&self, path: &str, body: &str) -> (u16, Value) {
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build(),
        );
        let response = agent
            .post(&format!("{}{path}", self.url))
            .header("Content-Type", "application/json")
            .send(body)
            .unwrap();
        let status = response.status().as_u16();
        let text = response.into_body().read_to_string().unwrap();
        (status, serde_json::from_str(&text).unwrap())
    }

    /// A fresh challenge: (request object, QR payload text).
    fn challenge(&self) -> (Value, String) {
        let (status, issued) = self.post("/v1/login/challenges", "{}");
        assert_eq!(status, 201, "{issued}");
        (
            issued["request"].clone(),
            issued["qr_payload"].as_str().unwrap().to_string(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// OpenSSL's verdict on a version-2 log-in message: the signature over the bytes the README
/// documents, with the key of the certificate in the message.
fn openssl_verifies(message: &Value) -> bool {
    let field = |name: &str| Base64::decode_vec(message[name].as_str().unwrap()).unwrap();
    let rp = message["relying_party"].as_str().unwrap().as_bytes();
    let challenge = field("challenge");
    let mut signed = b"kazashi JPKI log-in v2\0".to_vec();
    for part in [rp, &challenge] {
        signed.extend((part.len() as u16).to_be_bytes());
        signed.extend(part);
    }
    signed.extend(message["issued_at"].as_i64().unwrap().to_be_bytes());
    signed.extend(message["expires_at"].as_i64().unwrap().to_be_bytes());
    let id = hex(&challenge[..8]);
    let (data, sig, cert, public) = (
        tmp(&format!("{id}.data")),
        tmp(&format!("{id}.sig")),
        tmp(&format!("{id}.der")),
        tmp(&format!("{id}.pub")),
    );
    std::fs::write(&data, signed).unwrap();
    std::fs::write(&sig, field("signature")).unwrap();
    std::fs::write(&cert, field("certificate")).unwrap();
    let status = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-pubkey", "-noout", "-in"])
        .arg(&cert)
        .arg("-out")
        .arg(&public)
        .status()
        .expect("openssl runs");
    assert!(status.success());
    let verify = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(&public)
        .arg("-signature")
        .arg(&sig)
        .arg(&data)
        .output()
        .unwrap();
    String::from_utf8_lossy(&verify.stdout).contains("Verified OK")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_json(path: &Path) -> (String, Value) {
    let text = std::fs::read_to_string(path).unwrap();
    let value = serde_json::from_str(&text).unwrap();
    (text, value)
}

#[test]
fn logs_in_at_a_running_server_and_the_replayed_message_is_rejected() {
    let server = Server::start("localhost");
    let message_file = tmp("posted.json");
    let out = kazashi(
        &[
            "--virtual",
            "--pin-stdin",
            "--json",
            "login",
            "--server",
            &server.url,
            "--message-out",
            message_file.to_str().unwrap(),
        ],
        PIN,
    );
    let v = json(&out);
    assert!(out.status.success(), "{v}\n{}", server.logs());
    assert_eq!(v["ok"], true);
    assert_eq!(v["server"], server.url.as_str());
    assert_eq!(v["relying_party"], "localhost");
    let verdict = &v["verdict"];
    assert_eq!(verdict["verdict"], "logged_in", "{verdict}");
    assert!(!verdict["subject_id"].as_str().unwrap().is_empty());
    assert_eq!(verdict["token_type"], "unknown");
    assert_eq!(verdict["revocation"], "not checked");
    assert!(verdict["checks"]
        .as_array()
        .unwrap()
        .contains(&Value::from("login-signature")));
    assert!(v["apdus"].as_u64().unwrap() > 0);
    // The relying party is shown before the PIN, and where the answer goes.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "Log in to localhost (the answer goes to {})",
            server.url
        )),
        "{stderr}"
    );

    // --message-out holds exactly what was posted: a v2 message for the challenge the server
    // issued, whose signature OpenSSL verifies.
    let (posted, message) = read_json(&message_file);
    assert_eq!(message["version"], 2);
    assert_eq!(message["relying_party"], "localhost");
    assert_eq!(
        hex(&Base64::decode_vec(message["challenge"].as_str().unwrap()).unwrap()),
        v["challenge"].as_str().unwrap()
    );
    assert!(
        openssl_verifies(&message),
        "OpenSSL rejects the posted log-in"
    );

    // The same bytes again: the challenge is spent.
    let (status, replay) = server.post("/v1/login/verify", &posted);
    assert_eq!(status, 422, "{replay}");
    assert_eq!(replay["verdict"], "rejected");
    assert_eq!(replay["reason"], "replay", "{replay}");

    // People's output: the verdict in words.
    let out = kazashi(
        &["--virtual", "--pin-stdin", "login", "--server", &server.url],
        PIN,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for expected in [
        "verdict: logged in to localhost",
        "subject id: ",
        "revocation: not checked",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in\n{text}");
    }
    assert!(!text.contains("1234"), "{text}");
}

#[test]
fn the_phone_side_of_a_qr_code_logs_in_once() {
    let server = Server::start("localhost");
    let (_, payload) = server.challenge();
    let message_file = tmp("qr.json");
    let phone = |message_out: &Path| {
        kazashi(
            &[
                "--virtual",
                "--pin-stdin",
                "--json",
                "login",
                "--qr-payload",
                &payload,
                "--message-out",
                message_out.to_str().unwrap(),
            ],
            PIN,
        )
    };
    let out = phone(&message_file);
    let v = json(&out);
    assert!(out.status.success(), "{v}");
    assert_eq!(v["verdict"]["verdict"], "logged_in");
    assert!(openssl_verifies(&read_json(&message_file).1));

    // Scanning the same code again: a new signature, the same spent challenge.
    let again = phone(&tmp("qr-again.json"));
    let v = json(&again);
    assert_eq!(again.status.code(), Some(9), "{v}");
    assert_eq!(v["error"]["kind"], "server-rejected");
    assert_eq!(v["verdict"]["reason"], "replay", "{v}");
}

#[test]
fn a_log_in_signed_for_another_relying_party_is_rejected_by_the_server() {
    // The server is `rp.localhost`; the code claims `localhost` (which the phone accepts on
    // the loopback), so the card signs for `localhost` and the server must refuse it.
    let server = Server::start("rp.localhost");
    let (mut request, _) = server.challenge();
    request["relying_party"] = Value::from("localhost");
    let forged = serde_json::json!({
        "kazashi_login": 1, "server": server.url, "request": request,
    })
    .to_string();
    let message_file = tmp("other-rp.json");
    let out = kazashi(
        &[
            "--virtual",
            "--pin-stdin",
            "--json",
            "login",
            "--qr-payload",
            &forged,
            "--message-out",
            message_file.to_str().unwrap(),
        ],
        PIN,
    );
    let v = json(&out);
    assert_eq!(out.status.code(), Some(9), "{v}");
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["kind"], "server-rejected");
    assert_eq!(v["verdict"]["verdict"], "rejected");
    assert_eq!(v["verdict"]["reason"], "relying-party-mismatch", "{v}");
    let (_, message) = read_json(&message_file);
    assert_eq!(message["relying_party"], "localhost");
    // A valid signature: the refusal is the relying party's, not a broken message.
    assert!(openssl_verifies(&message));
}

#[test]
fn an_answer_that_would_go_elsewhere_is_refused_before_the_card() {
    let server = Server::start("example.jp");
    let (_, payload) = server.challenge();
    // The server's own code and its own challenge: relying party example.jp, answer to
    // 127.0.0.1. Refused both ways (a page relaying example.jp's log-in looks the same).
    for origin in [
        ["--qr-payload", payload.as_str()],
        ["--server", &server.url],
    ] {
        let mut args = vec!["--virtual", "--pin-stdin", "--json", "login"];
        args.extend(origin);
        let out = kazashi(&args, NO_PIN);
        let v = json(&out);
        assert_eq!(out.status.code(), Some(2), "{v}");
        assert_eq!(v["apdus"], 0);
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("for example.jp but the answer would go to 127.0.0.1, which is not example.jp or one of its subdomains"),
            "{message}"
        );
    }

    // --expect-relying-party refuses another relying party before the PIN.
    let server = Server::start("localhost");
    let out = kazashi(
        &[
            "--virtual",
            "--pin-stdin",
            "--json",
            "login",
            "--server",
            &server.url,
            "--expect-relying-party",
            "other.example",
        ],
        NO_PIN,
    );
    let v = json(&out);
    assert_eq!(out.status.code(), Some(2), "{v}");
    assert_eq!(v["apdus"], 0);
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("is for localhost, but this app logs in to other.example"),
        "{message}"
    );
}

#[test]
fn unsafe_or_unreachable_servers_fail_with_their_own_codes() {
    let out = kazashi(
        &[
            "--virtual",
            "--pin-stdin",
            "--json",
            "login",
            "--server",
            "http://example.jp",
        ],
        NO_PIN,
    );
    let v = json(&out);
    assert_eq!(out.status.code(), Some(2), "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("plain http:// is accepted only on this machine"));

    // Nothing listens on a port just released.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = kazashi(
        &[
            "--virtual",
            "--pin-stdin",
            "--json",
            "login",
            "--server",
            &format!("http://127.0.0.1:{port}"),
        ],
        NO_PIN,
    );
    let v = json(&out);
    assert_eq!(out.status.code(), Some(11), "{v}");
    assert_eq!(v["error"]["kind"], "server-unreachable");
    assert_eq!(v["apdus"], 0);
}
