//! Signing in and out of the console, outside its gate:
//!
//! - `GET /admin/login?next=PATH`: the sign-in form;
//! - `POST /admin/login`: email and password (a form post); signs in, sets the session
//!   cookie and goes on to `next` (a console path only), or shows the form again
//!   with what went wrong: wrong credentials (401), a locked account or too many
//!   attempts from this address (429), a post from another site (403);
//! - `POST /admin/logout`: ends this session, removes the cookie, back to the form.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::accounts::csrf::not_cross_site;
use crate::accounts::error::AccountError;
use crate::accounts::gate::session_cookie;
use crate::accounts::secret::digest;
use crate::accounts::sessions;
use crate::admin::session::set_cookie;
use crate::console::frame::bare;
use crate::ratelimit::ClientIp;
use crate::state::AppState;

/// Where to go after signing in.
#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignIn {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// `next` if it is a console page of this collector, else the leads list: never
/// another site (`//evil.example`, `/\evil.example`).
fn console_path(next: &str) -> &str {
    let inside = next.starts_with("/admin")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.bytes().any(|byte| byte.is_ascii_control());
    if inside && !next.starts_with("/admin/login") { next } else { "/admin/leads" }
}

fn form(next: &str, email: &str, problem: Option<&str>) -> Markup {
    bare(
        "Sign in",
        html! {
            section.card.sign-in {
                h1 { "Sign in" }
                @if let Some(problem) = problem {
                    p.notice.error role="alert" #sign-in-problem { (problem) }
                }
                form method="post" action="/admin/login" {
                    input type="hidden" name="next" value=(next);
                    div.field {
                        label for="email" { "Email" }
                        input #email type="email" name="email" value=(email) autocomplete="username" required autofocus
                            aria-describedby=[problem.map(|_| "sign-in-problem")];
                    }
                    div.field {
                        label for="password" { "Password" }
                        input #password type="password" name="password" autocomplete="current-password" required;
                    }
                    button.button type="submit" { "Sign in" }
                }
            }
        },
    )
}

/// `GET /admin/login`.
pub async fn show(Query(next): Query<Next>) -> Markup {
    form(console_path(next.next.as_deref().unwrap_or("")), "", None)
}

/// `POST /admin/login`.
pub async fn sign_in(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(given): Form<SignIn>,
) -> Response {
    let next = console_path(&given.next).to_owned();
    let again = |status: StatusCode, problem: &str| {
        (status, form(&next, &given.email, Some(problem))).into_response()
    };
    if !not_cross_site(&headers) {
        return again(StatusCode::FORBIDDEN, "This form was sent from another site.");
    }
    if app.limits.check_login(ip).is_err() {
        return again(StatusCode::TOO_MANY_REQUESTS, "Too many attempts; wait a minute.");
    }
    match sessions::sign_in(&app.store, &app.accounts, &given.email, given.password.clone()).await {
        Ok(signed_in) => {
            let secure = sessions::secure(&app.accounts, &headers);
            let cookie = sessions::cookie(&signed_in.session_id, &app.accounts, secure);
            set_cookie(Redirect::to(&next).into_response(), &cookie)
        }
        Err(AccountError::WrongCredentials) => {
            again(StatusCode::UNAUTHORIZED, "Wrong email or password.")
        }
        Err(AccountError::Locked { .. }) => again(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many wrong passwords: this account is locked for a while.",
        ),
        Err(error) => {
            tracing::warn!(%error, "sign-in failed");
            again(StatusCode::SERVICE_UNAVAILABLE, "Signing in failed; try again in a moment.")
        }
    }
}

/// `POST /admin/logout`.
pub async fn sign_out(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if !not_cross_site(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if let Some(id) = session_cookie(&headers)
        && let Err(error) = sessions::sign_out(&app.store, &digest(id)).await
    {
        tracing::warn!(%error, "signing out failed");
    }
    let mut response = Redirect::to("/admin/login").into_response();
    let removed = sessions::removed_cookie(sessions::secure(&app.accounts, &headers));
    if let Ok(value) = HeaderValue::from_str(&removed) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_console_paths_are_gone_on_to() {
        assert_eq!(console_path("/admin/leads?site=pk"), "/admin/leads?site=pk");
        for outside in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/admin/login",
            "",
            "/admin\r\nx",
        ] {
            assert_eq!(console_path(outside), "/admin/leads", "{outside:?}");
        }
    }
}
