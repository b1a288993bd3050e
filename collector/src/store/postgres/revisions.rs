//! Configuration revisions in PostgreSQL: the statements, the store's
//! [`RevisionReads`] and the transaction's [`RevisionWrites`] on them, and the
//! `LISTEN` that tells every collector of a publish.

use async_trait::async_trait;
use sqlx::postgres::{PgListener, PgRow};
use sqlx::{PgConnection, Row};

use super::PostgresStore;
use super::tx::PgTx;
use crate::store::error::StoreResult;
use crate::store::revisions::{
    NewRevision, PublishListener, RevisionReads, RevisionRow, RevisionWrites,
};

/// The channel a publish notifies, with the published revision's id as payload.
pub const CHANNEL: &str = "kindling_config";

/// The advisory lock publishes take, so two never number the live sequence at once.
const PUBLISH_LOCK: i64 = 0x6b69_6e64_6c01;

const COLUMNS: &str = "id, created_ms, author, author_email, message, source, based_on, \
     published_ms, published_by";

const LIVE_ID: &str = "SELECT COALESCE((SELECT id FROM config_revisions
     ORDER BY live_seq DESC NULLS LAST LIMIT 1), 0) AS id";

fn row(found: &PgRow, with_document: bool) -> Result<RevisionRow, sqlx::Error> {
    Ok(RevisionRow {
        id: found.try_get("id")?,
        created_ms: found.try_get("created_ms")?,
        author: found.try_get("author")?,
        author_email: found.try_get("author_email")?,
        message: found.try_get("message")?,
        source: found.try_get("source")?,
        based_on: found.try_get("based_on")?,
        document: if with_document { found.try_get("document")? } else { String::new() },
        published_ms: found.try_get("published_ms")?,
        published_by: found.try_get("published_by")?,
    })
}

async fn live(connection: &mut PgConnection) -> StoreResult<Option<RevisionRow>> {
    let sql = format!(
        "SELECT {COLUMNS}, document FROM config_revisions WHERE live_seq IS NOT NULL
         ORDER BY live_seq DESC LIMIT 1"
    );
    let found = sqlx::query(&sql).fetch_optional(connection).await?;
    Ok(found.map(|found| row(&found, true)).transpose()?)
}

async fn live_id(connection: &mut PgConnection) -> StoreResult<i64> {
    Ok(sqlx::query(LIVE_ID).fetch_one(connection).await?.try_get("id")?)
}

#[async_trait]
impl RevisionReads for PostgresStore {
    async fn live_revision(&self) -> StoreResult<Option<RevisionRow>> {
        live(&mut *self.pool.acquire().await?).await
    }

    async fn live_revision_id(&self) -> StoreResult<i64> {
        live_id(&mut *self.pool.acquire().await?).await
    }

    async fn revision(&self, id: i64) -> StoreResult<Option<RevisionRow>> {
        let sql = format!("SELECT {COLUMNS}, document FROM config_revisions WHERE id = $1");
        let found = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?;
        Ok(found.map(|found| row(&found, true)).transpose()?)
    }

    async fn revisions(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<RevisionRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM config_revisions WHERE id < $1 ORDER BY id DESC LIMIT $2"
        );
        let found = sqlx::query(&sql)
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        Ok(found.iter().map(|found| row(found, false)).collect::<Result<_, _>>()?)
    }

    async fn publish_listener(&self) -> StoreResult<Option<Box<dyn PublishListener>>> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(Box::new(Listener(listener))))
    }
}

/// `LISTEN kindling_config` on a connection of its own; it reconnects by itself after
/// a failure (notifications sent meanwhile are lost).
struct Listener(PgListener);

#[async_trait]
impl PublishListener for Listener {
    async fn published(&mut self) -> StoreResult<()> {
        self.0.recv().await?;
        Ok(())
    }
}

impl RevisionWrites for PgTx {
    fn insert_revision(&mut self, revision: &NewRevision<'_>) -> StoreResult<i64> {
        let insert = sqlx::query(
            "INSERT INTO config_revisions
                 (created_ms, author, author_email, message, source, based_on, document)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(revision.created_ms)
        .bind(revision.author)
        .bind(revision.author_email)
        .bind(revision.message)
        .bind(revision.source)
        .bind(revision.based_on)
        .bind(revision.document);
        let found = self.run(|connection| insert.fetch_one(connection))?;
        Ok(found.try_get("id")?)
    }

    fn publish_revision(&mut self, id: i64, by: &str, now_ms: i64) -> StoreResult<bool> {
        let lock = sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(PUBLISH_LOCK);
        self.run(|connection| lock.execute(connection))?;
        let update = sqlx::query(
            "UPDATE config_revisions SET published_ms = $2, published_by = $3,
                 live_seq = (SELECT COALESCE(MAX(live_seq), 0) + 1 FROM config_revisions)
             WHERE id = $1",
        )
        .bind(id)
        .bind(now_ms)
        .bind(by);
        let changed = self.run(|connection| update.execute(connection))?.rows_affected();
        if changed == 1 {
            let notify = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(id.to_string());
            self.run(|connection| notify.execute(connection))?;
        }
        Ok(changed == 1)
    }

    fn live_revision_id(&mut self) -> StoreResult<i64> {
        self.run(live_id)
    }

    fn latest_document_from(&mut self, source: &str) -> StoreResult<Option<String>> {
        let select = sqlx::query(
            "SELECT document FROM config_revisions WHERE source = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(source);
        let found = self.run(|connection| select.fetch_optional(connection))?;
        Ok(found.map(|found| found.try_get("document")).transpose()?)
    }
}
