//! Workflow bookkeeping beside the persons' documents: the steps taken (for the
//! workflow report) and each inactivity workflow's cursor; and the block report's
//! counts of block events.

use sqlx::{PgConnection, Row};

use super::rows::count;
use crate::store::contract::StoreResult;
use crate::store::records::{StepCountRow, StepRecord, VariantCounts};

/// See [`WriteTx::insert_steps`](crate::store::contract::WriteTx::insert_steps).
pub(super) async fn insert_steps(
    connection: &mut PgConnection,
    steps: &[StepRecord<'_>],
) -> StoreResult<()> {
    for step in steps {
        sqlx::query(
            "INSERT INTO workflow_steps (run, step, site, workflow, outcome, at_ms)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (run, step) DO NOTHING",
        )
        .bind(step.run)
        .bind(i64::from(step.step))
        .bind(step.site)
        .bind(step.workflow)
        .bind(step.outcome)
        .bind(step.at_ms)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// See [`WriteTx::advance_quiet_cursor`](crate::store::contract::WriteTx::advance_quiet_cursor).
pub(super) async fn advance_cursor(
    connection: &mut PgConnection,
    site: &str,
    workflow: &str,
    through_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO workflow_cursors (site, workflow, through_ms) VALUES ($1, $2, $3)
         ON CONFLICT (site, workflow) DO UPDATE SET
            through_ms = GREATEST(workflow_cursors.through_ms, excluded.through_ms)",
    )
    .bind(site)
    .bind(workflow)
    .bind(through_ms)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// See [`Store::quiet_cursor`](crate::store::contract::Store::quiet_cursor).
pub(super) async fn cursor(
    connection: &mut PgConnection,
    site: &str,
    workflow: &str,
) -> StoreResult<Option<i64>> {
    let row =
        sqlx::query("SELECT through_ms FROM workflow_cursors WHERE site = $1 AND workflow = $2")
            .bind(site)
            .bind(workflow)
            .fetch_optional(&mut *connection)
            .await?;
    Ok(row.map(|row| row.try_get("through_ms")).transpose()?)
}

/// See [`Store::workflow_counts`](crate::store::contract::Store::workflow_counts).
pub(super) async fn step_counts(
    connection: &mut PgConnection,
    site: &str,
    from_ms: i64,
    until_ms: i64,
) -> StoreResult<Vec<StepCountRow>> {
    let rows = sqlx::query(
        "SELECT workflow, step, outcome, COUNT(*) AS taken FROM workflow_steps
         WHERE site = $1 AND at_ms >= $2 AND at_ms < $3
         GROUP BY workflow, step, outcome",
    )
    .bind(site)
    .bind(from_ms)
    .bind(until_ms)
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(StepCountRow {
                workflow: row.try_get("workflow")?,
                step: u32::try_from(row.try_get::<i64, _>("step")?).unwrap_or(0),
                outcome: row.try_get("outcome")?,
                taken: count(row, "taken")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// See [`Store::block_counts`](crate::store::contract::Store::block_counts) (partial
/// index `events_blocks`).
pub(super) async fn block_counts(
    connection: &mut PgConnection,
    site: &str,
    from_ms: i64,
    until_ms: i64,
) -> StoreResult<Vec<VariantCounts>> {
    let rows = sqlx::query(
        "SELECT name AS block, COALESCE(target, '') AS variant,
            SUM(CASE WHEN kind = 'block_impression' THEN 1 ELSE 0 END) AS impressions,
            COUNT(DISTINCT CASE WHEN kind = 'block_impression' THEN visitor END) AS visitors,
            SUM(CASE WHEN kind = 'block_click' THEN 1 ELSE 0 END) AS clicks,
            SUM(CASE WHEN kind = 'block_dismiss' THEN 1 ELSE 0 END) AS dismissals,
            COUNT(DISTINCT CASE WHEN kind = 'block_conversion' THEN visitor END) AS conversions
         FROM events
         WHERE site = $1
           AND kind IN ('block_impression', 'block_click', 'block_dismiss', 'block_conversion')
           AND received_ms >= $2 AND received_ms < $3 AND NOT bot AND name IS NOT NULL
         GROUP BY name, COALESCE(target, '')",
    )
    .bind(site)
    .bind(from_ms)
    .bind(until_ms)
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(VariantCounts {
                block: row.try_get("block")?,
                variant: row.try_get("variant")?,
                impressions: count(row, "impressions")?,
                visitors: count(row, "visitors")?,
                clicks: count(row, "clicks")?,
                dismissals: count(row, "dismissals")?,
                conversions: count(row, "conversions")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}
