//! Personalization in Chromium: blocks decided by the collector, drawn by the widget
//! in every placement, changing with what the visitor does, with nothing executed from
//! block content and nothing in the page moved by Kindling.

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use kindling_e2e::{Browser, Stack, fixture_config, fixture_site};
use serde_json::Value;

const READY: &str = "return !!window.kindling && window.kindling.loaded === true;";

/// The block id drawn in slot `slot`, once drawn.
fn slot_block(slot: &str) -> String {
    format!(
        "const s = document.querySelector('[data-kindling-slot=\"{slot}\"]');
         return s && s.shadowRoot && s.shadowRoot.querySelector('h2') ? s.getAttribute('data-kindling-block') : null;"
    )
}

/// The overlay host of block `block`, as a script expression.
fn overlay(block: &str) -> String {
    format!("document.querySelector('[data-kindling-overlay=\"{block}\"]')")
}

/// Starts a later visit on the next load: the stored visit is aged past the 30-minute
/// timeout, as if the visitor came back hours later.
const AGE_THE_VISIT: &str = "const parts = localStorage.getItem('kindling.session').split('.');
     const earlier = Date.now() - 2 * 60 * 60 * 1000;
     parts[1] = String(earlier - 1000); parts[2] = String(earlier);
     localStorage.setItem('kindling.session', parts.join('.'));
     return parts[3];";

