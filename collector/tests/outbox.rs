//! The webhook outbox over real HTTP, on both backends: a receiver (an axum server on
//! 127.0.0.1 in the test) that fails, is down or answers; retries that keep the
//! idempotency key and a lead's order; dead letters and their replay through the admin
//! API; a restart with a retry pending; private targets refused by default; redirects
//! not followed.
//!
//! Messages are put in the outbox with `automation::outbox::enqueue` on a store opened
//! on the collector's database, as the collector's own changes will.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::http::StatusCode;
use kindling_collector::Settings;
use kindling_collector::automation::outbox::{Endpoint, enqueue};
use serde_json::{Value, json};

#[path = "support/harness.rs"]
mod harness;
#[path = "support/receiver.rs"]
mod receiver;

use harness::*;
use receiver::*;

on_both_backends!(
    a_failing_receiver_gets_the_message_again_with_the_same_key,
    a_message_nobody_takes_is_dead_until_replayed,
    a_leads_messages_arrive_in_order_despite_retries,
    a_retry_pending_at_shutdown_is_delivered_by_the_next_collector,
    private_targets_are_refused_unless_allowed,
    redirects_are_not_followed,
);

const LEAD: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000c0001";

/// Retries every 50 ms at most, for `window_secs`; private targets allowed.
fn quick_retries(window_secs: u64) -> impl FnOnce(&mut Settings) {
    move |settings| {
        settings.webhook_allow_private = true;
        settings.webhook_retry_base_ms = 50;
        settings.webhook_retry_window_secs = window_secs;
    }
}

/// Puts a message about `lead` for `endpoint` in the collector's outbox.
async fn put(collector: &Collector, lead: &str, endpoint: &Endpoint, body: Value) -> String {
    let store = kindling_collector::store::open(&collector.database).await.expect("store");
    enqueue(&store, "pk_test", lead, endpoint, &body).await.expect("enqueued")
}

impl Collector {
    async fn dead_letters(&self) -> Vec<Value> {
        let response =
            self.admin(reqwest::Method::GET, "/admin/api/outbox/dead?site=pk_test").await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("JSON")
    }
}

fn keys_of(seen: &[Delivery]) -> Vec<&str> {
    seen.iter().map(|delivery| delivery.key.as_str()).collect()
}

async fn a_failing_receiver_gets_the_message_again_with_the_same_key(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.behaviour.fail_next.store(2, Ordering::SeqCst);
    let collector = Collector::start_with(backend, quick_retries(30)).await;
    let body = json!({"type": "lead.hot", "person": {"email": "ann@example.com"}});
    let id = put(&collector, LEAD, &receiver.endpoint(), body.clone()).await;

    wait_for("the delivery", async || !receiver.processed().is_empty()).await;
    // No further attempt after the success.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = receiver.seen();
    assert_eq!(keys_of(&seen), [id.as_str(); 3], "three attempts with one key");
    let statuses: Vec<u16> = seen.iter().map(|delivery| delivery.status).collect();
    assert_eq!(statuses, [500, 500, 200]);
    assert!(seen.iter().all(|delivery| delivery.verified), "signatures verify: {seen:?}");
    assert!(seen.iter().all(|delivery| delivery.json), "sent as application/json");
    assert!(seen.iter().all(|delivery| delivery.body == body), "the body as enqueued");
    assert_eq!(receiver.processed(), [id]);
    assert!(collector.dead_letters().await.is_empty());
}

async fn a_message_nobody_takes_is_dead_until_replayed(backend: Backend) {
    // A port nothing listens on until the receiver is brought up.
    let parked = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = parked.local_addr().expect("address");
    drop(parked);
    let endpoint = Endpoint {
        name: "crm".to_owned(),
        url: format!("http://{address}/hooks/kindling"),
        secret: SECRET.to_owned(),
    };
    let collector = Collector::start_with(backend, quick_retries(1)).await;
    let id = put(&collector, LEAD, &endpoint, json!({"type": "lead.created"})).await;

    let mut dead = Vec::new();
    wait_for("the dead letter", async || {
        dead = collector.dead_letters().await;
        !dead.is_empty()
    })
    .await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["id"], id.as_str());
    assert_eq!(dead[0]["state"], "dead");
    assert_eq!(dead[0]["endpoint"], "crm");
    assert!(dead[0]["attempts"].as_i64().is_some_and(|attempts| attempts >= 2), "{dead:?}");
    assert!(dead[0]["last_error"].as_str().is_some_and(|error| !error.is_empty()), "{dead:?}");
    assert!(dead[0].get("secret").is_none(), "secrets stay out of the admin API");

    let listener = tokio::net::TcpListener::bind(address).await.expect("the same port");
    let receiver = Receiver::serve(listener, Behaviour::default());
    let unknown =
        collector.admin(reqwest::Method::POST, "/admin/api/outbox/nope/replay?site=pk_test").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let replayed = collector
        .admin(reqwest::Method::POST, &format!("/admin/api/outbox/{id}/replay?site=pk_test"))
        .await;
    assert_eq!(replayed.status(), StatusCode::OK);

    wait_for("the replayed delivery", async || !receiver.processed().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(keys_of(&receiver.seen()), [id.as_str()], "delivered once");
    assert!(collector.dead_letters().await.is_empty());
    let again = collector
        .admin(reqwest::Method::POST, &format!("/admin/api/outbox/{id}/replay?site=pk_test"))
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "only dead letters are replayed");
}

