//! `handoff`: speed to lead, end to end, against a bare webhook round trip measured in
//! the same run.
//!
//! In one process: a webhook receiver (axum on 127.0.0.1) and the collector (on a fresh
//! SQLite file, one site whose workflow hands a lead to the receiver when it turns hot).
//!
//! 1. **baseline**: the hand-off's cost floor — a signed ~4 KB JSON `POST` to the
//!    receiver over a new connection each time (as the dispatcher connects), one after
//!    another → p50/p99 ms;
//! 2. **idle**: for each of `--leads` new leads in turn, one `POST /v1/events` with an
//!    `identify` and two pricing pageviews (80 points: hot) → the time from sending that
//!    request to the hand-off arriving at the receiver, p50/p99 ms;
//! 3. **loaded**: the same while `--load-clients` clients send single-pageview batches of
//!    new visitors as fast as answered (their rate is printed).
//!
//! The collector's own `kindling_speed_to_lead_seconds` histogram (receipt of the
//! qualifying event to the hand-off leaving) is read at the end: its mean.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Value, json};
use tokio::sync::mpsc;

const SECRET: &str = "whsec_bench_handoff_secret";
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/// What to measure.
pub struct Options {
    pub leads: usize,
    pub load_clients: usize,
}

/// What was measured, in milliseconds.
pub struct Report {
    pub leads: usize,
    pub baseline: (f64, f64),
    pub idle: (f64, f64),
    pub loaded: (f64, f64),
    pub load_rps: f64,
    pub metric_mean_ms: f64,
}

impl Report {
    pub fn line(&self) -> String {
        format!(
            "handoff leads={} baseline_p50_ms={:.3} baseline_p99_ms={:.3} idle_p50_ms={:.3} \
             idle_p99_ms={:.3} loaded_p50_ms={:.3} loaded_p99_ms={:.3} load_rps={:.1} \
             metric_mean_ms={:.3}",
            self.leads,
            self.baseline.0,
            self.baseline.1,
            self.idle.0,
            self.idle.1,
            self.loaded.0,
            self.loaded.1,
            self.load_rps,
            self.metric_mean_ms
        )
    }
}

/// Hand-offs received: the lead's email and when.
type Arrivals = mpsc::UnboundedSender<(String, Instant)>;

async fn receive(State(arrivals): State<Arrivals>, body: Bytes) -> &'static str {
    let now = Instant::now();
    if let Ok(body) = serde_json::from_slice::<Value>(&body)
        && let Some(email) = body["lead"]["email"].as_str()
    {
        let _ = arrivals.send((email.to_owned(), now));
    }
    "ok"
}

fn id(high: u32, low: u64) -> String {
    format!("0190f3c2-{:04x}-7c4e-8a8b-{low:012x}", high & 0xffff)
}

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

