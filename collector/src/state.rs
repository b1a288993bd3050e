//! What every handler shares: [`AppState`], one `Arc` of the [`Services`].

use std::sync::Arc;

use axum::extract::FromRef;

use crate::accounts::policy::Policy;
use crate::automation::outbox::Outbox;
use crate::ingest::writer::Writer;
use crate::live::LiveCatalog;
use crate::metrics::Metrics;
use crate::profiles::cache::PersonCache;
use crate::ratelimit::Limits;
use crate::store::Store;

/// Shared state of every handler: one `Arc`, so the clone each request takes is one
/// reference count.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What the handlers share, through [`AppState`].
pub struct Services {
    pub store: Arc<dyn Store>,
    pub writer: Writer,
    pub limits: Arc<Limits>,
    pub catalog: Arc<LiveCatalog>,
    /// Persons by visitor, for boot; the writer keeps it current.
    pub people: Arc<PersonCache>,
    /// The deprecated `--admin-token`.
    pub admin_token: Option<Arc<str>>,
    /// Sessions and sign-in, from the settings.
    pub accounts: Policy,
    /// Previews of blocks and forms, by token.
    pub previews: crate::preview::Previews,
    /// Webhooks waiting for delivery.
    pub outbox: Outbox,
    /// Webhooks may go to private addresses (`--webhook-allow-private`): test
    /// deliveries follow the dispatcher's rule.
    pub webhook_allow_private: bool,
    pub metrics: Arc<Metrics>,
}

impl FromRef<AppState> for Arc<Limits> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.limits)
    }
}

impl FromRef<AppState> for Arc<Metrics> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.metrics)
    }
}
