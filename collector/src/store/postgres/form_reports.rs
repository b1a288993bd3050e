//! The forms report on PostgreSQL: its reads, and each visitor's open form views (the
//! rollup's rows are added at commit with the others, [`rollups`](super::rollups)).

use async_trait::async_trait;
use sqlx::{PgConnection, Row};

use super::PostgresStore;
use super::rows::count;
use crate::store::error::StoreResult;
use crate::store::form_reports::FormReportReads;
use crate::store::records::{DAY_MS, FormCounts};

/// A visitor's open form views, as stored.
pub(super) async fn open_views(
    connection: &mut PgConnection,
    site: &str,
    visitor: &str,
) -> StoreResult<Option<String>> {
    let views: Option<Option<String>> =
        sqlx::query_scalar("SELECT form_views FROM visitors WHERE site = $1 AND id = $2")
            .bind(site)
            .bind(visitor)
            .fetch_optional(&mut *connection)
            .await?;
    Ok(views.flatten())
}

/// Stores a visitor's open form views (none: no view is open).
pub(super) async fn save_open_views(
    connection: &mut PgConnection,
    site: &str,
    visitor: &str,
    views: Option<&str>,
) -> StoreResult<()> {
    sqlx::query("UPDATE visitors SET form_views = $3 WHERE site = $1 AND id = $2")
        .bind(site)
        .bind(visitor)
        .bind(views)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// See [`FormReportReads::form_counts`].
async fn counts(
    connection: &mut PgConnection,
    site: &str,
    (from, until): (i64, i64),
) -> StoreResult<FormCounts> {
    let mut counts = FormCounts::default();
    let rows = sqlx::query(
        "SELECT form, measure, detail, CAST(SUM(count) AS BIGINT) AS n FROM report_forms
         WHERE site = $1 AND day >= $2 AND day < $3
         GROUP BY form, measure, detail",
    )
    .bind(site)
    .bind(from)
    .bind(until)
    .fetch_all(&mut *connection)
    .await?;
    for row in &rows {
        let measure: String = row.try_get("measure")?;
        counts.add_rollup_row(
            row.try_get("form")?,
            &measure,
            row.try_get("detail")?,
            row.try_get("n")?,
        );
    }
    let rows = sqlx::query(
        "SELECT form, COUNT(*) AS n, COUNT(confirmed_ms) AS confirmed FROM submissions
         WHERE site = $1 AND received_ms >= $2 AND received_ms < $3
         GROUP BY form",
    )
    .bind(site)
    .bind(from * DAY_MS)
    .bind(until * DAY_MS)
    .fetch_all(&mut *connection)
    .await?;
    for row in &rows {
        counts.submissions.push((row.try_get("form")?, count(row, "n")?, count(row, "confirmed")?));
    }
    let rows = sqlx::query(
        "SELECT form, field, version, COUNT(*) AS n, COUNT(confirmed_ms) AS confirmed
         FROM consents WHERE site = $1 AND given_ms >= $2 AND given_ms < $3
         GROUP BY form, field, version",
    )
    .bind(site)
    .bind(from * DAY_MS)
    .bind(until * DAY_MS)
    .fetch_all(&mut *connection)
    .await?;
    for row in &rows {
        counts.consents.push((
            row.try_get("form")?,
            row.try_get("field")?,
            row.try_get("version")?,
            count(row, "n")?,
            count(row, "confirmed")?,
        ));
    }
    let rows = sqlx::query(
        "SELECT form, reason, CAST(SUM(count) AS BIGINT) AS n FROM form_spam
         WHERE site = $1 AND day >= $2 AND day < $3
         GROUP BY form, reason",
    )
    .bind(site)
    .bind(from)
    .bind(until)
    .fetch_all(&mut *connection)
    .await?;
    for row in &rows {
        counts.spam.push((row.try_get("form")?, row.try_get("reason")?, count(row, "n")?));
    }
    Ok(counts)
}

#[async_trait]
impl FormReportReads for PostgresStore {
    async fn form_counts(&self, site: &str, days: (i64, i64)) -> StoreResult<FormCounts> {
        let mut connection = self.pool.acquire().await?;
        counts(&mut connection, site, days).await
    }
}
