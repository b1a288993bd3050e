//! A webhook receiver for the collector's tests: an axum server on 127.0.0.1 that checks
//! each delivery's signature, can fail on purpose, and records what it saw and what it
//! processed (each idempotency key once).

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use kindling_collector::automation::outbox::Endpoint;
use kindling_collector::automation::signature;
use serde_json::Value;

pub const SECRET: &str = "whsec_outbox_test";

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub key: String,
    pub body: Value,
    pub verified: bool,
    pub json: bool,
    pub status: u16,
}

/// What the receiver saw and processed (each idempotency key once).
#[derive(Default)]
pub struct Log {
    pub seen: Vec<Delivery>,
    pub processed: Vec<String>,
}

#[derive(Clone, Default)]
pub struct Behaviour {
    pub log: Arc<Mutex<Log>>,
    /// Requests still to answer 500.
    pub fail_next: Arc<AtomicU32>,
    /// Answer 500 to everything while set.
    pub failing: Arc<AtomicBool>,
}

pub struct Receiver {
    pub url: String,
    pub behaviour: Behaviour,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Receiver::serve(listener, Behaviour::default())
    }

    pub fn serve(listener: tokio::net::TcpListener, behaviour: Behaviour) -> Receiver {
        let url = format!("http://{}/hooks/kindling", listener.local_addr().expect("address"));
        let app = axum::Router::new()
            .route("/hooks/kindling", axum::routing::post(receive))
            .route("/hooks/moved", axum::routing::post(moved))
            .with_state(behaviour.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, behaviour }
    }

    pub fn endpoint(&self) -> Endpoint {
        Endpoint { name: "crm".to_owned(), url: self.url.clone(), secret: SECRET.to_owned() }
    }

    pub fn seen(&self) -> Vec<Delivery> {
        self.behaviour.log.lock().expect("log").seen.clone()
    }

    pub fn processed(&self) -> Vec<String> {
        self.behaviour.log.lock().expect("log").processed.clone()
    }
}

async fn receive(
    State(behaviour): State<Behaviour>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
    };
    let now_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let verified = signature::verify(
        SECRET.as_bytes(),
        &header(signature::HEADER),
        &body,
        i64::try_from(now_secs).expect("seconds"),
    )
    .is_ok();
    let key = header(signature::IDEMPOTENCY_HEADER);
    let fail = behaviour.failing.load(Ordering::SeqCst)
        || behaviour
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1))
            .is_ok();
    let status = if fail { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK };
    let mut log = behaviour.log.lock().expect("log");
    if !fail && verified && !log.processed.contains(&key) {
        log.processed.push(key.clone());
    }
    log.seen.push(Delivery {
        key,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        verified,
        json: header("content-type") == "application/json",
        status: status.as_u16(),
    });
    status
}

/// Sends everything on to `/hooks/kindling`, as a moved endpoint would.
async fn moved() -> (StatusCode, [(&'static str, &'static str); 1]) {
    (StatusCode::TEMPORARY_REDIRECT, [("location", "/hooks/kindling")])
}

/// Waits up to 20 s for `done`, then fails with `what`.
pub async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..400 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}
