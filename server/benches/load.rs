//! Load benchmark of `kazashi-server`: a report, not a test (nothing here fails on a slow
//! machine). Every phase is bounded in time.
//!
//! 1. Memory: the process's RSS before and after one million challenges are issued into the
//!    in-process store (the store the `POST /v1/login/challenges` route writes to).
//! 2. The floor: the RSA verifications a log-in needs (the card's signature and the issuer's
//!    signature on the certificate, RSA-2048 / SHA-256 public-key operations) alone, and the
//!    whole library verifier (`LoginVerifier`) without HTTP, on one core.
//! 3. Log-in verifications per second over HTTP on 127.0.0.1 against the service, in-process
//!    store and (when `KAZASHI_TEST_REDIS_URL` names a Redis) the Redis store: messages are
//!    signed by virtual cards on every core beforehand (for at most `SIGN_SECONDS`), then posted by
//!    `CONCURRENCY` clients for at most `LOAD_SECONDS`; each must log in. p50 and p99 latency.
//!
//! The service and the load generator share this machine's cores: the figures per core divide
//! by the cores of the machine, both sides included.
//!
//! `cargo bench -p kazashi-server --bench load` (optimised build). scripts/test-server.sh runs it
//! in the test profile unless `KAZASHI_BENCH_PROFILE=bench` (scripts/lib/cargo.sh says why).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kazashi::{AuthPin, CertificateKind, JpkiCard, LastAttempt};
use kazashi_certificate::unix_now;
use kazashi_login::{LoginMessage, LoginRequest};
use kazashi_server::store::{ChallengeBackend, Issued, MemoryStore, RedisStore};
use kazashi_server::{AppState, Config};
use kazashi_verify::{InMemoryChallengeStore, LoginVerifier, RelyingPartyId, TrustStore};
use kazashi_virtual_card::VirtualCard;
use rand_core::{OsRng, RngCore};
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};

const SIGN_SECONDS: f64 = 6.0;
/// The most challenges answered beforehand per store.
const MAX_MESSAGES: usize = 20_000;
const LOAD_SECONDS: f64 = 4.0;
const FLOOR_SECONDS: f64 = 2.0;
const CONCURRENCY: usize = 16;
const MILLION: usize = 1_000_000;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Which build the figures come from: the test command runs this in the `test` profile (the
/// workspace's code unoptimised), `KAZASHI_BENCH_PROFILE=bench` in the optimised one.
fn build_kind() -> &'static str {
    if cfg!(debug_assertions) {
        "test profile: kazashi code unoptimised, dependencies at opt-level 2"
    } else {
        "optimised bench profile"
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "kazashi-server load benchmark ({} cores, service and load generator together; {})",
        cores(),
        build_kind()
    );
    runtime.block_on(memory());
    let mut card = VirtualCard::default();
    floor(&mut card);
    runtime.block_on(http_load("in-process", None));
    match std::env::var("KAZASHI_TEST_REDIS_URL") {
        Ok(url) => runtime.block_on(http_load("redis", Some(url))),
        Err(_) => println!("redis store: skipped (KAZASHI_TEST_REDIS_URL not set)"),
    }
}

/// RSS after one million issued challenges in the in-process store.
async fn memory() {
    let store = MemoryStore::new(MILLION + 1);
    let before = rss_kib();
    let now = unix_now();
    let started = Instant::now();
    for _ in 0..MILLION {
        let mut challenge = vec![0u8; 32];
        OsRng.fill_bytes(&mut challenge);
        let mut poll_hash = [0u8; 32];
        OsRng.fill_bytes(&mut poll_hash);
        store
            .issue(
                &Issued {
                    challenge,
                    poll_hash,
                    issued_at: now,
                    expires_at: now + 300,
                },
                now,
            )
            .await
            .unwrap();
    }
    let elapsed = started.elapsed();
    let after = rss_kib();
    println!(
        "memory: {} challenges in the in-process store: RSS {:.1} MiB -> {:.1} MiB (+{:.0} bytes per challenge); issued in {:.2} s ({:.0} per s, store only)",
        store.len(),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after.saturating_sub(before) * 1024) as f64 / MILLION as f64,
        elapsed.as_secs_f64(),
        MILLION as f64 / elapsed.as_secs_f64()
    );
}

fn trust(card: &VirtualCard) -> TrustStore {
    TrustStore::production()
        .with_test_root(
            card.root_der(kazashi::PinKind::Authentication),
            kazashi_certificate::CertificatePurpose::Authentication,
        )
        .unwrap()
}

fn sign(card: &mut VirtualCard, request: &LoginRequest) -> LoginMessage {
    let result = pollster::block_on(JpkiCard::new(card).login_v2(
        request,
        &AuthPin::new("1234").unwrap(),
        LastAttempt::Refuse,
    ))
    .unwrap();
    LoginMessage::v2(
        request,
        &result.signature,
        result.certificate.der(),
        "physical-card",
    )
}

