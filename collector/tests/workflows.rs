//! Workflows over real HTTP, on both backends, with a real webhook receiver (an axum
//! server on 127.0.0.1 in the test): a lead turning hot handed to the CRM with its
//! timeline and sales told, once; a wait that survives a restart and a condition
//! checked after it, and the workflow report; a block shown on the next visit; an inactivity trigger entered
//! once per quiet spell; the speed-to-lead metric; a waiting message whose webhook was
//! removed from the configuration.

use std::path::PathBuf;
use std::time::Duration;

use axum::http::StatusCode;
use kindling_collector::Settings;
use serde_json::{Value, json};

#[path = "support/harness.rs"]
mod harness;
#[path = "support/receiver.rs"]
mod receiver;

use harness::*;
use receiver::*;

on_both_backends!(
    a_lead_turning_hot_is_handed_to_the_crm_and_sales_are_told_once,
    a_wait_survives_a_restart_and_its_condition_is_checked_after_it,
    a_quiet_person_enters_the_win_back_workflow_once_per_quiet_spell,
    a_message_whose_webhook_is_no_longer_configured_is_dead_at_once,
);

const PAGE: &str = "https://www.example.com/";

/// The workflow fixture with its webhooks aimed at `receiver`, in a folder kept as
/// long as the returned guard.
fn config_for(receiver: &Receiver) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(fixtures().join("workflows.yaml")).expect("fixture");
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("workflows.yaml");
    std::fs::write(&path, text.replace("RECEIVER_URL", &receiver.url)).expect("config written");
    (folder, path)
}

fn settings_for(config: &std::path::Path) -> impl FnOnce(&mut Settings) + use<> {
    let config = config.to_owned();
    move |settings| {
        settings.config = Some(config);
        settings.webhook_allow_private = true;
    }
}

impl Collector {
    async fn person(&self, visitor: &str) -> Value {
        self.profile(&format!("visitor={visitor}")).await["person"].clone()
    }

    async fn boot_blocks(&self, visitor: &str, slots: &[&str]) -> Vec<String> {
        let body = json!({"site": "pk_test", "visitor": visitor, "url": format!("{PAGE}blog/close"),
                          "slots": slots, "session": SESSION, "context": {"visit": 2}});
        let response = self.post("/v1/boot", Some(ALLOWED), body.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK);
        let answer: Value = response.json().await.expect("JSON");
        answer["decisions"]
            .as_array()
            .map(|decisions| {
                decisions.iter().filter_map(|d| d["block"].as_str().map(str::to_owned)).collect()
            })
            .unwrap_or_default()
    }

    async fn metrics(&self) -> String {
        let response =
            self.http.get(self.url("/metrics")).bearer_auth(TOKEN).send().await.expect("metrics");
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("text")
    }
}

