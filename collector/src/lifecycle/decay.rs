//! The decay scheduler: every few minutes, every site's persons inactive past the
//! model's `decay.after_days` lose the configured points (never below the floor), one
//! history line per period, and their temperature, stage and segments are
//! re-evaluated (so `dormant` fills up and `hot_leads` empties).
//!
//! Running it on every collector is safe: each pass is one transaction that holds the
//! persons due and stores their new `last_decay_ms`, so a second pass finds nothing due.

use std::sync::Arc;
use std::time::Duration;

use kindling_core::scoring::DAY_MS;

use crate::automation::enroll::{Before, enroll};
use crate::clock::unix_millis;
use crate::live::LiveCatalog;
use crate::profiles::document::{decode, persist};
use crate::profiles::engine::Changes;
use crate::profiles::model::ProfileModel;
use crate::sites::Catalog;
use crate::store::{self, Store, StoreResult};

/// Time between passes, unless the settings say otherwise.
pub const INTERVAL: Duration = Duration::from_secs(300);

/// Persons one pass reads at most per site.
pub const DECAY_BATCH: u32 = 1000;

/// Runs a pass every `interval`, forever (the server aborts it on shutdown).
pub async fn run(store: Arc<dyn Store>, catalog: Arc<LiveCatalog>, interval: Duration) {
    let mut every = tokio::time::interval(interval);
    loop {
        every.tick().await;
        pass(&store, &catalog.load()).await;
    }
}

/// One pass over every site.
pub async fn pass(store: &Arc<dyn Store>, catalog: &Catalog) {
    for site in catalog.sites() {
        match decay(store, &site.key, &site.profiles, unix_millis()).await {
            Ok(0) => {}
            Ok(changed) => tracing::info!(site = %site.key, changed, "inactivity decay applied"),
            Err(error) => {
                tracing::warn!(site = %site.key, %error, "decay pass failed; retried next pass")
            }
        }
    }
}

/// Applies the inactivity decay due at `now` to up to [`DECAY_BATCH`] of `site`'s
/// persons; returns how many changed.
pub async fn decay(
    store: &Arc<dyn Store>,
    site: &str,
    model: &Arc<ProfileModel>,
    now: i64,
) -> StoreResult<u32> {
    let Some(decay) = model.scoring.decay.as_ref() else { return Ok(0) };
    let period = i64::from(decay.after_days) * DAY_MS as i64;
    let floor = decay.floor;
    let (site, model) = (site.to_owned(), Arc::clone(model));
    store::write(store, move |tx| {
        let docs = tx.decay_candidates(&site, now - period, floor, DECAY_BATCH)?;
        let as_u64 = |ms: i64| u64::try_from(ms).unwrap_or(0);
        let mut changed = 0;
        for doc in docs {
            let mut person = decode(&doc)?;
            let awards = model.scoring.decay_due(
                person.score,
                as_u64(person.last_activity_ms),
                as_u64(person.last_decay_ms),
                as_u64(now),
            );
            if awards.is_empty() {
                continue;
            }
            let through = model.scoring.decayed_through(
                as_u64(person.last_activity_ms),
                as_u64(person.last_decay_ms),
                as_u64(now),
            );
            let mut changes = Changes::default();
            let before = Before::of(&person);
            person.award(&awards, now, None, &mut changes);
            person.last_decay_ms = through.map_or(now, |t| i64::try_from(t).unwrap_or(now));
            person.settle(&model, now, None, &mut changes);
            enroll(&mut person, &before, &[], &changes, &model.workflows, now);
            persist(tx, &[(&site, &person, &changes)], now)?;
            changed += 1;
        }
        Ok(changed)
    })
    .await
}
