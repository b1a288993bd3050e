//! The dispatcher: the task that delivers the [outbox](super::outbox)'s messages.
//!
//! It claims due messages — only the oldest pending one of each lead, so a lead's
//! messages arrive in order while different leads are delivered concurrently (at most
//! [`DispatchPolicy::concurrency`] at once) — when woken after an enqueue, when a
//! delivery ends, and at least every [`DispatchPolicy::poll`]. A claim leases the
//! message for [`LEASE`]: another collector on the same database leaves it alone, and
//! if this one dies mid-delivery the message is taken again once the lease is over.
//!
//! A message stored without a secret (a workflow's) is sent to its endpoint's current
//! URL with its current secret from the sites' configuration; one whose endpoint is no
//! longer configured is dead at once.
//!
//! A delivery is a `POST` of the message's body with `Content-Type: application/json`,
//! `Kindling-Signature` and `Kindling-Idempotency-Key` (the message id; see
//! [`signature`](super::signature)), with a [`TIMEOUT`], made by [`post`] (a webhook's
//! test delivery uses it too, so it goes exactly as deliveries go). The target is
//! checked first ([`target`](super::target)): resolved, refused unless every address
//! is public (or `--webhook-allow-private`), and the connection made to the checked
//! addresses; redirects are not followed and no proxy is used.
//!
//! A 2xx answer delivers the message. Anything else is retried with exponential backoff
//! and full jitter (a random delay up to `base × 2^(attempt-1)`, capped at
//! [`DispatchPolicy::max_delay`]) until the retry window after its creation (or last
//! replay) is over; then the message is dead, until replayed through the admin API. A target refused
//! for its form or address is dead at once: retrying cannot change that.
//!
//! On shutdown the dispatcher takes nothing new and waits for the deliveries in
//! flight (each ends within [`TIMEOUT`]) to be recorded.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng as _;
use reqwest::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use super::signature;
use super::target::{self, TargetError};
use crate::clock::unix_millis;
use crate::live::LiveCatalog;
use crate::metrics::Metrics;
use crate::sites::Catalog;
use crate::store::{self, Attempt, OutboxMessage, OutboxState, Store};

/// How long one delivery may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed message is left alone by other dispatchers.
pub const LEASE: Duration = Duration::from_secs(60);

/// How deliveries are retried and how many run at once.
#[derive(Debug, Clone)]
pub struct DispatchPolicy {
    /// The first retry's longest delay; each further retry doubles it.
    pub base: Duration,
    /// The longest delay between two attempts.
    pub max_delay: Duration,
    /// How long after its creation (or last replay) a message is retried before it is
    /// dead.
    pub window: Duration,
    /// Leads delivered to at once.
    pub concurrency: usize,
    /// How often the outbox is read when nothing wakes the dispatcher.
    pub poll: Duration,
    /// Deliver to loopback and private addresses too.
    pub allow_private: bool,
}

impl Default for DispatchPolicy {
    fn default() -> Self {
        DispatchPolicy {
            base: Duration::from_secs(1),
            max_delay: Duration::from_secs(3600),
            window: Duration::from_secs(24 * 3600),
            concurrency: 8,
            poll: Duration::from_secs(1),
            allow_private: false,
        }
    }
}

impl DispatchPolicy {
    /// The policy the settings ask for.
    pub fn from_settings(settings: &crate::Settings) -> Self {
        let base = Duration::from_millis(settings.webhook_retry_base_ms.max(1));
        DispatchPolicy {
            base,
            window: Duration::from_secs(settings.webhook_retry_window_secs),
            // Retries sooner than a second are found by polling as often.
            poll: base.min(Duration::from_secs(1)),
            allow_private: settings.webhook_allow_private,
            ..DispatchPolicy::default()
        }
    }

    /// The delay before the retry following `attempts` failed attempts: uniformly
    /// random up to the capped exponential delay ("full jitter").
    pub fn backoff(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 32)).unwrap_or(32);
        let ceiling = self.base.saturating_mul(2u32.saturating_pow(doublings)).min(self.max_delay);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
    }
}

/// The running dispatcher.
pub struct Dispatcher {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Dispatcher {
    /// Starts delivering `store`'s outbox; `wake` is notified after enqueues. Messages
    /// stored without a secret are sent to their endpoint as `catalog` configures it
    /// now. Attempts and speed to lead are counted in `metrics`.
    pub fn spawn(
        store: Arc<dyn Store>,
        catalog: Arc<LiveCatalog>,
        policy: DispatchPolicy,
        wake: Arc<Notify>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        let context = Delivery { store, catalog, policy: Arc::new(policy), metrics };
        let task = tokio::spawn(run(Arc::new(context), wake, stopped));
        Dispatcher { stop, task }
    }

