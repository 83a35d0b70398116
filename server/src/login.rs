//! The log-in routes: issue a challenge, verify the log-in message that answers it, and let
//! the page that showed the challenge collect the result.
//!
//! `kazashi_verify::LoginVerifier` makes every decision. The service gives it the challenge
//! store's atomic spend through [`SpendThrough`], and runs it on a blocking thread: the chain and
//! signature checks are CPU work, and a networked store's spend is awaited from there.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64ct::{Base64UrlUnpadded, Encoding};
use kazashi_certificate::unix_now;
use kazashi_login::{LoginMessage, LoginRequest};
use kazashi_verify::{
    ChallengeStore, LoginVerification, LoginVerifier, RejectionKind, RevocationStatus, TrustError,
};
use rand_core::{OsRng, RngCore};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{ChallengeBackend, Issued, LoginResult, Spend, State as Stage, StoreError};

/// The stable reason code of a rejection. The verifier's kind names, except where the API's
/// names read better for a log-in: a challenge's `replay`, `expired` and `unknown-challenge`,
/// and the certificate's `certificate-expired` / `certificate-not-yet-valid` (so `expired`
/// always means the challenge).
pub fn reason(error: &TrustError) -> &'static str {
    match error.kind() {
        RejectionKind::ChallengeReplayed => "replay",
        RejectionKind::ChallengeExpired => "expired",
        RejectionKind::ChallengeUnknown => "unknown-challenge",
        RejectionKind::Expired => "certificate-expired",
        RejectionKind::NotYetValid => "certificate-not-yet-valid",
        other => other.name(),
    }
}

