//! The webhook outbox's dead letters:
//!
//! - `GET /admin/api/outbox/dead?site=KEY[&limit=N]`: dead letters, oldest first
//!   (limit 1–1000, default 100): each message's id (its idempotency key), lead,
//!   endpoint, URL, body, attempts and last error; never its secret;
//! - `POST /admin/api/outbox/{id}/replay?site=KEY`: sends a dead letter again: pending,
//!   due now, attempts reset, a new retry window; same id, so a receiver that did get
//!   it still processes it once. 404 if the site has no dead letter with this id.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::params::{list_limit, site};
use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::json::QueryParams;
use crate::state::AppState;
use crate::store::OutboxMessage;

/// The outbox routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dead_letters)).routes(routes!(replay))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DeadParams {
    /// The site key.
    site: String,
    /// 1 to 1000; 100 when not given.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

#[utoipa::path(
    get,
    path = "/admin/api/outbox/dead",
    tag = "admin",
    summary = "Webhook messages whose every attempt failed, oldest first",
    params(DeadParams),
    responses(
        (status = 200, description = "The dead letters (never their secrets)",
            body = Vec<OutboxMessage>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn dead_letters(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<DeadParams>,
) -> Result<Json<Vec<OutboxMessage>>, ApiError> {
    let site = &site(&app, &params.site)?;
    let limit = list_limit(params.limit)?;
    Ok(Json(app.store.dead_letters(&site.key, limit).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SiteParams {
    /// The site key.
    site: String,
}

/// The answer to a replay.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Replayed {
    /// The message's id, sent again.
    replayed: String,
}

#[utoipa::path(
    post,
    path = "/admin/api/outbox/{id}/replay",
    tag = "admin",
    summary = "Sends a dead letter again, under the same id",
    params(("id" = String, Path, description = "The message's id"), SiteParams),
    responses(
        (status = 200, description = "Pending again, due now", body = Replayed),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn replay(
    State(app): State<AppState>,
    Path(id): Path<String>,
    QueryParams(params): QueryParams<SiteParams>,
) -> Result<Json<Replayed>, ApiError> {
    let site = &site(&app, &params.site)?;
    let (site_key, message, now) = (site.key.clone(), id.clone(), unix_millis());
    let replayed =
        crate::store::write(&app.store, move |tx| tx.replay(&site_key, &message, now)).await?;
    if !replayed {
        return Err(ApiError::NotFound);
    }
    app.outbox.wake();
    tracing::info!(site = %site.key, id = %id, "dead webhook replayed on request");
    Ok(Json(Replayed { replayed: id }))
}
