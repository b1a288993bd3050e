//! Reports, each by default for the last 30 days (`from` and `until` in Unix ms):
//!
//! - `GET /admin/api/reports/blocks?site=KEY[&from=MS][&until=MS]`: impressions,
//!   unique visitors, clicks, CTR, dismissals, conversions, conversion rate and the
//!   probability to beat the control, per block and variant
//!   ([`personalize::report`](crate::personalize::report));
//! - `GET /admin/api/reports/forms?…`: the form report
//!   ([`forms::report`](crate::forms::report));
//! - `GET /admin/api/reports/workflows?…`: the workflow report
//!   ([`automation::report`](crate::automation::report));
//! - `GET /admin/api/reports/funnel?…[&breakdown=first_channel][&value=V]`: the funnel
//!   of the persons first seen in the range ([`reporting::funnel`]);
//! - `GET /admin/api/reports/traffic?…[&interval=hour]`: traffic and sources
//!   ([`reporting::traffic`]);
//! - `GET /admin/api/reports/experiments?…`: blocks and variants from the rollups, with
//!   the pipeline each produced and the comparison with the control
//!   ([`reporting::experiments`]);
//! - `GET /admin/api/reports/quality?…`: lead quality ([`reporting::quality`]).
//!
//! The funnel, traffic and experiments reports cover whole days (UTC): the day `from` falls in to
//! the day `until - 1` falls in.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::params::{ReportParams, report_range, site};
use crate::automation::report::WorkflowsReport;
use crate::error::ApiError;
use crate::forms::report::FormsReport;
use crate::json::QueryParams;
use crate::personalize::report::BlocksReport;
use crate::reporting::Range;
use crate::reporting::experiments::{self, ExperimentsReport};
use crate::reporting::funnel::{self, FunnelReport};
use crate::reporting::quality::{self, QualityReport};
use crate::reporting::traffic::{self, TrafficReport};
use crate::state::AppState;
use crate::store::records::FUNNEL_BREAKDOWNS;

/// The report routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(block_report))
        .routes(routes!(form_report))
        .routes(routes!(workflow_report))
        .routes(routes!(funnel_report))
        .routes(routes!(traffic_report))
        .routes(routes!(experiments_report))
        .routes(routes!(quality_report))
}

#[utoipa::path(
    get,
    path = "/admin/api/reports/quality",
    tag = "admin",
    summary = "Leads' scores, temperatures and segments, and the rules that made MQLs",
    params(ReportParams),
    responses(
        (status = 200, description = "The report", body = QualityReport),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn quality_report(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ReportParams>,
) -> Result<Json<QualityReport>, ApiError> {
    let site = &site(&app, &params.site)?;
    let range = days(&params.site, params.from, params.until)?;
    Ok(Json(quality::build(&app.store, &site.key, range, crate::clock::unix_millis()).await?))
}

#[utoipa::path(
    get,
    path = "/admin/api/reports/experiments",
    tag = "admin",
    summary = "Blocks and variants with the pipeline each produced, compared with the control",
    params(ReportParams),
    responses(
        (status = 200, description = "The report", body = ExperimentsReport),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn experiments_report(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ReportParams>,
) -> Result<Json<ExperimentsReport>, ApiError> {
    let site = &site(&app, &params.site)?;
    let range = days(&params.site, params.from, params.until)?;
    Ok(Json(experiments::build(app.store.as_ref(), site, range).await?))
}

/// A funnel report's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FunnelParams {
    /// The site key.
    site: String,
    /// Start, in Unix milliseconds; 30 days before `until` when not given.
    from: Option<i64>,
    /// End, in Unix milliseconds (exclusive); now when not given.
    until: Option<i64>,
    /// `first_channel` (the default), `first_source`, `first_campaign`,
    /// `first_landing`, `last_channel`, `last_source`, `last_campaign` or `last_landing`.
    breakdown: Option<String>,
    /// A value of the breakdown: the stages and times shown are that row's.
    value: Option<String>,
}

/// A traffic report's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TrafficParams {
    /// The site key.
    site: String,
    /// Start, in Unix milliseconds; 30 days before `until` when not given.
    from: Option<i64>,
    /// End, in Unix milliseconds (exclusive); now when not given.
    until: Option<i64>,
    /// `day` (the default) or `hour` (for ranges of up to 14 days).
    interval: Option<String>,
}

