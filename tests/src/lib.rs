//! The end-to-end harness: a real collector on a temporary SQLite file, the demo site
//! on its own origin, and headless Chromium driven over WebDriver (ChromeDriver).
//!
//! Everything binds to `127.0.0.1:0`; nothing is mocked. The widget bundle must have
//! been built (`cargo xtask bundle`, which `cargo xtask test` runs first).

pub mod axe;
pub mod console;
pub mod lead_forms;
pub mod trap;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use kindling_collector::{Settings, serve};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The admin token of collectors started by the harness.
pub const ADMIN_TOKEN: &str = "e2e-admin-token";
/// The user agent the test browser presents.
pub const BROWSER_USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/// The demo site's public key (demo.yaml).
pub const DEMO_SITE_KEY: &str = "pk_demo_brightline";

/// The widget bundle folder: `KINDLING_WIDGET_DIST`, or `target/widget/dist`.
pub fn widget_dist() -> PathBuf {
    let dist = std::env::var_os("KINDLING_WIDGET_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/widget/dist"));
    assert!(
        dist.join("kindling.js").is_file(),
        "no widget bundle in {}: run `cargo xtask test` (or `cargo xtask bundle` first)",
        dist.display()
    );
    dist
}

/// Pages made for tests, served like the demo site (`tests/fixtures/site`).
pub fn fixture_site() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/site")
}

/// A configuration made for tests (`tests/fixtures/NAME`).
pub fn fixture_config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// A running collector and a site served from a second origin.
pub struct Stack {
    /// `http://127.0.0.1:PORT` of the collector.
    pub collector: String,
    /// `http://127.0.0.1:PORT` of the site.
    pub site: String,
    http: reqwest::Client,
    settings: Settings,
    running: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
    _data: tempfile::TempDir,
}

impl Stack {
    /// The collector seeded from demo.yaml, and the demo site.
    pub async fn demo() -> Stack {
        Stack::start(kindling_demo_site::site_dir()).await
    }

    /// The collector seeded from demo.yaml, and the site in `site_dir`.
    pub async fn start(site_dir: PathBuf) -> Stack {
        Stack::start_with_config(site_dir, kindling_demo_site::demo_config()).await
    }

    /// The collector seeded from `config` (whose site must be [`DEMO_SITE_KEY`]), and
    /// the site in `site_dir`.
    pub async fn start_with_config(site_dir: PathBuf, config: PathBuf) -> Stack {
        Stack::start_tuned(site_dir, config, |_| {}).await
    }

    /// Like [`Stack::start_with_config`], with `tune` changing the collector's settings
    /// first (a short session idle time, say).
    pub async fn start_tuned(
        site_dir: PathBuf,
        config: PathBuf,
        tune: impl FnOnce(&mut Settings),
    ) -> Stack {
        let data = tempfile::tempdir().expect("temporary folder");
        let mut settings =
            Settings::new(format!("sqlite://{}", data.path().join("kindling.db").display()));
        settings.config = Some(config);
        settings.widget_dir = Some(widget_dist());
        settings.admin_token = Some(ADMIN_TOKEN.to_owned());
        tune(&mut settings);

        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind collector");
        let address = listener.local_addr().expect("address");
        settings.listen = address;
        let collector = format!("http://{address}");

        let site_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind site");
        let site = format!("http://{}", site_listener.local_addr().expect("address"));
        let router = kindling_demo_site::router(site_dir, collector.clone());
        tokio::spawn(async move { axum::serve(site_listener, router).await });

        let mut stack = Stack {
            collector,
            site,
            http: reqwest::Client::new(),
            settings,
            running: None,
            _data: data,
        };
        stack.run_collector(listener);
        stack.wait_until_ready().await;
        stack
    }

