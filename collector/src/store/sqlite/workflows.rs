//! Workflow bookkeeping beside the persons' documents: the steps taken (for the
//! workflow report) and each inactivity workflow's cursor; and the block report's
//! counts of block events.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::contract::StoreResult;
use crate::store::records::{StepCountRow, StepRecord, VariantCounts};

/// See [`WriteTx::insert_steps`](crate::store::contract::WriteTx::insert_steps).
pub fn insert_steps(connection: &Connection, steps: &[StepRecord<'_>]) -> StoreResult<()> {
    let mut insert = connection.prepare_cached(
        "INSERT INTO workflow_steps (run, step, site, workflow, outcome, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (run, step) DO NOTHING",
    )?;
    for step in steps {
        insert.execute(params![
            step.run,
            step.step,
            step.site,
            step.workflow,
            step.outcome,
            step.at_ms
        ])?;
    }
    Ok(())
}

/// See [`WriteTx::advance_quiet_cursor`](crate::store::contract::WriteTx::advance_quiet_cursor).
pub fn advance_cursor(
    connection: &Connection,
    site: &str,
    workflow: &str,
    through_ms: i64,
) -> StoreResult<()> {
    connection
        .prepare_cached(
            "INSERT INTO workflow_cursors (site, workflow, through_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (site, workflow) DO UPDATE SET
                through_ms = MAX(workflow_cursors.through_ms, excluded.through_ms)",
        )?
        .execute(params![site, workflow, through_ms])?;
    Ok(())
}

/// See [`Store::quiet_cursor`](crate::store::contract::Store::quiet_cursor).
pub fn cursor(connection: &Connection, site: &str, workflow: &str) -> StoreResult<Option<i64>> {
    let through = connection
        .prepare_cached(
            "SELECT through_ms FROM workflow_cursors WHERE site = ?1 AND workflow = ?2",
        )?
        .query_row(params![site, workflow], |row| row.get(0))
        .optional()?;
    Ok(through)
}

/// See [`Store::workflow_counts`](crate::store::contract::Store::workflow_counts).
pub fn step_counts(
    connection: &Connection,
    site: &str,
    from_ms: i64,
    until_ms: i64,
) -> StoreResult<Vec<StepCountRow>> {
    let counts = connection
        .prepare_cached(
            "SELECT workflow, step, outcome, COUNT(*) FROM workflow_steps
             WHERE site = ?1 AND at_ms >= ?2 AND at_ms < ?3
             GROUP BY workflow, step, outcome",
        )?
        .query_map(params![site, from_ms, until_ms], |row| {
            Ok(StepCountRow {
                workflow: row.get(0)?,
                step: u32::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                outcome: row.get(2)?,
                taken: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(counts)
}

/// See [`Store::block_counts`](crate::store::contract::Store::block_counts) (partial index
/// `events_blocks`).
pub fn block_counts(
    connection: &Connection,
    site: &str,
    from_ms: i64,
    until_ms: i64,
) -> StoreResult<Vec<VariantCounts>> {
    let count = |row: &rusqlite::Row<'_>, at: usize| -> rusqlite::Result<u64> {
        Ok(u64::try_from(row.get::<_, i64>(at)?).unwrap_or(0))
    };
    let counts = connection
        .prepare_cached(
            "SELECT name, COALESCE(target, ''),
                SUM(CASE WHEN kind = 'block_impression' THEN 1 ELSE 0 END),
                COUNT(DISTINCT CASE WHEN kind = 'block_impression' THEN visitor END),
                SUM(CASE WHEN kind = 'block_click' THEN 1 ELSE 0 END),
                SUM(CASE WHEN kind = 'block_dismiss' THEN 1 ELSE 0 END),
                COUNT(DISTINCT CASE WHEN kind = 'block_conversion' THEN visitor END)
             FROM events
             WHERE site = ?1
               AND kind IN ('block_impression', 'block_click', 'block_dismiss', 'block_conversion')
               AND received_ms >= ?2 AND received_ms < ?3 AND bot = 0 AND name IS NOT NULL
             GROUP BY name, COALESCE(target, '')",
        )?
        .query_map(params![site, from_ms, until_ms], |row| {
            Ok(VariantCounts {
                block: row.get(0)?,
                variant: row.get(1)?,
                impressions: count(row, 2)?,
                visitors: count(row, 3)?,
                clicks: count(row, 4)?,
                dismissals: count(row, 5)?,
                conversions: count(row, 6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(counts)
}
