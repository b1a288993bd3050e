//! The store's reads of webhook deliveries ([`DeliveryReads`], a part of every
//! [`Store`]), for the automation report: how many outbox messages created in a range
//! are in each state per endpoint, and when the CRM hand-offs delivered in a range were
//! caused and delivered. Ranges are `[from_ms, until_ms)` in Unix milliseconds.
//!
//! [`Store`]: crate::store::Store

use async_trait::async_trait;

use crate::store::error::StoreResult;
use crate::store::records::OutboxState;

/// The most hand-off times one read returns.
pub const MAX_HANDOFF_TIMES: u32 = 100_000;

/// How many messages for one endpoint are in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryCount {
    pub endpoint: String,
    pub state: OutboxState,
    /// Pending after at least one failed attempt.
    pub retrying: bool,
    pub count: i64,
}

/// A delivered CRM hand-off: when what caused it happened, and when it was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoffTime {
    pub caused_ms: i64,
    pub delivered_ms: i64,
}

/// The delivery reads.
#[async_trait]
pub trait DeliveryReads {
    /// The messages of `site` created in `[from_ms, until_ms)`, counted per endpoint,
    /// state and whether they are retrying, by endpoint.
    async fn delivery_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<DeliveryCount>>;

    /// The delivered messages of `site` with a cause (CRM hand-offs) delivered in
    /// `[from_ms, until_ms)`, earliest delivered first, at most [`MAX_HANDOFF_TIMES`].
    async fn handoff_times(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<HandoffTime>>;
}
