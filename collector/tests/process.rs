//! The collector as a process under load: killed with SIGKILL it loses no event it
//! acknowledged; stopped with SIGTERM it drains in-flight requests and exits cleanly;
//! killed while webhooks are being retried and a workflow waits, it resumes both after
//! a restart and each message is processed once by its idempotency key.
//! On a full disk it answers 503 at once, logs the failure once per interval, reports
//! not ready, and takes writes again by itself once there is room.
//! Each test runs the real binary on a SQLite file in a temporary folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use tokio::sync::Mutex;

#[path = "support/binary.rs"]
mod binary;
#[path = "support/receiver.rs"]
mod receiver;

use binary::{fixtures, free_port, uuid};

use receiver::{Receiver, wait_for};

const TOKEN: &str = "process-test-token";
const CLIENTS: usize = 16;
/// Each client stops here, so one admin query per visitor sees all its events.
const MAX_EVENTS_PER_CLIENT: usize = 900;

struct Collector {
    child: Child,
    base: String,
}

impl Collector {
    async fn start(db: &Path) -> Collector {
        Collector::start_with(db, &fixtures().join("site.yaml"), &[]).await
    }

    async fn start_with(db: &Path, config: &Path, extra: &[&str]) -> Collector {
        Collector::spawn(db, config, extra, Stdio::inherit()).await
    }

    /// A collector logging at `info` into `log`.
    async fn start_logging(db: &Path, log: &Path) -> Collector {
        let log = std::fs::File::create(log).expect("log file");
        Collector::spawn(db, &fixtures().join("site.yaml"), &[], Stdio::from(log)).await
    }

