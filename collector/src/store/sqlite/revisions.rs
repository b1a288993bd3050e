//! Configuration revisions in SQLite: the statements, and the store's
//! [`RevisionReads`] and the transaction's [`RevisionWrites`] on them.

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::tx::SqliteTx;
use crate::store::error::StoreResult;
use crate::store::revisions::{
    NewRevision, PublishListener, RevisionReads, RevisionRow, RevisionWrites,
};

const COLUMNS: &str = "id, created_ms, author, author_email, message, source, based_on, \
     published_ms, published_by";

const LIVE_ID: &str = "SELECT COALESCE((SELECT id FROM config_revisions
     WHERE live_seq = (SELECT MAX(live_seq) FROM config_revisions)), 0)";

fn row(row: &Row<'_>, document: String) -> rusqlite::Result<RevisionRow> {
    Ok(RevisionRow {
        id: row.get(0)?,
        created_ms: row.get(1)?,
        author: row.get(2)?,
        author_email: row.get(3)?,
        message: row.get(4)?,
        source: row.get(5)?,
        based_on: row.get(6)?,
        published_ms: row.get(7)?,
        published_by: row.get(8)?,
        document,
    })
}

fn with_document(found: &Row<'_>) -> rusqlite::Result<RevisionRow> {
    let document = found.get(9)?;
    row(found, document)
}

fn live(connection: &Connection) -> StoreResult<Option<RevisionRow>> {
    let sql = format!(
        "SELECT {COLUMNS}, document FROM config_revisions
         WHERE live_seq = (SELECT MAX(live_seq) FROM config_revisions)"
    );
    Ok(connection.query_row(&sql, [], with_document).optional()?)
}

fn one(connection: &Connection, id: i64) -> StoreResult<Option<RevisionRow>> {
    let sql = format!("SELECT {COLUMNS}, document FROM config_revisions WHERE id = ?1");
    Ok(connection.query_row(&sql, [id], with_document).optional()?)
}

fn list(connection: &Connection, before: Option<i64>, limit: u32) -> StoreResult<Vec<RevisionRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM config_revisions WHERE id < ?1 ORDER BY id DESC LIMIT ?2");
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement
        .query_map(params![before.unwrap_or(i64::MAX), limit], |found| row(found, String::new()))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

#[async_trait]
impl RevisionReads for SqliteStore {
    async fn live_revision(&self) -> StoreResult<Option<RevisionRow>> {
        self.readers.read(live).await
    }

    async fn live_revision_id(&self) -> StoreResult<i64> {
        self.readers.read(|connection| Ok(connection.query_row(LIVE_ID, [], |r| r.get(0))?)).await
    }

    async fn revision(&self, id: i64) -> StoreResult<Option<RevisionRow>> {
        self.readers.read(move |connection| one(connection, id)).await
    }

    async fn revisions(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<RevisionRow>> {
        self.readers.read(move |connection| list(connection, before, limit)).await
    }

    async fn publish_listener(&self) -> StoreResult<Option<Box<dyn PublishListener>>> {
        Ok(None)
    }
}

impl RevisionWrites for SqliteTx<'_> {
    fn insert_revision(&mut self, revision: &NewRevision<'_>) -> StoreResult<i64> {
        self.connection().execute(
            "INSERT INTO config_revisions
                 (created_ms, author, author_email, message, source, based_on, document)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                revision.created_ms,
                revision.author,
                revision.author_email,
                revision.message,
                revision.source,
                revision.based_on,
                revision.document,
            ],
        )?;
        Ok(self.connection().last_insert_rowid())
    }

    fn publish_revision(&mut self, id: i64, by: &str, now_ms: i64) -> StoreResult<bool> {
        let changed = self.connection().execute(
            "UPDATE config_revisions SET published_ms = ?2, published_by = ?3,
                 live_seq = (SELECT COALESCE(MAX(live_seq), 0) + 1 FROM config_revisions)
             WHERE id = ?1",
            params![id, now_ms, by],
        )?;
        Ok(changed == 1)
    }

    fn live_revision_id(&mut self) -> StoreResult<i64> {
        Ok(self.connection().query_row(LIVE_ID, [], |found| found.get(0))?)
    }

    fn latest_document_from(&mut self, source: &str) -> StoreResult<Option<String>> {
        Ok(self
            .connection()
            .query_row(
                "SELECT document FROM config_revisions WHERE source = ?1 ORDER BY id DESC LIMIT 1",
                [source],
                |found| found.get(0),
            )
            .optional()?)
    }
}
