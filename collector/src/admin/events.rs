//! `GET /admin/api/events?site=KEY[&visitor=ID][&type=KIND][&limit=N]`: stored events,
//! newest first (limit 1–1000, default 100).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::params::list_limit;
use crate::error::ApiError;
use crate::json::QueryParams;
use crate::state::AppState;
use crate::store::{EventQuery, StoredEvent};

/// The events route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_events))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct EventsParams {
    /// The site key.
    site: String,
    /// Only this visitor's events.
    visitor: Option<String>,
    /// Only events of this type (`pageview`, `form_submit`, …).
    #[serde(rename = "type")]
    kind: Option<String>,
    /// 1 to 1000; 100 when not given.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/admin/api/events",
    tag = "admin",
    summary = "Stored events, newest first",
    params(EventsParams),
    responses(
        (status = 200, description = "The events", body = Vec<StoredEvent>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn list_events(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<EventsParams>,
) -> Result<Json<Vec<StoredEvent>>, ApiError> {
    let limit = list_limit(params.limit)?;
    let query = EventQuery { site: params.site, visitor: params.visitor, kind: params.kind, limit };
    Ok(Json(app.store.events(&query).await?))
}
