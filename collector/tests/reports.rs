//! The funnel and traffic reports over real HTTP on both backends: traffic with known
//! outcomes (visitors by channel, leads, stages set by hand, an identity merge, an
//! erasure) gives exactly the numbers the rollups report, and the pages show them; an
//! experiment split 60/40 against even weights is flagged, with the leads each variant
//! produced.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
mod harness;

use accounts::{Browser, add_user};
use harness::*;

on_both_backends!(
    the_reports_count_what_visitors_did,
    an_uneven_split_is_flagged_and_the_pipeline_counted
);

/// Visitors from LinkedIn, straight to the site, and from Google.
const SOCIAL: u32 = 10;
const DIRECT: u32 = 6;
const ORGANIC: u32 = 4;

fn visitor(n: u32) -> String {
    format!("0190f3c2-7d2a-7c4e-8a8b-00000e{n:06x}")
}

/// A first visit: two pageviews, the first one the landing page.
async fn visit(collector: &Collector, n: u32, landing: &str, referrer: Option<&str>) {
    let session = format!("0190f3c2-7d2a-7c4e-8a8b-00000f{n:06x}");
    let mut first = json!({"id": uuid_for(10_000 + n * 4), "type": "pageview", "session": session,
                           "url": landing, "ts": 1});
    if let Some(referrer) = referrer {
        first["referrer"] = json!(referrer);
    }
    let second = json!({"id": uuid_for(10_001 + n * 4), "type": "pageview", "session": session,
                        "url": "https://www.example.com/pricing", "ts": 2});
    let mut context = json!({"visit": 1, "landing": landing});
    if let Some(referrer) = referrer {
        context["referrer"] = json!(referrer);
    }
    let batch = json!({"site": "pk_test", "visitor": visitor(n), "context": context,
                       "events": [first, second]});
    let response = collector.post("/v1/events", Some(ALLOWED), batch.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK, "visit {n}");
}

async fn identify(collector: &Collector, n: u32, email: &str) {
    let event = event(
        20_000 + n,
        "identify",
        "https://www.example.com/pricing",
        None,
        json!({"email": email}),
    );
    collector.send(&visitor(n), vec![event]).await;
}

