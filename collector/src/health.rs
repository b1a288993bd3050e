//! Probes: `GET /healthz` (the process answers: liveness) and `GET /readyz` (the
//! database answers and takes writes: readiness, 503 otherwise).
//!
//! Readiness reads the database; when the store's last write failed because it could
//! not write ([`WriteHealth`](crate::store::WriteHealth)), it also tries a write of its
//! own, so that a collector on a full disk reports not ready, and ready again as soon
//! as the disk has room, even with no traffic to show it.

use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::clock::unix_millis;
use crate::state::AppState;
use crate::store;

/// The probe routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live)).routes(routes!(ready))
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "probes",
    summary = "Liveness: the process answers",
    responses((status = 200, description = "`ok`", content_type = "text/plain", body = String))
)]
async fn live() -> &'static str {
    "ok"
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "probes",
    summary = "Readiness: the database answers and takes writes",
    responses(
        (status = 200, description = "`ready`", content_type = "text/plain", body = String),
        (status = 503, description = "Why not: `database unavailable` or `database does not \
            take writes`", content_type = "text/plain", body = String),
    )
)]
async fn ready(State(app): State<AppState>) -> (StatusCode, &'static str) {
    if let Err(error) = app.store.ping().await {
        tracing::warn!(%error, "not ready: database does not answer");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable");
    }
    if app.store.write_health().is_unavailable() {
        let now = unix_millis();
        if store::write(&app.store, move |tx| tx.probe(now)).await.is_err() {
            return (StatusCode::SERVICE_UNAVAILABLE, "database does not take writes");
        }
    }
    (StatusCode::OK, "ready")
}
