//! Personalization over real HTTP, on both backends: which blocks `POST /v1/boot`
//! and the events answers decide, caps re-checked when impressions are recorded,
//! conversions derived from goals, and the block report.

use reqwest::StatusCode;
use serde_json::{Value, json};

#[path = "support/harness.rs"]
mod harness;

use harness::*;

on_both_backends!(
    boot_picks_blocks_by_audience_priority_and_schedule,
    a_form_submission_changes_the_hero_in_the_events_answer,
    impressions_over_caps_are_refused_and_dismissed_blocks_rest,
    goals_derive_one_conversion_and_the_report_counts_it,
    variants_are_stable_per_person_and_follow_the_weights,
);

async fn start(backend: Backend) -> Collector {
    Collector::start_with(backend, |settings| {
        settings.config = Some(fixtures().join("personalize.yaml"));
        settings.rate_limit_ip = 10_000;
    })
    .await
}

const OTHER_SESSION: &str = "0190f3c2-7d2a-7c4e-8a8b-00000000a002";
const THIRD_SESSION: &str = "0190f3c2-7d2a-7c4e-8a8b-00000000a003";

impl Collector {
    async fn boot(
        &self,
        visitor: &str,
        url: &str,
        slots: &[&str],
        visit: u32,
        session: &str,
    ) -> Value {
        let body = json!({"site": "pk_test", "visitor": visitor, "url": url, "slots": slots,
                          "session": session, "context": {"visit": visit}});
        let response = self.post("/v1/boot", Some(ALLOWED), body.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("JSON")
    }

    async fn send_on_page(&self, visitor: &str, slots: &[&str], events: Vec<Value>) -> Value {
        let batch =
            json!({"site": "pk_test", "visitor": visitor, "events": events, "slots": slots});
        let response = self.post("/v1/events", Some(ALLOWED), batch.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("JSON")
    }
}

/// (block, placement) of each decision.
fn chosen(answer: &Value) -> Vec<(String, String)> {
    answer["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .map(|d| {
            (
                d["block"].as_str().expect("text").to_owned(),
                d["placement"].as_str().expect("text").to_owned(),
            )
        })
        .collect()
}

fn decision<'a>(answer: &'a Value, block: &str) -> &'a Value {
    answer["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["block"] == block)
        .expect(block)
}

fn block_event(n: u32, kind: &str, block: &str, variant: &str, session: &str) -> Value {
    json!({"id": event_id(n), "type": kind, "session": session, "url": "https://www.example.com/",
           "name": block, "target": variant, "ts": 1})
}

async fn boot_picks_blocks_by_audience_priority_and_schedule(backend: Backend) {
    let collector = start(backend).await;
    let home = "https://www.example.com/";
    let first = collector.boot(VISITOR, home, &["hero", "recs"], 1, SESSION).await;
    let mut blocks = chosen(&first);
    blocks.sort();
    let expected = [("exit-offer", "modal"), ("hero-new", "inline"), ("reading", "inline")];
    assert_eq!(blocks, expected.map(|(b, p)| (b.to_owned(), p.to_owned())), "{first:#}");
    let exit = decision(&first, "exit-offer");
    assert_eq!(exit["slot"], "");
    assert_eq!(exit["trigger"], json!({"on": "exit_intent"}));
    assert_eq!(first["visitor"]["stage"], "anonymous");
    let reading = decision(&first, "reading");
    assert_eq!(reading["content"]["items"].as_array().expect("items").len(), 2);
    assert_eq!(
        reading["content"]["items"][0]["url"], "/blog/getting-started",
        "awareness first for a newcomer"
    );

    // The page being read is never recommended, even to a newcomer.
    let reader = uuid_for(77);
    let post = "https://www.example.com/blog/getting-started/?utm_source=news";
    let reading_it = collector.boot(&reader, post, &["recs"], 1, SESSION).await;
    let offered = &decision(&reading_it, "reading")["content"]["items"];
    assert_eq!(offered[0]["url"], "/guides/roi", "the next closest to a newcomer: {offered:#}");
    assert!(
        offered.as_array().expect("items").iter().all(|i| i["url"] != "/blog/getting-started"),
        "{offered:#}"
    );

    let third_visit = collector.boot(VISITOR, home, &["hero"], 3, SESSION).await;
    let bar = decision(&third_visit, "returning-bar");
    assert_eq!(bar["placement"], "top_bar");

    let pricing =
        collector.boot(VISITOR, "https://www.example.com/pricing?plan=team", &[], 1, SESSION).await;
    let help = decision(&pricing, "pricing-help");
    assert_eq!(help["placement"], "slide_in");
    assert_eq!(help["trigger"], json!({"on": "delay", "seconds": 5}));
    assert!(
        chosen(&pricing).iter().all(|(block, _)| block != "expired"),
        "ended schedules never show"
    );
    assert!(
        chosen(&first).iter().all(|(block, _)| block != "pricing-help"),
        "the audience reads the page"
    );

    // What the visitor read leaves the reading list.
    collector
        .send(
            VISITOR,
            vec![event(
                1,
                "pageview",
                "https://www.example.com/blog/getting-started",
                None,
                Value::Null,
            )],
        )
        .await;
    let later = collector.boot(VISITOR, home, &["recs"], 1, SESSION).await;
    let items: Vec<&str> = decision(&later, "reading")["content"]["items"]
        .as_array()
        .expect("present")
        .iter()
        .map(|i| i["url"].as_str().expect("text"))
        .collect();
    assert!(!items.contains(&"/blog/getting-started"), "{items:?}");
    assert_eq!(items[0], "/blog/month-end", "the topic read comes first: {items:?}");
}

