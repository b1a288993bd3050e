//! Workflows seen from the browser, in headless Chromium: a visitor who starts the demo
//! request and leaves it unsent (the widget reports `form_abandon` as the page goes)
//! finds a reminder in the hero of a later page, put there by a workflow
//! (`tests/fixtures/workflows.yaml`: wait, check the stage, `show_block`), and sees it
//! once.

use std::time::Duration;

use kindling_e2e::lead_forms::{root, type_text, wait_drawn};
use kindling_e2e::{Browser, Stack};

const READY: &str = "return !!window.kindling && window.kindling.loaded === true;";
const HERO: &str = "const s = document.querySelector('[data-kindling-slot=hero]');
                    return s && s.shadowRoot ? s.shadowRoot.textContent : '';";

async fn open(browser: &Browser, stack: &Stack, path: &str) {
    browser.client.goto(&format!("{}{path}", stack.site)).await.expect("page");
    browser.wait_for("the widget", READY).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unfinished_demo_request_brings_a_reminder_to_a_later_page() {
    let stack = Stack::start_with_config(
        kindling_e2e::fixture_site(),
        kindling_e2e::fixture_config("workflows.yaml"),
    )
    .await;
    let browser = Browser::start().await;

    open(&browser, &stack, "/hero-form.html").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = browser.eval(HERO).await;
    assert!(!before.as_str().unwrap_or("").contains("Still want that demo?"), "{before}");

    open(&browser, &stack, "/demo-form.html").await;
    wait_drawn(&browser, "demo-request").await;
    let focus =
        format!("{}.querySelector('#kd-field-email').focus(); return true;", root("demo-request"));
    browser.eval(&focus).await;
    type_text(&browser, "lee@acme.example").await;
    // Leaving the page reports the form as abandoned.
    open(&browser, &stack, "/hero-form.html").await;
    let abandoned = stack.wait_for_events(&[("type", "form_abandon")], 1).await;
    assert_eq!(abandoned[0]["name"], "demo-request");

    // After the workflow's wait, the next page shows the reminder.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    open(&browser, &stack, "/hero-form.html").await;
    browser
        .wait_for(
            "the reminder in the hero",
            "const s = document.querySelector('[data-kindling-slot=hero]');
             return !!(s && s.shadowRoot && s.shadowRoot.textContent.includes('Still want that demo?'));",
        )
        .await;

    // Seen once, it is not brought back.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    open(&browser, &stack, "/hero-form.html").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let after = browser.eval(HERO).await;
    assert!(!after.as_str().unwrap_or("").contains("Still want that demo?"), "{after}");
    browser.close().await;
}
