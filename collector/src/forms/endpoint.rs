//! `POST /v1/forms/{form}/submissions`: a lead form's answers, as JSON from the widget
//! ([`submit`](super::submit)) or form-encoded from the plain HTML form without
//! JavaScript ([`noscript`](super::noscript)), told apart by the content type.

use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::cors;
use crate::error::ApiError;
use crate::forms::{noscript, submit};
use crate::ratelimit::ClientIp;
use crate::state::AppState;

/// Handles `POST /v1/forms/{form}/submissions`.
pub async fn submissions(
    State(app): State<AppState>,
    Path(form): Path<String>,
    client: ClientIp,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let error = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge { limit: kindling_core::limits::MAX_BODY_BYTES }
            } else {
                ApiError::MalformedJson { message: rejection.body_text() }
            };
            return cors::respond(&app.catalog, &headers, Err::<Response, _>(error));
        }
    };
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        noscript::submit(&app, &form, client, &headers, &body).await
    } else {
        submit::submit_json(&app, &form, client, &headers, &body).await
    }
}
