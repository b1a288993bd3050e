//! The webhook outbox's queries, written once for both backends like `submissions`:
//! messages are stored `pending`, claimed by the dispatcher (the oldest pending message
//! of each lead only, so a lead's messages go out in order), then marked `delivered`,
//! rescheduled after a failure, or moved to `dead` once their retry window is over.
//! [`insert`](outbox_queries) takes a connection, so the change that causes a message
//! can store it in its own transaction.

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxMessage {
    /// UUIDv7; also the receiver's idempotency key.
    pub id: String,
    pub site: String,
    /// The person the message is about; a lead's messages are delivered in order.
    pub lead: String,
    /// The endpoint's name, and where and with what secret to deliver.
    pub endpoint: String,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    /// The JSON body sent.
    pub body: String,
    pub created_ms: i64,
    /// When its retry window began: its creation, or its last replay.
    pub window_start_ms: i64,
    /// Delivery attempts made (since its last replay).
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub state: OutboxState,
    pub last_error: Option<String>,
    pub delivered_ms: Option<i64>,
    /// For a CRM hand-off: when the collector received what made the lead qualify (the
    /// start of the speed-to-lead measurement).
    pub caused_ms: Option<i64>,
}

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Delivered,
    /// Every attempt of its retry window failed; waits for a replay.
    Dead,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Delivered => "delivered",
            OutboxState::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(OutboxState::Pending),
            "delivered" => Some(OutboxState::Delivered),
            "dead" => Some(OutboxState::Dead),
            _ => None,
        }
    }
}

/// Expands the outbox queries for one backend: `$db` is its sqlx database type and
/// `$connection` its connection type.
macro_rules! outbox_queries {
    ($db:ty, $connection:ty) => {
        use sqlx::Row as _;

        use crate::store::StoreError;
        use crate::store::outbox::{OutboxMessage, OutboxState};

        const COLUMNS: &str = "id, site, lead, endpoint, url, secret, body, created_ms,
            window_start_ms, attempts, next_attempt_ms, state, last_error, delivered_ms, caused_ms";

        fn message_of(row: &<$db as sqlx::Database>::Row) -> Result<OutboxMessage, StoreError> {
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

        /// Stores `message` as pending, due at its `next_attempt_ms`; an id already
        /// stored is left as it is.
        pub async fn insert(
            connection: &mut $connection,
            message: &OutboxMessage,
        ) -> Result<(), StoreError> {
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

        /// Claims up to `limit` due messages, each the oldest pending one of its lead,
        /// by moving their next attempt to `lease_until`: another dispatcher (or this
        /// one after a crash) takes them again only once the lease is over. Each claim
        /// is a compare-and-set of its own; no transaction is needed around them.
        pub async fn claim_due(
            connection: &mut $connection,
            now: i64,
            limit: u32,
            lease_until: i64,
        ) -> Result<Vec<OutboxMessage>, StoreError> {
            let sql = format!(
                "SELECT {COLUMNS} FROM outbox AS o
                 WHERE o.state = 'pending' AND o.next_attempt_ms <= $1
                   AND NOT EXISTS (SELECT 1 FROM outbox AS e
                       WHERE e.site = o.site AND e.lead = o.lead AND e.state = 'pending'
                         AND e.seq < o.seq)
                 ORDER BY o.next_attempt_ms, o.seq LIMIT $2"
            );
            let rows = sqlx::query(&sql)
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&mut *connection)
                .await?;
            let mut claimed = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut message = message_of(row)?;
                // Only the dispatcher that moves the lease from what it read owns it.
                let moved = sqlx::query(
                    "UPDATE outbox SET next_attempt_ms = $1
                     WHERE id = $2 AND state = 'pending' AND next_attempt_ms = $3",
                )
                .bind(lease_until)
                .bind(&message.id)
                .bind(message.next_attempt_ms)
                .execute(&mut *connection)
                .await?;
                if moved.rows_affected() == 1 {
                    message.next_attempt_ms = lease_until;
                    claimed.push(message);
                }
            }
            Ok(claimed)
        }

        /// Records one more attempt of a pending message: delivered, retried at
        /// `next_attempt` (with the error), or dead (with the error).
        pub async fn record_attempt(
            connection: &mut $connection,
            id: &str,
            state: OutboxState,
            next_attempt: i64,
            error: Option<&str>,
            now: i64,
        ) -> Result<(), StoreError> {
            let delivered = (state == OutboxState::Delivered).then_some(now);
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, state = $1, next_attempt_ms = $2,
                    last_error = $3, delivered_ms = $4
                 WHERE id = $5 AND state = 'pending'",
            )
            .bind(state.as_str())
            .bind(next_attempt)
            .bind(error)
            .bind(delivered)
            .bind(id)
            .execute(&mut *connection)
            .await?;
            Ok(())
        }

        /// A site's messages in `state`, oldest first.
        pub async fn in_state(
            connection: &mut $connection,
            site: &str,
            state: OutboxState,
            limit: u32,
        ) -> Result<Vec<OutboxMessage>, StoreError> {
            let sql = format!(
                "SELECT {COLUMNS} FROM outbox WHERE site = $1 AND state = $2
                 ORDER BY seq LIMIT $3"
            );
            let rows = sqlx::query(&sql)
                .bind(site)
                .bind(state.as_str())
                .bind(i64::from(limit))
                .fetch_all(&mut *connection)
                .await?;
            rows.iter().map(message_of).collect()
        }

        /// Sends a dead message again: pending, due `now`, attempts reset, its retry
        /// window starting again at `now`. The message keeps its id (the receiver's
        /// idempotency key) and its place in its lead's order. False if `site` has no
        /// such dead message.
        pub async fn replay(
            connection: &mut $connection,
            site: &str,
            id: &str,
            now: i64,
        ) -> Result<bool, StoreError> {
            let replayed = sqlx::query(
                "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_ms = $1,
                    window_start_ms = $1
                 WHERE site = $2 AND id = $3 AND state = 'dead'",
            )
            .bind(now)
            .bind(site)
            .bind(id)
            .execute(&mut *connection)
            .await?;
            Ok(replayed.rows_affected() == 1)
        }
    };
}

pub(crate) use outbox_queries;