    async fn spawn(db: &Path, config: &Path, extra: &[&str], stderr: Stdio) -> Collector {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_kindling-collector"))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--database", &format!("sqlite://{}", db.display())])
            .arg("--config")
            .arg(config)
            .args(["--admin-token", TOKEN, "--rate-limit-ip", "0", "--rate-limit-site", "0"])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("collector starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/readyz")).send().await.is_err() {
            assert!(Instant::now() < deadline, "collector not ready at {base}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Collector { child, base }
    }

    /// Events of `visitor`, read through the admin API.
    async fn stored_ids(&self, visitor: &str) -> Vec<String> {
        let url =
            format!("{}/admin/api/events?site=pk_test&visitor={visitor}&limit=1000", self.base);
        let events: Vec<Value> = reqwest::Client::new()
            .get(url)
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("admin API")
            .json()
            .await
            .expect("JSON");
        events.iter().filter_map(|event| event["id"].as_str().map(str::to_owned)).collect()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Event ids the collector answered 2xx for, per visitor.
type Acknowledged = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// Starts `CLIENTS` clients, each sending single-event batches as fast as answered
/// until the collector stops answering or the client's quota is used.
fn load(base: &str) -> (Acknowledged, tokio::task::JoinSet<()>) {
    let acknowledged: Acknowledged = Arc::default();
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let base = base.to_owned();
        let acknowledged = Arc::clone(&acknowledged);
        clients.spawn(async move {
            let http = reqwest::Client::new();
            let visitor = uuid(client as u32, 0);
            let session = uuid(client as u32, 1);
            for n in 0..MAX_EVENTS_PER_CLIENT {
                let id = uuid(0x8000 + client as u32, n as u64 + 10);
                let body = json!({"site": "pk_test", "visitor": visitor, "events": [
                    {"id": id, "type": "pageview", "session": session, "url": "https://www.example.com/", "ts": 1}]});
                let sent = http.post(format!("{base}/v1/events")).body(body.to_string()).send().await;
                match sent {
                    Ok(response) if response.status().is_success() => {
                        acknowledged.lock().await.entry(visitor.clone()).or_default().push(id);
                    }
                    _ => return,
                }
            }
        });
    }
    (acknowledged, clients)
}

async fn assert_all_stored(collector: &Collector, acknowledged: &Acknowledged) -> usize {
    let acknowledged = acknowledged.lock().await;
    let mut total = 0;
    for (visitor, ids) in acknowledged.iter() {
        let stored = collector.stored_ids(visitor).await;
        let missing: Vec<&String> = ids.iter().filter(|id| !stored.contains(id)).collect();
        assert!(
            missing.is_empty(),
            "{} acknowledged events of {visitor} lost: {missing:?}",
            missing.len()
        );
        total += ids.len();
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_no_acknowledged_event() {
    let data = tempfile::tempdir().expect("folder");
    let db = data.path().join("kindling.db");
    let mut collector = Collector::start(&db).await;
    let (acknowledged, mut clients) = load(&collector.base);
    tokio::time::sleep(Duration::from_millis(800)).await;
    collector.child.kill().expect("SIGKILL sent");
    collector.child.wait().expect("collector ended");
    while clients.join_next().await.is_some() {}
    let before_kill: usize = acknowledged.lock().await.values().map(Vec::len).sum();
    assert!(before_kill > 0, "the load reached the collector");
    assert!(before_kill < CLIENTS * MAX_EVENTS_PER_CLIENT, "the kill landed mid-load");

    let restarted = Collector::start(&db).await;
    let checked = assert_all_stored(&restarted, &acknowledged).await;
    assert_eq!(checked, before_kill);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_and_exits_cleanly() {
    let data = tempfile::tempdir().expect("folder");
    let db = data.path().join("kindling.db");
    let mut collector = Collector::start(&db).await;
    let (acknowledged, mut clients) = load(&collector.base);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = collector.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = collector.child.try_wait().expect("status") {
            break exit;
        }
        assert!(Instant::now() < deadline, "collector still running 10 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exit.success(), "clean exit after SIGTERM: {exit}");
    while clients.join_next().await.is_some() {}

    let restarted = Collector::start(&db).await;
    assert!(assert_all_stored(&restarted, &acknowledged).await > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_retry_and_mid_wait_loses_no_webhook_and_repeats_none() {
    let receiver = Receiver::start().await;
    receiver.behaviour.fail_next.store(2, Ordering::SeqCst);
    let data = tempfile::tempdir().expect("folder");
    let db = data.path().join("kindling.db");
    let config = data.path().join("workflows.yaml");
    let text = std::fs::read_to_string(fixtures().join("workflows.yaml")).expect("fixture");
    std::fs::write(&config, text.replace("RECEIVER_URL", &receiver.url)).expect("config");
    let args = ["--webhook-allow-private", "--webhook-retry-base-ms", "400"];
    let mut collector = Collector::start_with(&db, &config, &args).await;

    let http = reqwest::Client::new();
    let send = |visitor: String, events: Value| {
        let http = http.clone();
        let url = format!("{}/v1/events", collector.base);
        async move {
            let body = json!({"site": "pk_test", "visitor": visitor, "events": events});
            // A browser: a client without one is a robot, stored but never scored.
            let browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
            let request = http.post(url).header("user-agent", browser).body(body.to_string());
            let response = request.send().await.expect("sent");
            assert!(response.status().is_success(), "{}", response.status());
        }
    };
    let session = uuid(1, 1);
    let event = |n: u64, kind: &str, path: &str, extra: Value| {
        let mut event = json!({"id": uuid(2, n), "type": kind, "session": session,
                               "url": format!("https://www.example.com{path}"), "ts": 1});
        if let (Value::Object(event), Value::Object(extra)) = (&mut event, extra) {
            event.extend(extra);
        }
        event
    };
    // A lead turning hot (a hand-off and a notification), and an e-book reader whose
    // workflow waits 2 s before its webhook.
    let identify = json!({"props": {"email": "kim@acme.example"}});
    send(
        uuid(3, 1),
        json!([
            event(1, "identify", "/", identify),
            event(2, "pageview", "/pricing", json!({})),
            event(3, "pageview", "/pricing/teams", json!({}))
        ]),
    )
    .await;
    send(uuid(3, 2), json!([event(4, "custom", "/", json!({"name": "ebook_downloaded"}))])).await;

    wait_for("two failed attempts", async || receiver.seen().len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    collector.child.kill().expect("SIGKILL sent");
    collector.child.wait().expect("collector ended");
    let failed_before_kill = receiver.seen().len();
    assert!(receiver.processed().len() < 3, "killed before everything was delivered");

    let _restarted = Collector::start_with(&db, &config, &args).await;
    // A delivery cut off by the kill is leased for a minute before it is taken again.
    for _ in 0..900 {
        if receiver.processed().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let processed = receiver.processed();
    let schemas: Vec<String> = receiver
        .seen()
        .iter()
        .filter(|delivery| delivery.status == 200)
        .map(|delivery| delivery.body["schema"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(processed.len(), 3, "hand-off, notification and the waited webhook: {schemas:?}");
    for schema in ["kindling.crm_handoff.v1", "kindling.notify.v1", "kindling.webhook.v1"] {
        assert!(schemas.iter().any(|s| s == schema), "{schema} delivered: {schemas:?}");
    }
    println!(
        "{failed_before_kill} attempts before the kill, {} after",
        receiver.seen().len() - failed_before_kill
    );
}

/// A small tmpfs mounted for the test, unmounted when dropped. Mounting needs root, as
/// the test machines (and CI, on the same kind of machine) have.
struct SmallDisk {
    path: PathBuf,
    _folder: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> SmallDisk {
        let folder = tempfile::tempdir().expect("folder");
        let path = folder.path().join("disk");
        std::fs::create_dir(&path).expect("mount point");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&path)
            .status()
            .expect("mount runs");
        assert!(mounted.success(), "mounting a tmpfs needs root: run the tests as root");
        SmallDisk { path, _folder: folder }
    }

    /// Writes a file until the disk is full.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let filler = self.path.join("filler");
        let mut file = std::fs::File::create(&filler).expect("filler");
        let chunk = vec![0u8; 64 * 1024];
        while file.write_all(&chunk).is_ok() {}
        let _ = file.sync_all();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_reported_logged_once_per_interval_and_recovered_from() {
    let disk = SmallDisk::mount(8);
    let log = disk._folder.path().join("collector.log");
    let collector = Collector::start_logging(&disk.path.join("k.db"), &log).await;
    let http = reqwest::Client::new();
    let send = |n: u64| {
        let body = json!({"site": "pk_test", "visitor": uuid(1, 0), "events": [
            {"id": uuid(2, n), "type": "pageview", "session": uuid(1, 1),
             "url": "https://www.example.com/", "title": "x".repeat(500), "ts": 1}]});
        http.post(format!("{}/v1/events", collector.base)).body(body.to_string()).send()
    };
    let ready = || http.get(format!("{}/readyz", collector.base)).send();
    assert_eq!(send(0).await.expect("sent").status(), reqwest::StatusCode::OK);

    let filler = disk.fill();
    let started = Instant::now();
    let mut refused = 0;
    for n in 1..=400 {
        let status = send(n).await.expect("answered").status();
        if status == reqwest::StatusCode::SERVICE_UNAVAILABLE {
            refused += 1;
        }
    }
    let failing_for = started.elapsed();
    assert!(refused >= 390, "a full disk refuses writes: {refused} of 400 refused");
    assert_eq!(ready().await.expect("answered").status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);

    std::fs::remove_file(filler).expect("room made");
    let deadline = Instant::now() + Duration::from_secs(10);
    while ready().await.expect("answered").status() != reqwest::StatusCode::OK {
        assert!(Instant::now() < deadline, "still not ready with room on the disk");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(send(1000).await.expect("sent").status(), reqwest::StatusCode::OK);

    let log = std::fs::read_to_string(&log).expect("log");
    let warnings = log.lines().filter(|line| line.contains("WARN")).count();
    let errors = log.lines().filter(|line| line.contains("ERROR")).count();
    let intervals = failing_for.as_secs() / 10 + 2;
    assert!(
        warnings as u64 <= intervals + 1,
        "{warnings} warnings for {refused} refusals in {failing_for:?}:\n{log}"
    );
    assert_eq!(errors, 0, "{log}");
}
