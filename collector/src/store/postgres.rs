//! PostgreSQL backend, for several stateless collectors sharing one database. The
//! schema mirrors SQLite's; a commit is durable when PostgreSQL says so
//! (`synchronous_commit` as the server is configured, `on` by default).

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use super::StoreError;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// The group commit's own connection (see `Store::commit`), opened on first use.
    writer: std::sync::Arc<tokio::sync::Mutex<Option<sqlx::PgConnection>>>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and migrates the database.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        MIGRATIONS.run(&pool).await?;
        Ok(PostgresStore { pool, writer: Default::default() })
    }
}

impl PostgresStore {
    /// PostgreSQL has no separate lane for group commits: see `SqliteStore`'s.
    #[allow(clippy::unused_async)]
    async fn commit_on_lane(
        &self,
        _batches: &[crate::store::WriteBatch],
    ) -> Option<Result<Vec<crate::store::Committed>, StoreError>> {
        None
    }

    /// See `commit_on_lane`.
    #[allow(clippy::unused_self)]
    fn commit_on_lane_blocking(
        &self,
        _batches: &[crate::store::WriteBatch],
    ) -> Option<Result<Vec<crate::store::Committed>, StoreError>> {
        None
    }
}

crate::store::backend::store_impl!(
    PostgresStore,
    sqlx::Postgres,
    sqlx::PgConnection,
    sqlx::postgres::PgRow
);
