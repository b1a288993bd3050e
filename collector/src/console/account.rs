//! The signed-in user's own account (markup in [`account_page`](super::account_page)),
//! for anyone signed in, viewers included:
//!
//! - `GET /admin/account`: who one is, one's API tokens (never their secrets), the
//!   form making one, and signing out everywhere;
//! - `POST /admin/account/tokens` (`name`, `role`): makes a token. The answer is the
//!   account page itself, with the secret shown this once (`Cache-Control: no-store`),
//!   never a redirect: the secret is in no URL and no later page;
//! - `POST /admin/account/tokens/{id}/revoke`: revokes one of one's tokens;
//! - `POST /admin/account/sign-out-everywhere`: ends every session of one's own, this
//!   one included, and removes the cookie;
//! - a `GET` of a path only posted to goes to the account page (where a browser
//!   sent to sign in first comes back to).
//!
//! These routes are behind [`require_signed_in_page`]: any role, as the API's own
//! session and token routes. The work is [`accounts`](crate::accounts)'.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use serde::Deserialize;

use crate::accounts::tokens::{self, CreatedToken};
use crate::accounts::{Actor, Role, gate, sessions};
use crate::admin::session::set_cookie;
use crate::console::account_forms::{Problem, page_error};
use crate::console::account_page::{self as page, Done, Naming};
use crate::console::error::ConsoleError;
use crate::console::format::query;
use crate::console::layout::{Chrome, Section};
use crate::console::site::SiteChoice;
use crate::state::AppState;

/// Anyone signed in, whatever the method; a browser not signed in is sent to the
/// login page, as [`gate::require_page`] sends it.
pub async fn require_signed_in_page(request: Request, next: Next) -> Response {
    if request.extensions().get::<Actor>().is_some() {
        gate::require_signed_in(request, next).await
    } else {
        gate::require_page(request, next).await
    }
}

/// `/admin/account?site=…`, saying what was `done` when something was.
pub fn account_path(site: &str, done: Option<Done>) -> String {
    let done = done.map_or("", Done::as_str);
    ["/admin/account?", &query([("site", site), ("done", done)])].concat()
}

/// What the page says was done.
#[derive(Debug, Deserialize)]
pub struct Shown {
    done: Option<String>,
}

/// `GET /admin/account`.
pub async fn show(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Query(shown): Query<Shown>,
) -> Result<Markup, ConsoleError> {
    let done = shown.done.as_deref().and_then(Done::parse);
    let naming = Naming { name: "", role: actor.role, problem: None };
    render(&app, &actor, &sites, naming, None, done).await
}

/// The account page with the token form in the state `naming`, and the token just
/// made.
async fn render(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    naming: Naming<'_>,
    created: Option<&CreatedToken>,
    done: Option<Done>,
) -> Result<Markup, ConsoleError> {
    // The admin token and the command line are nobody's: they have no tokens.
    let tokens = match actor.user_id() {
        Some(_) => Some(tokens::list(&app.store, actor, false).await.map_err(page_error)?),
        None => None,
    };
    let chrome = Chrome { actor, sites, section: Section::Account };
    Ok(page::render(&chrome, tokens.as_deref(), &naming, created, done))
}

/// `GET` of a path only posted to: the account page.
pub async fn to_account(sites: SiteChoice) -> Redirect {
    Redirect::to(&account_path(sites.key(), None))
}

/// The token form's fields.
#[derive(Debug, Deserialize)]
pub struct NewToken {
    #[serde(default)]
    name: String,
    /// Empty: the user's own role.
    #[serde(default)]
    role: String,
}

/// `POST /admin/account/tokens`: makes the token and shows it, this once.
pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    form: Result<Form<NewToken>, FormRejection>,
) -> Result<Response, ConsoleError> {
    let Ok(Form(new)) = form else {
        return Err(ConsoleError::BadInput { field: "form", message: "send the page's form" });
    };
    let role = match new.role.as_str() {
        "" => Ok(None),
        name => Role::parse(name).map(Some).ok_or(Problem::invalid("role", "Choose a role.")),
    };
    let made = match role {
        Ok(role) => tokens::create(&app.store, &actor, &new.name, role).await,
        Err(problem) => return refused(&app, &actor, &sites, &new, problem).await,
    };
    match made {
        Ok(created) => {
            let naming = Naming { name: "", role: actor.role, problem: None };
            let page = render(&app, &actor, &sites, naming, Some(&created), None).await?;
            let mut response = (StatusCode::CREATED, page).into_response();
            response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Err(error) => {
            let problem = Problem::of(&error).ok_or_else(|| page_error(error))?;
            refused(&app, &actor, &sites, &new, problem).await
        }
    }
}

/// The account page again with the token form as sent and `problem` beside its field.
async fn refused(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    new: &NewToken,
    problem: Problem,
) -> Result<Response, ConsoleError> {
    let role = Role::parse(&new.role).unwrap_or(actor.role);
    let naming = Naming { name: &new.name, role, problem: Some(&problem) };
    let page = render(app, actor, sites, naming, None, None).await?;
    Ok((problem.status, page).into_response())
}

/// `POST /admin/account/tokens/{id}/revoke`: revokes the token, then shows the page.
pub async fn revoke(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Redirect, ConsoleError> {
    tokens::revoke(&app.store, &actor, &id).await.map_err(page_error)?;
    Ok(Redirect::to(&account_path(sites.key(), Some(Done::Revoked))))
}

/// `POST /admin/account/sign-out-everywhere`: ends every session of the user, removes
/// this browser's cookie and shows the sign-in page.
pub async fn sign_out_everywhere(
    State(app): State<AppState>,
    headers: HeaderMap,
    actor: Actor,
) -> Result<Response, ConsoleError> {
    sessions::sign_out_everywhere(&app.store, &actor).await.map_err(page_error)?;
    let removed = sessions::removed_cookie(sessions::secure(&app.accounts, &headers));
    Ok(set_cookie(Redirect::to(gate::LOGIN_PAGE).into_response(), &removed))
}
