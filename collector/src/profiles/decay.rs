//! The decay scheduler: every few minutes, every site's persons inactive past the
//! model's `decay.after_days` lose the configured points (never below the floor), one
//! history line per period, and their temperature, stage and segments are
//! re-evaluated (so `dormant` fills up and `hot_leads` empties).
//!
//! Running it on every collector is safe: each pass is one transaction that reads the
//! persons due and stores their new `last_decay_ms`, so a second pass finds nothing due.

use std::sync::Arc;
use std::time::Duration;

use crate::sites::Catalog;
use crate::store::Store;
use crate::unix_millis;

/// Time between passes.
pub const INTERVAL: Duration = Duration::from_secs(300);

/// Runs passes forever (the server aborts it on shutdown).
pub async fn run(store: Arc<dyn Store>, catalog: Arc<Catalog>) {
    let mut every = tokio::time::interval(INTERVAL);
    loop {
        every.tick().await;
        pass(store.as_ref(), &catalog).await;
    }
}

/// One pass over every site.
pub async fn pass(store: &dyn Store, catalog: &Catalog) {
    for site in catalog.sites() {
        match store.decay(&site.key, &site.profiles, unix_millis()).await {
            Ok(0) => {}
            Ok(changed) => tracing::info!(site = %site.key, changed, "inactivity decay applied"),
            Err(error) => {
                tracing::warn!(site = %site.key, %error, "decay pass failed; retried next pass")
            }
        }
    }
}
