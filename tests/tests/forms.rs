//! Lead forms in Chromium against the real collector: the two-step demo request by
//! keyboard alone, inline errors, progressive profiling on a later form, spam refused,
//! one lead from a double submission, the e-book's download link, and an address the
//! collector refuses shown at its field on its step.

use std::time::Duration;

use fantoccini::key::Key;
use kindling_e2e::lead_forms::{
    field_names, fill_and_send, focused, press, root, send, set_values, type_text, wait_drawn,
    wait_success,
};
use kindling_e2e::{ADMIN_TOKEN, Browser, DEMO_SITE_KEY, Stack};
use serde_json::Value;

const READY: &str = "return !!window.kindling && window.kindling.loaded === true;";

const EBOOK: &[(&str, &str)] = &[
    ("email", "dana@northwind.example"),
    ("name", "Dana Whitfield"),
    ("company", "Northwind Logistics"),
    ("company_size", "500"),
    ("role", "CFO"),
    ("news_consent", "true"),
];

async fn open(browser: &Browser, stack: &Stack, path: &str) {
    browser.client.goto(&format!("{}{path}", stack.site)).await.expect("page");
    browser.wait_for("the widget", READY).await;
}

/// An admin API answer of the demo site (`path` without the site parameter).
async fn admin(stack: &Stack, path: &str) -> (reqwest::StatusCode, Value) {
    let separator = if path.contains('?') { '&' } else { '?' };
    let url = format!("{}{path}{separator}site={DEMO_SITE_KEY}", stack.collector);
    let response =
        reqwest::Client::new().get(url).bearer_auth(ADMIN_TOKEN).send().await.expect("admin API");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn form_report(stack: &Stack, form: &str) -> Value {
    let (_, report) = admin(stack, "/admin/api/reports/forms").await;
    report["forms"]
        .as_array()
        .expect("forms")
        .iter()
        .find(|f| f["form"] == form)
        .cloned()
        .expect("form")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_books_a_demo_by_keyboard_alone() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    open(&browser, &stack, "/demo.html").await;
    wait_drawn(&browser, "demo-request").await;
    let step = format!("return {}.querySelector('#kd-step').textContent;", root("demo-request"));
    assert_eq!(browser.eval(&step).await, "Step 1 of 2");
    // Tab from the top of the page until the form's first field has focus.
    for _ in 0..60 {
        if focused(&browser).await == "email" {
            break;
        }
        press(&browser, Key::Tab).await;
    }
    assert_eq!(focused(&browser).await, "email", "Tab reaches the form");
    type_text(&browser, "sam@contoso.example").await;
    press(&browser, Key::Tab).await;
    type_text(&browser, "Sam Carter").await;
    press(&browser, Key::Tab).await;
    type_text(&browser, "Contoso").await;
    press(&browser, Key::Enter).await;
    let second = format!(
        "return {}.querySelector('#kd-step').textContent === 'Step 2 of 2';",
        root("demo-request")
    );
    browser.wait_for("the second step", &second).await;
    assert_eq!(browser.eval(&step).await, "Step 2 of 2");
    assert_eq!(focused(&browser).await, "company_size", "focus moves to the second step");
    type_text(&browser, "2").await; // the option starting with 2: 250–999 people
    press(&browser, Key::Tab).await;
    type_text(&browser, "Controller").await;
    press(&browser, Key::Tab).await;
    type_text(&browser, "+44 20 7946 0000").await;
    press(&browser, Key::Tab).await;
    press(&browser, Key::Space).await; // the first timeline option
    tokio::time::sleep(Duration::from_millis(3_100)).await; // past the minimum fill time
    press(&browser, Key::Enter).await;
    wait_success(&browser, "demo-request").await;
    assert_eq!(focused(&browser).await, "kd-success", "the thank-you takes focus");

    let (status, profile) = admin(&stack, "/admin/api/profile?email=sam@contoso.example").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let person = &profile["person"];
    assert_eq!(person["stage"], "sql", "a demo request makes a sales-qualified lead: {person:#}");
    assert_eq!(person["traits"]["company_size"]["value"], 500.0);
    assert_eq!(person["traits"]["timeline"]["value"], "now");
    assert_eq!(person["traits"]["phone"]["source"], "form:demo-request");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_email_is_shown_inline_and_focus_goes_to_the_first_error() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    open(&browser, &stack, "/ebook.html").await;
    wait_drawn(&browser, "ebook").await;
    let root = root("ebook");
    browser.eval(&format!("{root}.querySelector('[name=email]').focus(); return true;")).await;
    type_text(&browser, "dana@northwind").await;
    press(&browser, Key::Tab).await;
    let error = browser
        .wait_for(
            "the inline error",
            &format!("return {root}.querySelector('#kd-error-email').textContent;"),
        )
        .await;
    assert_eq!(error, "Enter a valid email address.");
    let email = format!("{root}.querySelector('[name=email]')");
    assert_eq!(
        browser.eval(&format!("return {email}.getAttribute('aria-invalid');")).await,
        "true"
    );
    let described =
        browser.eval(&format!("return {email}.getAttribute('aria-describedby');")).await;
    assert!(
        described.as_str().is_some_and(|ids| ids.split(' ').any(|id| id == "kd-error-email")),
        "{described}"
    );

    // Sending with the error and empty required fields: focus on the first one.
    browser.eval(&format!("{root}.querySelector('[name=name]').focus(); return true;")).await;
    send(&browser, "ebook").await;
    browser.wait_for("focus on the first error", "let a = document.activeElement; while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement; return a && a.name === 'email';").await;
    let name_error =
        browser.eval(&format!("return {root}.querySelector('#kd-error-name').textContent;")).await;
    assert_eq!(name_error, "This field is required.");

    // Fixed, the error goes.
    set_values(&browser, "ebook", &[("email", "dana@northwind.example")]).await;
    browser.eval(&format!("{email}.focus(); {email}.blur(); return true;")).await;
    browser
        .wait_for(
            "the error cleared",
            &format!("return {email}.getAttribute('aria-invalid') === null;"),
        )
        .await;
    assert!(stack.events(&[("type", "form_submit")]).await.is_empty(), "nothing was sent");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_form_does_not_ask_again_what_the_visitor_gave() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    open(&browser, &stack, "/ebook.html").await;
    wait_drawn(&browser, "ebook").await;
    assert_eq!(
        field_names(&browser, "ebook").await,
        ["email", "name", "company", "company_size", "role", "news_consent"]
    );
    fill_and_send(&browser, "ebook", EBOOK).await;

    // A later visit: the stored visit is aged past the 30-minute timeout.
    browser
        .eval(
            "const parts = localStorage.getItem('kindling.session').split('.');
               const earlier = Date.now() - 2 * 60 * 60 * 1000;
               parts[1] = String(earlier - 1000); parts[2] = String(earlier);
               localStorage.setItem('kindling.session', parts.join('.')); return true;",
        )
        .await;
    open(&browser, &stack, "/demo.html").await;
    wait_drawn(&browser, "demo-request").await;
    assert_eq!(
        field_names(&browser, "demo-request").await,
        ["email", "phone", "timeline"],
        "only what is unknown"
    );
    let prefilled = browser
        .eval(&format!("return {}.querySelector('[name=email]').value;", root("demo-request")))
        .await;
    assert_eq!(prefilled, "dana@northwind.example");
    fill_and_send(
        &browser,
        "demo-request",
        &[("phone", "+44 20 7946 0001"), ("timeline", "later")],
    )
    .await;
    let (_, profile) = admin(&stack, "/admin/api/profile?email=dana@northwind.example").await;
    assert_eq!(profile["person"]["stage"], "sql");
    assert_eq!(profile["person"]["traits"]["company"]["source"], "form:ebook");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robot_speed_and_honeypot_submissions_are_refused() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    open(&browser, &stack, "/ebook.html").await;
    wait_drawn(&browser, "ebook").await;
    let root = root("ebook");
    set_values(&browser, "ebook", EBOOK).await;
    send(&browser, "ebook").await; // at once: faster than a person
    let message = browser
        .wait_for(
            "the refusal",
            &format!("return {root}.querySelector('#kd-form-error').textContent;"),
        )
        .await;
    assert!(
        message.as_str().is_some_and(|m| m.starts_with("We could not accept this")),
        "{message}"
    );

    open(&browser, &stack, "/ebook.html").await;
    wait_drawn(&browser, "ebook").await;
    set_values(&browser, "ebook", EBOOK).await;
    browser
        .eval(&format!(
            "{root}.querySelector('#kd-hp').value = 'http://spam.example'; return true;"
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    send(&browser, "ebook").await;
    browser
        .wait_for(
            "the refusal",
            &format!("return {root}.querySelector('#kd-form-error').textContent;"),
        )
        .await;

    let report = form_report(&stack, "ebook").await;
    assert_eq!(report["spam"]["too_fast"], 1, "{report}");
    assert_eq!(report["spam"]["honeypot"], 1, "{report}");
    assert_eq!(report["submissions"], 0);
    let (status, _) = admin(&stack, "/admin/api/profile?email=dana@northwind.example").await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "no lead");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_submission_twice_makes_one_lead_and_the_ebook_gives_its_download() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    for _ in 0..2 {
        open(&browser, &stack, "/ebook.html").await;
        fill_and_send(&browser, "ebook", EBOOK).await;
        let link = browser
            .eval(&format!(
                "const a = {}.querySelector('#kd-success a[download]'); return a ? a.href : null;",
                root("ebook")
            ))
            .await;
        let link = link.as_str().expect("a download link").to_owned();
        assert!(link.ends_with("/downloads/brightline-cfo-guide.txt"), "{link}");
        let file = reqwest::get(&link).await.expect("download");
        assert_eq!(file.status(), reqwest::StatusCode::OK);
    }
    let submits = stack.events(&[("type", "form_submit")]).await;
    assert_eq!(submits.len(), 1, "one lead: {submits:#?}");
    let report = form_report(&stack, "ebook").await;
    assert_eq!(report["submissions"], 1);
    assert_eq!(report["views"], 2, "{report}");
    assert_eq!(report["consents"][0]["version"], "newsletter-2026-11");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_call_to_action_opens_its_form_in_a_modal() {
    let stack = Stack::start_with_config(
        kindling_e2e::fixture_site(),
        kindling_e2e::fixture_config("form-modal.yaml"),
    )
    .await;
    let browser = Browser::start().await;
    open(&browser, &stack, "/hero-form.html").await;
    let cta = "const s = document.querySelector('[data-kindling-slot=\"hero\"]');
               const b = s && s.shadowRoot && [...s.shadowRoot.querySelectorAll('button, a')]
                 .find(e => e.textContent.includes('Request a call-back'));
               if (b) b.click();
               return !!b;";
    browser.wait_for("the hero's call to action", cta).await;
    let dialog = "const o = document.querySelector('kindling-overlay[data-kindling-lead-form=\"callback\"]');
                  return !!(o && o.shadowRoot && o.shadowRoot.querySelector('[role=dialog] form.kd-form'));";
    browser.wait_for("the form in a modal", dialog).await;
    let values = [("email", "lee@fabrikam.example"), ("phone", "+1 415 555 0100")];
    fill_and_send(&browser, "callback", &values).await;
    let (_, profile) = admin(&stack, "/admin/api/profile?email=lee@fabrikam.example").await;
    assert_eq!(profile["person"]["traits"]["phone"]["source"], "form:callback");
    let submit = &stack.events(&[("type", "form_submit")]).await[0];
    assert_eq!(submit["target"], "hero-callback", "the block that opened the form");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disposable_address_refused_by_the_collector_is_shown_at_its_field_on_its_step() {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    open(&browser, &stack, "/demo.html").await;
    wait_drawn(&browser, "demo-request").await;
    let values = [
        ("email", "sam@mailinator.com"),
        ("name", "Sam Carter"),
        ("company", "Contoso"),
        ("company_size", "500"),
        ("role", "Controller"),
        ("phone", "+44 20 7946 0000"),
        ("timeline", "now"),
    ];
    set_values(&browser, "demo-request", &values).await;
    tokio::time::sleep(Duration::from_millis(3_100)).await; // past the minimum fill time
    send(&browser, "demo-request").await;
    let root = root("demo-request");
    let error = browser
        .wait_for(
            "the collector's error at the email field",
            &format!("return {root}.querySelector('#kd-error-email').textContent || null;"),
        )
        .await;
    assert!(error.as_str().is_some_and(|text| text.contains("disposable")), "{error}");
    let step = format!("return {root}.querySelector('#kd-step').textContent;");
    assert_eq!(browser.eval(&step).await, "Step 1 of 2", "back on the email's step");
    assert_eq!(focused(&browser).await, "email", "focus on the field in error");
    let form_error = format!("return {root}.querySelector('#kd-form-error').textContent;");
    assert_eq!(browser.eval(&form_error).await, "", "no message apart from the field's");
    browser.close().await;
}
