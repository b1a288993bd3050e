//! Probes: `GET /healthz` (the process answers: liveness) and `GET /readyz` (the
//! database answers and takes writes: readiness, 503 otherwise).
//!
//! Readiness reads the database; when the store's last write failed because it could
//! not write ([`WriteHealth`](crate::store::WriteHealth)), it also tries a write of its
//! own, so that a collector on a full disk reports not ready, and ready again as soon
//! as the disk has room, even with no traffic to show it.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::clock::unix_millis;
use crate::state::AppState;
use crate::store;

/// The probe routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(|| async { "ok" })).route("/readyz", get(ready))
}

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
