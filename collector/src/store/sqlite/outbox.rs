//! The webhook outbox: messages stored pending, claimed by the dispatcher (the oldest
//! pending message of each lead only, so a lead's messages go out in order), then
//! marked delivered, rescheduled after a failure, or dead once their retry window is
//! over; dead letters are read back and replayed.

use rusqlite::{Connection, Row, params};

use crate::store::contract::{StoreError, StoreResult};
use crate::store::records::{Attempt, OutboxMessage, OutboxState};

const COLUMNS: &str = "id, site, lead, endpoint, url, secret, body, created_ms,
    window_start_ms, attempts, next_attempt_ms, state, last_error, delivered_ms, caused_ms";

/// A message from a row of [`COLUMNS`]; the state is checked by the caller.
fn message_of(row: &Row<'_>) -> rusqlite::Result<(OutboxMessage, String)> {
    let state: String = row.get(11)?;
    let message = OutboxMessage {
        id: row.get(0)?,
        site: row.get(1)?,
        lead: row.get(2)?,
        endpoint: row.get(3)?,
        url: row.get(4)?,
        secret: row.get(5)?,
        body: row.get(6)?,
        created_ms: row.get(7)?,
        window_start_ms: row.get(8)?,
        attempts: row.get(9)?,
        next_attempt_ms: row.get(10)?,
        state: OutboxState::Pending,
        last_error: row.get(12)?,
        delivered_ms: row.get(13)?,
        caused_ms: row.get(14)?,
    };
    Ok((message, state))
}

fn messages(
    rows: impl Iterator<Item = rusqlite::Result<(OutboxMessage, String)>>,
) -> StoreResult<Vec<OutboxMessage>> {
    rows.map(|row| {
        let (mut message, state) = row?;
        message.state = OutboxState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("outbox state {state:?}")))?;
        Ok(message)
    })
    .collect()
}

/// See [`WriteTx::enqueue`](crate::store::contract::WriteTx::enqueue).
pub fn enqueue(connection: &Connection, message: &OutboxMessage) -> StoreResult<()> {
    connection
        .prepare_cached(
            "INSERT INTO outbox (id, site, lead, endpoint, url, secret, body, created_ms,
                window_start_ms, attempts, next_attempt_ms, state, caused_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 0, ?9, 'pending', ?10)
             ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            message.id,
            message.site,
            message.lead,
            message.endpoint,
            message.url,
            message.secret,
            message.body,
            message.created_ms,
            message.next_attempt_ms,
            message.caused_ms,
        ])?;
    Ok(())
}

/// See [`WriteTx::claim_due`](crate::store::contract::WriteTx::claim_due).
pub fn claim_due(
    connection: &Connection,
    now_ms: i64,
    limit: u32,
    lease_until_ms: i64,
) -> StoreResult<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox AS o
         WHERE o.state = 'pending' AND o.next_attempt_ms <= ?1
           AND NOT EXISTS (SELECT 1 FROM outbox AS e
               WHERE e.site = o.site AND e.lead = o.lead AND e.state = 'pending' AND e.seq < o.seq)
         ORDER BY o.next_attempt_ms, o.seq LIMIT ?2"
    );
    let due = {
        let mut statement = connection.prepare_cached(&sql)?;
        let rows = statement.query_map(params![now_ms, i64::from(limit)], message_of)?;
        messages(rows)?
    };
    let mut lease = connection.prepare_cached(
        "UPDATE outbox SET next_attempt_ms = ?1
         WHERE id = ?2 AND state = 'pending' AND next_attempt_ms = ?3",
    )?;
    let mut claimed = Vec::with_capacity(due.len());
    for mut message in due {
        if lease.execute(params![lease_until_ms, message.id, message.next_attempt_ms])? == 1 {
            message.next_attempt_ms = lease_until_ms;
            claimed.push(message);
        }
    }
    Ok(claimed)
}

/// See [`WriteTx::record_attempt`](crate::store::contract::WriteTx::record_attempt).
pub fn record_attempt(connection: &Connection, attempt: &Attempt<'_>) -> StoreResult<()> {
    let delivered = (attempt.state == OutboxState::Delivered).then_some(attempt.now_ms);
    connection
        .prepare_cached(
            "UPDATE outbox SET attempts = attempts + 1, state = ?1, next_attempt_ms = ?2,
                last_error = ?3, delivered_ms = ?4
             WHERE id = ?5 AND state = 'pending'",
        )?
        .execute(params![
            attempt.state.as_str(),
            attempt.next_attempt_ms,
            attempt.error,
            delivered,
            attempt.id
        ])?;
    Ok(())
}

/// See [`WriteTx::replay`](crate::store::contract::WriteTx::replay).
pub fn replay(connection: &Connection, site: &str, id: &str, now_ms: i64) -> StoreResult<bool> {
    let replayed = connection
        .prepare_cached(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_ms = ?1,
                window_start_ms = ?1
             WHERE site = ?2 AND id = ?3 AND state = 'dead'",
        )?
        .execute(params![now_ms, site, id])?;
    Ok(replayed == 1)
}

/// See [`Store::dead_letters`](crate::store::contract::Store::dead_letters).
pub fn dead_letters(
    connection: &Connection,
    site: &str,
    limit: u32,
) -> StoreResult<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE site = ?1 AND state = 'dead' ORDER BY seq LIMIT ?2"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(params![site, i64::from(limit)], message_of)?;
    messages(rows)
}