/// The whole days of a report's range.
fn days(site: &str, from: Option<i64>, until: Option<i64>) -> Result<Range, ApiError> {
    let params = ReportParams { site: site.to_owned(), from, until };
    let (from, until) = report_range(&params)?;
    Range::of_times(from, until - 1)
        .ok_or_else(|| ApiError::invalid("from", "the range must cover 1 to 400 days"))
}

#[utoipa::path(
    get,
    path = "/admin/api/reports/funnel",
    tag = "admin",
    summary = "Visitors, leads, MQLs, SQLs and customers of the persons first seen in a range",
    params(FunnelParams),
    responses(
        (status = 200, description = "The report", body = FunnelReport),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn funnel_report(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<FunnelParams>,
) -> Result<Json<FunnelReport>, ApiError> {
    let site = &site(&app, &params.site)?;
    let range = days(&params.site, params.from, params.until)?;
    let breakdown = match params.breakdown.as_deref() {
        None => FUNNEL_BREAKDOWNS[0],
        Some(name) => funnel::breakdown(name)
            .ok_or_else(|| ApiError::invalid("breakdown", "not a funnel breakdown"))?,
    };
    let report =
        funnel::build(app.store.as_ref(), &site.key, range, breakdown, params.value).await?;
    Ok(Json(report))
}

#[utoipa::path(
    get,
    path = "/admin/api/reports/traffic",
    tag = "admin",
    summary = "Visitors, visits, pageviews, leads and MQLs over time and per source",
    params(TrafficParams),
    responses(
        (status = 200, description = "The report", body = TrafficReport),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn traffic_report(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<TrafficParams>,
) -> Result<Json<TrafficReport>, ApiError> {
    let site = &site(&app, &params.site)?;
    let range = days(&params.site, params.from, params.until)?;
    let hourly = match params.interval.as_deref() {
        None | Some("day") => false,
        Some("hour") => true,
        Some(_) => return Err(ApiError::invalid("interval", "must be day or hour")),
    };
    Ok(Json(traffic::build(app.store.as_ref(), &site.key, range, hourly).await?))
}

#[utoipa::path(
    get,
    path = "/admin/api/reports/blocks",
    tag = "admin",
    summary = "Block results per variant, with the probability to beat the control",
    params(ReportParams),
    responses(
        (status = 200, description = "The report", body = BlocksReport),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn block_report(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ReportParams>,
) -> Result<Json<BlocksReport>, ApiError> {
    let site = &site(&app, &params.site)?;
    let (from, until) = report_range(&params)?;
    let counts = app.store.block_counts(&site.key, from, until).await?;
    Ok(Json(crate::personalize::report::build(site, &counts, from, until)))
}

#[utoipa::path(
    get,
    path = "/admin/api/reports/forms",
    tag = "admin",
    summary = "Form views, starts, submissions, drop-off, consents and spam",
    params(ReportParams),
    responses(
        (status = 200, description = "The report", body = FormsReport),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn form_report(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ReportParams>,
) -> Result<Json<FormsReport>, ApiError> {
    let site = &site(&app, &params.site)?;
    let range = days(&params.site, params.from, params.until)?;
    let counts = app.store.form_counts(&site.key, range.as_pair()).await?;
    Ok(Json(crate::forms::report::build(site, &counts, range.from_ms(), range.until_ms())))
}

#[utoipa::path(
    get,
    path = "/admin/api/reports/workflows",
    tag = "admin",
    summary = "Workflow runs started, steps taken and how runs ended",
    params(ReportParams),
    responses(
        (status = 200, description = "The report", body = WorkflowsReport),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn workflow_report(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ReportParams>,
) -> Result<Json<WorkflowsReport>, ApiError> {
    let site = &site(&app, &params.site)?;
    let (from, until) = report_range(&params)?;
    let counts = app.store.workflow_counts(&site.key, from, until).await?;
    Ok(Json(crate::automation::report::build(site, &counts, from, until)))
}
