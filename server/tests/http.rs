//! Every verdict of the log-in verifier through HTTP, against the service on a real 127.0.0.1
//! socket, with the virtual card playing the phone: success, replay, expired, unknown
//! challenge, wrong relying party, a signing certificate used for log-in, test roots not
//! configured, a bad signature, malformed bodies, bodies over the limit, the rate limit; the
//! poll endpoint; and the atomic spend under concurrent requests.

mod common;

use std::sync::Arc;

use base64ct::{Base64, Encoding};
use common::{config, logged_in_message, phone_login, Client, TestServer};
use kazashi::CertificateKind;
use kazashi_login::{LoginRequest, RelyingPartyId};
use kazashi_server::store::{ChallengeBackend, MemoryStore};
use kazashi_virtual_card::VirtualCard;
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn assert_rejected(answer: &common::Answer, status: StatusCode, reason: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["verdict"], "rejected", "{}", answer.body);
    assert_eq!(answer.body["reason"], reason, "{}", answer.body);
    assert!(
        answer.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_login_succeeds_once_and_its_replay_is_rejected() {
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("success_and_replay");
    let mut card = VirtualCard::default();
    let (issued, message) = logged_in_message(&client, &server.base, &mut card).await;

    // The challenge answer: the request exactly as the library writes it, the QR payload and
    // a 32-byte poll token.
    let request = LoginRequest::from_json(&issued["request"].to_string()).unwrap();
    assert_eq!(request.relying_party().as_str(), "example.jp");
    assert_eq!(request.challenge().len(), 32);
    assert_eq!(request.expires_at() - request.issued_at(), 300);
    let wire: Value = serde_json::from_str(&request.to_json()).unwrap();
    assert_eq!(issued["request"], wire);
    let qr: Value = serde_json::from_str(issued["qr_payload"].as_str().unwrap()).unwrap();
    assert_eq!(qr["kazashi_login"], 1);
    assert_eq!(qr["server"], server.base.as_str());
    assert_eq!(qr["request"], wire);
    let token = issued["poll_token"].as_str().unwrap();
    assert_eq!(
        base64ct::Base64UrlUnpadded::decode_vec(token)
            .unwrap()
            .len(),
        32
    );
    let id = issued["challenge_id"].as_str().unwrap();

    let pending = client.result(&server.base, id, Some(token)).await;
    assert_eq!(pending.status, StatusCode::OK);
    assert_eq!(pending.body["state"], "pending");

    let ok = client.verify(&server.base, &message).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["verdict"], "logged_in");
    assert_eq!(ok.body["token_type"], "physical-card");
    assert_eq!(ok.body["revocation"], "not checked");
    let cert = card
        .certificate_der(CertificateKind::Authentication)
        .unwrap();
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).unwrap();
    // The subject id is the certificate's subject CN, read here by x509-parser independently.
    let cn = parsed
        .subject()
        .iter_common_name()
        .next()
        .unwrap()
        .as_str()
        .unwrap();
    assert_eq!(ok.body["subject_id"], cn);
    assert_eq!(
        ok.body["certificate_expires_at"],
        parsed.validity().not_after.timestamp()
    );
    let checks: Vec<&str> = ok.body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for check in [
        "relying-party",
        "challenge-single-use",
        "login-signature",
        "issuer-signature",
        "validity",
        "policy",
    ] {
        assert!(checks.contains(&check), "{check} missing from {checks:?}");
    }

    // The page with the poll token sees the log-in; anyone else does not.
    let done = client.result(&server.base, id, Some(token)).await;
    assert_eq!(done.body["state"], "logged_in", "{}", done.body);
    assert_eq!(done.body["subject_id"], cn);
    assert_eq!(done.body["token_type"], "physical-card");
    assert_eq!(
        done.body["certificate_expires_at"],
        ok.body["certificate_expires_at"]
    );
    let other_tab = client.challenge(&server.base).await;
    let other_token = other_tab.body["poll_token"].as_str().unwrap();
    for wrong in [Some(other_token), Some("x"), None] {
        let answer = client.result(&server.base, id, wrong).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{wrong:?}");
        assert_eq!(answer.body["reason"], "forbidden");
    }

    let replay = client.verify(&server.base, &message).await;
    assert_rejected(&replay, StatusCode::UNPROCESSABLE_ENTITY, "replay");

    let metrics = client
        .send(Method::GET, &server.base, "/metrics", None, None, None)
        .await;
    let text = metrics.body.as_str().unwrap();
    assert!(
        text.contains(r#"kazashi_login_verdicts_total{reason="ok",verdict="logged_in"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"kazashi_login_verdicts_total{reason="replay",verdict="rejected"} 1"#),
        "{text}"
    );
    assert!(text.contains(
        r#"kazashi_http_requests_total{method="POST",route="/v1/login/verify",status="422"} 1"#
    ));
    assert!(text.contains(
        "kazashi_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/login/verify\""
    ));
    // No challenge, token or subject id ever appears in a label.
    assert!(!text.contains(id) && !text.contains(cn));
    server.stop().await;
}

