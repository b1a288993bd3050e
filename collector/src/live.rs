//! The configuration being served: one [`LiveCatalog`] every handler and background task
//! reads, swapped whole when a revision is published. A request loads the catalog once
//! and keeps it to its end, so requests in flight finish on the configuration they
//! started with while new ones see the new one.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use arc_swap::ArcSwap;

use crate::sites::{Catalog, Site};

/// The catalog being served, and the revision it was compiled from.
#[derive(Debug)]
pub struct LiveCatalog {
    catalog: ArcSwap<Catalog>,
    /// The id of the served revision; 0 before any.
    revision: AtomicI64,
}

impl LiveCatalog {
    /// Serves `catalog`, compiled from revision `revision` (0: none stored).
    pub fn new(catalog: Catalog, revision: i64) -> LiveCatalog {
        LiveCatalog { catalog: ArcSwap::from_pointee(catalog), revision: AtomicI64::new(revision) }
    }

    /// The catalog as it is now; hold it for the whole of one request or pass.
    pub fn load(&self) -> Arc<Catalog> {
        self.catalog.load_full()
    }

    /// The site with public key `key` in the catalog as it is now.
    pub fn site(&self, key: &str) -> Option<Arc<Site>> {
        self.catalog.load().site(key).cloned()
    }

    /// The id of the revision being served.
    pub fn revision(&self) -> i64 {
        self.revision.load(Ordering::Acquire)
    }

    /// Serves `catalog`, compiled from `revision`, from now on.
    pub fn swap(&self, catalog: Catalog, revision: i64) {
        self.catalog.store(Arc::new(catalog));
        self.revision.store(revision, Ordering::Release);
    }
}

impl Default for LiveCatalog {
    fn default() -> Self {
        LiveCatalog::new(Catalog::default(), 0)
    }
}
