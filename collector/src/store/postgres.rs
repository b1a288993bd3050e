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
        Ok(PostgresStore { pool })
    }
}

crate::store::backend::store_impl!(
    PostgresStore,
    sqlx::Postgres,
    sqlx::PgConnection,
    sqlx::postgres::PgRow
);
