//! `GET /admin/api/audit[?limit=N][&before=ID]`: the audit log, newest first (limit
//! 1–1000, default 100); the next page is `before` the last entry's id.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::params::list_limit;
use crate::error::ApiError;
use crate::json::QueryParams;
use crate::state::AppState;
use crate::store::accounts::AuditEntry;

/// The audit route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditParams {
    /// 1 to 1000; 100 when not given.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// Only entries numbered below this one.
    before: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/admin/api/audit",
    tag = "admin",
    summary = "The audit log, newest first",
    params(AuditParams),
    responses(
        (status = 200, description = "Entries", body = Vec<AuditEntry>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn audit(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<AuditParams>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let limit = list_limit(params.limit)?;
    Ok(Json(app.store.audit(params.before, limit).await?))
}