    fn run_collector(&mut self, listener: TcpListener) {
        let settings = self.settings.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = serve(settings, listener, shutdown).await {
                panic!("collector failed: {error}");
            }
        });
        self.running = Some((stop, task));
    }

    /// Stops the collector gracefully; its address refuses connections afterwards.
    pub async fn stop_collector(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            task.await.expect("collector stopped cleanly");
        }
    }

    /// Starts the collector again, on the same address and database.
    pub async fn restart_collector(&mut self) {
        let listener = TcpListener::bind(self.settings.listen).await.expect("same address again");
        self.run_collector(listener);
        self.wait_until_ready().await;
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = format!("{}/readyz", self.collector);
            if let Ok(response) = self.http.get(&url).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(Instant::now() < deadline, "collector not ready at {url}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stored events of the demo site, newest first, read through the admin API.
    pub async fn events(&self, filters: &[(&str, &str)]) -> Vec<Value> {
        let url = format!("{}/admin/api/events", self.collector);
        let mut query = vec![("site", DEMO_SITE_KEY)];
        query.extend_from_slice(filters);
        let response = self
            .http
            .get(&url)
            .bearer_auth(ADMIN_TOKEN)
            .query(&query)
            .send()
            .await
            .expect("admin API answers");
        assert!(response.status().is_success(), "admin API: {}", response.status());
        response.json().await.expect("JSON list")
    }

    /// Waits until `filters` match at least `count` events, then returns them.
    pub async fn wait_for_events(&self, filters: &[(&str, &str)], count: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let events = self.events(filters).await;
            if events.len() >= count {
                return events;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} events matching {filters:?}, got {}: {events:#?}",
                events.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Some((stop, _)) = self.running.take() {
            let _ = stop.send(());
        }
    }
}

/// Headless Chromium behind its own ChromeDriver process.
pub struct Browser {
    pub client: Client,
    /// `http://127.0.0.1:PORT` of this browser's ChromeDriver.
    driver_url: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts ChromeDriver (`CHROMEDRIVER`, default `chromedriver`) and a new Chromium
    /// session with an empty profile.
    pub async fn start() -> Browser {
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        let port = free_port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start {driver_path}: {error}; run `cargo xtask test`, which installs it"
                )
            });
        let profile = tempfile::tempdir().expect("profile folder");
        let capabilities = json!({
            "goog:chromeOptions": {
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic",
                    // A regular browser's user agent: the collector flags HeadlessChrome
                    // as bot traffic, which is right for crawlers but not for these tests.
                    format!("--user-agent={BROWSER_USER_AGENT}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!("capabilities are an object"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(error) => {
                    assert!(Instant::now() < deadline, "no WebDriver session at {url}: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        Browser { client, driver_url: url, driver, _profile: profile }
    }

    /// Sends the Chrome DevTools Protocol command `method` with `params` to the page,
    /// through ChromeDriver, and returns its result.
    pub async fn devtools(&self, method: &str, params: Value) -> Value {
        let session = self.client.session_id().await.expect("session id").expect("a session");
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver_url);
        let response = reqwest::Client::new()
            .post(&url)
            .json(&json!({"cmd": method, "params": params}))
            .send()
            .await
            .unwrap_or_else(|error| panic!("{method}: {error}"));
        assert!(response.status().is_success(), "{method}: {}", response.status());
        let answer: Value = response.json().await.expect("JSON answer");
        answer["value"].clone()
    }

    /// Runs `script` in the page and returns its result.
    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script runs")
    }

    /// The layout shift of the page shown so far: the sum of its layout-shift entries
    /// without recent input, read 300 ms after asking. An entry whose every moved node
    /// had no box before (a node the browser was still parsing when it painted a frame:
    /// nothing the visitor saw moved) is left out.
    pub async fn layout_shift(&self) -> f64 {
        let script = "const done = arguments[0];
            let total = 0;
            const unseen = (source) => !source.previousRect.width && !source.previousRect.height;
            new PerformanceObserver((list) => {
              for (const entry of list.getEntries()) {
                const parsing = entry.sources.length > 0 && entry.sources.every(unseen);
                if (!entry.hadRecentInput && !parsing) total += entry.value;
              }
            }).observe({type: 'layout-shift', buffered: true});
            setTimeout(() => done(total), 300);";
        let shift = self.client.execute_async(script, vec![]).await.expect("layout shift");
        shift.as_f64().expect("a number")
    }

    /// Polls `script` until it returns a truthy value, then returns that value.
    pub async fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let value = self.eval(script).await;
            let truthy = !matches!(&value, Value::Null | Value::Bool(false))
                && value != Value::String(String::new());
            if truthy {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the session and ChromeDriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}
