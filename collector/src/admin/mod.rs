//! The admin API (`/admin/api/*`), for the site owner's scripts and tools. Every route
//! is behind the admin token, checked by one layer on this router ([`auth`]). Each
//! file owns its routes and lists them: [`events`], [`profiles`] (a person, erasure,
//! stages, server-side events), [`leads`] (the list and its export), [`reports`]
//! (blocks, forms, workflows), [`forms`] (double opt-in tokens), [`outbox`] (dead
//! letters and replay), [`revisions`] (the configuration's revisions, publishing
//! and YAML import/export); what they share is in [`params`]. `GET /metrics`, the
//! Prometheus scrape ([`metrics`](crate::metrics)), is behind the same token. The API
//! document marks every route of this router as needing the token, in the same place
//! the layer is applied ([`require_admin_token`](crate::openapi::require_admin_token)).

pub mod auth;
pub mod events;
pub mod forms;
pub mod leads;
pub mod outbox;
pub mod params;
pub mod profiles;
pub mod reports;
pub mod revisions;

use axum::middleware::from_fn_with_state;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The admin routes and the metrics, each behind the token.
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::new()
        .merge(events::router())
        .merge(profiles::router())
        .merge(leads::router())
        .merge(reports::router())
        .merge(forms::router())
        .merge(outbox::router())
        .merge(revisions::router())
        .routes(routes!(crate::metrics::metrics));
    crate::openapi::require_admin_token(router.get_openapi_mut());
    router.route_layer(from_fn_with_state(state.clone(), auth::require_token))
}
