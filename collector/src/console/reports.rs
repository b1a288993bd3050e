//! The report pages, for any signed-in user (markup in [`funnel_page`] and
//! [`traffic_page`]; the range in [`report_range`]):
//!
//! - `GET /admin/reports/funnel[?range=30d|from=…&until=…][&breakdown=B][&value=V]`:
//!   the funnel of the persons first seen in the range, by breakdown `B`, the chart and
//!   times for row `V`;
//! - `GET /admin/reports/traffic[?…][&interval=day|hour]`: traffic and sources;
//! - `GET /admin/reports/blocks[?…]`: blocks and experiments;
//! - `GET /admin/reports/quality[?…]`: lead quality.
//!
//! With `format=csv` either answers the table it shows as a download (the traffic page
//! names one with `table=series|channel|source|campaign|referrer|landing|page`).
//! `GET /admin/reports` opens the funnel.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::accounts::Actor;
use crate::clock::unix_millis;
use crate::console::error::ConsoleError;
use crate::console::format::{DAY_MS, query};
use crate::console::layout::{Chrome, Section};
use crate::console::report_range::{Chosen, RangeQuery, day_text};
use crate::console::site::SiteChoice;
use crate::console::{experiments_page, funnel_page, quality_page, report_csv, traffic_page};
use crate::reporting::{experiments, funnel, quality, traffic};
use crate::state::AppState;
use crate::store::records::FUNNEL_BREAKDOWNS;

/// The funnel page's query.
#[derive(Debug, Default, Deserialize)]
pub struct FunnelQuery {
    #[serde(flatten)]
    range: RangeQuery,
    #[serde(default)]
    breakdown: String,
    value: Option<String>,
    #[serde(default)]
    format: String,
}

/// The traffic page's query.
#[derive(Debug, Default, Deserialize)]
pub struct TrafficQuery {
    #[serde(flatten)]
    range: RangeQuery,
    #[serde(default)]
    interval: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    table: String,
}

fn bad_query() -> ConsoleError {
    ConsoleError::BadInput { field: "query", message: "use the page's range and links" }
}

fn chosen(range: &RangeQuery) -> Result<Chosen, ConsoleError> {
    range.choose(unix_millis().div_euclid(DAY_MS))
}

/// `GET /admin/reports`.
pub async fn home(sites: SiteChoice) -> Redirect {
    Redirect::to(&["/admin/reports/funnel?", &query([("site", sites.key())])].concat())
}

/// `GET /admin/reports/funnel`.
pub async fn funnel(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    asked: Result<Query<FunnelQuery>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let Query(asked) = asked.map_err(|_| bad_query())?;
    let chosen = chosen(&asked.range)?;
    let breakdown = match asked.breakdown.as_str() {
        "" => FUNNEL_BREAKDOWNS[0],
        name => funnel::breakdown(name).ok_or(ConsoleError::BadInput {
            field: "breakdown",
            message: "pick one of the page's breakdowns",
        })?,
    };
    let report =
        funnel::build(app.store.as_ref(), sites.key(), chosen.range, breakdown, asked.value)
            .await
            .map_err(crate::error::ApiError::from)?;
    if asked.format == "csv" {
        return Ok(download("funnel", &chosen, report_csv::funnel(&report)));
    }
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Reports };
    Ok(funnel_page::render(&chrome, &chosen, &report).into_response())
}

/// `GET /admin/reports/traffic`.
pub async fn traffic(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    asked: Result<Query<TrafficQuery>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let Query(asked) = asked.map_err(|_| bad_query())?;
    let chosen = chosen(&asked.range)?;
    let hourly = asked.interval == "hour";
    let report = traffic::build(app.store.as_ref(), sites.key(), chosen.range, hourly)
        .await
        .map_err(crate::error::ApiError::from)?;
    if asked.format == "csv" {
        let table = if asked.table.is_empty() { "series" } else { asked.table.as_str() };
        let body = report_csv::traffic(&report, table).ok_or(ConsoleError::BadInput {
            field: "table",
            message: "pick one of the page's tables",
        })?;
        return Ok(download(&["traffic-", table].concat(), &chosen, body));
    }
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Reports };
    Ok(traffic_page::render(&chrome, &chosen, &report).into_response())
}

/// `GET /admin/reports/blocks`.
pub async fn blocks(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    asked: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let Query(asked) = asked.map_err(|_| bad_query())?;
    let chosen = chosen(&asked)?;
    let site = app.catalog.site(sites.key()).ok_or(ConsoleError::UnknownSite)?;
    let report = experiments::build(app.store.as_ref(), &site, chosen.range)
        .await
        .map_err(crate::error::ApiError::from)?;
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Reports };
    Ok(experiments_page::render(&chrome, &chosen, &report).into_response())
}

/// `GET /admin/reports/quality`.
pub async fn quality(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    asked: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let Query(asked) = asked.map_err(|_| bad_query())?;
    let chosen = chosen(&asked)?;
    let report = quality::build(&app.store, sites.key(), chosen.range, unix_millis())
        .await
        .map_err(crate::error::ApiError::from)?;
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Reports };
    Ok(quality_page::render(&chrome, &chosen, &report).into_response())
}

/// A CSV download named after the report and its range.
fn download(name: &str, chosen: &Chosen, body: Vec<u8>) -> Response {
    let file = format!(
        "attachment; filename=\"{name}-{}-{}.csv\"",
        day_text(chosen.range.from),
        day_text(chosen.range.until - 1)
    );
    ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, file)], body)
        .into_response()
}
