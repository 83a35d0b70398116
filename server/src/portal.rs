//! The demo portal page ("Log in with My Number Card"), served with `--demo-portal`.
//!
//! The cross-device flow Japanese services use: a desktop browser shows a QR code, a phone
//! reads it, taps the card and posts the log-in to the server; the page learns the result.
//!
//! The page is static (`server/portal/`, compiled in) and talks to the public API only:
//! `POST /v1/login/challenges` for the request, the QR payload and the poll token, then
//! `GET /v1/login/challenges/{challenge}/result` with the token. So the demo exercises exactly
//! what a relying party's own page would, and the poll token stays in the page's script: it is
//! in no QR code, URL or storage. The one thing added here is `POST /demo/qr.svg`, which draws
//! a payload as a QR code with the `qrcode` crate, so the page needs no QR library of its own.

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::rate_limit;
use crate::state::AppState;

/// The page. Plain HTML: everything dynamic is in `portal.js`.
const INDEX_HTML: &str = include_str!("../portal/index.html");
/// The page's script.
const PORTAL_JS: &str = include_str!("../portal/portal.js");
/// The page's style.
const PORTAL_CSS: &str = include_str!("../portal/portal.css");

/// The most a QR code holds (version 40, level L, bytes); a longer payload is no QR payload.
const MAX_QR_PAYLOAD: usize = 2_953;

/// The page's only sources are this server: no inline script, no third party, no framing (a
/// framed log-in page invites click-jacking), `blob:` images for the QR code it draws.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The portal's routes, merged into the server's router when `--demo-portal` is set.
///
/// Drawing a QR code costs CPU, so `POST /demo/qr.svg` counts against the same per-client limit
/// as the API.
pub fn router(state: AppState) -> axum::Router<AppState> {
    let draw = axum::Router::new()
        .route(
            "/demo/qr.svg",
            post(qr_svg).layer(DefaultBodyLimit::max(MAX_QR_PAYLOAD)),
        )
        .route_layer(middleware::from_fn_with_state(state, rate_limit::limit));
    axum::Router::new()
        .route("/demo", get(index))
        .route("/demo/", get(index))
        .route("/demo/portal.js", get(script))
        .route("/demo/portal.css", get(style))
        .merge(draw)
}

/// A static asset with the page's security headers; never cached, so a rebuilt server's page
/// is what the browser runs.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", PORTAL_JS)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", PORTAL_CSS)
}

/// `POST /demo/qr.svg`: the body (a QR payload, UTF-8) drawn as an SVG QR code.
async fn qr_svg(body: Bytes) -> Response {
    match render_qr(&body) {
        Ok(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "no-store"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            svg,
        )
            .into_response(),
        Err(reason) => (StatusCode::BAD_REQUEST, reason).into_response(),
    }
}

/// Draws `payload` as a QR code (error correction M, which a phone reads from a screen at an
/// angle), black on white, with the standard 4-module quiet zone.
///
/// # Errors
///
/// A message for an empty payload, one that is not UTF-8 JSON, or one too long for a QR code.
fn render_qr(payload: &[u8]) -> Result<String, &'static str> {
    let text = std::str::from_utf8(payload).map_err(|_| "the payload is not UTF-8")?;
    // Only JSON objects, such as the server's QR payloads: this is no general QR service.
    if !matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::Object(_))
    ) {
        return Err("the payload is not a JSON object");
    }
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| "the payload does not fit in a QR code")?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(320, 320)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_drawn_and_other_bodies_refused() {
        let payload = br#"{"kazashi_login":1,"server":"http://127.0.0.1:8080","request":{}}"#;
        let svg = render_qr(payload).unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");
        assert!(svg.contains("#000000"));
        // Same payload, same picture; another payload, another.
        assert_eq!(render_qr(payload).unwrap(), svg);
        let other = br#"{"kazashi_login":1,"server":"http://127.0.0.1:8081","request":{}}"#;
        assert_ne!(render_qr(other).unwrap(), svg);

        assert!(render_qr(b"").is_err());
        assert!(render_qr(b"not json").is_err());
        assert!(render_qr(b"[1]").is_err());
        assert!(render_qr(&[0xff, 0xfe]).is_err());
        let huge = format!(r#"{{"x":"{}"}}"#, "a".repeat(MAX_QR_PAYLOAD));
        assert!(render_qr(huge.as_bytes()).is_err());
    }
}
