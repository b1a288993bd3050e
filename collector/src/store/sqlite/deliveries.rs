//! [`DeliveryReads`] on SQLite: the outbox counted per endpoint and state by creation
//! time, and the delivered hand-offs by delivery time (both by their indexes of
//! migration 18).

use async_trait::async_trait;
use rusqlite::{Connection, params};

use super::SqliteStore;
use crate::store::deliveries::{DeliveryCount, DeliveryReads, HandoffTime, MAX_HANDOFF_TIMES};
use crate::store::error::{StoreError, StoreResult};
use crate::store::records::OutboxState;

fn delivery_counts(
    connection: &Connection,
    site: &str,
    from_ms: i64,
    until_ms: i64,
) -> StoreResult<Vec<DeliveryCount>> {
    let mut statement = connection.prepare_cached(
        "SELECT endpoint, state, state = 'pending' AND attempts > 0 AS retrying, COUNT(*)
         FROM outbox WHERE site = ?1 AND created_ms >= ?2 AND created_ms < ?3
         GROUP BY endpoint, state, retrying ORDER BY endpoint, state, retrying",
    )?;
    let rows = statement.query_map(params![site, from_ms, until_ms], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get(2)?, row.get(3)?))
    })?;
    rows.map(|row| {
        let (endpoint, state, retrying, count) = row?;
        let state = OutboxState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("outbox state {state:?}")))?;
        Ok(DeliveryCount { endpoint, state, retrying, count })
    })
    .collect()
}

fn handoff_times(
    connection: &Connection,
    site: &str,
    from_ms: i64,
    until_ms: i64,
) -> StoreResult<Vec<HandoffTime>> {
    let mut statement = connection.prepare_cached(
        "SELECT caused_ms, delivered_ms FROM outbox
         WHERE site = ?1 AND state = 'delivered' AND caused_ms IS NOT NULL
           AND delivered_ms >= ?2 AND delivered_ms < ?3
         ORDER BY delivered_ms LIMIT ?4",
    )?;
    let rows = statement
        .query_map(params![site, from_ms, until_ms, i64::from(MAX_HANDOFF_TIMES)], |row| {
            Ok(HandoffTime { caused_ms: row.get(0)?, delivered_ms: row.get(1)? })
        })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[async_trait]
impl DeliveryReads for SqliteStore {
    async fn delivery_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<DeliveryCount>> {
        let site = site.to_owned();
        self.readers.read(move |c| delivery_counts(c, &site, from_ms, until_ms)).await
    }

    async fn handoff_times(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<HandoffTime>> {
        let site = site.to_owned();
        self.readers.read(move |c| handoff_times(c, &site, from_ms, until_ms)).await
    }
}
