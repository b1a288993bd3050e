//! The leads list, `GET /admin/leads`: known persons of the chosen site, searched by
//! email or name, filtered (temperature, stage, segment, score range, first-touch
//! channel, first and last seen dates), sorted and paged; `GET /admin/leads/export`:
//! every lead the same query matches, as CSV, through the API's export
//! ([`download`](crate::admin::leads::download)). The query is a plain HTML form's
//! `GET` ([`leads_query`](super::leads_query)); markup is in
//! [`leads_page`](super::leads_page).

use axum::extract::State;
use axum::response::IntoResponse;
use maud::Markup;

use crate::accounts::Actor;
use crate::console::error::ConsoleError;
use crate::console::layout::{Chrome, Section};
use crate::console::leads_page;
use crate::console::leads_query::{LeadsQuery, PER_PAGE};
use crate::console::site::SiteChoice;
use crate::error::ApiError;
use crate::export::Format;
use crate::json::QueryParams;
use crate::profiles::leads::{self, LeadFilter};
use crate::state::AppState;

/// `GET /admin/leads`: one page of the leads the query matches.
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    params: Result<QueryParams<LeadsQuery>, ApiError>,
) -> Result<Markup, ConsoleError> {
    let QueryParams(params) = params?;
    let page = params.page()?;
    let filter = LeadFilter {
        limit: PER_PAGE + 1,
        offset: (page - 1).saturating_mul(PER_PAGE),
        ..params.filter()?
    };
    let mut found = leads::leads(&app.store, sites.key(), &filter).await.map_err(ApiError::from)?;
    let more = found.len() > PER_PAGE as usize;
    found.truncate(PER_PAGE as usize);
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Leads };
    Ok(leads_page::render(&chrome, &params, &found, page, more))
}

/// `GET /admin/leads/export`: every lead the list's query matches, as CSV.
pub async fn export(
    State(app): State<AppState>,
    _actor: Actor,
    sites: SiteChoice,
    params: Result<QueryParams<LeadsQuery>, ApiError>,
) -> Result<impl IntoResponse, ConsoleError> {
    let QueryParams(params) = params?;
    let filter = params.filter()?;
    Ok(crate::admin::leads::download(&app, sites.key(), &filter, Format::Csv).await?)
}