#[tokio::test]
async fn an_expired_challenge_is_rejected_and_the_page_sees_it_expire() {
    let mut cfg = config("example.jp");
    cfg.challenge_ttl = 1;
    let server = TestServer::start(cfg).await;
    let client = Client::new("expired");
    let mut card = VirtualCard::default();
    let (issued, message) = logged_in_message(&client, &server.base, &mut card).await;
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let answer = client.verify(&server.base, &message).await;
    assert_rejected(&answer, StatusCode::UNPROCESSABLE_ENTITY, "expired");
    let page = client
        .result(
            &server.base,
            issued["challenge_id"].as_str().unwrap(),
            issued["poll_token"].as_str(),
        )
        .await;
    assert_eq!(page.body["state"], "expired");
    server.stop().await;
}

#[tokio::test]
async fn a_challenge_this_server_never_issued_is_unknown() {
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("unknown");
    let mut card = VirtualCard::default();
    let now = kazashi_certificate::unix_now();
    let forged = LoginRequest::new(
        RelyingPartyId::parse("example.jp").unwrap(),
        vec![7; 32],
        now,
        now + 60,
    )
    .unwrap();
    let wire: Value = serde_json::from_str(&forged.to_json()).unwrap();
    let message = phone_login(&mut card, &wire);
    let answer = client.verify(&server.base, &message).await;
    assert_rejected(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown-challenge",
    );
    server.stop().await;
}

