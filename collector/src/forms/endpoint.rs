//! `POST /v1/forms/{form}/submissions`: a lead form's answers, as JSON from the widget
//! ([`submit`](super::submit)) or form-encoded from the plain HTML form without
//! JavaScript ([`noscript`](super::noscript)), told apart by the content type.

use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kindling_core::wire::{ErrorBody, FormRejected, FormSubmission, SubmissionAccepted};

use crate::cors;
use crate::error::ApiError;
use crate::forms::noscript::{self, PlainFormPost};
use crate::forms::submit;
use crate::ratelimit::ClientIp;
use crate::state::AppState;

/// Handles `POST /v1/forms/{form}/submissions`.
#[utoipa::path(
    post,
    path = "/v1/forms/{form}/submissions",
    tag = "widget",
    summary = "A lead form's answers",
    description = "As JSON from the widget (`application/json` or `text/plain`), answered with \
        JSON; or form-encoded from the plain HTML form without JavaScript, answered with a \
        redirect (303) back to the page or a short HTML page.",
    params(
        ("form" = String, Path, description = "The form's id"),
        ("Origin" = Option<String>, Header, description = "A browser page's origin; the \
            site must allow it"),
    ),
    request_body(content(
        (FormSubmission = "application/json"),
        (FormSubmission = "text/plain"),
        (PlainFormPost = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The lead is committed (a plain form with no page to \
            go back to gets a thank-you page)", content(
            (SubmissionAccepted = "application/json"), ("text/html"))),
        (status = 303, description = "A plain form's lead is committed: back to the page",
            headers(("Location" = String))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, description = "Unknown site key (`unknown_site`)", content(
            (ErrorBody = "application/json"), ("text/html"))),
        (status = 403, description = "The origin is not allowed (`origin_not_allowed`) or \
            the submission is spam (`spam`)", content(
            (ErrorBody = "application/json"), ("text/html"))),
        (status = 404, description = "The site has no such form (`unknown_form`)", content(
            (ErrorBody = "application/json"), ("text/html"))),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, description = "Values failed their checks: every field at fault",
            content((FormRejected = "application/json"), ("text/html"))),
        (status = 429, description = "Too many requests (`rate_limited`)",
            headers(("Retry-After" = u64)),
            content((ErrorBody = "application/json"), ("text/html"))),
        (status = 503, description = "Storage is unavailable (`unavailable`)", content(
            (ErrorBody = "application/json"), ("text/html"))),
    )
)]
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
            return cors::respond(&app.catalog.load(), &headers, Err::<Response, _>(error));
        }
    };
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        noscript::submit(&app, &form, client, &headers, &body).await
    } else {
        submit::submit_json(&app, &form, client, &headers, &body).await
    }
}
