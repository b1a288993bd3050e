//! The owner's users pages (markup in [`users_page`](super::users_page)); each change
//! is a form post answered with a 303 back to the list, or the page again with the
//! problem beside the field it names:
//!
//! - `GET /admin/users`: every user (email, role, when added, whether they may sign
//!   in or are locked) and the form adding one;
//! - `POST /admin/users` (`email`, `password`, `role`): adds a user (400 for a wrong
//!   email or password, 409 when the email is taken);
//! - `POST /admin/users/{id}/role` (`role`): changes a role;
//! - `POST /admin/users/{id}/access` (`active=true|false`): lets a user sign in, or
//!   no longer;
//! - `GET /admin/users/{id}/remove`: asks for confirmation; `POST` removes the user
//!   with their sessions and tokens.
//!
//! The last active owner can be neither demoted, deactivated nor removed (409, said
//! beside the control that tried). Every route needs an owner: the console's router
//! puts them behind [`require_owner_page`](crate::accounts::gate::require_owner_page).
//! The work is [`accounts::users`](crate::accounts::users)', as for the API.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use serde::Deserialize;

use crate::accounts::users::{self, UserChange, UserView};
use crate::accounts::{AccountError, Actor, Role};
use crate::console::account_forms::{Problem, page_error};
use crate::console::error::ConsoleError;
use crate::console::layout::{Chrome, Section};
use crate::console::site::SiteChoice;
use crate::console::users_page::{self as page, Adding, Done, Listing, users_path};
use crate::state::AppState;

/// What the list says was done.
#[derive(Debug, Deserialize)]
pub struct Shown {
    done: Option<String>,
}

/// `GET /admin/users`.
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Query(shown): Query<Shown>,
) -> Result<Markup, ConsoleError> {
    let done = shown.done.as_deref().and_then(Done::parse);
    let adding = Adding { email: "", role: Role::Editor, problem: None };
    listing(&app, &actor, &sites, adding, None, done).await
}

/// The list of users with the add form in the state `adding`, and a row's refusal.
async fn listing(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    adding: Adding<'_>,
    refused: Option<(&str, &Problem)>,
    done: Option<Done>,
) -> Result<Markup, ConsoleError> {
    let users = users::list(&app.store).await.map_err(page_error)?;
    let chrome = Chrome { actor, sites, section: Section::Users };
    Ok(page::list(&chrome, &Listing { users: &users, adding, refused, done }))
}

/// The list again with `problem`, at its status.
async fn refused_list(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    adding: Adding<'_>,
    refused: Option<(&str, &Problem)>,
) -> Result<Response, ConsoleError> {
    let status = adding.problem.or(refused.map(|(_, problem)| problem)).map(|p| p.status);
    let page = listing(app, actor, sites, adding, refused, None).await?;
    Ok((status.unwrap_or_default(), page).into_response())
}

/// The add form's fields.
#[derive(Debug, Deserialize)]
pub struct NewUser {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
}

/// The body of a console form, or a 400 page.
fn fields<T>(form: Result<Form<T>, FormRejection>) -> Result<T, ConsoleError> {
    let bad = ConsoleError::BadInput { field: "form", message: "send the page's form" };
    form.map(|Form(fields)| fields).map_err(|_| bad)
}

/// `role` chosen in a form, or the problem saying to choose one.
fn chosen_role(role: &str) -> Result<Role, Problem> {
    Role::parse(role).ok_or_else(|| Problem::invalid("role", "Choose a role."))
}

/// `POST /admin/users`: adds the user, then shows the list.
pub async fn add(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    form: Result<Form<NewUser>, FormRejection>,
) -> Result<Response, ConsoleError> {
    let new = fields(form)?;
    let problem = match chosen_role(&new.role) {
        Err(problem) => problem,
        Ok(role) => match users::add(&app.store, &actor, &new.email, new.password, role).await {
            Ok(_) => {
                let done = users_path(sites.key(), Some(Done::Added));
                return Ok(Redirect::to(&done).into_response());
            }
            Err(error) => Problem::of(&error).ok_or_else(|| page_error(error))?,
        },
    };
    let role = Role::parse(&new.role).unwrap_or(Role::Editor);
    let adding = Adding { email: &new.email, role, problem: Some(&problem) };
    refused_list(&app, &actor, &sites, adding, None).await
}

/// The role form's field.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// `POST /admin/users/{id}/role`: changes the role, then shows the list.
pub async fn set_role(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
    form: Result<Form<RoleForm>, FormRejection>,
) -> Result<Response, ConsoleError> {
    let change = match chosen_role(&fields(form)?.role) {
        Ok(role) => UserChange { role: Some(role), ..UserChange::default() },
        Err(problem) => return row_refused(&app, &actor, &sites, &id, problem).await,
    };
    changed(&app, &actor, &sites, &id, change, Done::Role, "role").await
}

/// The access form's field.
#[derive(Debug, Deserialize)]
pub struct AccessForm {
    active: bool,
}

/// `POST /admin/users/{id}/access`: lets the user sign in or no longer, then shows the
/// list.
pub async fn set_access(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
    form: Result<Form<AccessForm>, FormRejection>,
) -> Result<Response, ConsoleError> {
    let change = UserChange { active: Some(fields(form)?.active), ..UserChange::default() };
    changed(&app, &actor, &sites, &id, change, Done::Access, "access").await
}

/// Applies `change` to user `id`: the list saying `done`, or the list again with the
/// problem beside the row's `field`.
async fn changed(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    id: &str,
    change: UserChange,
    done: Done,
    field: &'static str,
) -> Result<Response, ConsoleError> {
    match users::change(&app.store, actor, id, change).await {
        Ok(_) => Ok(Redirect::to(&users_path(sites.key(), Some(done))).into_response()),
        Err(error) => {
            let problem = Problem::of(&error).ok_or_else(|| page_error(error))?.at(field);
            row_refused(app, actor, sites, id, problem).await
        }
    }
}

/// The list again with `problem` beside user `id`'s row.
async fn row_refused(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    id: &str,
    problem: Problem,
) -> Result<Response, ConsoleError> {
    let adding = Adding { email: "", role: Role::Editor, problem: None };
    refused_list(app, actor, sites, adding, Some((id, &problem))).await
}

/// User `id`, or a 404 page.
async fn user(app: &AppState, id: &str) -> Result<UserView, ConsoleError> {
    let users = users::list(&app.store).await.map_err(page_error)?;
    users.into_iter().find(|user| user.id == id).ok_or(ConsoleError::NotFound)
}

/// `GET /admin/users/{id}/remove`: what removing means, and the button that does it.
pub async fn confirm_remove(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Markup, ConsoleError> {
    let user = user(&app, &id).await?;
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Users };
    Ok(page::confirm_remove(&chrome, &user, None))
}

/// `POST /admin/users/{id}/remove`: removes the user, then shows the list; the
/// confirmation again when the user is the last owner.
pub async fn remove(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Response, ConsoleError> {
    match users::remove(&app.store, &actor, &id).await {
        Ok(()) => Ok(Redirect::to(&users_path(sites.key(), Some(Done::Removed))).into_response()),
        Err(error @ AccountError::LastOwner) => {
            let problem = Problem::of(&error).ok_or_else(|| page_error(error))?.at("remove");
            let user = user(&app, &id).await?;
            let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Users };
            Ok((problem.status, page::confirm_remove(&chrome, &user, Some(&problem)))
                .into_response())
        }
        Err(error) => Err(page_error(error)),
    }
}
