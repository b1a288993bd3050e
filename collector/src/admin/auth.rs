//! Who may call the admin API: a request carrying `Authorization: Bearer <token>` with
//! the collector's `--admin-token`. Checked by one layer on the whole admin router
//! ([`require_token`]), before any handler or extractor runs, so a route cannot forget
//! it. The token is compared in constant time (SHA-256 digests of both, compared with
//! `subtle`), so neither its content nor its length leaks through timing. Wrong tokens
//! are counted per client IP ([`TokenFailures`](crate::ratelimit::TokenFailures)):
//! past `--admin-token-failures` a minute, the IP gets 429 with `Retry-After` for a
//! while, whatever token it sends.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::accounts::Actor;
use crate::error::ApiError;
use crate::ratelimit::ClientIp;
use crate::state::AppState;

/// The layer's function: the request goes on only with the admin token, and only from
/// an IP not refused for too many wrong ones. A request without any token is refused
/// but not counted: it guesses nothing.
pub async fn require_token(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut request: Request,
    next: Next,
) -> Response {
    let failures = &app.limits.admin_tokens;
    if let Some(refused) = failures.refusal(ip) {
        return refused.into_response();
    }
    match authorize(app.admin_token.as_deref(), request.headers()) {
        Ok(()) => {
            request.extensions_mut().insert(Actor::bootstrap());
            next.run(request).await
        }
        Err(error) if request.headers().contains_key(AUTHORIZATION) => {
            failures.failed(ip).unwrap_or(error).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// Checks `Authorization: Bearer <token>` against `expected`; without a configured
/// token every request is refused.
pub fn authorize(expected: Option<&str>, headers: &HeaderMap) -> Result<(), ApiError> {
    let expected = expected.ok_or(ApiError::Unauthorized)?;
    let given = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    let same = Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes()));
    if bool::from(same) { Ok(()) } else { Err(ApiError::Unauthorized) }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&["Bearer ", token].concat()).expect("header");
        headers.insert(AUTHORIZATION, value);
        headers
    }

    #[test]
    fn only_the_configured_token_passes() {
        assert!(authorize(Some("s3cret"), &bearer("s3cret")).is_ok());
        assert!(authorize(Some("s3cret"), &bearer("s3cre")).is_err());
        assert!(authorize(Some("s3cret"), &bearer("s3cret!")).is_err());
        assert!(authorize(Some("s3cret"), &HeaderMap::new()).is_err());
        assert!(authorize(None, &bearer("s3cret")).is_err());
    }
}
