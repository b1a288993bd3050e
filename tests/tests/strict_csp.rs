//! The widget on a page with a strict Content-Security-Policy (`script-src 'self'
//! <collector> 'wasm-unsafe-eval'; style-src 'self'`, no inline script or style): the
//! hero block, the exit modal and an embedded lead form are drawn styled (computed
//! styles from the widget's stylesheets), and the page reports no violation.

use std::time::Duration;

use kindling_e2e::{Browser, Stack, fixture_site, trap};
use serde_json::Value;

/// A computed style of the first element matching `selector` in `host`'s shadow root.
fn computed(host: &str, selector: &str, property: &str) -> String {
    format!(
        "const el = document.querySelector('{host}')?.shadowRoot?.querySelector('{selector}');
         return el ? getComputedStyle(el).getPropertyValue('{property}') : null;"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocks_a_modal_and_a_form_are_styled_under_a_strict_policy() {
    let stack = Stack::start(fixture_site()).await;
    let browser = Browser::start().await;
    trap::install(&browser).await;
    browser.client.goto(&format!("{}/pricing-strict.html", stack.site)).await.expect("page");
    let hero = "[data-kindling-slot=hero]";
    browser
        .wait_for(
            "the hero",
            &format!(
                "return !!document.querySelector('{hero}')?.shadowRoot?.querySelector('.kd-cta');"
            ),
        )
        .await;
    assert_eq!(browser.eval(&computed(hero, ".kd-block", "padding-top")).await, "24px");
    assert_eq!(browser.eval(&computed(hero, ".kd-inline", "position")).await, "absolute");
    assert_eq!(
        browser.eval(&computed(hero, ".kd-cta", "background-color")).await,
        "rgb(36, 86, 232)",
        "the call to action has the accent colour"
    );

    let form = "[data-kindling-lead-form=demo-request]";
    browser
        .wait_for(
            "the form",
            &format!(
                "return !!document.querySelector('{form}')?.shadowRoot?.querySelector('form');"
            ),
        )
        .await;
    assert_eq!(browser.eval(&computed(form, "[data-step][hidden]", "display")).await, "none");
    assert_eq!(
        browser.eval(&computed(form, "button[type=submit]", "background-color")).await,
        "rgb(36, 86, 232)"
    );
    assert_eq!(browser.eval(&computed(form, ".kd-check input", "width")).await, "20px");

    // Exit intent is ignored in the first 3 seconds of a page view.
    tokio::time::sleep(Duration::from_millis(3_300)).await;
    browser
        .eval("document.documentElement.dispatchEvent(new MouseEvent('mouseout', {clientY: -4, bubbles: true})); return true;")
        .await;
    let modal = "[data-kindling-overlay=pricing-exit]";
    browser
        .wait_for("the modal", &format!("return !!document.querySelector('{modal}')?.shadowRoot?.querySelector('[role=dialog]');"))
        .await;
    let host_position = format!(
        "return getComputedStyle(document.querySelector('{modal}')).getPropertyValue('position');"
    );
    assert_eq!(browser.eval(&host_position).await, "fixed", "the overlay stays out of the flow");
    assert_eq!(browser.eval(&computed(modal, "[role=dialog]", "position")).await, "fixed");
    assert_eq!(browser.eval(&computed(modal, ".kd-backdrop", "position")).await, "fixed");

    let violations = browser.eval("return window.__trap.violations;").await;
    assert_eq!(violations, Value::Array(vec![]), "no Content-Security-Policy violation");
    browser.close().await;
    drop(stack);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_without_wasm_unsafe_eval_is_named_in_the_console_with_debug_on() {
    let stack = Stack::start(fixture_site()).await;
    let browser = Browser::start().await;
    let record = "window.__warnings = []; const warn = console.warn;
        console.warn = (...args) => { window.__warnings.push(args.map(String).join(' ')); warn(...args); };";
    browser
        .devtools("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": record }))
        .await;
    browser.client.goto(&format!("{}/no-wasm.html", stack.site)).await.expect("page");
    let warnings = browser
        .wait_for("the warning", "return window.__warnings.length ? window.__warnings : null;")
        .await;
    assert_eq!(
        warnings,
        serde_json::json!([
            "kindling: this page's Content-Security-Policy blocks WebAssembly: add 'wasm-unsafe-eval' to script-src"
        ])
    );
    let hero = "return document.querySelector('[data-kindling-slot=hero]').shadowRoot;";
    assert_eq!(browser.eval(hero).await, Value::Null, "the site's own hero stays");
    browser.close().await;
    drop(stack);
}
