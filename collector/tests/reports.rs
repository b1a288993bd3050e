//! The funnel and traffic reports over real HTTP on both backends: traffic with known
//! outcomes (visitors by channel, leads, stages set by hand, an identity merge, an
//! erasure) gives exactly the numbers the rollups report, and the pages show them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[path = "support/harness.rs"]
mod harness;

use harness::*;

on_both_backends!(the_reports_count_what_visitors_did);

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

    // The previous period is empty; a range of the future is refused by name.
    assert_eq!(stages(&funnel["previous_total"]), [0; 5]);
    let refused =
        collector.admin(Method::GET, "/admin/api/reports/funnel?site=pk_test&breakdown=nope").await;
    expect_error(refused, StatusCode::BAD_REQUEST, "invalid_field", Some("breakdown")).await;
}