#[tokio::test]
async fn a_login_made_for_another_relying_party_is_rejected_and_does_not_burn_the_challenge() {
    // Two services share one store (the worst case): b.example must still refuse a log-in
    // made for a.example.
    let store: Arc<dyn ChallengeBackend> = Arc::new(MemoryStore::new(1000));
    let a = TestServer::start_with_store(config("a.example"), store.clone()).await;
    let b = TestServer::start_with_store(config("b.example"), store).await;
    let client = Client::new("relying_party");
    let mut card = VirtualCard::default();
    let (_, message) = logged_in_message(&client, &a.base, &mut card).await;
    let answer = client.verify(&b.base, &message).await;
    assert_rejected(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "relying-party-mismatch",
    );
    // Relabelled for b.example, the card's signature no longer covers it.
    let mut relabelled = message.clone();
    relabelled.relying_party = Some("b.example".into());
    let answer = client.verify(&b.base, &relabelled).await;
    assert_rejected(&answer, StatusCode::UNPROCESSABLE_ENTITY, "bad-signature");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_mismatch_found_before_the_spend_leaves_the_challenge_usable() {
    let a = TestServer::start(config("a.example")).await;
    let b_cfg = config("b.example");
    let client = Client::new("relying_party_order");
    let mut card = VirtualCard::default();
    let (_, message) = logged_in_message(&client, &a.base, &mut card).await;
    let b = TestServer::start(b_cfg).await;
    let answer = client.verify(&b.base, &message).await;
    assert_rejected(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "relying-party-mismatch",
    );
    let ok = client.verify(&a.base, &message).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn the_signing_certificate_offered_for_log_in_is_the_wrong_purpose() {
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("wrong_purpose");
    let mut card = VirtualCard::default();
    let (_, mut message) = logged_in_message(&client, &server.base, &mut card).await;
    message.certificate =
        Base64::encode_string(card.certificate_der(CertificateKind::Signing).unwrap());
    let answer = client.verify(&server.base, &message).await;
    assert_rejected(&answer, StatusCode::UNPROCESSABLE_ENTITY, "wrong-purpose");
    server.stop().await;
}

#[tokio::test]
async fn test_roots_are_refused_unless_configured() {
    let mut cfg = config("example.jp");
    cfg.trust_virtual_card = false;
    let server = TestServer::start(cfg).await;
    let client = Client::new("test_root");
    let mut card = VirtualCard::default();
    let (_, message) = logged_in_message(&client, &server.base, &mut card).await;
    let answer = client.verify(&server.base, &message).await;
    assert_rejected(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "test-root-not-accepted",
    );
    server.stop().await;
}

#[tokio::test]
async fn an_altered_signature_is_rejected() {
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("bad_signature");
    let mut card = VirtualCard::default();
    let (_, mut message) = logged_in_message(&client, &server.base, &mut card).await;
    let mut signature = message.signature_bytes().unwrap();
    signature[10] ^= 1;
    message.signature = Base64::encode_string(&signature);
    let answer = client.verify(&server.base, &message).await;
    assert_rejected(&answer, StatusCode::UNPROCESSABLE_ENTITY, "bad-signature");
    server.stop().await;
}

#[tokio::test]
async fn malformed_bodies_are_400_and_bodies_over_the_limit_413() {
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("malformed");
    let mut card = VirtualCard::default();
    let (_, message) = logged_in_message(&client, &server.base, &mut card).await;
    let mut not_base64 = message.clone();
    not_base64.certificate = "*not base64*".into();
    // A certificate that is no DER is found after the spend: its own challenge.
    let (_, mut not_der) = logged_in_message(&client, &server.base, &mut card).await;
    not_der.certificate = Base64::encode_string(b"not a certificate");
    for body in [
        b"".to_vec(),
        b"not json".to_vec(),
        b"[1,2,3]".to_vec(),
        br#"{"version": 2}"#.to_vec(),
        not_base64.to_json().into_bytes(),
        not_der.to_json().into_bytes(),
    ] {
        let answer = client.verify_raw(&server.base, body.clone()).await;
        assert_rejected(&answer, StatusCode::BAD_REQUEST, "malformed");
    }
    let answer = client
        .send(
            Method::POST,
            &server.base,
            "/v1/login/challenges",
            None,
            Some(b"[]".to_vec()),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.body["reason"], "malformed");

    // 64 KiB is the log-in routes' limit: a message padded past it is refused unread.
    let mut huge = message.clone();
    huge.token_type = "x".repeat(70 * 1024);
    let answer = client.verify(&server.base, &huge).await;
    assert_rejected(&answer, StatusCode::PAYLOAD_TOO_LARGE, "body-too-large");
    let answer = client
        .send(
            Method::POST,
            &server.base,
            "/v1/login/challenges",
            None,
            Some(vec![b' '; 70 * 1024]),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    // The message itself was never spent by all this.
    let ok = client.verify(&server.base, &message).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    server.stop().await;
}

#[tokio::test]
async fn a_client_over_its_rate_limit_gets_429_until_the_minute_turns() {
    let mut cfg = config("example.jp");
    cfg.rate_limit_per_minute = 3;
    let server = TestServer::start(cfg).await;
    let client = Client::new("rate_limit");
    // Not across a minute boundary (the window renews there).
    let second = kazashi_certificate::unix_now() % 60;
    if second > 55 {
        tokio::time::sleep(std::time::Duration::from_secs((61 - second) as u64)).await;
    }
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..5 {
        let answer = client.challenge(&server.base).await;
        statuses.push(answer.status.as_u16());
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(answer);
        }
    }
    assert_eq!(statuses, [201, 201, 201, 429, 429]);
    let limited = limited.unwrap();
    assert_eq!(limited.body["reason"], "rate-limited");
    // Every /v1 route shares the budget.
    let others = [
        client.verify_raw(&server.base, b"{}".to_vec()).await,
        client.result(&server.base, "AAAA", Some("x")).await,
        client
            .verify_signature(&server.base, &serde_json::json!({"file_base64": ""}))
            .await,
    ];
    for answer in others {
        assert_eq!(
            answer.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            answer.body
        );
        assert_eq!(answer.body["reason"], "rate-limited");
    }
    let wait: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    // Operations routes are not limited.
    let health = client
        .send(Method::GET, &server.base, "/healthz", None, None, None)
        .await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    assert_eq!(health.body["store"], "in-process");
    server.stop().await;
}

#[tokio::test]
async fn fifty_concurrent_verifications_of_one_message_give_exactly_one_log_in() {
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("concurrent");
    let mut card = VirtualCard::default();
    let (_, message) = logged_in_message(&client, &server.base, &mut card).await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let client = client.clone();
        let base = server.base.clone();
        let message = message.clone();
        tasks.push(tokio::spawn(
            async move { client.verify(&base, &message).await },
        ));
    }
    let mut ok = 0;
    let mut replays = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        match answer.status {
            StatusCode::OK => ok += 1,
            StatusCode::UNPROCESSABLE_ENTITY if answer.body["reason"] == "replay" => replays += 1,
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!((ok, replays), (1, 49));
    server.stop().await;
}

#[tokio::test]
async fn a_rejected_log_in_burns_the_challenge_and_the_page_sees_it_expire() {
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("burnt");
    let mut card = VirtualCard::default();
    let (issued, message) = logged_in_message(&client, &server.base, &mut card).await;
    let mut altered = message.clone();
    let mut signature = altered.signature_bytes().unwrap();
    signature[0] ^= 0x80;
    altered.signature = Base64::encode_string(&signature);
    let answer = client.verify(&server.base, &altered).await;
    assert_rejected(&answer, StatusCode::UNPROCESSABLE_ENTITY, "bad-signature");
    let page = client
        .result(
            &server.base,
            issued["challenge_id"].as_str().unwrap(),
            issued["poll_token"].as_str(),
        )
        .await;
    assert_eq!(page.body["state"], "expired");
    // The genuine message can no longer use the spent challenge.
    let late = client.verify(&server.base, &message).await;
    assert_rejected(&late, StatusCode::UNPROCESSABLE_ENTITY, "replay");
    server.stop().await;
}

#[tokio::test]
async fn the_challenge_store_full_is_503_and_no_challenge_is_issued() {
    let mut cfg = config("example.jp");
    cfg.max_challenges = 2;
    let server = TestServer::start(cfg).await;
    let client = Client::new("store_full");
    for _ in 0..2 {
        assert_eq!(
            client.challenge(&server.base).await.status,
            StatusCode::CREATED
        );
    }
    let full = client.challenge(&server.base).await;
    assert_eq!(full.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(full.body["reason"], "challenge-store-full");
    server.stop().await;
}
