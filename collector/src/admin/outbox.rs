//! The webhook outbox's dead letters:
//!
//! - `GET /admin/api/outbox/dead?site=KEY[&limit=N]`: dead letters, oldest first
//!   (limit 1–1000, default 100): each message's id (its idempotency key), lead,
//!   endpoint, URL, body, attempts and last error; never its secret;
//! - `POST /admin/api/outbox/{id}/replay?site=KEY`: sends a dead letter again: pending,
//!   due now, attempts reset, a new retry window; same id, so a receiver that did get
//!   it still processes it once. 404 if the site has no dead letter with this id.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::admin::params::{list_limit, site};
use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::json::QueryParams;
use crate::state::AppState;
use crate::store::OutboxMessage;

/// The outbox routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/api/outbox/dead", get(dead_letters))
        .route("/admin/api/outbox/{id}/replay", post(replay))
}

#[derive(Debug, Deserialize)]
struct DeadParams {
    site: String,
    limit: Option<u32>,
}

async fn dead_letters(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<DeadParams>,
) -> Result<Json<Vec<OutboxMessage>>, ApiError> {
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
    Path(id): Path<String>,
    QueryParams(params): QueryParams<SiteParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
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