fn tags(person: &Value) -> Vec<String> {
    person["tags"]
        .as_array()
        .map(|tags| tags.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn pricing(n: u32, path: &str) -> Value {
    event(n, "pageview", &format!("{PAGE}{path}"), None, Value::Null)
}

/// The value of a metric line `name value` in a text exposition.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

async fn a_lead_turning_hot_is_handed_to_the_crm_and_sales_are_told_once(backend: Backend) {
    let receiver = Receiver::start().await;
    let (_folder, config) = config_for(&receiver);
    let collector = Collector::start_with(backend, settings_for(&config)).await;
    let visitor = uuid_for(1);
    let identify = json!({"email": "ana@acme.example", "company": "Acme"});
    collector
        .send(&visitor, vec![event(1, "identify", PAGE, None, identify), pricing(2, "pricing")])
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.seen().is_empty(), "40 points is warm: nothing is sent");

    collector.send(&visitor, vec![pricing(3, "pricing/enterprise")]).await;
    wait_for("the hand-off and the notification", async || receiver.processed().len() >= 2).await;
    let seen = receiver.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen.iter().all(|delivery| delivery.verified && delivery.json), "signed JSON");

    let crm = &seen[0].body;
    assert_eq!(crm["schema"], "kindling.crm_handoff.v1");
    assert_eq!(crm["workflow"], "hot-lead-handoff");
    assert_eq!(crm["trigger"]["cause"], "temperature:hot");
    let lead = &crm["lead"];
    assert_eq!(lead["email"], "ana@acme.example");
    assert_eq!(lead["traits"]["company"], "Acme");
    assert_eq!(lead["score"], 80);
    assert_eq!(lead["temperature"], "hot");
    let reasons: Vec<(&str, i64)> = lead["score_reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| (r["rule"].as_str().unwrap_or(""), r["points"].as_i64().unwrap_or(0)))
        .collect();
    assert_eq!(reasons, vec![("pricing", 40), ("pricing", 40)]);
    let timeline: Vec<(&str, &str)> = crm["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| (e["type"].as_str().unwrap_or(""), e["url"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        timeline,
        vec![
            ("identify", PAGE),
            ("pageview", "https://www.example.com/pricing"),
            ("pageview", "https://www.example.com/pricing/enterprise"),
        ]
    );

    let chat = &seen[1].body;
    assert_eq!(chat["schema"], "kindling.notify.v1");
    assert_eq!(chat["text"], "Hot lead ana@acme.example: 80 points");
    assert_ne!(seen[0].key, seen[1].key, "each message has its own idempotency key");

    wait_for("the stage step", async || collector.person(&visitor).await["stage"] == "sql").await;
    let metrics = collector.metrics().await;
    assert_eq!(metric(&metrics, "kindling_speed_to_lead_seconds_count"), Some(1.0), "{metrics}");
    let seconds = metric(&metrics, "kindling_speed_to_lead_seconds_sum").expect("sum");
    println!("speed to lead: {:.1} ms", seconds * 1000.0);

    // Still hot, more pages: the workflow is entered once per person.
    collector.send(&visitor, vec![pricing(4, "pricing"), pricing(5, "pricing/teams")]).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.seen().len(), 2, "no second hand-off");
    let person = collector.person(&visitor).await;
    assert!(person["journeys"]["runs"].as_array().is_none_or(Vec::is_empty), "{person}");
}

async fn a_wait_survives_a_restart_and_its_condition_is_checked_after_it(backend: Backend) {
    let receiver = Receiver::start().await;
    let (_folder, config) = config_for(&receiver);
    let collector = Collector::start_with(backend, settings_for(&config)).await;
    let reader = uuid_for(1);
    let convinced = uuid_for(2);
    let downloaded = |n| event(n, "custom", PAGE, Some("ebook_downloaded"), Value::Null);
    collector.send(&reader, vec![downloaded(1)]).await;
    collector.send(&convinced, vec![downloaded(2), pricing(3, "customers/acme")]).await;
    wait_for("the first step", async || tags(&collector.person(&reader).await) == ["ebook-reader"])
        .await;

    // Restarted during the 2 s wait.
    let collector = collector.restart(settings_for(&config)).await;
    assert!(receiver.seen().is_empty(), "the wait holds");
    wait_for("the step after the wait", async || !receiver.processed().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1, "one webhook: the reader's, once ({seen:?})");
    let body = &seen[0].body;
    assert_eq!(body["schema"], "kindling.webhook.v1");
    assert_eq!(body["workflow"], "ebook-nurture");
    assert_eq!(body["step"], 4);
    assert_eq!(body["lead"]["id"], reader.as_str());
    assert_eq!(body["lead"]["tags"], json!(["ebook-reader"]));

    // The reader gets the case study on the next page; the one who read it does not.
    assert_eq!(collector.boot_blocks(&reader, &["hero"]).await, ["case-study-banner"]);
    assert!(collector.boot_blocks(&convinced, &["hero"]).await.is_empty());
    let impression = json!({"id": event_id(9), "type": "block_impression", "session": SESSION,
                            "url": PAGE, "ts": 1, "name": "case-study-banner", "target": "only"});
    collector.send(&reader, vec![impression]).await;
    assert!(collector.boot_blocks(&reader, &["hero"]).await.is_empty(), "shown once asked for");
    let person = collector.person(&reader).await;
    assert!(person["journeys"]["runs"].as_array().is_none_or(Vec::is_empty), "{person}");

    // The report: two runs started, one stopped by the `if`, one finished.
    let response =
        collector.admin(reqwest::Method::GET, "/admin/api/reports/workflows?site=pk_test").await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.expect("JSON");
    let nurture = report["workflows"]
        .as_array()
        .and_then(|all| all.iter().find(|w| w["id"] == "ebook-nurture"))
        .expect("the workflow in the report");
    assert_eq!(
        (&nurture["started"], &nurture["stopped"], &nurture["finished"]),
        (&json!(2), &json!(1), &json!(1))
    );
    let steps: Vec<(&str, u64, u64)> = nurture["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["action"].as_str().unwrap_or(""),
                s["taken"].as_u64().unwrap_or(9),
                s["stopped"].as_u64().unwrap_or(9),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![("tag", 2, 0), ("wait", 2, 0), ("if", 2, 1), ("show_block", 1, 0), ("webhook", 1, 0)]
    );
}

