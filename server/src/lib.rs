//! # kazashi-server
//!
//! The relying party's side of kazashi as an HTTP service (axum on tokio):
//!
//! - `POST /v1/login/challenges` issues a version-2 log-in request (a single-use challenge),
//!   its QR payload for the cross-device flow, and a poll token for its result;
//! - `POST /v1/login/verify` verifies the log-in message the phone sends
//!   (`kazashi_verify::LoginVerifier`), spending the challenge atomically;
//! - `GET /v1/login/challenges/{challenge}/result` tells the page holding the poll token;
//! - `POST /v1/signatures/verify` verifies a signed file;
//! - `GET /healthz`, `GET /metrics`.
//!
//! Challenges live in this process ([`store::MemoryStore`], the default) or in Redis
//! ([`store::RedisStore`]) shared by every instance. The API is described by
//! `server/openapi.json`; `server/README.md` says how to run and configure it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod error;
pub mod login;
pub mod metrics;
pub mod portal;
pub mod rate_limit;
pub mod routes;
pub mod signatures;
pub mod state;
pub mod store;
pub mod trust;

use std::future::Future;
use std::net::SocketAddr;

pub use config::{Cli, Config, ConfigError};
pub use routes::{router, ROUTES};
pub use state::AppState;

/// Serves `state` on `listener` until `shutdown` completes; requests in flight then finish
/// (graceful shutdown).
///
/// # Errors
///
/// The listener's I/O errors.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
