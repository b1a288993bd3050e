//! Every kind of write at once, on both backends: genuine lead form submissions, spam
//! (honeypot) submissions, stage changes from the admin API, event batches, the
//! inactivity decay (every second here) and the workflow runner (every submission
//! starts a run with a timed step). No genuine submission, stage change or batch may be
//! refused because of someone else's write.

use reqwest::StatusCode;
use serde_json::{Value, json};

#[path = "support/harness.rs"]
mod harness;

use harness::*;

on_both_backends!(no_genuine_write_is_refused_under_contention);

const GENUINE: u32 = 300;
const SPAM: u32 = 300;
const STAGE_CHANGES: u32 = 200;
const BATCHES: u32 = 100;
/// Leads there before the load, whose stages the admin changes during it.
const SEEDED: u32 = 20;

fn submission(n: u32, honeypot: &str) -> String {
    json!({"site": "pk_test", "visitor": uuid_for(n), "id": uuid_for(100_000 + n),
           "session": SESSION, "url": "https://www.example.com/ebook", "elapsed_ms": 9_000,
           "honeypot": honeypot,
           "values": {"email": format!("lead{n}@example.com"), "name": format!("Lead {n}")}})
    .to_string()
}

/// What one request of the load is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Genuine,
    Spam,
    Stage,
    Batch,
}

async fn no_genuine_write_is_refused_under_contention(backend: Backend) {
    let collector = Collector::start_with(backend, |settings| {
        settings.config = Some(fixtures().join("contention.yaml"));
        settings.rate_limit_ip = 0;
        settings.rate_limit_site = 0;
        settings.form_rate_limit_ip = 0;
        settings.form_rate_limit_form = 0;
        settings.decay_interval_secs = 1;
    })
    .await;
    let forms = collector.url("/v1/forms/ebook/submissions");
    let post = |url: &str, body: String| {
        collector
            .http
            .post(url)
            .header("content-type", "text/plain;charset=UTF-8")
            .header("user-agent", BROWSER_UA)
            .header("origin", ALLOWED)
            .body(body)
    };
    for n in 0..SEEDED {
        let seeded = post(&forms, submission(n, "")).send().await.expect("sent");
        assert_eq!(seeded.status(), StatusCode::OK);
    }

    let mut load = tokio::task::JoinSet::new();
    let mut add = |kind: Kind, request: reqwest::RequestBuilder| {
        load.spawn(async move { (kind, request.send().await.map(|r| r.status())) });
    };
    for n in 0..GENUINE.max(SPAM) {
        if n < GENUINE {
            add(Kind::Genuine, post(&forms, submission(1_000 + n, "")));
        }
        if n < SPAM {
            add(Kind::Spam, post(&forms, submission(5_000 + n, "http://cheap-pills.example")));
        }
        if n < STAGE_CHANGES {
            let stage = ["mql", "sql", "lead"][n as usize % 3];
            let visitor = uuid_for(n % SEEDED);
            let url =
                collector.url(&format!("/admin/api/profile/stage?site=pk_test&visitor={visitor}"));
            let request =
                collector.http.post(url).bearer_auth(TOKEN).json(&json!({"stage": stage}));
            add(Kind::Stage, request);
        }
        if n < BATCHES {
            let events =
                vec![event(n, "pageview", "https://www.example.com/pricing", None, Value::Null)];
            let body = json!({"site": "pk_test", "visitor": uuid_for(9_000 + n), "events": events});
            add(Kind::Batch, post(&collector.url("/v1/events"), body.to_string()));
        }
    }
    let mut refused: Vec<(Kind, String)> = Vec::new();
    let mut answered = 0;
    while let Some(done) = load.join_next().await {
        let (kind, status) = done.expect("the request task ran");
        answered += 1;
        let expected = if kind == Kind::Spam { StatusCode::FORBIDDEN } else { StatusCode::OK };
        match status {
            Ok(status) if status == expected => {}
            Ok(status) => refused.push((kind, status.to_string())),
            Err(error) => refused.push((kind, error.to_string())),
        }
    }
    let refused_of = |kind: Kind| refused.iter().filter(|(k, _)| *k == kind).count();
    println!(
        "contention: refused {} of {GENUINE} genuine submissions, {} of {STAGE_CHANGES} stage \
         changes, {} of {BATCHES} event batches; {} of {SPAM} spam not answered 403",
        refused_of(Kind::Genuine),
        refused_of(Kind::Stage),
        refused_of(Kind::Batch),
        refused_of(Kind::Spam),
    );
    assert_eq!(answered, GENUINE + SPAM + STAGE_CHANGES + BATCHES);
    assert!(refused.is_empty(), "{} refused: {refused:?}", refused.len());

    let report =
        collector.admin(reqwest::Method::GET, "/admin/api/reports/forms?site=pk_test").await;
    let report: Value = report.json().await.expect("JSON");
    let ebook = &report["forms"][0];
    assert_eq!(ebook["submissions"], SEEDED + GENUINE, "{report:#}");
    assert_eq!(ebook["spam"]["honeypot"], SPAM, "{report:#}");
}