/// A rejection as an answer: 400 for input that cannot be decoded, 422 for every verdict.
pub fn rejection(error: &TrustError) -> ApiError {
    let status = if error.kind() == RejectionKind::Malformed {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ApiError::new(status, reason(error), error.to_string()).rejected()
}

/// `POST /v1/login/challenges`: a fresh version-2 log-in request, its QR payload and the poll
/// token for its result. The body is empty or a JSON object (no options yet).
pub async fn issue(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|r| ApiError::body(r, state.config.login_body_limit))?;
    if !body.iter().all(u8::is_ascii_whitespace) {
        let value: Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::malformed(format!("the body is not JSON: {e}")))?;
        if !value.is_object() {
            return Err(ApiError::malformed(
                "the body must be empty or a JSON object",
            ));
        }
    }
    let now = unix_now();
    let request = LoginRequest::new(
        state.relying_party.clone(),
        random_bytes(),
        now,
        now.saturating_add(state.config.challenge_ttl),
    )
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let poll_token = Base64UrlUnpadded::encode_string(&random_bytes());
    state
        .store
        .issue(
            &Issued {
                challenge: request.challenge().to_vec(),
                poll_hash: poll_hash(&poll_token),
                issued_at: request.issued_at(),
                expires_at: request.expires_at(),
            },
            now,
        )
        .await?;
    let request_json: Value =
        serde_json::from_str(&request.to_json()).expect("the request's own JSON parses");
    let qr_payload = format!(
        "{{\"kazashi_login\":1,\"server\":{},\"request\":{}}}",
        Value::String(state.config.public_url.clone()),
        request_json
    );
    let challenge_id = Base64UrlUnpadded::encode_string(request.challenge());
    tracing::info!(expires_at = request.expires_at(), "challenge issued");
    let body = json!({
        "request": request_json,
        "qr_payload": qr_payload,
        "poll_token": poll_token,
        "challenge_id": challenge_id,
        "result_path": format!("/v1/login/challenges/{challenge_id}/result"),
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `POST /v1/login/verify`: verifies a log-in message (version 2) and spends its challenge.
pub async fn verify(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let outcome = verify_inner(&state, body).await;
    match &outcome {
        Ok(_) => state.metrics.login_verdict("logged_in", "ok"),
        Err(e) => {
            state.metrics.login_verdict("rejected", &e.reason);
            tracing::info!(reason = %e.reason, status = e.status.as_u16(), "log-in rejected");
        }
    }
    outcome.map_err(ApiError::rejected)
}

async fn verify_inner(
    state: &AppState,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|r| ApiError::body(r, state.config.login_body_limit))?;
    let message: LoginMessage = serde_json::from_slice(&body)
        .map_err(|e| ApiError::malformed(format!("not a log-in message: {e}")))?;
    let now = unix_now();
    let worker = state.clone();
    let handle = tokio::runtime::Handle::current();
    let (outcome, spent, failure) = tokio::task::spawn_blocking(move || {
        let spend = SpendThrough::new(worker.store.clone(), handle);
        let mut verifier = LoginVerifier::new(&worker.trust, &spend, worker.relying_party.clone());
        if let Some(checker) = worker.revocation.as_deref() {
            verifier = verifier.with_revocation(checker);
        }
        let outcome = verifier.verify_issued(&message, now);
        let (spent, failure) = spend.into_parts();
        (outcome, spent, failure)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    if let Some(failure) = failure {
        return Err(failure.into());
    }
    match outcome {
        Ok(verified) => {
            let result = login_result(&verified);
            if let Some(challenge) = &spent {
                state.store.finish(challenge, Some(&result)).await?;
            }
            // The token type is the app's word: logged only when it is one of the known ones.
            let token_type = match result.token_type.as_str() {
                t @ ("physical-card" | "android-phone" | "iphone" | "juki-card" | "unknown") => t,
                _ => "other",
            };
            tracing::info!(token_type, "logged in");
            Ok((StatusCode::OK, Json(success_body(&verified, &result))).into_response())
        }
        Err(error) => {
            if let Some(challenge) = &spent {
                // The challenge is burnt; the page polling for it sees "expired".
                if let Err(e) = state.store.finish(challenge, None).await {
                    tracing::warn!(error = %e, "could not record a rejection");
                }
            }
            Err(rejection(&error))
        }
    }
}

fn login_result(verified: &LoginVerification) -> LoginResult {
    let certificate = &verified.chain.certificate;
    LoginResult {
        subject_id: subject_id(certificate.der()).unwrap_or_else(|| certificate.subject.clone()),
        token_type: verified.token_type.clone(),
        certificate_expires_at: certificate.not_after,
    }
}

fn success_body(verified: &LoginVerification, result: &LoginResult) -> Value {
    let mut checks: Vec<&str> = vec![
        "message-version-2",
        "relying-party",
        "request-times",
        "challenge-single-use",
    ];
    checks.extend(verified.chain.checks_passed().into_iter().map(|c| c.name()));
    checks.push("login-signature");
    let revocation = match verified.revocation {
        RevocationStatus::NotChecked => "not checked",
        RevocationStatus::Good => "good",
    };
    json!({
        "verdict": "logged_in",
        "subject_id": result.subject_id,
        "token_type": result.token_type,
        "certificate_expires_at": result.certificate_expires_at,
        "relying_party": verified.relying_party.as_ref().map(|r| r.to_string()),
        "anchor": verified.chain.anchor,
        "production_root": verified.chain.production,
        "checks": checks,
        "revocation": revocation,
    })
}

/// The certificate's subject CN: for a J-LIS authentication certificate an opaque id, the
/// stable identifier of the user for a relying party (until the card is renewed).
pub fn subject_id(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let cn = cert.subject().iter_common_name().next()?;
    cn.as_str().ok().map(str::to_string)
}

/// `GET /v1/login/challenges/{challenge}/result` with `Authorization: Bearer <poll token>`:
/// where the log-in stands. Only the holder of the poll token issued with the challenge learns
/// it; anyone else (a second tab, whoever photographed the QR code) gets 403, as does a
/// challenge the store does not hold.
pub async fn result(
    State(state): State<AppState>,
    Path(challenge): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let challenge = Base64UrlUnpadded::decode_vec(challenge.trim_end_matches('='))
        .map_err(|_| ApiError::forbidden())?;
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(ApiError::forbidden)?;
    let now = unix_now();
    let record = state
        .store
        .record(&challenge, now)
        .await?
        .ok_or_else(ApiError::forbidden)?;
    if !bool::from(record.poll_hash.ct_eq(&poll_hash(token.trim()))) {
        return Err(ApiError::forbidden());
    }
    let body = match record.state {
        Stage::LoggedIn(r) => json!({
            "state": "logged_in",
            "subject_id": r.subject_id,
            "token_type": r.token_type,
            "certificate_expires_at": r.certificate_expires_at,
        }),
        Stage::Rejected => json!({"state": "expired"}),
        Stage::Issued | Stage::Spent if now > record.expires_at => json!({"state": "expired"}),
        Stage::Issued | Stage::Spent => json!({"state": "pending"}),
    };
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// Gives the verifier the store's atomic spend. The verifier is synchronous and runs on a
/// blocking thread, from which the store's future is awaited. A store failure is not a verdict:
/// it is kept aside (the verifier sees an unknown challenge and accepts nothing) and the route
/// answers 503.
pub struct SpendThrough {
    store: Arc<dyn ChallengeBackend>,
    handle: tokio::runtime::Handle,
    spent: Mutex<Option<Vec<u8>>>,
    failure: Mutex<Option<StoreError>>,
}

impl SpendThrough {
    /// For one verification, on a blocking thread of `handle`'s runtime.
    pub fn new(store: Arc<dyn ChallengeBackend>, handle: tokio::runtime::Handle) -> Self {
        Self {
            store,
            handle,
            spent: Mutex::new(None),
            failure: Mutex::new(None),
        }
    }

    /// The challenge this verification spent (if it got so far) and the store's failure (if
    /// any).
    pub fn into_parts(self) -> (Option<Vec<u8>>, Option<StoreError>) {
        (
            self.spent.into_inner().unwrap_or_else(|p| p.into_inner()),
            self.failure.into_inner().unwrap_or_else(|p| p.into_inner()),
        )
    }
}

impl ChallengeStore for SpendThrough {
    fn remember(&self, _: &[u8], _: i64, _: i64) -> Result<(), TrustError> {
        // Challenges are issued by the route, with their poll token, not by the verifier.
        Err(TrustError::Malformed {
            reason: "this store only spends challenges".into(),
        })
    }

    fn take(&self, challenge: &[u8], now: i64) -> Result<(), TrustError> {
        let answer = self.handle.block_on(self.store.spend(challenge, now));
        let mark_spent = || {
            *self.spent.lock().unwrap_or_else(|p| p.into_inner()) = Some(challenge.to_vec());
        };
        match answer {
            Ok(Spend::Spent) => {
                mark_spent();
                Ok(())
            }
            Ok(Spend::Expired) => {
                mark_spent();
                Err(TrustError::ChallengeExpired)
            }
            Ok(Spend::Replayed) => Err(TrustError::ChallengeReplayed),
            Ok(Spend::Unknown) => Err(TrustError::ChallengeUnknown),
            Err(e) => {
                *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                Err(TrustError::ChallengeUnknown)
            }
        }
    }
}

fn random_bytes() -> Vec<u8> {
    let mut bytes = vec![0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// SHA-256 of a poll token: the store keeps only this.
pub fn poll_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}
