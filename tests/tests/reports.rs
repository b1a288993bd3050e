//! The report pages in Chromium, against a real collector on a SQLite file, after
//! traffic with known outcomes sent over HTTP as browsers send it: 150 visitors (100
//! from LinkedIn, 50 straight to the site), 12 LinkedIn leads of which 4 are made MQLs,
//! 3 direct leads; and the demo's home hero shown 300 times as `tour` and 200 times as
//! `guide` against 50/50 weights.
//!
//! - the funnel page shows exactly those numbers, by first-touch channel, and picking
//!   the LinkedIn row shows its funnel (chart and table view);
//! - the traffic page's table view and breakdowns agree;
//! - the experiments page flags the sample-ratio mismatch;
//! - axe-core finds no violation on the report pages, at desktop and phone widths.

use kindling_e2e::console::{add_user, sign_in};
use kindling_e2e::{ADMIN_TOKEN, BROWSER_USER_AGENT, Browser, DEMO_SITE_KEY, Stack, axe};
use serde_json::{Value, json};

const OWNER: &str = "owner@example.com";
const PASSWORD: &str = "a long owner password";
const LINKEDIN: &str = "http://127.0.0.1/blog/close?utm_source=linkedin&utm_medium=social";

fn visitor(n: u32) -> String {
    format!("0190f3c2-7d2a-7c4e-8a8b-0000a1{n:06x}")
}

fn event_id(n: u32, k: u32) -> String {
    format!("0190f3c2-7d2a-7c4e-8a8b-{:012x}", 0xb00000 + n * 8 + k)
}

async fn send(stack: &Stack, body: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/events", stack.collector))
        .header("content-type", "text/plain")
        .header("origin", &stack.site)
        .header("user-agent", BROWSER_USER_AGENT)
        .body(body.to_string())
        .send()
        .await
        .expect("the collector answers");
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
}

/// Visitor `n`'s first visit, landing on `landing` from `referrer`, seeing the home
/// hero's `variant` when given.
async fn visit(
    stack: &Stack,
    n: u32,
    landing: &str,
    referrer: Option<&str>,
    variant: Option<&str>,
) {
    let session = format!("0190f3c2-7d2a-7c4e-8a8b-0000a2{n:06x}");
    let mut pageview = json!({"id": event_id(n, 0), "type": "pageview", "session": session, "url": landing, "ts": 1});
    let mut context = json!({"visit": 1, "landing": landing});
    if let Some(referrer) = referrer {
        pageview["referrer"] = json!(referrer);
        context["referrer"] = json!(referrer);
    }
    let mut events = vec![pageview];
    if let Some(variant) = variant {
        events.push(json!({"id": event_id(n, 1), "type": "block_impression", "session": session,
            "url": landing, "name": "hero-welcome", "target": variant, "ts": 2}));
    }
    send(
        stack,
        json!({"site": DEMO_SITE_KEY, "visitor": visitor(n), "context": context, "events": events}),
    )
    .await;
}

async fn identify(stack: &Stack, n: u32) {
    let session = format!("0190f3c2-7d2a-7c4e-8a8b-0000a2{n:06x}");
    let event = json!({"id": event_id(n, 2), "type": "identify", "session": session,
        "url": "http://127.0.0.1/pricing", "props": {"email": format!("lead{n}@example.com")}, "ts": 3});
    send(stack, json!({"site": DEMO_SITE_KEY, "visitor": visitor(n), "events": [event]})).await;
}

async fn make_mql(stack: &Stack, n: u32) {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/admin/api/profile/stage?site={DEMO_SITE_KEY}&visitor={}",
            stack.collector,
            visitor(n)
        ))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"stage": "mql"}))
        .send()
        .await
        .expect("the admin API answers");
    assert_eq!(response.status(), 200);
}

/// The texts of the elements `selector` finds.
async fn texts(browser: &Browser, selector: &str) -> Vec<String> {
    let script = format!(
        "return Array.from(document.querySelectorAll({selector:?})).map(e => e.textContent.trim());"
    );
    let found = browser.eval(&script).await;
    found.as_array().map_or_else(Vec::new, |all| {
        all.iter().map(|text| text.as_str().unwrap_or_default().to_owned()).collect()
    })
}

