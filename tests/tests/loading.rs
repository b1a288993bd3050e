//! How the widget loads, watched from the browser's own resource timing: the loader
//! asks for the page's content while the widget downloads (one `POST /v1/boot` per
//! page view, the widget using the loader's answer), and the lead forms part is
//! fetched only by a page that shows a form; when it cannot be fetched, the page's
//! plain form takes its place.

use kindling_e2e::{Browser, Stack, fixture_site};
use serde_json::Value;

/// Keeps the body of every `POST /v1/boot` the page sends in `window.__boots`, and
/// whether its answer was OK, before any of the page's scripts run.
const RECORD_BOOTS: &str = "window.__boots = [];
    const send = window.fetch;
    window.fetch = function (url, init) {
      const answer = send.apply(this, arguments);
      if (String(url).includes('/v1/boot')) {
        const boot = {body: init && init.body, status: null};
        window.__boots.push(boot);
        answer.then((r) => { boot.status = r.status; }, (e) => { boot.status = String(e); });
      }
      return answer;
    };";

/// The URLs the page fetched that contain `part`.
const FETCHED: &str = "return performance.getEntriesByType('resource').map(e => e.name)
    .filter(name => name.includes(arguments[0]));";

async fn fetched(browser: &Browser, part: &str) -> Vec<String> {
    let found = browser.client.execute(FETCHED, vec![Value::from(part)]).await.expect("entries");
    serde_json::from_value(found).expect("a list of URLs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_page_with_a_form_fetches_the_forms_and_each_page_boots_once() {
    let stack = Stack::start(fixture_site()).await;
    let browser = Browser::start().await;
    browser
        .devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({"source": RECORD_BOOTS}),
        )
        .await;
    let boots = "return window.__boots;";

    // No slot, no form: decisions are overlays waiting for their triggers.
    browser.client.goto(&format!("{}/missing-slot.html", stack.site)).await.expect("page");
    browser.wait_for("the widget", "return window.kindlingSettled === true;").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(fetched(&browser, "/w/forms-").await, Vec::<String>::new(), "no forms part");
    let sent = browser.eval(boots).await;
    assert_eq!(fetched(&browser, "/v1/boot").await.len(), 1, "one boot request: {sent}");
    let early = "return performance.getEntriesByName('kindling:early-boot').length;";
    assert_eq!(browser.eval(early).await, 1, "the widget used the loader's answer");

    // A page embedding a form: the part is fetched and the form drawn from it.
    browser.client.goto(&format!("{}/demo-form.html", stack.site)).await.expect("page");
    let drawn = "return !!document.querySelector('[data-kindling-lead-form]')
        ?.shadowRoot?.querySelector('form');";
    browser.wait_for("the form", drawn).await;
    let forms = fetched(&browser, "/w/forms-").await;
    assert_eq!(forms.len(), 2, "the forms part's glue and wasm, once each: {forms:?}");
    let sent = browser.eval(boots).await;
    assert_eq!(fetched(&browser, "/v1/boot").await.len(), 1, "one boot request: {sent}");
    assert_eq!(browser.eval(early).await, 1, "a returning visitor's visit, continued");
    browser.close().await;
    drop(stack);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forms_part_that_cannot_load_leaves_the_plain_form_and_no_error() {
    let stack = Stack::start(fixture_site()).await;
    let browser = Browser::start().await;
    browser.devtools("Network.enable", serde_json::json!({})).await;
    browser.devtools("Network.setBlockedURLs", serde_json::json!({"urls": ["*/w/forms-*"]})).await;
    browser.client.goto(&format!("{}/demo-form.html", stack.site)).await.expect("page");
    let plain = "return document.querySelector('[data-kindling-lead-form] form.plain-form')
        ?.getAttribute('action') ?? null;";
    let action = browser.wait_for("the plain form", plain).await;
    assert!(
        action
            .as_str()
            .is_some_and(|action| action.ends_with("/v1/forms/demo-request/submissions")),
        "the site's own form, posting to the collector: {action}"
    );
    let drawn = "return !!document.querySelector('[data-kindling-lead-form]').shadowRoot;";
    assert_eq!(browser.eval(drawn).await, false, "nothing drawn by the widget");
    assert_eq!(browser.eval("return window.pageErrors;").await, Value::Array(vec![]));
    browser.close().await;
    drop(stack);
}