    /// Takes nothing new and returns once the deliveries in flight are recorded.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if self.task.await.is_err() {
            tracing::error!("the webhook dispatcher stopped abnormally");
        }
    }
}

/// What a delivery needs.
struct Delivery {
    store: Arc<dyn Store>,
    /// Endpoints' current URLs and secrets.
    catalog: Arc<LiveCatalog>,
    policy: Arc<DispatchPolicy>,
    metrics: Arc<Metrics>,
}

async fn run(context: Arc<Delivery>, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
    let (store, policy) = (&context.store, &context.policy);
    let mut deliveries = JoinSet::new();
    loop {
        while deliveries.try_join_next().is_some() {}
        let free = policy.concurrency.saturating_sub(deliveries.len());
        if free > 0 {
            let now = unix_millis();
            let lease_until = now + millis(LEASE);
            let limit = u32::try_from(free).unwrap_or(u32::MAX);
            let claimed =
                store::write(store, move |tx| tx.claim_due(now, limit, lease_until)).await;
            match claimed {
                Ok(messages) => {
                    for message in messages {
                        deliveries.spawn(deliver(Arc::clone(&context), message));
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot read the outbox; retrying"),
            }
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(policy.poll) => {}
            Some(_) = deliveries.join_next(), if !deliveries.is_empty() => {}
            _ = stopped.changed() => break,
        }
    }
    while deliveries.join_next().await.is_some() {}
}

/// One attempt at `message`, and its outcome recorded.
async fn deliver(context: Arc<Delivery>, mut message: OutboxMessage) {
    let (store, policy, metrics) = (&context.store, &context.policy, &context.metrics);
    let attempt = match configured(&context.catalog.load(), &mut message) {
        Ok(()) => {
            if let (Some(caused_ms), 0) = (message.caused_ms, message.attempts) {
                // A CRM hand-off leaving for the first time: the speed to lead.
                let seconds = (unix_millis() - caused_ms).max(0) as f64 / 1000.0;
                metrics.speed_to_lead.observe(seconds);
            }
            send(&message, policy.allow_private).await
        }
        Err(refused) => Err(refused),
    };
    let now = unix_millis();
    let outcome = match &attempt {
        Ok(()) => "delivered",
        Err(Failure::Refused(_) | Failure::Unconfigured(_)) => "dead",
        Err(Failure::Failed(_)) => "failed",
    };
    metrics.delivery(outcome);
    let (state, next_attempt_ms, error) = match attempt {
        Ok(()) => {
            tracing::debug!(id = %message.id, endpoint = %message.endpoint, "webhook delivered");
            (OutboxState::Delivered, now, None)
        }
        Err(Failure::Refused(error)) => {
            tracing::warn!(id = %message.id, endpoint = %message.endpoint, %error,
                "webhook target refused; message dead");
            (OutboxState::Dead, now, Some(error.to_string()))
        }
        Err(Failure::Unconfigured(error)) => {
            tracing::warn!(id = %message.id, endpoint = %message.endpoint, %error, "message dead");
            (OutboxState::Dead, now, Some(error))
        }
        Err(Failure::Failed(error)) => {
            let next = now + millis(policy.backoff(message.attempts + 1));
            if next > message.window_start_ms + millis(policy.window) {
                tracing::warn!(id = %message.id, endpoint = %message.endpoint, %error,
                    attempts = message.attempts + 1, "webhook retry window over; message dead");
                (OutboxState::Dead, now, Some(error))
            } else {
                tracing::debug!(id = %message.id, endpoint = %message.endpoint, %error,
                    "webhook attempt failed; retrying");
                (OutboxState::Pending, next, Some(error))
            }
        }
    };
    let id = message.id.clone();
    let recorded = store::write(store, move |tx| {
        let error = error.as_deref();
        tx.record_attempt(&Attempt { id: &id, state, next_attempt_ms, error, now_ms: now })
    })
    .await;
    if let Err(error) = recorded {
        // The lease runs out and the message is attempted again: the receiver's
        // idempotency key makes that harmless.
        tracing::warn!(id = %message.id, %error, "cannot record a webhook attempt");
    }
}

/// Why an attempt failed.
enum Failure {
    /// The target may never be delivered to.
    Refused(TargetError),
    /// Worth retrying: network errors, timeouts, non-2xx answers, names not resolving.
    Failed(String),
    /// A message stored without a secret whose endpoint is no longer configured.
    Unconfigured(String),
}

impl From<SendError> for Failure {
    fn from(error: SendError) -> Self {
        match error {
            SendError::Refused(refused) => Failure::Refused(refused),
            SendError::Failed(failed) => Failure::Failed(failed),
        }
    }
}

/// Gives a message stored without a secret (a workflow's) its endpoint's current URL
/// and secret from the configuration.
fn configured(catalog: &Catalog, message: &mut OutboxMessage) -> Result<(), Failure> {
    if !message.secret.is_empty() {
        return Ok(());
    }
    let endpoint = catalog
        .site(&message.site)
        .and_then(|site| site.webhooks.iter().find(|endpoint| endpoint.name == message.endpoint))
        .ok_or_else(|| {
            Failure::Unconfigured(format!(
                "the webhook {} is no longer configured",
                message.endpoint
            ))
        })?;
    message.url.clone_from(&endpoint.url);
    message.secret.clone_from(&endpoint.secret);
    Ok(())
}

async fn send(message: &OutboxMessage, allow_private: bool) -> Result<(), Failure> {
    let outgoing = Outgoing {
        url: &message.url,
        secret: &message.secret,
        key: &message.id,
        body: &message.body,
    };
    let status = post(&outgoing, allow_private).await?.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(Failure::Failed(format!("HTTP {}", status.as_u16())))
    }
}

/// One signed webhook request (no `Debug`: it holds the secret).
#[derive(Clone, Copy)]
pub struct Outgoing<'a> {
    pub url: &'a str,
    /// The endpoint's secret, the signature's key.
    pub secret: &'a str,
    /// The idempotency key.
    pub key: &'a str,
    /// The JSON body, sent as it is.
    pub body: &'a str,
}

