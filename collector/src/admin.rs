//! The admin API (`/admin/api/*`), behind a bearer token (`--admin-token`).
//!
//! - `GET /admin/api/events?site=KEY[&visitor=ID][&type=KIND][&limit=N]`: stored
//!   events, newest first (limit 1–1000, default 100).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;
use crate::store::{EventQuery, StoredEvent};

/// The admin routes.
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
    headers: HeaderMap,
    params: Result<Query<EventsParams>, QueryRejection>,
) -> Result<Json<Vec<StoredEvent>>, ApiError> {
    authorize(&app, &headers)?;
    let Query(params) = params.map_err(|rejection| ApiError::invalid("query", rejection.body_text()))?;
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 1000"));
    }
    let query = EventQuery { site: params.site, visitor: params.visitor, kind: params.kind, limit };
    Ok(Json(app.store.events(&query).await?))
}

/// Checks `Authorization: Bearer <token>` in constant time.
fn authorize(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let expected = app.admin_token.as_deref().ok_or(ApiError::Unauthorized)?;
    let given = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    let same_length = given.len() == expected.len();
    let difference = given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if same_length && difference == 0 { Ok(()) } else { Err(ApiError::Unauthorized) }
}
