//! The admin router's one gate, in two layers.
//!
//! [`authenticate`] (on the whole admin router) finds who is asking and puts the
//! [`Actor`] in the request's extensions: (a) the `kindling_session` cookie's session,
//! (b) an API token (`Authorization: Bearer kdl_…`), or (c) the deprecated
//! `--admin-token`, an owner (a warning is logged the first time). It refuses a change
//! authenticated by the cookie that a page of another site may have made (403 `csrf`,
//! see [`csrf`](crate::accounts::csrf)). Wrong bearer tokens are counted per client IP
//! and, past `--admin-token-failures` a minute, that IP's requests with a bearer token
//! get 429 for a while; the admin token is compared in constant time (the SHA-256 of
//! both, with `subtle`).
//!
//! Then one role check per area, as a `route_layer` of its sub-router, so a route
//! cannot forget it: [`require_api`] (GET and HEAD need a viewer, other methods an
//! editor), [`require_signed_in`] (anyone signed in: their own session and tokens),
//! [`require_owner`] (users, other people's tokens, later webhooks and secrets). They
//! answer JSON 401 and 403. Server-rendered pages take [`require_page`] or
//! [`require_owner_page`] instead, which send a browser that is not signed in to
//! `/admin/login?next=…`.

use std::sync::Once;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::accounts::actor::{Actor, Credential, Role};
use crate::accounts::csrf::{is_safe, same_origin};
use crate::accounts::{sessions, tokens};
use crate::error::ApiError;
use crate::ratelimit::ClientIp;
use crate::state::AppState;
use crate::store::error::StoreError;

/// Where [`require_page`] sends a browser that is not signed in.
pub const LOGIN_PAGE: &str = "/admin/login";

static ADMIN_TOKEN_USED: Once = Once::new();

/// Finds the actor of the request (see the module docs) and lets it on.
pub async fn authenticate(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mut request: Request,
    next: Next,
) -> Response {
    let bearer = bearer(request.headers()).map(str::to_owned);
    if bearer.is_some()
        && let Some(refused) = app.limits.admin_tokens.refusal(ip)
    {
        return refused.into_response();
    }
    let actor = match find(&app, request.headers(), bearer.as_deref()).await {
        Ok(Found::Actor(actor)) => Some(actor),
        Ok(Found::WrongToken) => match app.limits.admin_tokens.failed(ip) {
            Some(refused) => return refused.into_response(),
            None => None,
        },
        Ok(Found::Nobody) => None,
        Err(error) => return ApiError::Store(error).into_response(),
    };
    if let Some(actor) = actor {
        let by_cookie = matches!(actor.credential, Credential::Session { .. });
        if by_cookie && !is_safe(request.method()) && !same_origin(request.headers()) {
            tracing::info!(user = %actor.user, path = %request.uri().path(), "cross-site change refused");
            return ApiError::Csrf.into_response();
        }
        request.extensions_mut().insert(actor);
    }
    next.run(request).await
}

/// Who [`find`] found.
enum Found {
    Actor(Actor),
    /// A bearer token that is neither an API token nor the admin token.
    WrongToken,
    Nobody,
}

async fn find(
    app: &AppState,
    headers: &HeaderMap,
    bearer: Option<&str>,
) -> Result<Found, StoreError> {
    if let Some(session) = session_cookie(headers)
        && let Some(actor) = sessions::find(&app.store, &app.accounts, session).await?
    {
        return Ok(Found::Actor(actor));
    }
    let Some(bearer) = bearer else { return Ok(Found::Nobody) };
    if let Some(actor) = tokens::find(&app.store, bearer).await? {
        return Ok(Found::Actor(actor));
    }
    if is_admin_token(app.admin_token.as_deref(), bearer) {
        ADMIN_TOKEN_USED.call_once(|| {
            tracing::warn!(
                "--admin-token is deprecated: add users with `kindling-collector user add` \
                 and give scripts API tokens"
            );
        });
        return Ok(Found::Actor(Actor::bootstrap()));
    }
    Ok(Found::WrongToken)
}

/// The token of `Authorization: Bearer …`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

/// The value of the session cookie, from any `Cookie` header.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == sessions::COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