/// The cells of the breakdown table's row whose header is `value`.
async fn row(browser: &Browser, value: &str) -> Vec<String> {
    let script = format!(
        "const row = Array.from(document.querySelectorAll('table.report-table tbody tr'))
           .find(r => r.querySelector('th').textContent.trim() === {value:?});
         return row ? Array.from(row.querySelectorAll('td')).map(c => c.textContent.trim()) : null;"
    );
    let found = browser.eval(&script).await;
    found.as_array().map_or_else(Vec::new, |all| {
        all.iter().map(|text| text.as_str().unwrap_or_default().to_owned()).collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_pages_show_what_visitors_did() {
    let stack = Stack::start_tuned(
        kindling_demo_site::site_dir(),
        kindling_demo_site::demo_config(),
        |settings| {
            settings.rate_limit_ip = 10_000;
            settings.rate_limit_site = 10_000;
        },
    )
    .await;
    add_user(&stack, OWNER, PASSWORD, "owner").await;
    for n in 0..150 {
        let variant = if n < 90 { "tour" } else { "guide" };
        match n {
            0..100 => {
                visit(&stack, n, LINKEDIN, Some("https://www.linkedin.com/"), Some(variant)).await
            }
            _ => visit(&stack, n, "http://127.0.0.1/", None, Some(variant)).await,
        }
    }
    // 350 more visitors see the hero, 210 `tour` and 140 `guide`: 300 against 200.
    for n in 150..500 {
        let variant = if n < 360 { "tour" } else { "guide" };
        visit(&stack, n, "http://127.0.0.1/", None, Some(variant)).await;
    }
    for n in (0..12).chain(100..103) {
        identify(&stack, n).await;
    }
    for n in 0..4 {
        make_mql(&stack, n).await;
    }

    let browser = Browser::start().await;
    let funnel = format!("/admin/reports/funnel?site={DEMO_SITE_KEY}");
    sign_in(&browser, &stack, OWNER, PASSWORD, &funnel).await;
    assert_eq!(texts(&browser, ".kpi-value").await, ["500", "15", "4", "0", "0"]);
    let social = row(&browser, "social").await;
    assert_eq!(social[..5], ["100", "12", "12%", "4", "33%"], "{social:?}");
    let direct = row(&browser, "direct").await;
    assert_eq!(direct[..4], ["400", "3", "0.75%", "0"], "{direct:?}");

    // Picking the LinkedIn row draws its funnel.
    browser
        .eval("document.querySelector('tbody th a[href*=\"value=social\"]').click(); return true;")
        .await;
    browser.wait_for("the social funnel", "return location.search.includes('value=social') && document.readyState === 'complete';").await;
    let caption = texts(&browser, "#funnel-chart figcaption").await;
    assert_eq!(caption, ["First-touch channel: social"]);
    let steps = texts(&browser, "#funnel-chart table td.num").await;
    assert_eq!(steps[..3].to_vec(), ["100", "—", "100%"], "the first step: {steps:?}");

    let traffic = format!("{}/admin/reports/traffic?site={DEMO_SITE_KEY}", stack.collector);
    browser.client.goto(&traffic).await.expect("the traffic page");
    assert_eq!(texts(&browser, ".kpi-value").await, ["500", "500", "500", "15", "4"]);

    let blocks = format!("{}/admin/reports/blocks?site={DEMO_SITE_KEY}", stack.collector);
    browser.client.goto(&blocks).await.expect("the experiments page");
    let alert = texts(&browser, "#block-hero-welcome ~ [role=alert], section [role=alert]").await;
    assert!(alert.iter().any(|text| text.starts_with("Sample ratio mismatch.")), "{alert:?}");
    let tour = row(&browser, "tour control").await;
    assert_eq!(tour[..3], ["50", "300", "300"], "{tour:?}");

    let axe_script = std::fs::read_to_string(axe::script_path()).expect("axe-core's script");
    let pages = ["funnel", "traffic", "blocks", "forms", "quality", "automation"];
    for (width, height) in [(1280, 900), (390, 844)] {
        browser.client.set_window_size(width, height).await.expect("window size");
        for page in pages {
            let url = format!("{}/admin/reports/{page}?site={DEMO_SITE_KEY}", stack.collector);
            browser.client.goto(&url).await.expect("the page");
            let violations = axe::violations(&browser, &axe_script).await;
            assert!(violations.is_empty(), "{page} at {width} px: {violations:#?}");
        }
    }
    browser.close().await;
}
