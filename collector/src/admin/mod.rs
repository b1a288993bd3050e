//! The admin API (`/admin/api/*`), for the site owner's console, scripts and tools.
//! Each file owns its routes and lists them: [`events`], [`profiles`] (a person,
//! erasure, stages, server-side events), [`leads`] (the list and its export),
//! [`reports`] (blocks, forms, workflows), [`forms`] (double opt-in tokens), [`outbox`]
//! (dead letters and replay), [`revisions`] (the configuration's revisions, publishing
//! and YAML import/export), [`audit`] (the audit log), [`audience`] (who an audience rule matches); the accounts' own:
//! [`session`] (signing in and out), [`tokens`] (API tokens); the owner's: [`users`],
//! [`webhooks`] (a webhook's test delivery); [`previews`]
//! (of blocks and forms, for anyone signed in); what they
//! share is in [`params`]. `GET /metrics`, the Prometheus scrape
//! ([`metrics`](crate::metrics)), is behind the same gate.
//!
//! One gate ([`gate`](crate::accounts::gate)) covers every route but signing in: the
//! authentication layer on the whole router, then one role check per area, each the
//! `route_layer` of its sub-router: the content area (a viewer reads, an editor
//! changes), one's own session and tokens (anyone signed in), the owner area (users,
//! webhook tests).
//! The API document marks the same routes as needing a credential, in the same place
//! ([`require_sign_in`](crate::openapi::require_sign_in)).

pub mod audience;
pub mod audit;
pub mod events;
pub mod forms;
pub mod leads;
pub mod outbox;
pub mod params;
pub mod previews;
pub mod profiles;
pub mod reports;
pub mod revisions;
pub mod session;
pub mod tokens;
pub mod users;
pub mod webhooks;

use axum::middleware::{from_fn, from_fn_with_state};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::gate;
use crate::state::AppState;

/// The admin routes and the metrics behind the gate, and signing in beside it.
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    let content = OpenApiRouter::new()
        .merge(events::router())
        .merge(profiles::router())
        .merge(leads::router())
        .merge(reports::router())
        .merge(forms::router())
        .merge(outbox::router())
        .merge(revisions::router())
        .merge(audit::router())
        .merge(audience::router())
        .routes(routes!(crate::metrics::metrics))
        .route_layer(from_fn(gate::require_api));
    let own = OpenApiRouter::new()
        .merge(session::router())
        .merge(tokens::router())
        .merge(previews::router())
        .route_layer(from_fn(gate::require_signed_in));
    let owner = users::router().merge(webhooks::router()).route_layer(from_fn(gate::require_owner));
    let mut gated = content.merge(own).merge(owner);
    crate::openapi::require_sign_in(gated.get_openapi_mut());
    gated
        .route_layer(from_fn_with_state(state.clone(), gate::authenticate))
        .merge(session::login_router())
}
