//! Signing in and out of the admin:
//!
//! - `POST /admin/api/session` `{"email", "password"}`: signs in; sets the session
//!   cookie and answers the user. Reachable without a session, behind the per-IP
//!   sign-in limit (`--login-attempts-ip`); refused (403 `csrf`) when the browser says
//!   another site's page sent it;
//! - `GET /admin/api/session`: who is signed in (any credential);
//! - `DELETE /admin/api/session`: signs this session out and removes the cookie;
//! - `DELETE /admin/api/sessions`: signs the user out everywhere (every session).

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::actor::{Actor, Credential, Role};
use crate::accounts::csrf::not_cross_site;
use crate::accounts::sessions;
use crate::accounts::users::UserView;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::ratelimit::ClientIp;
use crate::state::AppState;

/// Signing in: outside the gate.
pub fn login_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_in))
}

/// The signed-in user's own session routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(whoami, sign_out)).routes(routes!(sign_out_everywhere))
}

/// An email and a password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// Who is asking.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Whoami {
    /// The user's id; `bootstrap` for the admin token.
    pub id: String,
    pub email: String,
    /// What this request may do (a token's role may be below its user's).
    pub role: Role,
    /// `session`, `token` or `admin_token`.
    pub via: &'static str,
}

/// `response` with `cookie` set; also for the console's sign-in page.
pub fn set_cookie(mut response: Response, cookie: &str) -> Response {
    match HeaderValue::from_str(cookie) {
        Ok(value) => {
            response.headers_mut().append(SET_COOKIE, value);
            response
        }
        Err(_) => ApiError::Internal.into_response(),
    }
}

#[utoipa::path(
    post,
    path = "/admin/api/session",
    tag = "admin",
    summary = "Signs in; sets the `kindling_session` cookie",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = UserView,
            headers(("Set-Cookie" = String))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::LoginFailed),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 429, response = crate::openapi::RateLimited),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn sign_in(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    app.limits.check_login(ip)?;
    if !not_cross_site(&headers) {
        return Err(ApiError::Csrf);
    }
    let signed_in =
        sessions::sign_in(&app.store, &app.accounts, &credentials.email, credentials.password)
            .await?;
    let cookie = sessions::cookie(
        &signed_in.session_id,
        &app.accounts,
        sessions::secure(&app.accounts, &headers),
    );
    Ok(set_cookie(Json(signed_in.user).into_response(), &cookie))
}

#[utoipa::path(
    get,
    path = "/admin/api/session",
    tag = "admin",
    summary = "Who is signed in",
    responses((status = 200, description = "The actor of this request", body = Whoami))
)]
async fn whoami(actor: Actor) -> Json<Whoami> {
    let via = match actor.credential {
        Credential::Session { .. } => "session",
        Credential::Token { .. } => "token",
        Credential::Bootstrap | Credential::Cli => "admin_token",
    };
    Json(Whoami { id: actor.user, email: actor.email, role: actor.role, via })
}

#[utoipa::path(
    delete,
    path = "/admin/api/session",
    tag = "admin",
    summary = "Signs this session out and removes its cookie",
    responses(
        (status = 204, description = "Signed out (nothing to do without a session)"),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn sign_out(
    State(app): State<AppState>,
    headers: HeaderMap,
    actor: Actor,
) -> Result<Response, ApiError> {
    if let Credential::Session { id_hash } = &actor.credential {
        sessions::sign_out(&app.store, id_hash).await?;
    }
    let removed = sessions::removed_cookie(sessions::secure(&app.accounts, &headers));
    Ok(set_cookie(StatusCode::NO_CONTENT.into_response(), &removed))
}

/// How many sessions ended.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ended {
    pub ended: u64,
}

#[utoipa::path(
    delete,
    path = "/admin/api/sessions",
    tag = "admin",
    summary = "Signs the user out everywhere: every session of theirs ends",
    responses(
        (status = 200, description = "Every session ended", body = Ended),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn sign_out_everywhere(
    State(app): State<AppState>,
    headers: HeaderMap,
    actor: Actor,
) -> Result<Response, ApiError> {
    let ended = sessions::sign_out_everywhere(&app.store, &actor).await?;
    let removed = sessions::removed_cookie(sessions::secure(&app.accounts, &headers));
    Ok(set_cookie(Json(Ended { ended }).into_response(), &removed))
}
