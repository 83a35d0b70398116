//! Requests per client per minute on the `/v1` routes; over the limit, 429.
//!
//! A fixed one-minute window per client address: one counter per address seen this minute,
//! all dropped when the minute turns, so memory is bounded by the clients of one minute. The
//! client is the peer address, or the last entry of a header the TLS-terminating proxy sets
//! (`client_ip_header`, e.g. `x-forwarded-for`): behind a proxy every peer is the proxy.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// The per-client counters.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    header: Option<String>,
    window: Mutex<Window>,
}

#[derive(Debug, Default)]
struct Window {
    minute: u64,
    counts: HashMap<IpAddr, u32>,
}

impl RateLimiter {
    /// `per_minute` requests per client per minute (0: unlimited), the client taken from
    /// `header` when set.
    pub fn new(per_minute: u32, header: Option<String>) -> Self {
        Self {
            per_minute,
            header,
            window: Mutex::new(Window::default()),
        }
    }

    /// Counts a request of `client`; false when it is over the limit.
    pub fn admit(&self, client: IpAddr, now_secs: u64) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        let minute = now_secs / 60;
        let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        if window.minute != minute {
            window.minute = minute;
            window.counts.clear();
        }
        let count = window.counts.entry(client).or_insert(0);
        *count = count.saturating_add(1);
        *count <= self.per_minute
    }

    fn client(&self, request: &Request) -> Option<IpAddr> {
        if let Some(name) = &self.header {
            let from_header = request
                .headers()
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok());
            if from_header.is_some() {
                return from_header;
            }
        }
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip())
    }
}

/// Middleware: 429 `rate-limited` past the limit.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limiter = &state.limiter;
    let client = limiter
        .client(&request)
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if !limiter.admit(client, now) {
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            format!(
                "more than {} requests this minute from this client; try again in a minute",
                limiter.per_minute
            ),
        )
        .into_response();
        let wait = 60 - now % 60;
        response.headers_mut().insert(
            "retry-after",
            wait.to_string().parse().expect("digits are a valid header"),
        );
        return response;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_has_its_own_budget_which_renews_every_minute() {
        let limiter = RateLimiter::new(2, None);
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        assert!(limiter.admit(a, 120) && limiter.admit(a, 121));
        assert!(!limiter.admit(a, 122));
        assert!(limiter.admit(b, 122));
        assert!(limiter.admit(a, 180));
        assert!(RateLimiter::new(0, None).admit(a, 0));
    }
}
