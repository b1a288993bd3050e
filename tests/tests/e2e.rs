//! End-to-end tests: the demo site and test pages in headless Chromium, the widget
//! loaded cross-origin from a real collector on a temporary SQLite file.

use kindling_e2e::{Browser, Stack, fixture_site};

const HERO_TEXT: &str = "document.querySelector('[data-kindling-slot=\"hero\"]')?.shadowRoot?.textContent";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_page_shows_the_decided_hero_and_stores_the_pageview() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    let home = format!("{}/", stack.site);
    browser.client.goto(&home).await.expect("home page opens");

    let hero = browser.wait_for("the hero block", &format!("return {HERO_TEXT};")).await;
    let hero = hero.as_str().unwrap_or_default();
    assert!(hero.contains("Watch a month-end close take 4 minutes"), "hero text: {hero:?}");
    assert!(hero.contains("Take the product tour"), "hero CTA: {hero:?}");
    let body_html = browser
        .eval("return document.querySelector('[data-kindling-slot=\"hero\"]').shadowRoot.querySelector('.kd-body').innerHTML;")
        .await;
    assert!(body_html.as_str().unwrap_or_default().contains("<strong>every invoice matched"), "{body_html}");

    let visitor = browser.eval("return localStorage.getItem('kindling.vid');").await;
    let visitor = visitor.as_str().expect("the visitor id is stored first-party").to_owned();
    let cookie = browser.eval("return document.cookie;").await;
    assert!(cookie.as_str().unwrap_or_default().contains(&format!("kd_vid={visitor}")), "{cookie}");

    let events = stack.wait_for_events(&[("type", "pageview"), ("visitor", &visitor)], 1).await;
    assert_eq!(events.len(), 1, "one pageview: {events:#?}");
    assert_eq!(events[0]["url"], home.as_str());
    assert!(events[0]["title"].as_str().unwrap_or_default().contains("Brightline"), "{:#?}", events[0]);

    // A second page view by the same browser keeps the visitor id.
    browser.client.goto(&format!("{}/pricing.html", stack.site)).await.expect("pricing opens");
    let events = stack.wait_for_events(&[("type", "pageview"), ("visitor", &visitor)], 2).await;
    assert!(events[0]["url"].as_str().unwrap_or_default().ends_with("/pricing.html"), "{events:#?}");
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
        let marker = browser.eval("return document.getElementById('host-content').textContent;").await;
        assert_eq!(marker, "The host page still works.", "{page}");
    }
    // The page without slots still records its pageview.
    let events = stack.wait_for_events(&[("type", "pageview")], 1).await;
    assert!(events[0]["url"].as_str().unwrap_or_default().ends_with("/missing-slot.html"), "{events:#?}");
    browser.close().await;
}