fn config(receiver: &str) -> String {
    format!(
        "sites:
  - key: pk_bench
    name: Hand-off benchmark
    origins: ['*']
    scoring:
      rules:
        - {{ id: pricing, points: 40, when: {{ type: pageview, path: \"/pricing*\" }} }}
      thresholds: {{ warm: 30, hot: 70 }}
    webhooks:
      - {{ id: crm, url: \"{receiver}\", secret: {SECRET} }}
    workflows:
      - id: hot-lead-handoff
        trigger: {{ temperature: hot }}
        conditions: {{ fact: known, op: eq, value: true }}
        steps: [ {{ crm: crm }} ]
"
    )
}

/// A hand-off-sized body: a lead and a timeline of 12 events.
fn typical_body() -> String {
    let timeline: Vec<Value> = (0..12)
        .map(|n| {
            json!({"id": id(7, n), "at_ms": 1_764_000_000_000u64 + n, "type": "pageview",
                   "url": "https://www.example.com/pricing", "title": "Pricing",
                   "channel": "organic_search", "utm_source": "google"})
        })
        .collect();
    json!({"schema": "kindling.crm_handoff.v1", "lead": {"email": "baseline@acme.example",
           "score": 80, "score_reasons": [{"rule": "pricing", "points": 40}]},
           "timeline": timeline})
    .to_string()
}

pub async fn run(options: &Options) -> Result<Report, String> {
    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let receiver = format!("http://{}/crm", listener.local_addr().map_err(|e| e.to_string())?);
    let app = axum::Router::new().route("/crm", axum::routing::post(receive)).with_state(arrivals);
    tokio::spawn(async move { axum::serve(listener, app).await });

    // 1. Baseline: a signed delivery over a new connection.
    let body = typical_body();
    let mut baseline = Vec::with_capacity(options.leads);
    for _ in 0..options.leads {
        let started = Instant::now();
        let client = reqwest::Client::builder().build().map_err(|e| e.to_string())?;
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let signature = kindling_collector::automation::signature::sign(
            SECRET.as_bytes(),
            i64::try_from(secs).unwrap_or(0),
            body.as_bytes(),
        );
        let response = client
            .post(&receiver)
            .header("content-type", "application/json")
            .header(kindling_collector::automation::signature::HEADER, signature)
            .body(body.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("baseline answered {}", response.status()));
        }
        baseline.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    while arrived.try_recv().is_ok() {}

    // The collector.
    let folder = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config_path = folder.path().join("handoff.yaml");
    std::fs::write(&config_path, config(&receiver)).map_err(|e| e.to_string())?;
    let mut settings = kindling_collector::Settings::new(format!(
        "sqlite://{}",
        folder.path().join("k.db").display()
    ));
    settings.config = Some(config_path);
    settings.admin_token = Some("bench".to_owned());
    settings.webhook_allow_private = true;
    settings.rate_limit_ip = 0;
    settings.rate_limit_site = 0;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let base = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(kindling_collector::serve(settings, listener, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // 2. Idle.
    let mut next_lead = 0u64;
    let idle = leads(&http, &base, &mut arrived, &mut next_lead, options.leads).await?;

    // 3. Loaded.
    let running = Arc::new(AtomicBool::new(true));
    let sent = Arc::new(AtomicU64::new(0));
    let mut load = tokio::task::JoinSet::new();
    for client in 0..options.load_clients {
        let (http, base, running, sent) =
            (http.clone(), base.clone(), Arc::clone(&running), Arc::clone(&sent));
        load.spawn(async move {
            let mut n = 0u64;
            while running.load(Ordering::Relaxed) {
                n += 1;
                let visitor = id(0x4000 + client as u32, n);
                let body = json!({"site": "pk_bench", "visitor": visitor, "events": [
                    {"id": id(0x5000 + client as u32, n), "type": "pageview", "session": id(0x6000 + client as u32, n),
                     "url": "https://www.example.com/blog/close", "ts": 1}]});
                let request = http.post(format!("{base}/v1/events")).header("user-agent", BROWSER);
                if let Ok(response) = request.body(body.to_string()).send().await
                    && response.status().is_success()
                {
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let load_started = (Instant::now(), sent.load(Ordering::Relaxed));
    let loaded = leads(&http, &base, &mut arrived, &mut next_lead, options.leads).await?;
    let load_rps = (sent.load(Ordering::Relaxed) - load_started.1) as f64
        / load_started.0.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    while load.join_next().await.is_some() {}

    let metrics = http
        .get(format!("{base}/metrics"))
        .bearer_auth("bench")
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let read = |name: &str| {
        metrics.lines().find_map(|line| line.strip_prefix(name)?.trim().parse::<f64>().ok())
    };
    let sum = read("kindling_speed_to_lead_seconds_sum").unwrap_or(f64::NAN);
    let count = read("kindling_speed_to_lead_seconds_count").unwrap_or(f64::NAN);
    let _ = stop.send(());
    let _ = served.await;
    Ok(Report {
        leads: options.leads,
        baseline: percentiles(baseline),
        idle,
        loaded,
        load_rps,
        metric_mean_ms: sum / count * 1000.0,
    })
}

/// Makes `count` leads hot one after another; returns the p50/p99 ms from sending the
/// qualifying request to the hand-off's arrival.
async fn leads(
    http: &reqwest::Client,
    base: &str,
    arrived: &mut mpsc::UnboundedReceiver<(String, Instant)>,
    next: &mut u64,
    count: usize,
) -> Result<(f64, f64), String> {
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        *next += 1;
        let n = *next;
        let email = format!("lead{n}@acme.example");
        let session = id(2, n);
        let event = |k: u64, kind: &str, path: &str| {
            json!({"id": id(3, n * 4 + k), "type": kind, "session": session,
                   "url": format!("https://www.example.com{path}"), "ts": 1})
        };
        let mut identify = event(0, "identify", "/");
        identify["props"] = json!({"email": email});
        let body = json!({"site": "pk_bench", "visitor": id(1, n), "events": [
            identify, event(1, "pageview", "/pricing"), event(2, "pageview", "/pricing/teams")]});
        let started = Instant::now();
        let response = http
            .post(format!("{base}/v1/events"))
            .header("user-agent", BROWSER)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("the collector answered {}", response.status()));
        }
        let deadline = started + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, arrived.recv()).await {
                Ok(Some((who, at))) if who == email => {
                    samples.push(at.duration_since(started).as_secs_f64() * 1000.0);
                    break;
                }
                Ok(Some(_)) => continue,
                _ => return Err(format!("no hand-off for {email} within 10 s")),
            }
        }
    }
    Ok(percentiles(samples))
}
