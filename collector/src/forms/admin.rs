//! The lead forms' admin API, behind the admin token like the rest of `/admin/api`:
//!
//! - `GET /admin/api/reports/forms?site=KEY[&from=MS][&until=MS]`: the form report
//!   ([`report`](super::report)), by default for the last 30 days;
//! - `GET /admin/api/forms/confirmations?site=KEY[&pending=true][&limit=N]`: double
//!   opt-in tokens, newest first (limit 1–1000, default 100), each with the address
//!   to send it to and the path of its confirmation link (`/v1/confirm/TOKEN`), for a
//!   mailing tool to poll.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::admin::{ReportParams, authorize, list_limit, query, report_range, site};
use crate::error::ApiError;
use crate::forms::report::{self, FormsReport};
use crate::state::AppState;
use crate::store::Confirmation;

/// The forms' admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/api/reports/forms", get(form_report))
        .route("/admin/api/forms/confirmations", get(confirmations))
}

async fn form_report(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<Json<FormsReport>, ApiError> {
    authorize(&app, &headers)?;
    let params = query(params)?;
    let site = site(&app, &params.site)?;
    let (from, until) = report_range(&params)?;
    let counts = app.store.form_counts(&site.key, from, until).await?;
    Ok(Json(report::build(site, &counts, from, until)))
}

#[derive(Debug, Deserialize)]
struct ConfirmationParams {
    site: String,
    #[serde(default)]
    pending: bool,
    limit: Option<u32>,
}

/// A confirmation token with its link's path.
#[derive(Debug, Serialize)]
struct ConfirmationLine {
    #[serde(flatten)]
    confirmation: Confirmation,
    confirm_path: String,
}

async fn confirmations(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ConfirmationParams>, QueryRejection>,
) -> Result<Json<Vec<ConfirmationLine>>, ApiError> {
    authorize(&app, &headers)?;
    let params = query(params)?;
    let site = site(&app, &params.site)?;
    let limit = list_limit(params.limit)?;
    let lines = app.store.confirmations(&site.key, params.pending, limit).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|confirmation| ConfirmationLine {
                confirm_path: ["/v1/confirm/", &confirmation.token].concat(),
                confirmation,
            })
            .collect(),
    ))
}
