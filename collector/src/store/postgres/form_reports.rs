//! The forms report's reads on PostgreSQL.

use async_trait::async_trait;
use sqlx::Row;

use super::PostgresStore;
use crate::store::error::StoreResult;
use crate::store::form_reports::{FormEventRow, FormReportReads};

const FORM_EVENTS: &str = "SELECT name, visitor, kind, target, props FROM events
     WHERE site = $1 AND received_ms >= $2 AND received_ms < $3 AND NOT bot
       AND name IS NOT NULL
       AND kind IN ('form_view', 'form_start', 'form_field', 'form_abandon', 'form_submit')
     ORDER BY visitor, seq";

#[async_trait]
impl FormReportReads for PostgresStore {
    async fn form_events(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<FormEventRow>> {
        let rows = sqlx::query(FORM_EVENTS)
            .bind(site)
            .bind(from_ms)
            .bind(until_ms)
            .fetch_all(&self.pool)
            .await?;
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            events.push(FormEventRow {
                form: row.try_get("name")?,
                visitor: row.try_get("visitor")?,
                kind: row.try_get("kind")?,
                target: row.try_get("target")?,
                props: row.try_get("props")?,
            });
        }
        Ok(events)
    }
}
