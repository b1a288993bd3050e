//! The store driven directly, without HTTP: a temporary SQLite file and the test
//! site's compiled configuration (`tests/fixtures/site.yaml`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kindling_collector::lifecycle::group::{self, Committed, WriteBatch};
use kindling_collector::store::{self, Store};
use kindling_collector::{Catalog, ConfigFile};

/// An open store; its folder is removed when this is dropped.
pub struct DirectStore {
    pub store: Arc<dyn Store>,
    pub catalog: Catalog,
    /// The database file.
    pub database: PathBuf,
    _folder: tempfile::TempDir,
}

/// Opens a fresh SQLite store with the test site's configuration.
pub async fn open() -> DirectStore {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site.yaml");
    let catalog = ConfigFile::load(&config).expect("config").compile().expect("compiles");
    let folder = tempfile::tempdir().expect("folder");
    let database = folder.path().join("k.db");
    let store = store::open(&format!("sqlite://{}", database.display())).await.expect("store");
    DirectStore { store, catalog, database, _folder: folder }
}

/// Commits `batches` as the event writer does: one group commit in one transaction.
pub async fn commit(store: &Arc<dyn Store>, batches: Vec<WriteBatch>) -> Vec<Committed> {
    store::write(store, move |tx| group::commit(tx, &batches)).await.expect("committed")
}
