//! The admin API (`/admin/api/*`), for the site owner's scripts and tools. Every route
//! is behind the admin token, checked by one layer on this router ([`auth`]). Each
//! file owns its routes and lists them: [`events`], [`profiles`] (a person, erasure,
//! stages, server-side events), [`leads`] (the list and its export), [`reports`]
//! (blocks, forms, workflows), [`forms`] (double opt-in tokens), [`outbox`] (dead
//! letters and replay); what they share is in [`params`]. `GET /metrics`, the
//! Prometheus scrape ([`metrics`](crate::metrics)), is behind the same token.

pub mod auth;
pub mod events;
pub mod forms;
pub mod leads;
pub mod outbox;
pub mod params;
pub mod profiles;
pub mod reports;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;

use crate::state::AppState;

/// The admin routes and the metrics, each behind the token.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(events::router())
        .merge(profiles::router())
        .merge(leads::router())
        .merge(reports::router())
        .merge(forms::router())
        .merge(outbox::router())
        .route("/metrics", get(crate::metrics::metrics))
        .route_layer(from_fn_with_state(state.clone(), auth::require_token))
}
