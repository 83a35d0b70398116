//! The real binary: `kazashi-server --rp-id example.jp` starts with the in-process store and
//! production roots only, answers over HTTP, and stops gracefully on SIGTERM.

mod common;

use common::{BinaryServer, Client};
use kazashi_virtual_card::VirtualCard;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn the_binary_starts_with_defaults_serves_and_stops_on_sigterm() {
    let server = BinaryServer::start(&["--rp-id", "example.jp"]);
    let client = Client::new("binary");
    let health = client
        .send(Method::GET, &server.base, "/healthz", None, None, None)
        .await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["store"], "in-process");
    // Production roots only by default: the virtual card is a test root.
    let mut card = VirtualCard::default();
    let (issued, message) = common::logged_in_message(&client, &server.base, &mut card).await;
    let qr: serde_json::Value =
        serde_json::from_str(issued["qr_payload"].as_str().unwrap()).unwrap();
    assert_eq!(qr["server"], server.base.as_str());
    let answer = client.verify(&server.base, &message).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.body["reason"], "test-root-not-accepted");
    let missing = client
        .send(Method::GET, &server.base, "/nowhere", None, None, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(server.terminate(), "SIGTERM ends it with status 0");
}

#[tokio::test]
async fn the_virtual_card_is_trusted_only_with_the_flag_and_bad_settings_fail_at_start() {
    let server = BinaryServer::start(&["--rp-id", "example.jp", "--trust-virtual-card"]);
    let client = Client::new("binary_trust");
    let mut card = VirtualCard::default();
    let (_, message) = common::logged_in_message(&client, &server.base, &mut card).await;
    let answer = client.verify(&server.base, &message).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    drop(server);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kazashi-server"))
        .args(["--rp-id", "Not A Host"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid relying-party id"), "{stderr}");
}

#[tokio::test]
async fn environment_variables_configure_it_and_flags_win_over_them() {
    let env = [
        ("KAZASHI_RP_ID", "env.example"),
        ("KAZASHI_TRUST_VIRTUAL_CARD", "1"),
        ("KAZASHI_CHALLENGE_TTL", "42"),
    ];
    let client = Client::new("binary_env");
    let from_env = BinaryServer::start_with_env(&[], &env);
    let issued = client.challenge(&from_env.base).await;
    let request = &issued.body["request"];
    assert_eq!(request["relying_party"], "env.example");
    assert_eq!(
        request["expires_at"].as_i64().unwrap() - request["issued_at"].as_i64().unwrap(),
        42
    );
    let mut card = VirtualCard::default();
    let message = common::phone_login(&mut card, request);
    assert_eq!(
        client.verify(&from_env.base, &message).await.status,
        StatusCode::OK
    );
    drop(from_env);

    let flag_wins = BinaryServer::start_with_env(&["--rp-id", "cli.example"], &env);
    let issued = client.challenge(&flag_wins.base).await;
    assert_eq!(issued.body["request"]["relying_party"], "cli.example");
}

#[tokio::test]
async fn the_logs_carry_no_challenge_token_signature_or_subject_id() {
    let log = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kazashi-server-info.log");
    let server =
        BinaryServer::start_logging_to(&["--rp-id", "example.jp", "--trust-virtual-card"], &log);
    let client = Client::new("binary_logs");
    let mut card = VirtualCard::default();
    let (issued, message) = common::logged_in_message(&client, &server.base, &mut card).await;
    let id = issued["challenge_id"].as_str().unwrap();
    let token = issued["poll_token"].as_str().unwrap();
    let ok = client.verify(&server.base, &message).await;
    assert_eq!(ok.status, StatusCode::OK);
    client.result(&server.base, id, Some(token)).await;
    client.verify(&server.base, &message).await;
    assert!(server.terminate());
    let text = std::fs::read_to_string(&log).unwrap();
    // It did log: the requests, the log-in and the replay's reason.
    assert!(
        text.contains("logged in") && text.contains("replay"),
        "{text}"
    );
    assert!(
        text.contains("/v1/login/challenges/{challenge}/result"),
        "{text}"
    );
    let subject = ok.body["subject_id"].as_str().unwrap();
    for secret in [
        id,
        token,
        message.challenge.as_str(),
        &message.signature[..40],
        &message.certificate[..40],
        subject,
    ] {
        assert!(!text.contains(secret), "{secret} is in the log:\n{text}");
    }
}
