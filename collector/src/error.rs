//! The public API's error type: every handler failure is one of these variants,
//! rendered in one place as a status code and an [`ErrorBody`] naming the field at fault.
//! Internal errors are logged once here and reach the client as a generic message.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kindling_core::wire::{ErrorBody, ErrorDetail};

use crate::store::StoreError;

/// Why a request to the collector failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the body is not valid JSON: {message}")]
    MalformedJson { message: String },
    #[error("{message}")]
    InvalidField { field: String, message: String },
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("send the body as application/json or text/plain")]
    UnsupportedMediaType,
    #[error("unknown site key")]
    UnknownSite,
    #[error("the site has no form with this id")]
    UnknownForm,
    #[error("origin {origin} is not allowed for this site")]
    OriginNotAllowed { origin: String },
    #[error("sign in, or send a valid API token")]
    Unauthorized,
    #[error("{path}: {message}")]
    InvalidConfig { path: String, message: String },
    #[error("wrong email or password")]
    LoginFailed,
    #[error("this needs the {needs} role")]
    Forbidden { needs: &'static str },
    #[error("cross-site request refused: send it from the admin's own origin")]
    Csrf,
    #[error("{message}")]
    Conflict { message: String },
    #[error("no such endpoint")]
    NotFound,
    #[error("this preview has expired or never existed; ask for a new one")]
    PreviewGone,
    #[error("internal error")]
    Internal,
    #[error("too many requests; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("storage is unavailable, retry later")]
    Unavailable,
    #[error("storage failed")]
    Store(#[from] StoreError),
}

impl ApiError {
    /// A problem with one field of the request, named by its JSON path.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::InvalidField { field: field.into(), message: message.into() }
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson { .. }
            | ApiError::InvalidField { .. }
            | ApiError::InvalidConfig { .. } => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::UnknownSite | ApiError::Unauthorized | ApiError::LoginFailed => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::OriginNotAllowed { .. } | ApiError::Forbidden { .. } | ApiError::Csrf => {
                StatusCode::FORBIDDEN
            }
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::NotFound | ApiError::UnknownForm => StatusCode::NOT_FOUND,
            ApiError::PreviewGone => StatusCode::GONE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Store(_) | ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson { .. } => "malformed_json",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::InvalidConfig { .. } => "invalid_config",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::UnknownSite => "unknown_site",
            ApiError::UnknownForm => "unknown_form",
            ApiError::OriginNotAllowed { .. } => "origin_not_allowed",
            ApiError::Unauthorized => "unauthorized",
            ApiError::LoginFailed => "login_failed",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::Csrf => "csrf",
            ApiError::Conflict { .. } => "conflict",
            ApiError::NotFound => "not_found",
            ApiError::PreviewGone => "preview_gone",
            ApiError::Internal => "internal",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Store(_) | ApiError::Unavailable => "unavailable",
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            ApiError::InvalidField { field, .. } => Some(field.clone()),
            ApiError::InvalidConfig { path, .. } => Some(path.clone()),
            ApiError::UnknownSite => Some("site".to_owned()),
            ApiError::UnknownForm => Some("form".to_owned()),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = match &self {
            ApiError::Store(error) => {
                // Logged, counted, by the store's write health.
                tracing::debug!(%error, "request failed in storage; client told to retry");
                "storage is unavailable, retry later".to_owned()
            }
            other => other.to_string(),
        };
        let body = ErrorBody {
            error: ErrorDetail { code: self.code().to_owned(), message, field: self.field() },
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let ApiError::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// Fallback for paths no route serves: a JSON 404 like every other error.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Turns a handler panic into a JSON 500; the panic itself is logged once here.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %detail, "handler panicked; request answered with 500");
    ApiError::Internal.into_response()
}
