//! The store's part of configuration revisions: the plain records ([`RevisionRow`],
//! [`NewRevision`]), the reads ([`RevisionReads`], a part of every [`Store`]) and the
//! writes ([`RevisionWrites`], a part of every [`WriteTx`]). What a document means,
//! whether it is valid and when it is served is the domain's business
//! ([`revisions`](crate::revisions)).
//!
//! [`Store`]: crate::store::Store
//! [`WriteTx`]: crate::store::WriteTx

use async_trait::async_trait;

use crate::store::error::StoreResult;

/// One stored revision of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RevisionRow {
    pub id: i64,
    pub created_ms: i64,
    /// The id of the user who saved it.
    pub author: String,
    pub author_email: String,
    pub message: String,
    /// Where the document came from: `console`, `api`, `file`, `cli` or `restore`.
    pub source: String,
    /// The revision that was live when this one was saved (0: none).
    pub based_on: i64,
    /// The whole YAML document; left empty in lists.
    pub document: String,
    pub published_ms: Option<i64>,
    pub published_by: Option<String>,
}

/// A revision to store.
#[derive(Debug, Clone, Copy)]
pub struct NewRevision<'a> {
    pub created_ms: i64,
    pub author: &'a str,
    pub author_email: &'a str,
    pub message: &'a str,
    pub source: &'a str,
    pub based_on: i64,
    pub document: &'a str,
}

/// Waits for other collectors' publishes (PostgreSQL's `LISTEN`); notifications can be
/// lost while it reconnects, so its user checks the live revision now and then too.
#[async_trait]
pub trait PublishListener: Send {
    /// Returns when a revision was published somewhere, or the connection failed.
    async fn published(&mut self) -> StoreResult<()>;
}

/// Reads of configuration revisions.
#[async_trait]
pub trait RevisionReads {
    /// The live revision, with its document; none before the first publish.
    async fn live_revision(&self) -> StoreResult<Option<RevisionRow>>;

    /// The id of the live revision (0: none): a cheap read to poll.
    async fn live_revision_id(&self) -> StoreResult<i64>;

    /// One revision, with its document.
    async fn revision(&self, id: i64) -> StoreResult<Option<RevisionRow>>;

    /// Revisions with ids below `before` (all when `None`), newest first, documents
    /// left empty.
    async fn revisions(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<RevisionRow>>;

    /// A listener for publishes by any collector, where the database can tell (none on
    /// SQLite, whose only collector is this one).
    async fn publish_listener(&self) -> StoreResult<Option<Box<dyn PublishListener>>>;
}

/// Writes of configuration revisions, in a [`WriteTx`](crate::store::WriteTx).
pub trait RevisionWrites {
    /// Stores a revision, unpublished; returns its id.
    fn insert_revision(&mut self, revision: &NewRevision<'_>) -> StoreResult<i64>;

    /// Makes revision `id` the live one; false if there is no such revision. Other
    /// collectors are told when the transaction commits.
    fn publish_revision(&mut self, id: i64, by: &str, now_ms: i64) -> StoreResult<bool>;

    /// The id of the live revision (0: none), read in this transaction.
    fn live_revision_id(&mut self) -> StoreResult<i64>;

    /// The document of the newest revision from `source`, if any.
    fn latest_document_from(&mut self, source: &str) -> StoreResult<Option<String>>;
}
