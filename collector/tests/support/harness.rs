//! The test harness shared by the collector's HTTP tests: a collector served on
//! 127.0.0.1 over a temporary SQLite file or a fresh PostgreSQL database, an HTTP
//! client speaking to it as a browser or an integrator would, and event builders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kindling_collector::{Settings, serve};
use reqwest::StatusCode;
use reqwest::header::ORIGIN;
use serde_json::{Value, json};
use tokio::sync::oneshot;

#[path = "postgres.rs"]
pub mod postgres;

pub const VISITOR: &str = "0190f3c2-7d2a-7c4e-8a8b-0123456789ab";
pub const EVENT: &str = "0190f3c2-7d2a-7c4e-8a8b-00000000e001";
pub const SESSION: &str = "0190f3c2-7d2a-7c4e-8a8b-00000000a001";
pub const BROWSER_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
pub const TOKEN: &str = "test-admin-token";
pub const ALLOWED: &str = "https://www.example.com";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The database a test collector runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Every test below runs once per backend, as `sqlite::NAME` and `postgres::NAME`.
#[allow(unused_macros)]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Sqlite).await })*
        }
        mod postgres_backend {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Backend::Postgres).await })*
        }
    };
}

#[allow(unused_imports)]
pub(crate) use on_both_backends;

pub struct Collector {
    pub base: String,
    pub http: reqwest::Client,
    /// The database URL, for tests that open the store themselves.
    pub database: String,
    stop: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<Result<(), kindling_collector::StartError>>>,
    data: tempfile::TempDir,
    pg: Option<postgres::TestDatabase>,
}

impl Collector {
    pub async fn start(backend: Backend) -> Collector {
        Collector::start_with(backend, |_| {}).await
    }

    /// A collector on the lead forms site (`tests/fixtures/forms.yaml`), with rate
    /// limits loose enough for many submissions from one test client.
    pub async fn start_forms_site(backend: Backend) -> Collector {
        Collector::start_with(backend, |settings| {
            settings.config = Some(fixtures().join("forms.yaml"));
            settings.rate_limit_ip = 10_000;
            settings.form_rate_limit_ip = 1_000;
        })
        .await
    }

    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Collector {
        let data = tempfile::tempdir().expect("temporary folder");
        let (url, database) = match backend {
            Backend::Sqlite => (format!("sqlite://{}", data.path().join("k.db").display()), None),
            Backend::Postgres => {
                let database = postgres::TestDatabase::create().await;
                (database.url.clone(), Some(database))
            }
        };
        Collector::start_on(data, url, database, adjust).await
    }

    /// A collector on an existing database (kept by `data` or `pg`).
    async fn start_on(
        data: tempfile::TempDir,
        url: String,
        pg: Option<postgres::TestDatabase>,
        adjust: impl FnOnce(&mut Settings),
    ) -> Collector {
        let mut settings = Settings::new(url.clone());
        settings.config = Some(fixtures().join("site.yaml"));
        settings.admin_token = Some(TOKEN.to_owned());
        adjust(&mut settings);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(serve(settings, listener, async {
            let _ = stopped.await;
        }));
        let collector = Collector {
            base,
            http: reqwest::Client::new(),
            database: url,
            stop: Some(stop),
            served: Some(served),
            data,
            pg,
        };
        for _ in 0..100 {
            if collector.http.get(collector.url("/healthz")).send().await.is_ok() {
                return collector;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("collector did not start at {}", collector.base);
    }

    /// Stops this collector gracefully, waits until it has stopped, and starts a new one
    /// on the same database with settings adjusted by `adjust`.
    pub async fn restart(mut self, adjust: impl FnOnce(&mut Settings)) -> Collector {
        drop(self.stop.take());
        if let Some(served) = self.served.take() {
            served.await.expect("collector task").expect("collector stopped cleanly");
        }
        let url = self.database.clone();
        Collector::start_on(self.data, url, self.pg, adjust).await
    }

    /// Another collector on this one's database (PostgreSQL: several collectors share
    /// one), with its settings adjusted by `adjust`.
    pub async fn beside(&self, adjust: impl FnOnce(&mut Settings)) -> Collector {
        let data = tempfile::tempdir().expect("temporary folder");
        Collector::start_on(data, self.database.clone(), None, adjust).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `body` (a JSON value or raw text) as `text/plain` from `origin`.
    pub async fn post(&self, path: &str, origin: Option<&str>, body: String) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", "text/plain;charset=UTF-8")
            .header("user-agent", BROWSER_UA)
            .body(body);
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        request.send().await.expect("request sent")
    }

    pub async fn events(&self) -> Vec<Value> {
        let response = self
            .http
            .get(self.url("/admin/api/events?site=pk_test"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("admin API");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("JSON")
    }
}

pub fn pageview(event_id: &str) -> Value {
    json!({"id": event_id, "type": "pageview", "session": SESSION, "url": "https://www.example.com/",
           "title": "Home", "ts": 1_764_000_000_000u64})
}

pub fn pageview_batch(site: &str, event_id: &str) -> String {
    json!({"site": site, "visitor": VISITOR, "events": [pageview(event_id)]}).to_string()
}

/// The `n`-th event id of a test: distinct, valid, time-ordered.
pub fn event_id(n: u32) -> String {
    format!("0190f3c2-7d2a-7c4e-8a8b-{n:012x}")
}

/// Asserts the status and the error body's code and field; returns the body.
pub async fn expect_error(
    response: reqwest::Response,
    status: StatusCode,
    code: &str,
    field: Option<&str>,
) -> Value {
    assert_eq!(response.status(), status, "status");
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"]["code"], code, "code in {body}");
    assert_eq!(body["error"]["field"].as_str(), field, "field in {body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "message in {body}");
    body
}

/// One event of `visitor` (helper for profile tests).
pub fn event(n: u32, kind: &str, url: &str, name: Option<&str>, props: Value) -> Value {
    let mut event =
        json!({"id": event_id(n), "type": kind, "session": SESSION, "url": url, "ts": 1});
    if let Some(name) = name {
        event["name"] = json!(name);
    }
    if props != Value::Null {
        event["props"] = props;
    }
    event
}

impl Collector {
    pub async fn send(&self, visitor: &str, events: Vec<Value>) -> Value {
        let batch = json!({"site": "pk_test", "visitor": visitor, "events": events});
        let response = self.post("/v1/events", Some(ALLOWED), batch.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("JSON")
    }

    pub async fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::Response {
        self.http
            .request(method, self.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("admin API")
    }

    pub async fn profile(&self, query: &str) -> Value {
        let response = self
            .admin(reqwest::Method::GET, &format!("/admin/api/profile?site=pk_test&{query}"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "profile {query}");
        response.json().await.expect("JSON")
    }
}

pub fn uuid_for(n: u32) -> String {
    format!("0190f3c2-7d2a-7c4e-8a8b-{:012x}", 0xabc000 + n)
}