async fn a_form_submission_changes_the_hero_in_the_events_answer(backend: Backend) {
    let collector = start(backend).await;
    let page = "https://www.example.com/ebook";
    let viewed = collector
        .send_on_page(VISITOR, &["hero"], vec![event(1, "pageview", page, None, Value::Null)])
        .await;
    assert_eq!(decision(&viewed, "hero-new")["slot"], "hero", "{viewed:#}");
    let scrolled = collector
        .send_on_page(VISITOR, &["hero"], vec![event(2, "scroll", page, None, Value::Null)])
        .await;
    assert!(
        scrolled.get("decisions").is_none(),
        "nothing changed, nothing re-decided: {scrolled:#}"
    );
    let submitted = collector
        .send_on_page(
            VISITOR,
            &["hero"],
            vec![event(3, "form_submit", page, Some("ebook"), Value::Null)],
        )
        .await;
    let hero = decision(&submitted, "hero-after-ebook");
    assert_eq!(
        hero["content"]["ctas"][0],
        json!({"label": "Book a demo", "action": "form", "target": "demo-request"})
    );
    let without_slots = collector
        .send(VISITOR, vec![event(4, "form_submit", page, Some("ebook"), Value::Null)])
        .await;
    assert!(without_slots.get("decisions").is_none(), "no slots named, no decisions");
}

async fn impressions_over_caps_are_refused_and_dismissed_blocks_rest(backend: Backend) {
    let collector = start(backend).await;
    let home = "https://www.example.com/";
    let first = collector
        .send(VISITOR, vec![block_event(1, "block_impression", "exit-offer", "a", SESSION)])
        .await;
    assert_eq!(first["accepted"], 1, "{first:#}");
    let again = collector
        .send(
            VISITOR,
            vec![
                block_event(2, "block_impression", "exit-offer", "a", SESSION),
                pageview(&event_id(3)),
            ],
        )
        .await;
    assert_eq!(again["accepted"], 1, "the pageview is kept: {again:#}");
    assert_eq!(again["rejected"][0]["index"], 0);
    assert_eq!(again["rejected"][0]["field"], "events[0].name");
    assert!(
        again["rejected"][0]["message"].as_str().expect("text").contains("per-session cap"),
        "{again:#}"
    );
    let stored = collector.events().await;
    assert_eq!(
        stored.iter().filter(|e| e["kind"] == "block_impression").count(),
        1,
        "the refused impression is not stored"
    );

    let same_visit = collector.boot(VISITOR, home, &[], 1, SESSION).await;
    assert!(chosen(&same_visit).iter().all(|(block, _)| block != "exit-offer"), "{same_visit:#}");
    let next_visit = collector.boot(VISITOR, home, &[], 2, OTHER_SESSION).await;
    assert!(chosen(&next_visit).iter().any(|(block, _)| block == "exit-offer"), "{next_visit:#}");

    collector
        .send(VISITOR, vec![block_event(4, "block_dismiss", "exit-offer", "a", OTHER_SESSION)])
        .await;
    let after_dismissal = collector.boot(VISITOR, home, &[], 3, THIRD_SESSION).await;
    assert!(
        chosen(&after_dismissal).iter().all(|(block, _)| block != "exit-offer"),
        "hidden for 7 days after a dismissal"
    );
}

