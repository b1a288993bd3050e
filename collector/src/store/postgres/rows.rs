//! What every statement module shares: how many rows one multi-row statement takes,
//! and reading a count.

use sqlx::Row;
use sqlx::postgres::PgRow;

/// Rows per multi-row statement: an event row's 23 parameters times this stay far
/// below PostgreSQL's limit of 65,535 parameters per statement.
pub const ROWS_PER_STATEMENT: usize = 400;

/// A count (`BIGINT`) of a row; never negative.
pub fn count(row: &PgRow, column: &str) -> Result<u64, sqlx::Error> {
    Ok(u64::try_from(row.try_get::<i64, _>(column)?).unwrap_or(0))
}
