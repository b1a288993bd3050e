//! The forms report on SQLite: its reads, and the forms rollup's writes (the rows and
//! each visitor's open form views) for the writer's transactions.

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use crate::store::error::StoreResult;
use crate::store::form_reports::FormReportReads;
use crate::store::records::{DAY_MS, FormCount, FormCounts};

const ADD_FORM_COUNT: &str = "INSERT INTO report_forms AS r
        (site, day, form, measure, detail, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (site, day, form, measure, detail) DO UPDATE SET count = r.count + excluded.count";

/// Adds the forms rollup's rows.
pub fn add(connection: &Connection, rows: &[FormCount]) -> StoreResult<()> {
    let mut add = connection.prepare_cached(ADD_FORM_COUNT)?;
    for row in rows {
        add.execute(params![row.site, row.day, row.form, row.measure, row.detail, row.count])?;
    }
    Ok(())
}

/// A visitor's open form views, as stored.
pub fn open_views(
    connection: &Connection,
    site: &str,
    visitor: &str,
) -> StoreResult<Option<String>> {
    let views = connection
        .prepare_cached("SELECT form_views FROM visitors WHERE site = ?1 AND id = ?2")?
        .query_row(params![site, visitor], |row| row.get(0))
        .optional()?;
    Ok(views.flatten())
}

/// Stores a visitor's open form views (none: no view is open).
pub fn save_open_views(
    connection: &Connection,
    site: &str,
    visitor: &str,
    views: Option<&str>,
) -> StoreResult<()> {
    connection
        .prepare_cached("UPDATE visitors SET form_views = ?3 WHERE site = ?1 AND id = ?2")?
        .execute(params![site, visitor, views])?;
    Ok(())
}

fn count(row: &Row<'_>, at: usize) -> rusqlite::Result<u64> {
    Ok(u64::try_from(row.get::<_, i64>(at)?).unwrap_or(0))
}

/// See [`FormReportReads::form_counts`].
fn counts(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
) -> StoreResult<FormCounts> {
    let mut counts = FormCounts::default();
    let rollup: Vec<(String, String, String, i64)> = connection
        .prepare_cached(
            "SELECT form, measure, detail, SUM(count) FROM report_forms
             WHERE site = ?1 AND day >= ?2 AND day < ?3
             GROUP BY form, measure, detail",
        )?
        .query_map(params![site, from, until], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    for (form, measure, detail, n) in rollup {
        counts.add_rollup_row(form, &measure, detail, n);
    }
    let times = params![site, from * DAY_MS, until * DAY_MS];
    counts.submissions = connection
        .prepare_cached(
            "SELECT form, COUNT(*), COUNT(confirmed_ms) FROM submissions
             WHERE site = ?1 AND received_ms >= ?2 AND received_ms < ?3
             GROUP BY form",
        )?
        .query_map(times, |row| Ok((row.get(0)?, count(row, 1)?, count(row, 2)?)))?
        .collect::<Result<_, _>>()?;
    counts.consents = connection
        .prepare_cached(
            "SELECT form, field, version, COUNT(*), COUNT(confirmed_ms)
             FROM consents WHERE site = ?1 AND given_ms >= ?2 AND given_ms < ?3
             GROUP BY form, field, version",
        )?
        .query_map(times, |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, count(row, 3)?, count(row, 4)?))
        })?
        .collect::<Result<_, _>>()?;
    counts.spam = connection
        .prepare_cached(
            "SELECT form, reason, SUM(count) FROM form_spam
             WHERE site = ?1 AND day >= ?2 AND day < ?3
             GROUP BY form, reason",
        )?
        .query_map(params![site, from, until], |row| {
            Ok((row.get(0)?, row.get(1)?, count(row, 2)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(counts)
}

#[async_trait]
impl FormReportReads for SqliteStore {
    async fn form_counts(&self, site: &str, days: (i64, i64)) -> StoreResult<FormCounts> {
        let site = site.to_owned();
        self.readers.read(move |connection| counts(connection, &site, days)).await
    }
}
