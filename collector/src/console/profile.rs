//! One person's page, `GET /admin/leads/{id}?site=KEY`, and its actions, each an HTML
//! form post answered with a 303 back to a page:
//!
//! - `POST /admin/leads/{id}/stage` (`stage=sql`): sets the lifecycle stage;
//! - `POST /admin/leads/{id}/customer`: records a customer conversion;
//! - `GET /admin/leads/{id}/export`: the whole profile as a JSON download
//!   (data-subject access);
//! - `GET /admin/leads/{id}/erase`: asks for confirmation; `POST` erases the person
//!   and everything stored about them, then shows the leads list.
//!
//! The work is the admin API's ([`admin::profiles`](crate::admin::profiles)); markup
//! is in [`profile_page`](super::profile_page).

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use maud::Markup;
use serde::Deserialize;

use crate::accounts::Actor;
use crate::admin::profiles::{apply_stage, attachment, erase as erase_person};
use crate::console::error::ConsoleError;
use crate::console::format::{person_path, query};
use crate::console::layout::{Chrome, Section};
use crate::console::profile_page;
use crate::console::site::SiteChoice;
use crate::error::ApiError;
use crate::profiles::stage::Stage;
use crate::profiles::view::{self, ProfileView};
use crate::state::AppState;
use crate::store::PersonKey;

/// The cause recorded with a stage set in the console.
const STAGE_CAUSE: &str = "set_in_console";

/// The cause recorded with a customer conversion (the API's too).
const CUSTOMER_CAUSE: &str = "customer_conversion";

async fn load(app: &AppState, sites: &SiteChoice, id: &str) -> Result<ProfileView, ConsoleError> {
    view::view(&app.store, sites.key(), &PersonKey::Id(id.to_owned()))
        .await
        .map_err(ApiError::from)?
        .ok_or(ConsoleError::UnknownPerson)
}

/// `GET /admin/leads/{id}`: the profile.
pub async fn show(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Markup, ConsoleError> {
    page_of(&app, &actor, &sites, &id, profile_page::render).await
}

/// Person `id`'s profile drawn by `draw`.
async fn page_of(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    id: &str,
    draw: fn(&Chrome<'_>, &ProfileView) -> Markup,
) -> Result<Markup, ConsoleError> {
    let view = load(app, sites, id).await?;
    Ok(draw(&Chrome { actor, sites, section: Section::Leads }, &view))
}

/// `GET /admin/leads/{id}/export`: the profile as a JSON download.
pub async fn export(
    State(app): State<AppState>,
    _actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ConsoleError> {
    Ok(attachment(load(&app, &sites, &id).await?))
}

/// The stage form's body.
#[derive(Debug, Deserialize)]
pub struct StageForm {
    stage: String,
}

/// `POST /admin/leads/{id}/stage`: sets the stage, then shows the profile.
pub async fn set_stage(
    State(app): State<AppState>,
    _actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
    form: Result<Form<StageForm>, FormRejection>,
) -> Result<Redirect, ConsoleError> {
    let chosen = form.ok().and_then(|Form(form)| Stage::parse(&form.stage));
    let stage =
        chosen.ok_or(ConsoleError::BadInput { field: "stage", message: "choose a stage" })?;
    staged(&app, &sites, &id, stage, STAGE_CAUSE).await
}

/// `POST /admin/leads/{id}/customer`: records a customer conversion, then shows the
/// profile.
pub async fn mark_customer(
    State(app): State<AppState>,
    _actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Redirect, ConsoleError> {
    staged(&app, &sites, &id, Stage::Customer, CUSTOMER_CAUSE).await
}

/// Sets person `id`'s stage for `cause`, then shows the profile.
async fn staged(
    app: &AppState,
    sites: &SiteChoice,
    id: &str,
    stage: Stage,
    cause: &str,
) -> Result<Redirect, ConsoleError> {
    apply_stage(app, &sites.current, id, stage, cause).await?;
    Ok(Redirect::to(&person_path(id, "", sites.key())))
}

/// `GET /admin/leads/{id}/erase`: what erasing means, and the button that does it.
pub async fn confirm_erase(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Markup, ConsoleError> {
    page_of(&app, &actor, &sites, &id, profile_page::confirm_erase).await
}

/// `POST /admin/leads/{id}/erase`: erases the person, then shows the leads list.
pub async fn erase(
    State(app): State<AppState>,
    _actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Redirect, ConsoleError> {
    if !erase_person(&app, sites.key(), &id).await? {
        return Err(ConsoleError::UnknownPerson);
    }
    Ok(Redirect::to(&["/admin/leads?", &query([("site", sites.key()), ("erased", "1")])].concat()))
}
