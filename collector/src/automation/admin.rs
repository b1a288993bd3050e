//! The automation's admin API, behind the admin token like the rest of `/admin/api`:
//!
//! - `GET /admin/api/reports/workflows?site=KEY[&from=MS][&until=MS]`: the workflow
//!   report ([`report`](super::report)), by default for the last 30 days;
//! - `GET /admin/api/outbox/dead?site=KEY[&limit=N]`: dead letters, oldest first
//!   (limit 1–1000, default 100): each message's id (its idempotency key), lead,
//!   endpoint, URL, body, attempts and last error; never its secret;
//! - `POST /admin/api/outbox/{id}/replay?site=KEY`: sends a dead letter again: pending,
//!   due now, attempts reset, a new retry window; same id, so a receiver that did get
//!   it still processes it once. 404 if the site has no dead letter with this id.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::admin::{ReportParams, authorize, list_limit, query, report_range, site};
use crate::automation::report::{self, WorkflowsReport};
use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::OutboxMessage;

/// The automation's admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/api/reports/workflows", get(workflow_report))
        .route("/admin/api/outbox/dead", get(dead_letters))
        .route("/admin/api/outbox/{id}/replay", post(replay))
}

async fn workflow_report(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<Json<WorkflowsReport>, ApiError> {
    authorize(&app, &headers)?;
    let params = query(params)?;
    let site = site(&app, &params.site)?;
    let (from, until) = report_range(&params)?;
    let counts = app.store.workflow_counts(&site.key, from, until).await?;
    Ok(Json(report::build(site, &counts, from, until)))
}

#[derive(Debug, Deserialize)]
struct DeadParams {
    site: String,
    limit: Option<u32>,
}

async fn dead_letters(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<DeadParams>, QueryRejection>,
) -> Result<Json<Vec<OutboxMessage>>, ApiError> {
    authorize(&app, &headers)?;
    let params = query(params)?;
    let site = site(&app, &params.site)?;
    let limit = list_limit(params.limit)?;
    Ok(Json(app.store.dead_letters(&site.key, limit).await?))
}

#[derive(Debug, Deserialize)]
struct SiteParams {
    site: String,
}

async fn replay(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: Result<Query<SiteParams>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&app, &headers)?;
    let params = query(params)?;
    let site = site(&app, &params.site)?;
    let (site_key, message, now) = (site.key.clone(), id.clone(), unix_millis());
    let replayed =
        crate::store::write(&app.store, move |tx| tx.replay(&site_key, &message, now)).await?;
    if !replayed {
        return Err(ApiError::NotFound);
    }
    app.outbox.wake();
    tracing::info!(site = %site.key, id = %id, "dead webhook replayed on request");
    Ok(Json(serde_json::json!({"replayed": id})))
}
