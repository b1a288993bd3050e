//! Known persons:
//!
//! - `GET /admin/api/leads?site=KEY[&q=][&temperature=][&stage=][&segment=][&source=]
//!   [&min_score=][&max_score=][&first_seen_from=][&first_seen_until=]
//!   [&last_seen_from=][&last_seen_until=][&sort=][&limit=][&offset=]`: best score
//!   first unless `sort` says otherwise (limit 1–500, default 50);
//! - `GET /admin/api/leads/export?site=KEY[&format=csv|json][&…the same filters]`:
//!   every matching lead as a download (see [`export`](crate::export)).

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_DISPOSITION;
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::params::site;
use crate::error::ApiError;
use crate::json::QueryParams;
use crate::profiles::leads::{self, LeadFilter, LeadSort};
use crate::state::AppState;

/// The leads routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_leads)).routes(routes!(export_leads))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LeadsParams {
    /// The site key.
    site: String,
    /// Only leads whose email or name contains this text, whatever its case.
    q: Option<String>,
    /// Only leads of this temperature (`cold`, `warm`, `hot`).
    temperature: Option<String>,
    /// Only leads in this lifecycle stage.
    stage: Option<String>,
    /// Only leads in this segment.
    segment: Option<String>,
    /// Only leads whose first touch came from this source.
    source: Option<String>,
    min_score: Option<i32>,
    max_score: Option<i32>,
    /// Only leads first seen at or after this time (Unix milliseconds).
    first_seen_from: Option<i64>,
    /// Only leads first seen before this time (Unix milliseconds).
    first_seen_until: Option<i64>,
    /// Only leads last seen at or after this time (Unix milliseconds).
    last_seen_from: Option<i64>,
    /// Only leads last seen before this time (Unix milliseconds).
    last_seen_until: Option<i64>,
    /// `score` (best first, the default), `last_seen`, `first_seen` (latest first) or
    /// `email` (A to Z).
    #[param(inline)]
    sort: Option<LeadSort>,
    /// List only: 1 to 500; 50 when not given.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// List only: leads to skip.
    offset: Option<u32>,
    /// Export only: `csv` (the default) or `json`.
    #[param(inline)]
    format: Option<crate::export::Format>,
}

impl LeadsParams {
    fn filter(&self, limit: u32) -> LeadFilter {
        LeadFilter {
            search: self.q.clone(),
            temperature: self.temperature.clone(),
            stage: self.stage.clone(),
            segment: self.segment.clone(),
            source: self.source.clone(),
            min_score: self.min_score,
            max_score: self.max_score,
            first_seen_from_ms: self.first_seen_from,
            first_seen_until_ms: self.first_seen_until,
            last_seen_from_ms: self.last_seen_from,
            last_seen_until_ms: self.last_seen_until,
            sort: self.sort.unwrap_or_default(),
            limit,
            offset: self.offset.unwrap_or(0),
        }
    }
}

#[utoipa::path(
    get,
    path = "/admin/api/leads/export",
    tag = "admin",
    summary = "Every matching lead, as a download",
    params(LeadsParams),
    responses(
        (status = 200, description = "The leads, as an attachment (`Content-Disposition`)",
            headers(("Content-Disposition" = String)),
            content((String = "text/csv"), (Vec<crate::profiles::Person> = "application/json"))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 500, response = crate::openapi::Internal),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn export_leads(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<LeadsParams>,
) -> Result<impl IntoResponse, ApiError> {
    let site = &site(&app, &params.site)?;
    let format = params.format.unwrap_or(crate::export::Format::Csv);
    download(&app, &site.key, &params.filter(0), format).await
}

/// Every lead of `site` matching `filter` (its limit and offset ignored) in `format`,
/// as an attachment: the API's export and the console's.
pub async fn download(
    app: &AppState,
    site: &str,
    filter: &LeadFilter,
    format: crate::export::Format,
) -> Result<impl IntoResponse + use<>, ApiError> {
    let leads = crate::export::all_leads(&app.store, site, filter).await?;
    let body = crate::export::render(&leads, format).map_err(|error| {
        tracing::error!(%error, "leads export failed");
        ApiError::Internal
    })?;
    let disposition = format!("attachment; filename=\"leads-{site}.{}\"", format.extension());
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, format.content_type().to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    ))
}

#[utoipa::path(
    get,
    path = "/admin/api/leads",
    tag = "admin",
    summary = "Known persons, best score first",
    params(LeadsParams),
    responses(
        (status = 200, description = "The leads", body = Vec<crate::profiles::Person>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn list_leads(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<LeadsParams>,
) -> Result<Json<Vec<crate::profiles::Person>>, ApiError> {
    site(&app, &params.site)?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 500"));
    }
    Ok(Json(leads::leads(&app.store, &params.site, &params.filter(limit)).await?))
}
