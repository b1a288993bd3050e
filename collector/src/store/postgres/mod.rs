//! PostgreSQL backend, for several stateless collectors sharing one database, through
//! sqlx. The schema mirrors SQLite's; a commit is durable when PostgreSQL says so
//! (`synchronous_commit` as the server is configured, `on` by default).
//!
//! Reads run on the pool as async queries. A write ([`Store::write_blocking`]) is one
//! transaction on a pool connection, driven from the blocking thread that runs it
//! ([`tx`]). Rows another collector may change at once are held (`FOR UPDATE`,
//! `SKIP LOCKED` for decay) or claimed by compare-and-set (the outbox).
//!
//! Every statement takes a `&mut PgConnection`, which a pool connection and an open
//! transaction both are, so a read the [`Store`] and the [`WriteTx`] share is written
//! once. The statements, by what they store: [`events`] (and visitors), [`persons`],
//! [`history`] (a person's events and the lines explaining its changes), [`forms`],
//! [`outbox`], [`workflows`] (and the block report's counts), [`accounts`] (admin
//! users, sessions, API tokens and the audit log), [`revisions`] (of the
//! configuration, and the `LISTEN` for their publishes); what they share, in [`rows`].

mod accounts;
mod deliveries;
mod events;
mod form_reports;
mod forms;
mod history;
mod outbox;
mod persons;
mod reports;
mod revisions;
mod rollups;
mod rows;
mod tx;
mod workflows;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use tokio::runtime::Handle;

use self::tx::PgTx;
use crate::store::contract::{Store, StoreResult, WriteTx};
use crate::store::health::WriteHealth;
use crate::store::records::{
    ActivePerson, Confirmation, EventQuery, KnownQuery, OutboxMessage, PersonKey, StepCountRow,
    StoredEvent, StoredProfile, VariantCounts,
};

/// Connections the pool opens at most.
const MAX_CONNECTIONS: u32 = 8;

/// How long taking a connection from the pool waits before it fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The PostgreSQL store. Cheap to clone.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    health: Arc<WriteHealth>,
    /// The runtime a write's statements run on, waited for by the blocking thread.
    runtime: Handle,
}

/// Leaves the pool's options (and the password in them) out.
impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("connections", &self.pool.size())
            .field("idle", &self.pool.num_idle())
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and migrates the database. Call it within
    /// the runtime the store's writes will run on.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await?;
        MIGRATIONS.run(&pool).await?;
        Ok(PostgresStore { pool, health: Arc::default(), runtime: Handle::current() })
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn person_of_visitor(&self, site: &str, visitor: &str) -> StoreResult<Option<String>> {
        let mut connection = self.pool.acquire().await?;
        persons::doc_of_visitor(&mut connection, site, visitor).await
    }

    async fn profile(&self, site: &str, key: &PersonKey) -> StoreResult<Option<StoredProfile>> {
        let mut connection = self.pool.acquire().await?;
        history::profile(&mut connection, site, key).await
    }

    async fn known_persons(&self, site: &str, query: &KnownQuery) -> StoreResult<Vec<String>> {
        let mut connection = self.pool.acquire().await?;
        persons::known(&mut connection, site, query).await
    }

    async fn events(&self, query: &EventQuery) -> StoreResult<Vec<StoredEvent>> {
        let mut connection = self.pool.acquire().await?;
        events::query(&mut connection, query).await
    }

    async fn block_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<VariantCounts>> {
        let mut connection = self.pool.acquire().await?;
        workflows::block_counts(&mut connection, site, from_ms, until_ms).await
    }

    async fn confirmations(
        &self,
        site: &str,
        pending: bool,
        limit: u32,
    ) -> StoreResult<Vec<Confirmation>> {
        let mut connection = self.pool.acquire().await?;
        forms::confirmations(&mut connection, site, pending, limit).await
    }

    async fn dead_letters(&self, site: &str, limit: u32) -> StoreResult<Vec<OutboxMessage>> {
        let mut connection = self.pool.acquire().await?;
        outbox::dead_letters(&mut connection, site, limit).await
    }

    async fn due_runs(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<(String, String)>> {
        let mut connection = self.pool.acquire().await?;
        persons::due_runs(&mut connection, now_ms, limit).await
    }

    async fn active_persons(
        &self,
        site: &str,
        since_ms: i64,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<ActivePerson>> {
        let mut connection = self.pool.acquire().await?;
        persons::active(&mut connection, site, since_ms, before.as_ref(), limit).await
    }

    async fn quiet_persons(
        &self,
        site: &str,
        after_ms: i64,
        until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64)>> {
        let mut connection = self.pool.acquire().await?;
        persons::quiet(&mut connection, site, after_ms, until_ms, limit).await
    }

    async fn workflow_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<StepCountRow>> {
        let mut connection = self.pool.acquire().await?;
        workflows::step_counts(&mut connection, site, from_ms, until_ms).await
    }

    async fn quiet_cursor(&self, site: &str, workflow: &str) -> StoreResult<Option<i64>> {
        let mut connection = self.pool.acquire().await?;
        workflows::cursor(&mut connection, site, workflow).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn write_health(&self) -> &WriteHealth {
        &self.health
    }

    fn write_blocking(
        &self,
        work: &mut dyn FnMut(&mut dyn WriteTx) -> StoreResult<()>,
    ) -> StoreResult<()> {
        // Within the runtime's context even between statements: a connection dropped
        // here (a transaction left by a panic) goes back to the pool through a task.
        let _context = self.runtime.enter();
        let transaction = self.runtime.block_on(self.pool.begin())?;
        let mut tx = PgTx::new(transaction, self.runtime.clone());
        match work(&mut tx) {
            Ok(()) => tx.commit(),
            Err(error) => {
                // What failed is the error to report, not a failed rollback (after
                // which PostgreSQL ends the transaction with the connection anyway).
                let _ = tx.rollback();
                Err(error)
            }
        }
    }
}
