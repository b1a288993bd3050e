//! SQLite backend: one file in WAL mode with `synchronous=FULL`, so a committed write
//! survives a crash of the process or the machine; reached through rusqlite.
//!
//! - [`writer`]: the one writing connection, behind a lock, and its checkpointer;
//!   [`tx`]: the [`WriteTx`](crate::store::WriteTx) on its transactions;
//! - [`readers`]: a small pool of read-only connections for the [`Store`] reads;
//! - [`connection`]: how every connection is set up; [`migrate`]: the schema;
//! - the statements, by what they store: [`events`] (and visitors), [`persons`],
//!   [`forms`], [`outbox`], [`workflows`] (and the block report's counts), [`accounts`]
//!   (admin users, sessions, API tokens and the audit log, reads and writes alike),
//!   [`revisions`] (of the configuration).

mod accounts;
mod connection;
mod deliveries;
mod events;
mod form_reports;
mod forms;
mod migrate;
mod outbox;
mod persons;
mod readers;
mod reports;
mod revisions;
mod tx;
mod workflows;
mod writer;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;

use self::connection::Role;
use self::readers::Readers;
use self::writer::Writer;
use crate::store::contract::{Store, StoreError, StoreResult, WriteTx};
use crate::store::health::WriteHealth;
use crate::store::records::{
    ActivePerson, Confirmation, EventQuery, KnownQuery, OutboxMessage, PersonKey, StepCountRow,
    StoredEvent, StoredProfile, VariantCounts,
};

/// The SQLite store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: Arc<Writer>,
    readers: Arc<Readers>,
    health: Arc<WriteHealth>,
}

impl SqliteStore {
    /// Opens `url` (`sqlite://PATH`, optionally with a `?…` query, which is ignored),
    /// creating the file if missing, and migrates it.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let file = file_of(url)?;
        tokio::task::spawn_blocking(move || Self::open_file(file))
            .await
            .map_err(|_| StoreError::WriterStopped)?
    }

    fn open_file(file: PathBuf) -> StoreResult<Self> {
        let mut connection = connection::open(&file, Role::Writer)?;
        let applied = migrate::run(&mut connection)?;
        if applied > 0 {
            tracing::info!(applied, file = %file.display(), "SQLite migrations applied");
        }
        let writer = Arc::new(Writer::start(connection, &file)?);
        Ok(SqliteStore { writer, readers: Arc::new(Readers::new(file)), health: Arc::default() })
    }
}

/// The file a `sqlite://` URL names.
fn file_of(url: &str) -> StoreResult<PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"));
    let path = path.map(|path| path.split('?').next().unwrap_or(path));
    match path {
        Some(path) if !path.is_empty() && !path.contains(":memory:") => Ok(PathBuf::from(path)),
        _ => Err(StoreError::UnsupportedUrl(url.to_owned())),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn person_of_visitor(&self, site: &str, visitor: &str) -> StoreResult<Option<String>> {
        let (site, key) = (site.to_owned(), PersonKey::Visitor(visitor.to_owned()));
        self.readers.read(move |connection| persons::shown(connection, &site, &key)).await
    }

    async fn profile(&self, site: &str, key: &PersonKey) -> StoreResult<Option<StoredProfile>> {
        let (site, key) = (site.to_owned(), key.clone());
        self.readers.read(move |connection| persons::profile(connection, &site, &key)).await
    }

    async fn known_persons(&self, site: &str, query: &KnownQuery) -> StoreResult<Vec<String>> {
        let (site, query) = (site.to_owned(), query.clone());
        self.readers.read(move |connection| persons::known(connection, &site, &query)).await
    }

    async fn events(&self, query: &EventQuery) -> StoreResult<Vec<StoredEvent>> {
        let query = query.clone();
        self.readers.read(move |connection| events::query(connection, &query)).await
    }

    async fn block_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<VariantCounts>> {
        let site = site.to_owned();
        self.readers
            .read(move |connection| workflows::block_counts(connection, &site, from_ms, until_ms))
            .await
    }

    async fn confirmations(
        &self,
        site: &str,
        pending: bool,
        limit: u32,
    ) -> StoreResult<Vec<Confirmation>> {
        let site = site.to_owned();
        self.readers
            .read(move |connection| forms::confirmations(connection, &site, pending, limit))
            .await
    }

    async fn dead_letters(&self, site: &str, limit: u32) -> StoreResult<Vec<OutboxMessage>> {
        let site = site.to_owned();
        self.readers.read(move |connection| outbox::dead_letters(connection, &site, limit)).await
    }

    async fn due_runs(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<(String, String)>> {
        self.readers.read(move |connection| persons::due_runs(connection, now_ms, limit)).await
    }

    async fn active_persons(
        &self,
        site: &str,
        since_ms: i64,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<ActivePerson>> {
        let site = site.to_owned();
        self.readers
            .read(move |connection| {
                persons::active(connection, &site, since_ms, before.as_ref(), limit)
            })
            .await
    }

    async fn quiet_persons(
        &self,
        site: &str,
        after_ms: i64,
        until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64)>> {
        let site = site.to_owned();
        self.readers
            .read(move |connection| persons::quiet(connection, &site, after_ms, until_ms, limit))
            .await
    }

    async fn workflow_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<StepCountRow>> {
        let site = site.to_owned();
        self.readers
            .read(move |connection| workflows::step_counts(connection, &site, from_ms, until_ms))
            .await
    }

    async fn quiet_cursor(&self, site: &str, workflow: &str) -> StoreResult<Option<i64>> {
        let (site, workflow) = (site.to_owned(), workflow.to_owned());
        self.readers.read(move |connection| workflows::cursor(connection, &site, &workflow)).await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.readers.read(|connection| Ok(connection.query_row("SELECT 1", [], |_| Ok(()))?)).await
    }

    fn write_health(&self) -> &WriteHealth {
        &self.health
    }

    fn write_blocking(
        &self,
        work: &mut dyn FnMut(&mut dyn WriteTx) -> StoreResult<()>,
    ) -> StoreResult<()> {
        self.writer.write(work)
    }
}
