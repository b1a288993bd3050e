//! The forms report's reads on SQLite.

use async_trait::async_trait;
use rusqlite::{Connection, params};

use super::SqliteStore;
use crate::store::error::StoreResult;
use crate::store::form_reports::{FormEventRow, FormReportReads};

const FORM_EVENTS: &str = "SELECT name, visitor, kind, target, props FROM events
     WHERE site = ?1 AND received_ms >= ?2 AND received_ms < ?3 AND bot = 0
       AND name IS NOT NULL
       AND kind IN ('form_view', 'form_start', 'form_field', 'form_abandon', 'form_submit')
     ORDER BY visitor, seq";

fn form_events(
    connection: &Connection,
    site: &str,
    from: i64,
    until: i64,
) -> StoreResult<Vec<FormEventRow>> {
    let rows = connection
        .prepare_cached(FORM_EVENTS)?
        .query_map(params![site, from, until], |row| {
            Ok(FormEventRow {
                form: row.get(0)?,
                visitor: row.get(1)?,
                kind: row.get(2)?,
                target: row.get(3)?,
                props: row.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

#[async_trait]
impl FormReportReads for SqliteStore {
    async fn form_events(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<FormEventRow>> {
        let site = site.to_owned();
        self.readers.read(move |connection| form_events(connection, &site, from_ms, until_ms)).await
    }
}
