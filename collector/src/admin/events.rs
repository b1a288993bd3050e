//! `GET /admin/api/events?site=KEY[&visitor=ID][&type=KIND][&limit=N]`: stored events,
//! newest first (limit 1–1000, default 100).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::admin::params::list_limit;
use crate::error::ApiError;
use crate::json::QueryParams;
use crate::state::AppState;
use crate::store::{EventQuery, StoredEvent};

/// The events route.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/api/events", get(list_events))
}

#[derive(Debug, Deserialize)]
struct EventsParams {
    site: String,
    visitor: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<u32>,
}

async fn list_events(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<EventsParams>,
) -> Result<Json<Vec<StoredEvent>>, ApiError> {
    let limit = list_limit(params.limit)?;
    let query = EventQuery { site: params.site, visitor: params.visitor, kind: params.kind, limit };
    Ok(Json(app.store.events(&query).await?))
}