async fn goals_derive_one_conversion_and_the_report_counts_it(backend: Backend) {
    let collector = start(backend).await;
    let refused = collector.post(
        "/v1/events",
        Some(ALLOWED),
        json!({"site": "pk_test", "visitor": VISITOR, "events": [block_event(9, "block_conversion", "exit-offer", "a", SESSION)]})
            .to_string(),
    );
    expect_error(refused.await, StatusCode::BAD_REQUEST, "invalid_field", Some("events[0].type"))
        .await;

    let impression = block_event(1, "block_impression", "exit-offer", "b", SESSION);
    let click = block_event(2, "block_click", "exit-offer", "b", SESSION);
    collector.send(VISITOR, vec![impression]).await;
    collector.send(VISITOR, vec![click.clone()]).await;
    collector.send(VISITOR, vec![click]).await;
    collector.send(VISITOR, vec![block_event(4, "block_click", "exit-offer", "b", SESSION)]).await;
    let other = uuid_for(7);
    collector
        .send(&other, vec![block_event(3, "block_impression", "exit-offer", "a", SESSION)])
        .await;

    let stored = collector.events().await;
    let conversions: Vec<&Value> =
        stored.iter().filter(|e| e["kind"] == "block_conversion").collect();
    assert_eq!(
        conversions.len(),
        1,
        "one conversion, however often the goal is reached: {stored:#?}"
    );
    assert_eq!(conversions[0]["name"], "exit-offer");
    assert_eq!(conversions[0]["target"], "b", "credited to the variant shown");
    let profile = collector.profile(&format!("visitor={VISITOR}")).await;
    assert_eq!(profile["person"]["aggregates"]["blocks_converted"], 1, "{profile:#}");

    let response =
        collector.admin(reqwest::Method::GET, "/admin/api/reports/blocks?site=pk_test").await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.expect("JSON");
    assert!(report["method"].as_str().expect("text").contains("Beta"), "{report:#}");
    let exit = report["blocks"]
        .as_array()
        .expect("present")
        .iter()
        .find(|b| b["block"] == "exit-offer")
        .expect("exit-offer");
    let (control, challenger) = (&exit["variants"][0], &exit["variants"][1]);
    assert_eq!(
        (control["variant"].as_str(), control["control"].as_bool()),
        (Some("a"), Some(true))
    );
    assert_eq!(
        (control["impressions"].as_u64(), control["conversions"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(challenger["impressions"], 1);
    assert_eq!(challenger["visitors"], 1);
    assert_eq!(challenger["clicks"], 2);
    assert_eq!(challenger["ctr"], 2.0);
    assert_eq!(challenger["conversions"], 1);
    assert_eq!(challenger["conversion_rate"], 1.0);
    let beat = challenger["probability_to_beat_control"].as_f64().expect("probability");
    assert!((0.5..1.0).contains(&beat), "{beat}");
    assert!(control.get("probability_to_beat_control").is_none());
    let hero = report["blocks"]
        .as_array()
        .expect("present")
        .iter()
        .find(|b| b["block"] == "hero-new")
        .expect("configured blocks listed");
    assert_eq!(hero["variants"][0]["impressions"], 0);
}

async fn variants_are_stable_per_person_and_follow_the_weights(backend: Backend) {
    let collector = start(backend).await;
    let home = "https://www.example.com/";
    let mut seen_b = 0;
    for n in 0..120 {
        let visitor = uuid_for(100 + n);
        let first = collector.boot(&visitor, home, &["ab"], 1, SESSION).await;
        let variant = decision(&first, "split")["variant"].clone();
        if variant == "b" {
            seen_b += 1;
        }
        if n % 20 == 0 {
            // Once the person exists (first events), and on later visits, the same variant.
            collector
                .send(&visitor, vec![event(1000 + n, "pageview", home, None, Value::Null)])
                .await;
            let later = collector.boot(&visitor, home, &["ab"], 2, OTHER_SESSION).await;
            assert_eq!(decision(&later, "split")["variant"], variant, "visitor {visitor}");
        }
    }
    assert!((35..=85).contains(&seen_b), "an even split of 120 visitors, got {seen_b} on b");
}