/// Signs as many of `requests` as the cores manage in [`SIGN_SECONDS`], one virtual card per
/// core; returns the messages' JSON.
fn sign_all(requests: &[LoginRequest]) -> Vec<String> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let deadline = Instant::now() + Duration::from_secs_f64(SIGN_SECONDS);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores())
            .map(|_| {
                scope.spawn(|| {
                    let mut card = VirtualCard::default();
                    let mut out = Vec::new();
                    while Instant::now() < deadline {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(request) = requests.get(i) else {
                            break;
                        };
                        out.push(sign(&mut card, request).to_json());
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

/// The RSA verifications alone, and the library verifier without HTTP, on one core.
fn floor(card: &mut VirtualCard) {
    let rp = RelyingPartyId::parse("example.jp").unwrap();
    let now = unix_now();
    let request = LoginRequest::new(rp.clone(), vec![1; 32], now, now + 300).unwrap();
    let message = sign(card, &request);
    let signature = message.signature_bytes().unwrap();
    let digest = Sha256::digest(request.signed_bytes());
    let leaf_der = card
        .certificate_der(CertificateKind::Authentication)
        .unwrap()
        .to_vec();
    let (_, leaf) = x509_parser::parse_x509_certificate(&leaf_der).unwrap();
    let leaf_key = rsa::RsaPublicKey::from_public_key_der(leaf.public_key().raw).unwrap();
    let root_der = card.root_der(kazashi::PinKind::Authentication).to_vec();
    let (_, root) = x509_parser::parse_x509_certificate(&root_der).unwrap();
    let root_key = rsa::RsaPublicKey::from_public_key_der(root.public_key().raw).unwrap();
    let tbs_digest = Sha256::digest(leaf.tbs_certificate.as_ref());
    let leaf_signature = leaf.signature_value.data.to_vec();

    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < FLOOR_SECONDS {
        leaf_key
            .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, &signature)
            .unwrap();
        root_key
            .verify(
                rsa::Pkcs1v15Sign::new::<Sha256>(),
                &tbs_digest,
                &leaf_signature,
            )
            .unwrap();
        n += 1;
    }
    let rsa_rate = n as f64 / started.elapsed().as_secs_f64();
    println!(
        "floor: the two RSA-2048 verifications of a log-in alone: {rsa_rate:.0} log-ins per s on one core ({:.1} µs each)",
        1e6 / rsa_rate
    );

    let trust = trust(card);
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < FLOOR_SECONDS {
        // A fresh store each time, so the one message can be verified again.
        let store = InMemoryChallengeStore::default();
        kazashi_verify::ChallengeStore::remember(&store, request.challenge(), now, now + 300)
            .unwrap();
        LoginVerifier::new(&trust, &store, rp.clone())
            .verify_issued(&message, now)
            .unwrap();
        n += 1;
    }
    let lib_rate = n as f64 / started.elapsed().as_secs_f64();
    println!(
        "floor: the whole library verifier (parse, chain, policy, signature; no HTTP): {lib_rate:.0} log-ins per s on one core ({:.1} µs each)",
        1e6 / lib_rate
    );
}

/// Log-in verifications over HTTP against the service with one store.
async fn http_load(name: &str, redis: Option<String>) {
    let mut config = Config::for_relying_party("example.jp");
    config.trust_virtual_card = true;
    config.rate_limit_per_minute = 0;
    let store: Arc<dyn ChallengeBackend> = match &redis {
        Some(url) => {
            Arc::new(RedisStore::new(url, "kazashi-bench:", Duration::from_secs(2)).unwrap())
        }
        None => Arc::new(MemoryStore::new(config.max_challenges)),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    config.listen = addr;
    config.public_url = format!("http://{addr}");
    let state = AppState::with_store(config, store).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kazashi_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();

    // Challenges issued by the service, then answered by virtual cards on every core (the
    // card's RSA-2048 signature is slower than the verification measured here).
    let mut requests = Vec::new();
    while requests.len() < MAX_MESSAGES {
        let issued: serde_json::Value = client
            .post(format!("{base}/v1/login/challenges"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        requests.push(LoginRequest::from_json(&issued["request"].to_string()).unwrap());
    }
    let bodies = tokio::task::block_in_place(|| sign_all(&requests));
    let signed = bodies.len();

    let queue = Arc::new(Mutex::new(bodies));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(signed)));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(LOAD_SECONDS);
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let queue = queue.clone();
        let latencies = latencies.clone();
        let client = client.clone();
        let url = format!("{base}/v1/login/verify");
        workers.push(tokio::spawn(async move {
            loop {
                if Instant::now() > deadline {
                    break;
                }
                let Some(body) = queue.lock().unwrap().pop() else {
                    break;
                };
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let _ = response.bytes().await;
                assert_eq!(status, reqwest::StatusCode::OK, "every message logs in");
                latencies.lock().unwrap().push(sent.elapsed());
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let done = latencies.len();
    let pct = |p: f64| {
        latencies
            .get(((done as f64 * p) as usize).min(done.saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    let rate = done as f64 / elapsed;
    println!(
        "http, {name} store: {done} log-ins verified in {elapsed:.2} s by {CONCURRENCY} clients: {rate:.0} per s ({:.0} per s per core), latency p50 {:.2} ms, p99 {:.2} ms ({signed} messages signed beforehand)",
        rate / cores() as f64,
        pct(0.50),
        pct(0.99)
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
