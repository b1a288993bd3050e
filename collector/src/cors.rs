//! Cross-origin access to the public API (`/v1/*`), decided per site.
//!
//! A browser request carries `Origin`; the site named by the body's key must allow it,
//! or the answer is 403 with no CORS headers. Requests without `Origin` (servers,
//! curl) are not browser pages and pass. Preflights carry no body, hence no site key:
//! they are answered for origins some site allows, by one handler per route
//! ([`boot_preflight`], [`events_preflight`], [`submissions_preflight`]) so that each
//! is documented where it is registered. Widgets post `text/plain` JSON, so they never
//! need a preflight.

use axum::extract::State;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::sites::{Catalog, Site};
use crate::state::AppState;

/// Fails with 403 when the request comes from a browser origin `site` does not allow.
pub fn check_origin(site: &Site, headers: &HeaderMap) -> Result<(), ApiError> {
    match request_origin(headers) {
        Some(origin) if !site.allows_origin(origin) => {
            Err(ApiError::OriginNotAllowed { origin: origin.to_owned() })
        }
        _ => Ok(()),
    }
}

/// Renders a public endpoint's outcome, adding CORS headers for allowed origins so the
/// widget can read successes and errors alike (never for a refused origin).
pub fn respond<T: IntoResponse>(
    catalog: &Catalog,
    headers: &HeaderMap,
    outcome: Result<T, ApiError>,
) -> Response {
    let refused = matches!(outcome, Err(ApiError::OriginNotAllowed { .. }));
    let mut response = outcome.into_response();
    if !refused && let Some(origin) = request_origin(headers).filter(|o| catalog.any_site_allows(o))
    {
        allow(&mut response, origin);
    }
    response
}

/// `OPTIONS /v1/*`: answers preflights for origins some site allows.
async fn preflight(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let Some(origin) = request_origin(&headers).filter(|o| app.catalog.load().any_site_allows(o))
    else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    allow(&mut response, origin);
    let response_headers = response.headers_mut();
    response_headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
    response_headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
    response_headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    response
}

/// `OPTIONS /v1/boot`.
#[utoipa::path(
    options,
    path = "/v1/boot",
    tag = "widget",
    summary = "CORS preflight of `POST /v1/boot`",
    params(("Origin" = Option<String>, Header, description = "The calling page's origin")),
    responses(
        (status = 204, response = crate::openapi::PreflightAllowed),
        (status = 403, description = "No site allows the origin, or none was sent"),
    )
)]
pub async fn boot_preflight(app: State<AppState>, headers: HeaderMap) -> Response {
    preflight(app, headers).await
}

/// `OPTIONS /v1/events`.
#[utoipa::path(
    options,
    path = "/v1/events",
    tag = "widget",
    summary = "CORS preflight of `POST /v1/events`",
    params(("Origin" = Option<String>, Header, description = "The calling page's origin")),
    responses(
        (status = 204, response = crate::openapi::PreflightAllowed),
        (status = 403, description = "No site allows the origin, or none was sent"),
    )
)]
pub async fn events_preflight(app: State<AppState>, headers: HeaderMap) -> Response {
    preflight(app, headers).await
}

/// `OPTIONS /v1/forms/{form}/submissions`.
#[utoipa::path(
    options,
    path = "/v1/forms/{form}/submissions",
    tag = "widget",
    summary = "CORS preflight of `POST /v1/forms/{form}/submissions`",
    params(
        ("form" = String, Path, description = "The form's id"),
        ("Origin" = Option<String>, Header, description = "The calling page's origin"),
    ),
    responses(
        (status = 204, response = crate::openapi::PreflightAllowed),
        (status = 403, description = "No site allows the origin, or none was sent"),
    )
)]
pub async fn submissions_preflight(app: State<AppState>, headers: HeaderMap) -> Response {
    preflight(app, headers).await
}

fn request_origin(headers: &HeaderMap) -> Option<&str> {
    headers.get(ORIGIN).and_then(|value| value.to_str().ok())
}

fn allow(response: &mut Response, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.append(VARY, HeaderValue::from_static("Origin"));
    }
}
