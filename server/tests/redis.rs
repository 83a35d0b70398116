//! Two `kazashi-server` processes (the real binary) on one Redis: a challenge issued by one
//! verifies at the other, a replay is rejected at either, 100 concurrent verifications of one
//! message give one log-in, and with Redis stopped every request fails closed with 503 and the
//! service recovers when Redis returns, with nothing accepted twice.
//!
//! These tests are `#[ignore]`d in a plain `cargo test`: `scripts/test-server.sh` runs them with
//! `--ignored` after starting a Redis server and naming it in `KAZASHI_TEST_REDIS_URL`. Run
//! without that variable they fail, loudly: a Redis test that silently passes without Redis would
//! prove nothing. (An ignored test rather than a cargo feature, so that building them changes no
//! feature of the workspace and rebuilds nothing.)

mod common;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{logged_in_message, BinaryServer, Client};
use kazashi_virtual_card::VirtualCard;
use reqwest::{Method, StatusCode};

fn redis_url() -> String {
    std::env::var("KAZASHI_TEST_REDIS_URL").expect(
        "KAZASHI_TEST_REDIS_URL is not set: the Redis tests need the Redis server that \
         scripts/test-server.sh starts; run that script",
    )
}

fn two_servers(url: &str) -> (BinaryServer, BinaryServer) {
    let args = [
        "--rp-id",
        "example.jp",
        "--trust-virtual-card",
        "--redis",
        url,
    ];
    (BinaryServer::start(&args), BinaryServer::start(&args))
}

#[tokio::test]
#[ignore = "needs the Redis server scripts/test-server.sh starts"]
async fn a_challenge_issued_by_one_instance_logs_in_at_the_other_once() {
    let (a, b) = two_servers(&redis_url());
    let client = Client::new("redis_two_instances");
    for server in [&a, &b] {
        let health = client
            .send(Method::GET, &server.base, "/healthz", None, None, None)
            .await;
        assert_eq!(health.status, StatusCode::OK, "{}", health.body);
        assert_eq!(health.body["store"], "redis");
    }
    let mut card = VirtualCard::default();
    let (issued, message) = logged_in_message(&client, &a.base, &mut card).await;
    let id = issued["challenge_id"].as_str().unwrap();
    let token = issued["poll_token"].as_str();
    assert_eq!(
        client.result(&b.base, id, token).await.body["state"],
        "pending"
    );

    // In Redis: one hash with a TTL of the lifetime plus the grace period, the poll token only
    // as its hash.
    let key = format!(
        "kazashi:challenge:{}",
        hex::encode(message.challenge_bytes().unwrap())
    );
    let mut redis = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("TTL")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!((500..=600).contains(&ttl), "TTL {ttl}");
    let fields: std::collections::HashMap<String, String> = redis::cmd("HGETALL")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(fields["st"], "issued");
    assert!(!fields.values().any(|v| v == token.unwrap()));

    let ok = client.verify(&b.base, &message).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["verdict"], "logged_in");
    let ttl_after: i64 = redis::cmd("TTL")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert!(
        ttl_after > 0 && ttl_after <= ttl,
        "the spend keeps the TTL: {ttl_after}"
    );
    // The page that asked A sees the log-in B accepted, with its poll token only.
    let seen = client.result(&a.base, id, token).await;
    assert_eq!(seen.body["state"], "logged_in", "{}", seen.body);
    assert_eq!(seen.body["subject_id"], ok.body["subject_id"]);
    assert_eq!(
        client.result(&a.base, id, Some("wrong")).await.status,
        StatusCode::FORBIDDEN
    );
    for server in [&a, &b] {
        let replay = client.verify(&server.base, &message).await;
        assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(replay.body["reason"], "replay");
    }
    assert!(a.terminate() && b.terminate());
}

#[tokio::test]
#[ignore = "needs the Redis server scripts/test-server.sh starts"]
async fn a_hundred_concurrent_verifications_across_both_instances_log_in_once() {
    let (a, b) = two_servers(&redis_url());
    let client = Client::new("redis_concurrent");
    let mut card = VirtualCard::default();
    let (_, message) = logged_in_message(&client, &a.base, &mut card).await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let client = client.clone();
        let base = if i % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        let message = message.clone();
        tasks.push(tokio::spawn(
            async move { client.verify(&base, &message).await },
        ));
    }
    let (mut ok, mut replay) = (0, 0);
    for task in tasks {
        let answer = task.await.unwrap();
        match answer.status {
            StatusCode::OK => ok += 1,
            StatusCode::UNPROCESSABLE_ENTITY if answer.body["reason"] == "replay" => replay += 1,
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!((ok, replay), (1, 99));
}

/// A Redis server of this test's own, which it stops and starts again.
struct OwnRedis {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl OwnRedis {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("redis-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = Self {
            port,
            dir,
            child: None,
        };
        redis.up();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn up(&mut self) {
        let binary =
            std::env::var("KAZASHI_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = Command::new(&binary)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary} (apt-get install redis-server): {e}")
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
#[ignore = "needs the Redis server scripts/test-server.sh starts"]
async fn with_redis_stopped_everything_fails_closed_and_recovers_without_double_acceptance() {
    // The script's Redis must be there too: this target runs only under the script.
    let _ = redis_url();
    let mut redis = OwnRedis::start();
    let (a, b) = two_servers(&redis.url());
    let client = Client::new("redis_outage");
    let mut card = VirtualCard::default();
    let (pending, unanswered) = logged_in_message(&client, &a.base, &mut card).await;
    let (_, accepted) = logged_in_message(&client, &b.base, &mut card).await;
    assert_eq!(
        client.verify(&a.base, &accepted).await.status,
        StatusCode::OK
    );

    redis.down();
    let id = pending["challenge_id"].as_str().unwrap();
    let token = pending["poll_token"].as_str();
    for server in [&a, &b] {
        for message in [&unanswered, &accepted] {
            let answer = client.verify(&server.base, message).await;
            assert_eq!(
                answer.status,
                StatusCode::SERVICE_UNAVAILABLE,
                "{}",
                answer.body
            );
            assert_eq!(answer.body["verdict"], "rejected");
            assert_eq!(answer.body["reason"], "store-unavailable");
        }
        let issued = client.challenge(&server.base).await;
        assert_eq!(issued.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(issued.body["reason"], "store-unavailable");
        let poll = client.result(&server.base, id, token).await;
        assert_eq!(poll.status, StatusCode::SERVICE_UNAVAILABLE);
        let health = client
            .send(Method::GET, &server.base, "/healthz", None, None, None)
            .await;
        assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(health.body["status"], "unavailable");
    }

    redis.up();
    for server in [&a, &b] {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let health = client
                .send(Method::GET, &server.base, "/healthz", None, None, None)
                .await;
            if health.status == StatusCode::OK {
                break;
            }
            assert!(Instant::now() < deadline, "no recovery: {}", health.body);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    // Redis kept nothing (no persistence): the challenges issued before are unknown now, so
    // the one accepted before is not accepted again, and the unanswered one is not either.
    for server in [&a, &b] {
        for message in [&unanswered, &accepted] {
            let answer = client.verify(&server.base, message).await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                answer.body
            );
            assert_eq!(answer.body["reason"], "unknown-challenge");
        }
    }
    // A new log-in works across both again.
    let (_, fresh) = logged_in_message(&client, &a.base, &mut card).await;
    assert_eq!(client.verify(&b.base, &fresh).await.status, StatusCode::OK);
    assert_eq!(
        client.verify(&a.base, &fresh).await.body["reason"],
        "replay"
    );
    assert!(a.terminate() && b.terminate());
}
