//! End-to-end tests: the demo site and test pages in headless Chromium, the widget
//! loaded cross-origin from a real collector on a temporary SQLite file.

use kindling_e2e::{Browser, Stack, fixture_site};
use serde_json::Value;

const HERO_TEXT: &str =
    "document.querySelector('[data-kindling-slot=\"hero\"]')?.shadowRoot?.textContent";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_shows_the_decided_hero_and_stores_the_pageview() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    let home = format!("{}/", stack.site);
    browser.client.goto(&home).await.expect("home page opens");

    let hero = browser.wait_for("the hero block", &format!("return {HERO_TEXT};")).await;
    let hero = hero.as_str().unwrap_or_default();
    // The demo's home hero is an A/B test: either variant, whole and with its markup.
    let body_html = browser
        .eval("return document.querySelector('[data-kindling-slot=\"hero\"]').shadowRoot.querySelector('.kd-body').innerHTML;")
        .await;
    let body_html = body_html.as_str().unwrap_or_default();
    if hero.contains("Watch a month-end close take 4 minutes") {
        assert!(hero.contains("Take the product tour"), "hero CTA: {hero:?}");
        assert!(body_html.contains("<strong>every invoice matched"), "{body_html}");
    } else {
        assert!(hero.contains("Yours could take 4"), "hero text: {hero:?}");
        assert!(hero.contains("Get the free e-book"), "hero CTA: {hero:?}");
        assert!(body_html.contains("<strong>five reconciliations</strong>"), "{body_html}");
    }

    let visitor = browser.eval("return localStorage.getItem('kindling.vid');").await;
    let visitor = visitor.as_str().expect("the visitor id is stored first-party").to_owned();
    let cookie = browser.eval("return document.cookie;").await;
    assert!(cookie.as_str().unwrap_or_default().contains(&format!("kd_vid={visitor}")), "{cookie}");

    let events = stack.wait_for_events(&[("type", "pageview"), ("visitor", &visitor)], 1).await;
    assert_eq!(events.len(), 1, "one pageview: {events:#?}");
    assert_eq!(events[0]["url"], home.as_str());
    assert!(
        events[0]["title"].as_str().unwrap_or_default().contains("Brightline"),
        "{:#?}",
        events[0]
    );

    // A second page view by the same browser keeps the visitor id.
    browser.client.goto(&format!("{}/pricing.html", stack.site)).await.expect("pricing opens");
    let events = stack.wait_for_events(&[("type", "pageview"), ("visitor", &visitor)], 2).await;
    assert!(
        events[0]["url"].as_str().unwrap_or_default().ends_with("/pricing.html"),
        "{events:#?}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_failures_never_reach_the_host_page() {
    let stack = Stack::start(fixture_site()).await;
    let browser = Browser::start().await;
    for page in ["unknown-site.html", "bad-api.html", "collector-down.html", "missing-slot.html"] {
        browser.client.goto(&format!("{}/{page}", stack.site)).await.expect("page opens");
        browser.wait_for("the widget to finish", "return window.kindlingSettled === true;").await;
        let errors = browser.eval("return window.pageErrors;").await;
        assert_eq!(errors, serde_json::json!([]), "errors thrown into {page}");
        let marker =
            browser.eval("return document.getElementById('host-content').textContent;").await;
        assert_eq!(marker, "The host page still works.", "{page}");
    }
    // The page without slots still records its pageview.
    let events = stack.wait_for_events(&[("type", "pageview")], 1).await;
    assert!(
        events[0]["url"].as_str().unwrap_or_default().ends_with("/missing-slot.html"),
        "{events:#?}"
    );
    browser.close().await;
}

