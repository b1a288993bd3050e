//! The store driven directly, without HTTP: a temporary SQLite file and the test
//! site's compiled configuration (`tests/fixtures/site.yaml`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kindling_collector::store::SqliteStore;
use kindling_collector::{Catalog, ConfigFile};

/// An open store; its folder is removed when this is dropped.
pub struct DirectStore {
    pub store: SqliteStore,
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
    let store =
        SqliteStore::open(&format!("sqlite://{}", database.display())).await.expect("store");
    DirectStore { store, catalog, database, _folder: folder }
}