async fn a_leads_messages_arrive_in_order_despite_retries(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.behaviour.fail_next.store(2, Ordering::SeqCst);
    let collector = Collector::start_with(backend, quick_retries(30)).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(put(&collector, LEAD, &receiver.endpoint(), json!({"n": n})).await);
    }

    wait_for("five deliveries", async || receiver.processed().len() == 5).await;
    assert_eq!(receiver.processed(), ids, "in the order enqueued");
    let seen = receiver.seen();
    assert_eq!(keys_of(&seen[..3]), [ids[0].as_str(); 3], "the first retried before the rest");
    let numbers: Vec<&Value> = seen[2..].iter().map(|delivery| &delivery.body["n"]).collect();
    assert_eq!(numbers, [0, 1, 2, 3, 4]);
}

async fn a_retry_pending_at_shutdown_is_delivered_by_the_next_collector(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.behaviour.failing.store(true, Ordering::SeqCst);
    let adjust = |settings: &mut Settings| {
        settings.webhook_allow_private = true;
        settings.webhook_retry_base_ms = 100;
        settings.webhook_retry_window_secs = 60;
    };
    let collector = Collector::start_with(backend, adjust).await;
    let id = put(&collector, LEAD, &receiver.endpoint(), json!({"type": "lead.hot"})).await;
    wait_for("a failed attempt", async || !receiver.seen().is_empty()).await;

    let collector = collector.restart(adjust).await;
    receiver.behaviour.failing.store(false, Ordering::SeqCst);
    wait_for("the delivery after the restart", async || !receiver.processed().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = receiver.seen();
    assert!(seen.iter().all(|delivery| delivery.key == id), "{seen:?}");
    let delivered = seen.iter().filter(|delivery| delivery.status == 200).count();
    assert_eq!(delivered, 1, "never delivered twice: {seen:?}");
    assert_eq!(receiver.processed(), [id]);
    assert!(collector.dead_letters().await.is_empty());
}

async fn private_targets_are_refused_unless_allowed(backend: Backend) {
    let receiver = Receiver::start().await;
    let collector = Collector::start(backend).await;
    let id = put(&collector, LEAD, &receiver.endpoint(), json!({"type": "lead.hot"})).await;

    let mut dead = Vec::new();
    wait_for("the refusal", async || {
        dead = collector.dead_letters().await;
        !dead.is_empty()
    })
    .await;
    assert_eq!(dead[0]["id"], id.as_str());
    let error = dead[0]["last_error"].as_str().expect("an error");
    assert!(error.contains("127.0.0.1") && error.contains("not a public address"), "{error}");
    assert!(receiver.seen().is_empty(), "nothing reached the receiver");
}

async fn redirects_are_not_followed(backend: Backend) {
    let receiver = Receiver::start().await;
    let collector = Collector::start_with(backend, quick_retries(1)).await;
    let endpoint = Endpoint {
        url: receiver.url.replace("/hooks/kindling", "/hooks/moved"),
        ..receiver.endpoint()
    };
    let id = put(&collector, LEAD, &endpoint, json!({"type": "lead.hot"})).await;

    let mut dead = Vec::new();
    wait_for("the dead letter", async || {
        dead = collector.dead_letters().await;
        !dead.is_empty()
    })
    .await;
    assert_eq!(dead[0]["id"], id.as_str());
    assert_eq!(dead[0]["last_error"], "HTTP 307");
    assert!(receiver.seen().is_empty(), "the redirect was not followed");
}
