//! The router: [`ROUTES`] is the list of the API's routes, and the router is built from it, so
//! the test that compares it with `server/openapi.json` compares the real thing.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{middleware, Json, Router};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;
use crate::{login, metrics, portal, rate_limit, signatures};

/// Every route of the API: (method, path template as in the OpenAPI document).
pub const ROUTES: [(&str, &str); 6] = [
    ("POST", "/v1/login/challenges"),
    ("POST", "/v1/login/verify"),
    ("GET", "/v1/login/challenges/{challenge}/result"),
    ("POST", "/v1/signatures/verify"),
    ("GET", "/healthz"),
    ("GET", "/metrics"),
];

fn handler(method: &str, path: &str, state: &AppState) -> MethodRouter<AppState> {
    let login_limit = DefaultBodyLimit::max(state.config.login_body_limit);
    let signature_limit = DefaultBodyLimit::max(state.config.signature_body_limit);
    match (method, path) {
        ("POST", "/v1/login/challenges") => post(login::issue).layer(login_limit),
        ("POST", "/v1/login/verify") => post(login::verify).layer(login_limit),
        ("GET", "/v1/login/challenges/{challenge}/result") => get(login::result),
        ("POST", "/v1/signatures/verify") => post(signatures::verify).layer(signature_limit),
        ("GET", "/healthz") => get(healthz),
        ("GET", "/metrics") => get(render_metrics),
        _ => unreachable!("every entry of ROUTES has a handler"),
    }
}

/// The service's router, with the demo portal merged when configured.
pub fn router(state: AppState) -> Router {
    let mut api = Router::new();
    let mut operations = Router::new();
    for (method, path) in ROUTES {
        if path.starts_with("/v1/") {
            api = api.route(path, handler(method, path, &state));
        } else {
            operations = operations.route(path, handler(method, path, &state));
        }
    }
    let api = api.route_layer(middleware::from_fn_with_state(
        state.clone(),
        rate_limit::limit,
    ));
    let mut app = api.merge(operations);
    if state.config.demo_portal {
        app = app.merge(portal::router(state.clone()));
    }
    app.route_layer(middleware::from_fn_with_state(
        state.clone(),
        metrics::track,
    ))
    .fallback(not_found)
    .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not-found", "no such route")
}

/// `GET /healthz`: 200 when the challenge store answers, 503 when it does not (Redis down).
async fn healthz(State(state): State<AppState>) -> Response {
    let store = state.store.kind();
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "store": store})),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "store": store,
                "reason": "store-unavailable",
                "message": e.to_string(),
            })),
        )
            .into_response(),
    }
}

/// `GET /metrics`: the Prometheus text exposition.
async fn render_metrics(State(state): State<AppState>) -> Response {
    (
        StatusCode::OK,
        [("content-type", "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
        .into_response()
}
