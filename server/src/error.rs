//! The error bodies of the API: `{"reason": "<stable kebab-case code>", "message": "<text>"}`,
//! with `"verdict": "rejected"` on the verification routes. The reason is for code, the message
//! for people; neither ever carries personal data.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::store::StoreError;

/// An answer other than success.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable reason code.
    pub reason: String,
    /// Words for people.
    pub message: String,
    /// Whether the body carries `"verdict": "rejected"` (the verification routes).
    pub verdict: bool,
}

impl ApiError {
    /// An error with a status, a reason and a message.
    pub fn new(status: StatusCode, reason: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.to_string(),
            message: message.into(),
            verdict: false,
        }
    }

    /// The same, as a verdict of a verification route.
    pub fn rejected(mut self) -> Self {
        self.verdict = true;
        self
    }

    /// 400 `malformed`.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed", message)
    }

    /// 403 `forbidden`.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "no such challenge, or not the poll token it was issued with",
        )
    }

    /// 413 `body-too-large`.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            format!("the request body is larger than this route's limit of {limit} bytes"),
        )
    }

    /// A body that could not be read: over the limit (413) or broken (400).
    pub fn body(rejection: axum::extract::rejection::BytesRejection, limit: usize) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::too_large(limit)
        } else {
            Self::malformed(format!("the request body could not be read: {rejection}"))
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let reason = match e {
            StoreError::Unavailable(_) => "store-unavailable",
            StoreError::Full { .. } => "challenge-store-full",
        };
        Self::new(StatusCode::SERVICE_UNAVAILABLE, reason, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = if self.verdict {
            json!({"verdict": "rejected", "reason": self.reason, "message": self.message})
        } else {
            json!({"reason": self.reason, "message": self.message})
        };
        (self.status, Json(body)).into_response()
    }
}
