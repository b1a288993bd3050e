//! The webhook outbox: a message for another system is stored before anything tries to
//! send it, so it survives restarts and failures of the receiver, and the
//! [`dispatch`](super::dispatch) task delivers it (ordered per lead, retried, finally
//! dead-lettered).
//!
//! - [`enqueue`] stores a message for an [`Endpoint`] on its own; the change that
//!   causes a message stores it in its own transaction instead
//!   ([`WriteTx::enqueue`](crate::store::WriteTx::enqueue)), so the change and its
//!   message are committed together or not at all.
//! - [`Outbox`] is the handle the collector keeps: [`Outbox::enqueue`] stores and wakes
//!   the dispatcher at once; without it the dispatcher finds the message at its next
//!   poll.
//!
//! Workflows store their messages with the person they advance
//! ([`steps`](super::steps)); [`enqueue`] is public so integrators can put a message in
//! the outbox of a running collector's database directly.
//!
//! Endpoints come from the sites' configuration (`webhooks:`). A workflow's message
//! stores its endpoint's name and URL but not its secret: the dispatcher reads the
//! endpoint's current URL and secret from the configuration at each attempt, so secrets
//! never reach the database and a rotated secret applies to messages already waiting.
//! A message [`enqueue`]d with a secret keeps it and is delivered with it.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::store::{self, OutboxMessage, OutboxState, Store, StoreError};

/// Where a webhook goes and the secret its signature is keyed with.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The message for `endpoint` about `lead` with JSON `body`, created `now_ms` and due
/// at once; its id (UUIDv7) is the receiver's idempotency key.
pub fn message(
    site: &str,
    lead: &str,
    endpoint: &Endpoint,
    body: &serde_json::Value,
    now_ms: i64,
) -> OutboxMessage {
    OutboxMessage {
        id: uuid::Uuid::now_v7().to_string(),
        site: site.to_owned(),
        lead: lead.to_owned(),
        endpoint: endpoint.name.clone(),
        url: endpoint.url.clone(),
        secret: endpoint.secret.clone(),
        body: body.to_string(),
        created_ms: now_ms,
        window_start_ms: now_ms,
        attempts: 0,
        next_attempt_ms: now_ms,
        state: OutboxState::Pending,
        last_error: None,
        delivered_ms: None,
        caused_ms: None,
    }
}

/// Stores a message for `endpoint` about `lead` in `store`'s outbox; returns its id.
/// A dispatcher on the same database delivers it at its next poll.
pub async fn enqueue(
    store: &Arc<dyn Store>,
    site: &str,
    lead: &str,
    endpoint: &Endpoint,
    body: &serde_json::Value,
) -> Result<String, StoreError> {
    let message = message(site, lead, endpoint, body, crate::clock::unix_millis());
    let id = message.id.clone();
    store::write(store, move |tx| tx.enqueue(&message)).await?;
    Ok(id)
}

/// The collector's outbox: the store and the dispatcher's wake-up call.
#[derive(Clone)]
pub struct Outbox {
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(store: Arc<dyn Store>, wake: Arc<Notify>) -> Self {
        Outbox { store, wake }
    }

    /// [`enqueue`], then wakes the dispatcher.
    pub async fn enqueue(
        &self,
        site: &str,
        lead: &str,
        endpoint: &Endpoint,
        body: &serde_json::Value,
    ) -> Result<String, StoreError> {
        let id = enqueue(&self.store, site, lead, endpoint, body).await?;
        self.wake.notify_one();
        Ok(id)
    }

    /// Wakes the dispatcher (after a message was stored another way, or replayed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}