/// Whether `given` is the configured admin token, compared in constant time; never
/// without one.
fn is_admin_token(expected: Option<&str>, given: &str) -> bool {
    let Some(expected) = expected else { return false };
    bool::from(Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes())))
}

/// What an area needs.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// A viewer to read (GET, HEAD), an editor for anything else.
    ByMethod,
    AtLeast(Role),
}

/// How a request that is not signed in is answered.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Json,
    LoginPage,
}

/// The role needed for `method` in an area that needs `needs`.
fn needed(needs: Needs, method: &axum::http::Method) -> Role {
    match needs {
        Needs::ByMethod if is_safe(method) => Role::Viewer,
        Needs::ByMethod => Role::Editor,
        Needs::AtLeast(role) => role,
    }
}

async fn check(needs: Needs, refusal: Refusal, request: Request, next: Next) -> Response {
    let Some(actor) = request.extensions().get::<Actor>() else {
        return match refusal {
            Refusal::Json => ApiError::Unauthorized.into_response(),
            Refusal::LoginPage => login_redirect(&request).into_response(),
        };
    };
    if let Err(refused) = actor.require(needed(needs, request.method())) {
        return refused.into_response();
    }
    next.run(request).await
}

/// A 303 to the login page, which comes back to this page (path and query) after.
fn login_redirect(request: &Request) -> Redirect {
    let here = request.uri().path_and_query().map_or("/admin", |path| path.as_str());
    let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
    Redirect::to(&format!("{LOGIN_PAGE}?next={next}"))
}

/// JSON API areas: GET and HEAD need a viewer, other methods an editor.
pub async fn require_api(request: Request, next: Next) -> Response {
    check(Needs::ByMethod, Refusal::Json, request, next).await
}

/// Anyone signed in, whatever the method: one's own session and tokens.
pub async fn require_signed_in(request: Request, next: Next) -> Response {
    check(Needs::AtLeast(Role::Viewer), Refusal::Json, request, next).await
}

/// The owner area: an owner, whatever the method.
pub async fn require_owner(request: Request, next: Next) -> Response {
    check(Needs::AtLeast(Role::Owner), Refusal::Json, request, next).await
}

/// Pages: as [`require_api`], but a browser not signed in is sent to the login page.
pub async fn require_page(request: Request, next: Next) -> Response {
    check(Needs::ByMethod, Refusal::LoginPage, request, next).await
}

/// Owner pages: as [`require_owner`], sending a browser not signed in to the login page.
pub async fn require_owner_page(request: Request, next: Next) -> Response {
    check(Needs::AtLeast(Role::Owner), Refusal::LoginPage, request, next).await
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderValue, Method};

    use super::*;

    #[test]
    fn only_the_configured_admin_token_passes() {
        assert!(is_admin_token(Some("s3cret"), "s3cret"));
        assert!(!is_admin_token(Some("s3cret"), "s3cre"));
        assert!(!is_admin_token(Some("s3cret"), "s3cret!"));
        assert!(!is_admin_token(None, "s3cret"));
    }

    #[test]
    fn roles_follow_the_method_or_the_area() {
        assert_eq!(needed(Needs::ByMethod, &Method::GET), Role::Viewer);
        assert_eq!(needed(Needs::ByMethod, &Method::HEAD), Role::Viewer);
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert_eq!(needed(Needs::ByMethod, &method), Role::Editor, "{method}");
        }
        assert_eq!(needed(Needs::AtLeast(Role::Owner), &Method::GET), Role::Owner);
    }

    #[test]
    fn pages_send_a_browser_to_the_login_page_and_back() {
        let request = Request::builder()
            .uri("/admin/leads?site=pk&min=70")
            .body(axum::body::Body::empty())
            .expect("request");
        let response = login_redirect(&request).into_response();
        assert_eq!(response.status(), axum::http::StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[axum::http::header::LOCATION],
            "/admin/login?next=%2Fadmin%2Fleads%3Fsite%3Dpk%26min%3D70"
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; kindling_session=abc; b=2"));
        assert_eq!(session_cookie(&headers), Some("abc"));
        let mut empty = HeaderMap::new();
        empty.append(COOKIE, HeaderValue::from_static("kindling_session="));
        assert_eq!(session_cookie(&empty), None);
    }
}
