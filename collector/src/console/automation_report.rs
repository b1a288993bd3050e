//! The automation report, for any signed-in user (markup in
//! [`automation_page`](super::automation_page), the range in
//! [`report_range`](super::report_range)):
//!
//! - `GET /admin/reports/automation[?range=30d|from=…&until=…][&replayed=ID]`: the
//!   workflows' runs and steps, the webhook deliveries per endpoint and the dead
//!   letters, and the speed to lead; with `format=csv&table=workflows|deliveries` the
//!   table named, as a download;
//! - `POST /admin/reports/automation/replay/{id}?site=KEY` (editors and owners): sends
//!   dead letter `id` again (the admin API's replay: pending, due now, same id), then
//!   shows the page saying so.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::accounts::Actor;
use crate::automation::deliveries::{per_endpoint, speed_to_lead};
use crate::automation::report;
use crate::clock::unix_millis;
use crate::console::automation_csv;
use crate::console::automation_page::{self, AutomationView, MAX_DEAD_LETTERS, PATH};
use crate::console::error::ConsoleError;
use crate::console::format::{DAY_MS, query};
use crate::console::layout::{Chrome, Section};
use crate::console::report_range::{Chosen, RangeQuery, day_text};
use crate::console::site::SiteChoice;
use crate::error::ApiError;
use crate::state::AppState;

/// The page's query.
#[derive(Debug, Default, Deserialize)]
pub struct AutomationQuery {
    #[serde(flatten)]
    range: RangeQuery,
    #[serde(default)]
    format: String,
    #[serde(default)]
    table: String,
    replayed: Option<String>,
}

/// `GET /admin/reports/automation`.
pub async fn show(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    asked: Result<Query<AutomationQuery>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let Query(asked) = asked.map_err(|_| ConsoleError::BadInput {
        field: "query",
        message: "use the page's range and links",
    })?;
    let chosen = asked.range.choose(unix_millis().div_euclid(DAY_MS))?;
    let view = load(&app, &sites, &chosen).await.map_err(ApiError::from)?;
    if asked.format == "csv" {
        let table = if asked.table.is_empty() { "workflows" } else { asked.table.as_str() };
        let body = automation_csv::automation(&view, table).ok_or(ConsoleError::BadInput {
            field: "table",
            message: "pick one of the page's tables",
        })?;
        return Ok(download(table, &chosen, body));
    }
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Reports };
    Ok(automation_page::render(&chrome, &chosen, &view, asked.replayed.as_deref()).into_response())
}

/// What the page shows for the chosen site and range.
async fn load(
    app: &AppState,
    sites: &SiteChoice,
    chosen: &Chosen,
) -> Result<AutomationView, crate::store::StoreError> {
    let (site, range) = (sites.key(), chosen.range);
    let (from_ms, until_ms) = (range.from_ms(), range.until_ms());
    let steps = app.store.workflow_counts(site, from_ms, until_ms).await?;
    let counts = app.store.delivery_counts(site, from_ms, until_ms).await?;
    let dead_letters = app.store.dead_letters(site, MAX_DEAD_LETTERS).await?;
    let handoffs = app.store.handoff_times(site, from_ms, until_ms).await?;
    Ok(AutomationView {
        workflows: report::build(&sites.current, &steps, from_ms, until_ms),
        endpoints: per_endpoint(&counts),
        dead_letters,
        speed: speed_to_lead(&handoffs, range.from, range.until),
    })
}

/// `POST /admin/reports/automation/replay/{id}`: sends the dead letter again, then
/// shows the page.
pub async fn replay(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Redirect, ConsoleError> {
    let (site, message, now) = (sites.key().to_owned(), id.clone(), unix_millis());
    let replayed = crate::store::write(&app.store, move |tx| tx.replay(&site, &message, now))
        .await
        .map_err(ApiError::from)?;
    if !replayed {
        return Err(ConsoleError::NotFound);
    }
    app.outbox.wake();
    tracing::info!(site = %sites.key(), id = %id, user = %actor.user, "dead webhook replayed in the console");
    Ok(Redirect::to(&[PATH, "?", &query([("site", sites.key()), ("replayed", &id)])].concat()))
}

/// A CSV download of `table`, named after the range.
fn download(table: &str, chosen: &Chosen, body: Vec<u8>) -> Response {
    let file = format!(
        "attachment; filename=\"automation-{table}-{}-{}.csv\"",
        day_text(chosen.range.from),
        day_text(chosen.range.until - 1)
    );
    ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, file)], body)
        .into_response()
}