async fn set_stage(collector: &Collector, n: u32, stage: &str) {
    let response = collector
        .http
        .post(
            collector.url(&format!("/admin/api/profile/stage?site=pk_test&visitor={}", visitor(n))),
        )
        .bearer_auth(TOKEN)
        .json(&json!({"stage": stage}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK, "stage {stage}");
}

async fn report(collector: &Collector, path: &str) -> Value {
    let response = collector.admin(Method::GET, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.expect("JSON")
}

fn stages(value: &Value) -> [i64; 5] {
    ["visitors", "leads", "mqls", "sqls", "customers"]
        .map(|name| value[name].as_i64().unwrap_or(-1))
}

async fn the_reports_count_what_visitors_did(backend: Backend) {
    let collector = Collector::start(backend).await;
    let linkedin = "https://www.example.com/blog/launch?utm_source=linkedin&utm_medium=social";
    for n in 0..SOCIAL {
        visit(&collector, n, linkedin, Some("https://www.linkedin.com/")).await;
    }
    for n in SOCIAL..SOCIAL + DIRECT {
        visit(&collector, n, "https://www.example.com/", None).await;
    }
    for n in SOCIAL + DIRECT..SOCIAL + DIRECT + ORGANIC {
        visit(&collector, n, "https://www.example.com/guide", Some("https://www.google.com/"))
            .await;
    }
    // Three LinkedIn visitors become leads; one is made an MQL, one a customer by hand
    // (skipping MQL and SQL, which count as passed).
    for n in 0..3 {
        identify(&collector, n, &format!("lead{n}@example.com")).await;
    }
    set_stage(&collector, 1, "mql").await;
    set_stage(&collector, 2, "customer").await;

    let funnel = report(&collector, "/admin/api/reports/funnel?site=pk_test").await;
    let all = SOCIAL + DIRECT + ORGANIC;
    assert_eq!(stages(&funnel["total"]), [i64::from(all), 3, 2, 1, 1], "{funnel:#}");
    assert_eq!(funnel["breakdown"], "first_channel");
    let rows = funnel["rows"].as_array().expect("rows");
    let social = rows.iter().find(|row| row["value"] == "social").expect("a social row");
    assert_eq!(stages(&social["stages"]), [i64::from(SOCIAL), 3, 2, 1, 1], "{funnel:#}");
    let by_source =
        report(&collector, "/admin/api/reports/funnel?site=pk_test&breakdown=first_source").await;
    let linkedin_row = by_source["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["value"] == "linkedin")
        .cloned()
        .expect("a linkedin row");
    assert_eq!(linkedin_row["stages"]["leads"], 3, "{by_source:#}");

    // The same lead on a second device, straight to the site: one more visitor, but
    // the merge leaves as many persons as before.
    let device = SOCIAL + DIRECT + ORGANIC;
    visit(&collector, device, "https://www.example.com/", None).await;
    let before_merge = report(&collector, "/admin/api/reports/funnel?site=pk_test").await;
    assert_eq!(stages(&before_merge["total"])[0], i64::from(all) + 1);
    identify(&collector, device, "lead0@example.com").await;
    let merged = report(&collector, "/admin/api/reports/funnel?site=pk_test").await;
    assert_eq!(stages(&merged["total"]), [i64::from(all), 3, 2, 1, 1], "{merged:#}");

    let traffic = report(&collector, "/admin/api/reports/traffic?site=pk_test").await;
    let totals = &traffic["totals"];
    assert_eq!(totals["visitors"], all + 1, "{totals:#}");
    assert_eq!(totals["visits"], all + 1);
    assert_eq!(totals["pageviews"], 2 * (all + 1));
    assert_eq!((totals["leads"].as_i64(), totals["mqls"].as_i64()), (Some(3), Some(2)));
    let channels = traffic["breakdowns"]
        .as_array()
        .expect("breakdowns")
        .iter()
        .find(|b| b["dimension"] == "channel")
        .cloned()
        .expect("channels");
    let social_visits = channels["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["value"] == "social")
        .cloned()
        .expect("social");
    assert_eq!(
        (social_visits["visits"].as_i64(), social_visits["leads"].as_i64()),
        (Some(10), Some(3))
    );
    let pages = traffic["breakdowns"]
        .as_array()
        .expect("breakdowns")
        .iter()
        .find(|b| b["dimension"] == "page")
        .cloned()
        .expect("pages");
    assert_eq!(pages["rows"][0]["value"], "/pricing");
    assert_eq!(pages["rows"][0]["pageviews"], all + 1);

    // An erased direct visitor leaves the funnel and the traffic.
    let erased = collector
        .admin(
            Method::DELETE,
            &format!("/admin/api/profile?site=pk_test&visitor={}", visitor(SOCIAL)),
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);
    let funnel = report(&collector, "/admin/api/reports/funnel?site=pk_test").await;
    assert_eq!(stages(&funnel["total"])[0], i64::from(all) - 1, "{funnel:#}");
    let traffic = report(&collector, "/admin/api/reports/traffic?site=pk_test").await;
    assert_eq!(traffic["totals"]["visitors"], all);
    assert_eq!(traffic["totals"]["pageviews"], 2 * all);
    assert_eq!(traffic["totals"]["visits"], all);
    let rows = traffic["series"].as_array().expect("series");
    let today = rows.last().expect("today");
    assert_eq!(today["totals"]["visitors"], all, "the day's visitors: {today:#}");

    // Lead quality: the three leads, by score and temperature, recorded for today.
    let quality = report(&collector, "/admin/api/reports/quality?site=pk_test").await;
    let now = &quality["now"];
    let leads = ["hot", "warm", "cold"].map(|t| now[t].as_i64().unwrap_or(-1));
    assert_eq!(leads.iter().sum::<i64>(), 3, "{quality:#}");
    let bucketed: i64 = quality["score_buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b[1].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(bucketed, 3);
    let recorded = quality["temperature_days"].as_array().expect("days");
    assert_eq!(recorded.len(), 1, "today is recorded once: {quality:#}");
    let again = report(&collector, "/admin/api/reports/quality?site=pk_test").await;
    assert_eq!(again["temperature_days"], quality["temperature_days"]);

    // The previous period is empty; a range of the future is refused by name.
    assert_eq!(stages(&funnel["previous_total"]), [0; 5]);
    let refused =
        collector.admin(Method::GET, "/admin/api/reports/funnel?site=pk_test&breakdown=nope").await;
    expect_error(refused, StatusCode::BAD_REQUEST, "invalid_field", Some("breakdown")).await;
}

/// A visitor shown variant `variant` of the exit offer, clicking its call to action
/// when `clicks`.
async fn shown(collector: &Collector, n: u32, variant: &str, clicks: bool) {
    let session = format!("0190f3c2-7d2a-7c4e-8a8b-00001f{n:06x}");
    let block = |k: u32, kind: &str| {
        json!({"id": uuid_for(40_000 + n * 4 + k), "type": kind, "session": session,
               "url": "https://www.example.com/pricing", "name": "exit-offer",
               "target": variant, "ts": 1})
    };
    let mut events = vec![
        json!({"id": uuid_for(40_003 + n * 4), "type": "pageview", "session": session,
               "url": "https://www.example.com/pricing", "ts": 1}),
        block(0, "block_impression"),
    ];
    if clicks {
        events.push(block(1, "block_click"));
    }
    collector.send(&visitor(1_000 + n), events).await;
}

async fn an_uneven_split_is_flagged_and_the_pipeline_counted(backend: Backend) {
    let collector = Collector::start_with(backend, |settings| {
        settings.config = Some(fixtures().join("personalize.yaml"));
        // One test client sends every visitor's requests.
        settings.rate_limit_ip = 10_000;
        settings.rate_limit_site = 10_000;
    })
    .await;
    // 300 visitors see the control, 200 variant b, against even weights.
    for n in 0..500 {
        let (variant, clicks) = if n < 300 { ("a", n % 10 == 0) } else { ("b", n % 5 == 0) };
        shown(&collector, n, variant, clicks).await;
    }
    // Four of b's visitors become leads after seeing it.
    for n in 300..304 {
        let event = event(
            60_000 + n,
            "identify",
            "https://www.example.com/pricing",
            None,
            json!({"email": format!("b{n}@example.com")}),
        );
        collector.send(&visitor(1_000 + n), vec![event]).await;
    }
    let report = report(&collector, "/admin/api/reports/experiments?site=pk_test").await;
    let block = report["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .find(|b| b["block"] == "exit-offer")
        .cloned()
        .expect("the exit offer");
    assert_eq!(block["sample_ratio_mismatch"], true, "{block:#}");
    let variants = block["variants"].as_array().expect("variants");
    let figures = |v: &Value| {
        let hits = |name: &str| {
            v["metrics"]
                .as_array()
                .expect("metrics")
                .iter()
                .find(|m| m["metric"] == name)
                .map(|m| m["hits"].as_u64().unwrap_or(0))
        };
        (
            v["persons"].as_u64(),
            v["impressions"].as_u64(),
            v["clicks"].as_u64(),
            hits("goal"),
            hits("leads"),
        )
    };
    assert_eq!(figures(&variants[0]), (Some(300), Some(300), Some(30), Some(30), Some(0)));
    assert_eq!(figures(&variants[1]), (Some(200), Some(200), Some(40), Some(40), Some(4)));
    let ctr = &variants[1]["metrics"][0]["versus_control"];
    assert!(ctr["probability_to_beat_control"].as_f64().unwrap_or(0.0) > 0.95, "{ctr:#}");
    assert!(block["verdicts"][0].as_str().unwrap_or("").contains("sample ratio mismatch"));

    add_user(&collector, "viewer@example.com", "viewer").await;
    let browser = Browser::sign_in(&collector, "viewer@example.com").await;
    let page = browser.get("/admin/reports/blocks?site=pk_test").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("text");
    assert!(html.contains("Sample ratio mismatch."), "the page warns");
    for path in [
        "/admin/reports/funnel?site=pk_test&range=7d",
        "/admin/reports/traffic?site=pk_test&interval=hour",
        "/admin/reports/funnel?site=pk_test&from=2026-01-01&until=2026-01-31",
    ] {
        let answer = browser.get(path).await;
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
    }
    let csv = browser.get("/admin/reports/traffic?site=pk_test&format=csv&table=page").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.text().await.expect("text").starts_with("value,visits,pageviews,leads,mqls\n/pricing,")
    );
    let bad = browser.get("/admin/reports/funnel?site=pk_test&from=soon").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
