//! SQLite backend: one file in WAL mode, `synchronous=FULL`, so a committed event
//! survives a crash of the process or the machine.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::{EventQuery, InsertOutcome, Store, StoreError, StoredEvent};

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens `url` (`sqlite://PATH`), creating the file if missing, and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        MIGRATIONS.run(&pool).await?;
        Ok(SqliteStore { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn touch_visitor(&self, site: &str, visitor: &str, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (site, id) DO UPDATE SET last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)",
        )
        .bind(site)
        .bind(visitor)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn insert_events(&self, events: &[StoredEvent]) -> Result<InsertOutcome, StoreError> {
        let mut outcome = InsertOutcome::default();
        let mut transaction = self.pool.begin().await?;
        for event in events {
            let result = sqlx::query(
                "INSERT INTO events (site, id, visitor, kind, url, title, referrer, received_ms, client_offset_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (site, id) DO NOTHING",
            )
            .bind(&event.site)
            .bind(&event.id)
            .bind(&event.visitor)
            .bind(&event.kind)
            .bind(&event.url)
            .bind(&event.title)
            .bind(&event.referrer)
            .bind(event.received_ms)
            .bind(event.client_offset_ms)
            .execute(&mut *transaction)
            .await?;
            if result.rows_affected() == 1 {
                outcome.inserted += 1;
            } else {
                outcome.duplicates += 1;
            }
        }
        transaction.commit().await?;
        Ok(outcome)
    }

    async fn events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, site, visitor, kind, url, title, referrer, received_ms, client_offset_ms
             FROM events
             WHERE site = ?1 AND (?2 IS NULL OR visitor = ?2) AND (?3 IS NULL OR kind = ?3)
             ORDER BY seq DESC LIMIT ?4",
        )
        .bind(&query.site)
        .bind(&query.visitor)
        .bind(&query.kind)
        .bind(i64::from(query.limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredEvent {
                    id: row.try_get("id")?,
                    site: row.try_get("site")?,
                    visitor: row.try_get("visitor")?,
                    kind: row.try_get("kind")?,
                    url: row.try_get("url")?,
                    title: row.try_get("title")?,
                    referrer: row.try_get("referrer")?,
                    received_ms: row.try_get("received_ms")?,
                    client_offset_ms: row.try_get("client_offset_ms")?,
                })
            })
            .collect()
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
