//! Reports, each by default for the last 30 days (`from` and `until` in Unix ms):
//!
//! - `GET /admin/api/reports/blocks?site=KEY[&from=MS][&until=MS]`: impressions,
//!   unique visitors, clicks, CTR, dismissals, conversions, conversion rate and the
//!   probability to beat the control, per block and variant
//!   ([`personalize::report`](crate::personalize::report));
//! - `GET /admin/api/reports/forms?…`: the form report
//!   ([`forms::report`](crate::forms::report));
//! - `GET /admin/api/reports/workflows?…`: the workflow report
//!   ([`automation::report`](crate::automation::report)).

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::params::{ReportParams, report_range, site};
use crate::automation::report::WorkflowsReport;
use crate::error::ApiError;
use crate::forms::report::FormsReport;
use crate::json::QueryParams;
use crate::personalize::report::BlocksReport;
use crate::state::AppState;

/// The report routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(block_report))
        .routes(routes!(form_report))
        .routes(routes!(workflow_report))
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
    let (from, until) = report_range(&params)?;
    let counts = app.store.form_counts(&site.key, from, until).await?;
    Ok(Json(crate::forms::report::build(site, &counts, from, until)))
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