/// Why a webhook request got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The target may never be delivered to.
    #[error("the target is refused: {0}")]
    Refused(TargetError),
    /// Network errors, timeouts, names not resolving: worth trying again.
    #[error("{0}")]
    Failed(String),
}

/// Sends `outgoing` as every delivery goes: the target checked and connected to at the
/// addresses checked, signed, within [`TIMEOUT`] (reading the answer included), no
/// redirect followed, no proxy. The answer is returned whatever its status.
pub async fn post(
    outgoing: &Outgoing<'_>,
    allow_private: bool,
) -> Result<reqwest::Response, SendError> {
    let checked = target::parse(outgoing.url, allow_private).map_err(SendError::Refused)?;
    let addresses = match target::resolve(&checked, allow_private).await {
        Ok(addresses) => addresses,
        Err(TargetError::Unresolved) => {
            return Err(SendError::Failed(TargetError::Unresolved.to_string()));
        }
        Err(refused) => return Err(SendError::Refused(refused)),
    };
    // A client per delivery: it connects only to the addresses just checked.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(TIMEOUT)
        .resolve_to_addrs(&checked.host, &addresses)
        .build()
        .map_err(|error| SendError::Failed(format!("HTTP client: {error}")))?;
    let now_secs = unix_millis().div_euclid(1000);
    let signed = signature::sign(outgoing.secret.as_bytes(), now_secs, outgoing.body.as_bytes());
    client
        .post(checked.url)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(USER_AGENT, concat!("Kindling-Webhooks/", env!("CARGO_PKG_VERSION")))
        .header(signature::HEADER, signed)
        .header(signature::IDEMPOTENCY_HEADER, outgoing.key)
        .body(outgoing.body.to_owned())
        .send()
        .await
        .map_err(|error| SendError::Failed(describe(&error)))
}

/// A network error, its causes included ("error sending request" alone says little).
pub fn describe(error: &reqwest::Error) -> String {
    // Not `error`'s own text: it repeats the URL, which may carry a token.
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap_with_full_jitter() {
        let policy = DispatchPolicy::default();
        for attempts in 1..=40 {
            let ceiling = Duration::from_secs(1u64 << (attempts - 1).min(20)).min(policy.max_delay);
            for _ in 0..20 {
                assert!(policy.backoff(attempts) <= ceiling, "attempt {attempts}");
            }
        }
        let delays: Vec<Duration> = (0..50).map(|_| policy.backoff(12)).collect();
        assert!(delays.iter().any(|delay| *delay > Duration::from_secs(60)), "jitter spreads");
        assert!(delays.iter().any(|delay| *delay < Duration::from_secs(3000)), "{delays:?}");
    }
}