/// Events of one kind, as (url path, name, value) triples, for readable assertions.
fn summary(events: &[Value], kind: &str) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = events
        .iter()
        .filter(|event| event["kind"] == kind)
        .map(|event| {
            let url = event["url"].as_str().unwrap_or_default();
            let path = url.splitn(4, '/').nth(3).map(|rest| format!("/{rest}")).unwrap_or_default();
            let text = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            (path, text(&event["name"]), text(&event["value"]))
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_is_tracked_event_by_event_exactly_once() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    let landing =
        format!("{}/?utm_source=newsletter&utm_medium=email&utm_campaign=nov-digest", stack.site);
    browser.client.goto(&landing).await.expect("home opens");
    browser.wait_for("the widget", "return !!window.kindling && window.kindling.loaded === true && document.querySelector('[data-kindling-slot=\"hero\"]').shadowRoot !== null;").await;

    // Scroll to the bottom, then click a tracked CTA that leads to the pricing page.
    browser.eval("window.scrollTo(0, document.documentElement.scrollHeight); return true;").await;
    browser
        .wait_for("scroll handled", "return new Promise(r => setTimeout(() => r(true), 300));")
        .await;
    browser.eval("document.querySelector('[data-kindling-track=\"cta_see_pricing\"]').click(); return true;").await;
    browser.wait_for("the pricing page", "return location.pathname === '/pricing.html' && !!window.kindling && window.kindling.loaded === true;").await;

    // A single-page app: the product tour changes routes with pushState.
    browser.client.goto(&format!("{}/tour/", stack.site)).await.expect("tour opens");
    browser
        .wait_for(
            "the tour's widget",
            "return !!window.kindling && window.kindling.loaded === true;",
        )
        .await;
    browser.eval("document.querySelector('a[href=\"/tour/forecasting\"][data-tour-link]').click(); return true;").await;
    browser
        .wait_for("the client-side route", "return location.pathname === '/tour/forecasting';")
        .await;
    browser
        .eval("kindling('track', 'tour_finished', {steps: 3, skipped: false}); return true;")
        .await;
    // Leave the site: the page is hidden and its events are flushed.
    browser.client.goto("about:blank").await.expect("left");

    // 4 pageviews, 4 scroll milestones, 1 click, 1 custom event; then a pause, so a
    // late duplicate would show.
    stack.wait_for_events(&[("limit", "1000")], 10).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let visitor_events = stack.events(&[("limit", "1000")]).await;
    let visitor = visitor_events[0]["visitor"].as_str().expect("visitor").to_owned();
    assert!(visitor_events.iter().all(|event| event["visitor"] == visitor.as_str()), "one visitor");
    let pageviews = summary(&visitor_events, "pageview");
    let paths: Vec<&str> = pageviews.iter().map(|(path, _, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "/?utm_source=newsletter&utm_medium=email&utm_campaign=nov-digest",
            "/pricing.html",
            "/tour/",
            "/tour/forecasting"
        ],
        "each page viewed once"
    );
    for event in visitor_events.iter().filter(|event| event["kind"] == "pageview") {
        assert_eq!(event["channel"], "email", "the visit's channel on {}", event["url"]);
        assert_eq!(event["utm_source"], "newsletter");
        assert_eq!(event["utm_campaign"], "nov-digest");
        assert_eq!(event["bot"], false);
    }
    let landing_path =
        "/?utm_source=newsletter&utm_medium=email&utm_campaign=nov-digest".to_owned();
    let scrolls = summary(&visitor_events, "scroll");
    let home_scrolls: Vec<&str> = scrolls
        .iter()
        .filter(|(path, _, _)| *path == landing_path)
        .map(|(_, _, value)| value.as_str())
        .collect();
    assert_eq!(
        home_scrolls,
        vec!["100.0", "25.0", "50.0", "75.0"],
        "each milestone once: {scrolls:?}"
    );
    assert_eq!(
        summary(&visitor_events, "click"),
        vec![(landing_path.clone(), "cta_see_pricing".to_owned(), "null".to_owned())],
        "the CTA click, once"
    );
    assert_eq!(
        summary(&visitor_events, "custom"),
        vec![("/tour/forecasting".to_owned(), "tour_finished".to_owned(), "null".to_owned())]
    );
    let sessions: std::collections::BTreeSet<&str> =
        visitor_events.iter().filter_map(|event| event["session"].as_str()).collect();
    assert_eq!(sessions.len(), 1, "one visit: {sessions:?}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_consent_required_nothing_leaves_the_page_before_consent() {
    let stack = Stack::start(fixture_site()).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/consent-required.html", stack.site))
        .await
        .expect("page opens");
    browser.wait_for("the widget", "return window.kindlingSettled === true;").await;
    browser
        .eval("window.scrollTo(0, 500); kindling('track', 'before_consent'); return true;")
        .await;
    browser.wait_for("a moment", "return new Promise(r => setTimeout(() => r(true), 1500));").await;

    let requests = browser
        .eval("return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/v1/'));")
        .await;
    assert_eq!(requests, serde_json::json!([]), "no request to the collector before consent");
    let stored = browser.eval("return [document.cookie, Object.keys(localStorage)];").await;
    assert_eq!(stored, serde_json::json!(["", []]), "nothing stored on the device");
    assert!(stack.events(&[]).await.is_empty());

    browser.eval("kindling('consent', {analytics: true}); return true;").await;
    let events = stack.wait_for_events(&[("type", "pageview")], 1).await;
    assert!(
        events[0]["url"].as_str().unwrap_or_default().ends_with("/consent-required.html"),
        "{events:#?}"
    );
    let stored = browser.eval("return Object.keys(localStorage).sort();").await;
    assert!(
        stored.as_array().is_some_and(|keys| keys.iter().any(|k| k == "kindling.vid")),
        "{stored}"
    );
    let all = stack.events(&[]).await;
    assert!(all.iter().all(|event| event["name"] != "before_consent"), "{all:#?}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_recorded_while_the_collector_is_down_arrive_once_it_is_back() {
    let mut stack = Stack::demo().await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/", stack.site)).await.expect("home opens");
    stack.wait_for_events(&[("type", "pageview")], 1).await;

    stack.stop_collector().await;
    browser
        .eval("kindling('track', 'offline_1'); history.pushState({}, '', '/pricing.html?offline=1'); kindling('track', 'offline_2'); return true;")
        .await;
    // Let the widget fail at least once against the stopped collector.
    browser
        .wait_for("failed sends", "return new Promise(r => setTimeout(() => r(true), 2500));")
        .await;
    let waiting = browser.eval("return localStorage.getItem('kindling.queue') || '';").await;
    assert!(waiting.as_str().unwrap_or_default().contains("offline_2"), "kept offline: {waiting}");

    stack.restart_collector().await;
    stack.wait_for_events(&[("type", "custom")], 2).await;
    stack.wait_for_events(&[("type", "pageview")], 2).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let events = stack.events(&[("limit", "1000")]).await;
    assert_eq!(
        summary(&events, "custom"),
        vec![
            ("/".to_owned(), "offline_1".to_owned(), "null".to_owned()),
            ("/pricing.html?offline=1".to_owned(), "offline_2".to_owned(), "null".to_owned()),
        ],
        "each once"
    );
    let pageviews: Vec<String> =
        summary(&events, "pageview").into_iter().map(|(path, _, _)| path).collect();
    assert_eq!(pageviews, vec!["/".to_owned(), "/pricing.html?offline=1".to_owned()]);
    let left = browser
        .eval("return JSON.parse(localStorage.getItem('kindling.queue') || '[]').length;")
        .await;
    assert_eq!(left, 0, "the offline queue is empty once delivered");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_who_downloads_the_ebook_and_requests_a_demo_turns_hot_and_sql() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    let ready = "return !!window.kindling && window.kindling.loaded === true;";
    browser
        .client
        .goto(&format!("{}/customers/northwind.html", stack.site))
        .await
        .expect("case study");
    browser.wait_for("the widget", ready).await;
    browser.client.goto(&format!("{}/ebook.html", stack.site)).await.expect("e-book page");
    browser.wait_for("the widget", ready).await;
    let ebook = [
        ("email", "dana@northwind.example"),
        ("name", "Dana Whitfield"),
        ("company", "Northwind Logistics"),
        ("company_size", "500"),
        ("role", "CFO"),
        ("news_consent", "true"),
    ];
    kindling_e2e::lead_forms::fill_and_send(&browser, "ebook", &ebook).await;
    browser.client.goto(&format!("{}/demo.html", stack.site)).await.expect("demo page");
    browser.wait_for("the widget", ready).await;
    // Progressive profiling: only the phone and the timeline are asked now.
    let demo = [("phone", "+44 20 7946 0001"), ("timeline", "now")];
    kindling_e2e::lead_forms::fill_and_send(&browser, "demo-request", &demo).await;
    browser.client.goto("about:blank").await.expect("left");

    let http = reqwest::Client::new();
    let url = format!(
        "{}/admin/api/profile?site=pk_demo_brightline&email=dana@northwind.example",
        stack.collector
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let profile: Value = loop {
        let response =
            http.get(&url).bearer_auth(kindling_e2e::ADMIN_TOKEN).send().await.expect("admin API");
        if response.status().is_success() {
            let profile: Value = response.json().await.expect("JSON");
            if profile["person"]["stage"] == "sql" {
                break profile;
            }
        }
        assert!(std::time::Instant::now() < deadline, "the profile did not reach SQL");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let person = &profile["person"];
    assert_eq!(person["temperature"], "hot", "{person:#}");
    assert_eq!(person["score"], 95, "{:#}", profile["score_changes"]);
    let mut reasons: Vec<&str> = profile["score_changes"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|line| line["rule"].as_str())
        .collect();
    reasons.sort_unstable();
    assert_eq!(
        reasons,
        vec!["case_study", "demo_request", "ebook_download", "enterprise_size", "finance_role"]
    );
    assert_eq!(person["traits"]["company"]["value"], "Northwind Logistics");
    assert!(
        person["segments"].as_array().is_some_and(|s| s.iter().any(|s| s == "hot_leads")),
        "{person:#}"
    );
    let stages: Vec<&str> = profile["stage_changes"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|line| line["to"].as_str())
        .collect();
    assert_eq!(stages.last(), Some(&"sql"), "{stages:?}");
    browser.close().await;
}