async fn a_quiet_person_enters_the_win_back_workflow_once_per_quiet_spell(backend: Backend) {
    let receiver = Receiver::start().await;
    let (_folder, config) = config_for(&receiver);
    let collector = Collector::start_with(backend, settings_for(&config)).await;
    let trialist = uuid_for(1);
    let browser = uuid_for(2);
    let trial = event(1, "custom", PAGE, Some("trial_started"), Value::Null);
    collector.send(&trialist, vec![trial]).await;
    collector.send(&browser, vec![pricing(2, "blog/close")]).await;

    wait_for("the win-back", async || {
        tags(&collector.person(&trialist).await).contains(&"dormant".to_owned())
    })
    .await;
    let person = collector.person(&trialist).await;
    assert_eq!(person["score"], -5);
    assert_eq!(collector.boot_blocks(&trialist, &["bar"]).await, ["welcome-back"]);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(collector.person(&trialist).await["score"], -5, "once per quiet spell");
    assert!(
        tags(&collector.person(&browser).await).is_empty(),
        "conditions hold for trialists only"
    );

    // Back, then quiet again: a second entry.
    collector.send(&trialist, vec![pricing(3, "blog/close")]).await;
    wait_for("the second win-back", async || collector.person(&trialist).await["score"] == -10)
        .await;
    // How far the workflow has read is stored: a restarted runner goes on from there.
    let store = kindling_collector::store::open(&collector.database).await.expect("store");
    let cursor = store.quiet_cursor("pk_test", "win-back").await.expect("cursor read");
    assert!(cursor.is_some_and(|through| through > 0), "{cursor:?}");
}

async fn a_message_whose_webhook_is_no_longer_configured_is_dead_at_once(backend: Backend) {
    let receiver = Receiver::start().await;
    receiver.behaviour.failing.store(true, std::sync::atomic::Ordering::SeqCst);
    let (folder, config) = config_for(&receiver);
    let collector = Collector::start_with(backend, |settings| {
        settings_for(&config)(settings);
        settings.webhook_retry_base_ms = 200;
    })
    .await;
    let visitor = uuid_for(1);
    let identify = json!({"email": "ana@acme.example"});
    collector
        .send(
            &visitor,
            vec![
                event(1, "identify", PAGE, None, identify),
                pricing(2, "pricing"),
                pricing(3, "pricing/teams"),
            ],
        )
        .await;
    wait_for("a failed attempt", async || !receiver.seen().is_empty()).await;

    // The same site without its webhooks and workflows.
    let text = std::fs::read_to_string(&config).expect("config");
    let without = folder.path().join("without-webhooks.yaml");
    let cut = text.find("    webhooks:").expect("the fixture's webhooks");
    std::fs::write(&without, &text[..cut]).expect("config written");
    let collector = collector.restart(settings_for(&without)).await;
    let dead = async || {
        let response =
            collector.admin(reqwest::Method::GET, "/admin/api/outbox/dead?site=pk_test").await;
        response.json::<Vec<Value>>().await.expect("JSON")
    };
    wait_for("the dead letter", async || !dead().await.is_empty()).await;
    let letters = dead().await;
    assert_eq!(letters[0]["endpoint"], "crm");
    assert_eq!(letters[0]["last_error"], "the webhook crm is no longer configured", "{letters:?}");
    assert!(letters[0].get("secret").is_none(), "secrets are never listed");
}
