//! [`DeliveryReads`] on PostgreSQL: the outbox counted per endpoint and state by
//! creation time, and the delivered hand-offs by delivery time (both by their indexes
//! of migration 16).

use async_trait::async_trait;
use sqlx::Row;

use super::PostgresStore;
use crate::store::deliveries::{DeliveryCount, DeliveryReads, HandoffTime, MAX_HANDOFF_TIMES};
use crate::store::error::{StoreError, StoreResult};
use crate::store::records::OutboxState;

#[async_trait]
impl DeliveryReads for PostgresStore {
    async fn delivery_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<DeliveryCount>> {
        let rows = sqlx::query(
            "SELECT endpoint, state, (state = 'pending' AND attempts > 0) AS retrying,
                COUNT(*)::bigint
             FROM outbox WHERE site = $1 AND created_ms >= $2 AND created_ms < $3
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        )
        .bind(site)
        .bind(from_ms)
        .bind(until_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get(1)?;
                Ok(DeliveryCount {
                    endpoint: row.try_get(0)?,
                    state: OutboxState::parse(&state)
                        .ok_or_else(|| StoreError::Corrupt(format!("outbox state {state:?}")))?,
                    retrying: row.try_get(2)?,
                    count: row.try_get(3)?,
                })
            })
            .collect()
    }

    async fn handoff_times(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<HandoffTime>> {
        let rows = sqlx::query(
            "SELECT caused_ms, delivered_ms FROM outbox
             WHERE site = $1 AND state = 'delivered' AND caused_ms IS NOT NULL
               AND delivered_ms >= $2 AND delivered_ms < $3
             ORDER BY delivered_ms LIMIT $4",
        )
        .bind(site)
        .bind(from_ms)
        .bind(until_ms)
        .bind(i64::from(MAX_HANDOFF_TIMES))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(HandoffTime { caused_ms: row.try_get(0)?, delivered_ms: row.try_get(1)? })
            })
            .collect()
    }
}
