//! The webhook outbox: messages stored pending, claimed by a dispatcher (the oldest
//! pending message of each lead only; each claim a compare-and-set, so collectors
//! sharing the database never claim one message twice), then marked delivered,
//! rescheduled, or dead; dead letters are read back and replayed.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::store::contract::{StoreError, StoreResult};
use crate::store::records::{Attempt, OutboxMessage, OutboxState};

const COLUMNS: &str = "id, site, lead, endpoint, url, secret, body, created_ms,
    window_start_ms, attempts, next_attempt_ms, state, last_error, delivered_ms, caused_ms";

fn message_of(row: &PgRow) -> StoreResult<OutboxMessage> {
    let state: String = row.try_get("state")?;
    Ok(OutboxMessage {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        lead: row.try_get("lead")?,
        endpoint: row.try_get("endpoint")?,
        url: row.try_get("url")?,
        secret: row.try_get("secret")?,
        body: row.try_get("body")?,
        created_ms: row.try_get("created_ms")?,
        window_start_ms: row.try_get("window_start_ms")?,
        attempts: row.try_get("attempts")?,
        next_attempt_ms: row.try_get("next_attempt_ms")?,
        state: OutboxState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("outbox state {state:?}")))?,
        last_error: row.try_get("last_error")?,
        delivered_ms: row.try_get("delivered_ms")?,
        caused_ms: row.try_get("caused_ms")?,
    })
}

/// See [`WriteTx::enqueue`](crate::store::contract::WriteTx::enqueue).
pub(super) async fn enqueue(
    connection: &mut PgConnection,
    message: &OutboxMessage,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (id, site, lead, endpoint, url, secret, body, created_ms,
            window_start_ms, attempts, next_attempt_ms, state, caused_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 0, $9, 'pending', $10)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&message.id)
    .bind(&message.site)
    .bind(&message.lead)
    .bind(&message.endpoint)
    .bind(&message.url)
    .bind(&message.secret)
    .bind(&message.body)
    .bind(message.created_ms)
    .bind(message.next_attempt_ms)
    .bind(message.caused_ms)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// See [`WriteTx::claim_due`](crate::store::contract::WriteTx::claim_due).
pub(super) async fn claim_due(
    connection: &mut PgConnection,
    now_ms: i64,
    limit: u32,
    lease_until_ms: i64,
) -> StoreResult<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox AS o
         WHERE o.state = 'pending' AND o.next_attempt_ms <= $1
           AND NOT EXISTS (SELECT 1 FROM outbox AS e
               WHERE e.site = o.site AND e.lead = o.lead AND e.state = 'pending' AND e.seq < o.seq)
         ORDER BY o.next_attempt_ms, o.seq LIMIT $2"
    );
    let rows =
        sqlx::query(&sql).bind(now_ms).bind(i64::from(limit)).fetch_all(&mut *connection).await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut message = message_of(row)?;
        // Only the dispatcher that moves the lease from what it read owns it.
        let moved = sqlx::query(
            "UPDATE outbox SET next_attempt_ms = $1
             WHERE id = $2 AND state = 'pending' AND next_attempt_ms = $3",
        )
        .bind(lease_until_ms)
        .bind(&message.id)
        .bind(message.next_attempt_ms)
        .execute(&mut *connection)
        .await?;
        if moved.rows_affected() == 1 {
            message.next_attempt_ms = lease_until_ms;
            claimed.push(message);
        }
    }
    Ok(claimed)
}

/// See [`WriteTx::record_attempt`](crate::store::contract::WriteTx::record_attempt).
pub(super) async fn record_attempt(
    connection: &mut PgConnection,
    attempt: &Attempt<'_>,
) -> StoreResult<()> {
    let delivered = (attempt.state == OutboxState::Delivered).then_some(attempt.now_ms);
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, state = $1, next_attempt_ms = $2,
            last_error = $3, delivered_ms = $4
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(attempt.state.as_str())
    .bind(attempt.next_attempt_ms)
    .bind(attempt.error)
    .bind(delivered)
    .bind(attempt.id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// See [`WriteTx::replay`](crate::store::contract::WriteTx::replay).
pub(super) async fn replay(
    connection: &mut PgConnection,
    site: &str,
    id: &str,
    now_ms: i64,
) -> StoreResult<bool> {
    let replayed = sqlx::query(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_ms = $1,
            window_start_ms = $1
         WHERE site = $2 AND id = $3 AND state = 'dead'",
    )
    .bind(now_ms)
    .bind(site)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    Ok(replayed.rows_affected() == 1)
}

/// See [`Store::dead_letters`](crate::store::contract::Store::dead_letters).
pub(super) async fn dead_letters(
    connection: &mut PgConnection,
    site: &str,
    limit: u32,
) -> StoreResult<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE site = $1 AND state = 'dead' ORDER BY seq LIMIT $2"
    );
    let rows =
        sqlx::query(&sql).bind(site).bind(i64::from(limit)).fetch_all(&mut *connection).await?;
    rows.iter().map(message_of).collect()
}
