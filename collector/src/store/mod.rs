//! Storage: the [`Store`] trait and its backends, chosen by the database URL's scheme.
//! Each backend owns its migrations folder (`migrations/<backend>/`), embedded in the
//! binary and applied at start-up.

mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

pub use sqlite::SqliteStore;

/// An event as stored: what the client sent plus what the collector decided.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredEvent {
    pub id: String,
    pub site: String,
    pub visitor: String,
    pub kind: String,
    pub url: String,
    pub title: Option<String>,
    pub referrer: Option<String>,
    /// The collector's clock when the event arrived (the authority).
    pub received_ms: i64,
    /// The client's clock minus the collector's, clamped.
    pub client_offset_ms: i64,
}

/// What an insert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsertOutcome {
    pub inserted: u32,
    pub duplicates: u32,
}

/// Filters for reading events back, newest first.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub site: String,
    pub visitor: Option<String>,
    pub kind: Option<String>,
    pub limit: u32,
}

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// The collector's durable state. One implementation per database backend.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Records that `visitor` was seen on `site` at `now_ms` (creates it if new).
    async fn touch_visitor(&self, site: &str, visitor: &str, now_ms: i64) -> Result<(), StoreError>;

    /// Stores `events` in one transaction; ids already stored count as duplicates.
    /// Returns only after the transaction is committed.
    async fn insert_events(&self, events: &[StoredEvent]) -> Result<InsertOutcome, StoreError>;

    /// Reads events back, newest first.
    async fn events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, StoreError>;

    /// Succeeds when the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Opens (and migrates) the store named by `url`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
