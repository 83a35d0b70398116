//! Prometheus metrics (the `prometheus` crate's text exposition at `GET /metrics`): requests by
//! route, method and status; latency histograms by route; log-in and signed-file verdicts by
//! reason. Labels are route templates and reason codes only, never ids from a request.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

use crate::state::AppState;

/// The service's metrics, in their own registry.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    login_verdicts: IntCounterVec,
    signature_verdicts: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "kazashi_http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "kazashi_http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route", "method"],
        )
        .expect("valid metric");
        let login_verdicts = IntCounterVec::new(
            Opts::new("kazashi_login_verdicts_total", "Log-in verdicts by reason"),
            &["verdict", "reason"],
        )
        .expect("valid metric");
        let signature_verdicts = IntCounterVec::new(
            Opts::new(
                "kazashi_signature_verdicts_total",
                "Signed-file verdicts by reason",
            ),
            &["verdict", "reason"],
        )
        .expect("valid metric");
        for metric in [&requests, &login_verdicts, &signature_verdicts] {
            registry
                .register(Box::new(metric.clone()))
                .expect("registered once");
        }
        registry
            .register(Box::new(latency.clone()))
            .expect("registered once");
        Self {
            registry,
            requests,
            latency,
            login_verdicts,
            signature_verdicts,
        }
    }

    /// Counts a log-in verdict: `logged_in` with reason `ok`, or `rejected` with its reason.
    pub fn login_verdict(&self, verdict: &str, reason: &str) {
        self.login_verdicts
            .with_label_values(&[verdict, reason])
            .inc();
    }

    /// Counts a signed-file verdict.
    pub fn signature_verdict(&self, verdict: &str, reason: &str) {
        self.signature_verdicts
            .with_label_values(&[verdict, reason])
            .inc();
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding of gathered metrics");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// Middleware (a route layer, so the matched route template is known): counts and times every
/// request, and logs it without its body, query or path parameters.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().as_str().to_string();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16().to_string();
    state
        .metrics
        .requests
        .with_label_values(&[&route, &method, &status])
        .inc();
    state
        .metrics
        .latency
        .with_label_values(&[&route, &method])
        .observe(elapsed.as_secs_f64());
    tracing::info!(
        route = %route,
        method = %method,
        status = %status,
        micros = elapsed.as_micros() as u64,
        "request"
    );
    response
}
