//! Applying what is published anywhere: a task that serves the live revision whenever
//! it changes. With PostgreSQL it wakes on `LISTEN` at once; since notifications are
//! lost while a listener reconnects, and SQLite has none, it also reads the live
//! revision's id every [`CHECK_EVERY`].

use std::sync::Arc;
use std::time::Duration;

use crate::live::LiveCatalog;
use crate::revisions::document;
use crate::store::{PublishListener, Store};

/// How often the live revision's id is read when no notification came.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Follows the live revision forever (the server aborts it on shutdown).
pub async fn run(store: Arc<dyn Store>, live: Arc<LiveCatalog>) {
    let mut listener: Option<Box<dyn PublishListener>> = None;
    let mut refused = 0;
    loop {
        if listener.is_none() {
            listener = store.publish_listener().await.unwrap_or_else(|error| {
                tracing::debug!(%error, "cannot listen for publishes; checking every second");
                None
            });
        }
        match listener.as_mut() {
            Some(waiting) => tokio::select! {
                heard = waiting.published() => if heard.is_err() { listener = None },
                () = tokio::time::sleep(CHECK_EVERY) => {}
            },
            None => tokio::time::sleep(CHECK_EVERY).await,
        }
        refused = apply_live(store.as_ref(), &live, refused).await;
    }
}

/// Serves the live revision if it is not the one served; returns the id of a live
/// revision that does not compile here (0: none), so it is reported once.
pub async fn apply_live(store: &dyn Store, live: &LiveCatalog, refused: i64) -> i64 {
    let id = match store.live_revision_id().await {
        Ok(id) => id,
        Err(error) => {
            tracing::debug!(%error, "cannot read the live revision; retried");
            return refused;
        }
    };
    if id == 0 || id == live.revision() || id == refused {
        return refused;
    }
    let Ok(Some(revision)) = store.revision(id).await else { return refused };
    match document::compile(&revision.document) {
        Ok(catalog) => {
            live.swap(catalog, id);
            tracing::info!(revision = id, "applied a configuration published elsewhere");
            0
        }
        Err(error) => {
            tracing::error!(revision = id, %error, "the live revision does not compile here; still serving the one before");
            id
        }
    }
}