async fn press(browser: &Browser, key: Key) {
    let key: char = key.into();
    let keys = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    browser.client.perform_actions(keys).await.expect("key pressed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_welcome_back_bar_appears_on_the_third_visit_and_closes_for_good() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    browser.client.set_window_size(1366, 900).await.expect("window size");
    let home = format!("{}/", stack.site);
    for visit in 1..=2 {
        browser.client.goto(&home).await.expect("home");
        browser.wait_for("the hero", &slot_block("hero")).await;
        let bar = browser.eval(&format!("return !!{};", overlay("welcome-back"))).await;
        assert_eq!(bar, Value::Bool(false), "no bar on visit {visit}");
        browser.eval(AGE_THE_VISIT).await;
    }
    browser.client.goto(&home).await.expect("home, third visit");
    browser
        .wait_for(
            "the welcome-back bar",
            &format!(
                "return {}?.shadowRoot?.querySelector('[role=region]');",
                overlay("welcome-back")
            ),
        )
        .await;
    let text =
        browser.eval(&format!("return {}.shadowRoot.textContent;", overlay("welcome-back"))).await;
    assert!(text.as_str().unwrap_or_default().contains("Welcome back"), "{text}");
    let below_the_header = format!(
        "const bar = {}.shadowRoot.querySelector('[role=region]').getBoundingClientRect();
         const header = document.querySelector('.site-header').getBoundingClientRect();
         return [bar.top, header.bottom];",
        overlay("welcome-back")
    );
    let edges = browser.eval(&below_the_header).await;
    let (bar_top, header_bottom) =
        (edges[0].as_f64().unwrap_or(0.0), edges[1].as_f64().unwrap_or(0.0));
    assert!(bar_top >= header_bottom - 1.0, "the bar leaves the sticky header visible: {edges}");
    let visitor = browser.eval("return localStorage.getItem('kindling.vid');").await;
    let visitor = visitor.as_str().expect("visitor").to_owned();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let shown = stack.events(&[("type", "block_impression"), ("visitor", &visitor)]).await;
        if shown.iter().any(|e| e["name"] == "welcome-back" && e["target"] == "a") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no impression of the bar: {shown:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    browser
        .eval(&format!(
            "{}.shadowRoot.querySelector('button[aria-label]').click(); return true;",
            overlay("welcome-back")
        ))
        .await;
    browser.wait_for("the bar to close", &format!("return !{};", overlay("welcome-back"))).await;
    stack.wait_for_events(&[("type", "block_dismiss"), ("visitor", &visitor)], 1).await;
    browser.eval(AGE_THE_VISIT).await;
    browser.client.goto(&home).await.expect("home, fourth visit");
    browser.wait_for("the hero", &slot_block("hero")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let bar = browser.eval(&format!("return !!{};", overlay("welcome-back"))).await;
    assert_eq!(bar, Value::Bool(false), "dismissed: hidden for 14 days");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hero_changes_as_soon_as_the_ebook_form_is_sent() {
    let stack = Stack::start(fixture_site()).await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/hero-form.html", stack.site)).await.expect("page");
    let first = browser.wait_for("the hero", &slot_block("hero")).await;
    assert_eq!(first, "hero-welcome");
    browser
        .eval(
            "const f = document.getElementById('ebook-form');
             f.querySelector('[name=email]').focus();
             f.querySelector('[name=email]').value = 'rita@example.com';
             f.requestSubmit(); return true;",
        )
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let block = browser.eval(&slot_block("hero")).await;
        if block == "hero-ebook-readers" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the hero did not change: {block}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = browser
        .eval("return document.querySelector('[data-kindling-slot=hero]').shadowRoot.textContent;")
        .await;
    assert!(text.as_str().unwrap_or_default().contains("Liked the e-book?"), "{text}");
    let errors = browser.eval("return window.pageErrors;").await;
    assert_eq!(errors, Value::Array(vec![]));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pricing_exit_modal_takes_focus_keeps_it_and_gives_it_back_on_escape() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/pricing.html", stack.site)).await.expect("pricing");
    browser.wait_for("the widget", READY).await;
    browser.eval("document.querySelector('a').focus(); window.focusedBefore = document.activeElement; return true;").await;
    // Exit intent is ignored in the first 3 seconds of a page view.
    tokio::time::sleep(Duration::from_millis(3_300)).await;
    browser
        .eval("document.documentElement.dispatchEvent(new MouseEvent('mouseout', {clientY: -4, bubbles: true})); return true;")
        .await;
    let host = overlay("pricing-exit");
    browser
        .wait_for(
            "the modal",
            &format!("return {host}?.shadowRoot?.querySelector('[role=dialog][aria-modal=true]');"),
        )
        .await;
    let labelled = browser
        .eval(&format!(
            "const d = {host}.shadowRoot.querySelector('[role=dialog]');
             return d.shadowRoot ? null : d.getRootNode().getElementById(d.getAttribute('aria-labelledby')).textContent;"
        ))
        .await;
    assert_eq!(labelled, "Comparing plans?");
    let inside = format!(
        "return {host}.shadowRoot.activeElement && {host}.shadowRoot.activeElement.closest('[role=dialog]') !== null;"
    );
    assert_eq!(browser.eval(&inside).await, Value::Bool(true), "focus moved into the dialog");
    for _ in 0..6 {
        press(&browser, Key::Tab).await;
        assert_eq!(browser.eval(&inside).await, Value::Bool(true), "Tab stays inside the dialog");
    }
    press(&browser, Key::Escape).await;
    browser.wait_for("the modal to close", &format!("return !{host};")).await;
    let back = browser.eval("return document.activeElement === window.focusedBefore;").await;
    assert_eq!(back, Value::Bool(true), "focus is given back");
    let visitor = browser.eval("return localStorage.getItem('kindling.vid');").await;
    let visitor = visitor.as_str().expect("visitor").to_owned();
    stack.wait_for_events(&[("type", "block_dismiss"), ("visitor", &visitor)], 1).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_xss_payloads_in_block_content_never_run() {
    let stack = Stack::start_with_config(fixture_site(), fixture_config("xss.yaml")).await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/xss.html", stack.site)).await.expect("page");
    let slots =
        browser.eval("return document.querySelectorAll('[data-kindling-slot]').length;").await;
    let slots = slots.as_u64().expect("count");
    assert_eq!(slots, 20);
    browser
        .wait_for(
            "every block drawn",
            &format!(
                "return [...document.querySelectorAll('[data-kindling-slot]')]
                   .filter(s => s.shadowRoot && s.shadowRoot.querySelector('h2')).length === {slots};"
            ),
        )
        .await;
    // Poke everything a payload could hide behind: hover, focus and click every element.
    browser
        .eval(
            "for (const slot of document.querySelectorAll('[data-kindling-slot]')) {
               for (const el of slot.shadowRoot.querySelectorAll('*')) {
                 for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle', 'animationstart']) {
                   el.dispatchEvent(new Event(type, {bubbles: true}));
                 }
                 if (el.tagName !== 'A' || !/^https?:|^\\//.test(el.getAttribute('href') || '')) { el.click && el.click(); }
               }
             }
             return true;",
        )
        .await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let ran =
        browser.eval("return window.__xss === undefined ? null : String(window.__xss);").await;
    assert_eq!(ran, Value::Null, "a payload ran");
    let dangerous = browser
        .eval(
            "let found = [];
             for (const slot of document.querySelectorAll('[data-kindling-slot]')) {
               for (const el of slot.shadowRoot.querySelectorAll('*')) {
                 if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'BASE', 'META', 'FORM', 'INPUT', 'SVG', 'MATH'].includes(el.tagName.toUpperCase())) found.push(el.tagName);
                 for (const a of el.attributes) {
                   if (/^on/i.test(a.name) || /javascript:/i.test(a.value)) found.push(el.tagName + ' ' + a.name);
                 }
               }
             }
             return found;",
        )
        .await;
    assert_eq!(dangerous, Value::Array(vec![]), "dangerous markup reached the page");
    let headline = browser.eval("return document.querySelector('[data-kindling-slot=x0]').shadowRoot.querySelector('h2').textContent;").await;
    assert!(
        headline.as_str().unwrap_or_default().contains("onerror"),
        "headlines are shown as text: {headline}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kindling_moves_nothing_on_the_demo_pages() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    for (path, slot) in [
        ("/", Some("hero")),
        ("/pricing.html", None),
        ("/blog/month-end-close-checklist.html", Some("post-footer")),
    ] {
        browser.client.goto(&format!("{}{path}", stack.site)).await.expect("page");
        browser.wait_for("the widget", READY).await;
        if let Some(slot) = slot {
            browser.wait_for("the block", &slot_block(slot)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let shift = browser.layout_shift().await;
        assert_eq!(shift, 0.0, "layout shift on {path}");
    }
    browser.close().await;
}
