//! The admin console in Chromium, against a real collector on a SQLite file:
//!
//! - visitors send XSS payloads in everything a browser controls (page URLs, titles,
//!   referrers, UTM values and click ids, click targets, custom events and their
//!   properties, traits and their names, form answers, emails, the user agent) through
//!   the public API and become leads; an owner opens the leads list, searches, opens
//!   each profile with its timeline and the erasure's confirmation, and follows crafted
//!   console links. Nothing runs (no dialog, no marker call, no request to a beacon),
//!   no page reports a Content-Security-Policy violation — escaping, not the policy,
//!   must stop the payloads — and no `javascript:` URL becomes a link;
//! - axe-core finds no accessibility violation on the sign-in page (also with its
//!   error), the leads list, a profile, the erasure's confirmation, the revisions, the
//!   YAML editor and a revision with its changes;
//! - a session that expires sends the browser to sign in, and signing in again lands
//!   on the page it was on.

use std::time::{Duration, Instant};

use kindling_e2e::console::{add_user, sign_in, submit_sign_in, url_encoded, wait_for_path};
use kindling_e2e::trap::{self, Beacon};
use kindling_e2e::{BROWSER_USER_AGENT, Browser, DEMO_SITE_KEY, Stack, axe};
use serde_json::{Value, json};

const OWNER: &str = "owner@example.com";
const PASSWORD: &str = "a long owner password";
const SESSION: &str = "0190f3c2-7d2a-7c4e-8a8b-00000000ee01";
/// The visitor who identifies with an email through the widget's `identify`.
const IDENTIFIED: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000e0001";
/// The visitor who sends the e-book form.
const SUBMITTER: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000e0002";
/// Emails are checked only for being plausible, so they carry payloads too.
const IDENTIFIED_EMAIL: &str = "</title><script>__xss('email')</script>@evil.example";
const SUBMITTER_EMAIL: &str = "\"><svg/onload=alert('email')>@evil.example";

/// Every kind of payload, each naming `field` in what it would run or fetch.
fn hostile(field: &str, beacon: &str) -> String {
    format!(
        "\"><svg onload=alert('{field}')><img src=x onerror=__xss('{field}')>\
         </script><script>__xss('{field}')</script>\
         '\"><iframe srcdoc=\"<script>parent.__xss('{field}')</script>\"></iframe>\
         <img src={beacon}/{field}.png><script src={beacon}/{field}.js></script>"
    )
}

/// A shorter payload, for values with a length limit.
fn short(field: &str) -> String {
    format!("\"><svg onload=alert('{field}')><img src=x onerror=__xss('{field}')>")
}

/// A payload short enough for a property's name.
fn tiny(field: &str) -> String {
    format!("\"><svg onload=alert('{field}')>")
}

/// A landing page whose UTM values and click id are payloads.
fn hostile_landing() -> String {
    let params: Vec<String> =
        ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid"]
            .iter()
            .map(|name| format!("{name}={}", url_encoded(&short(name))))
            .collect();
    format!("http://127.0.0.1/pricing?{}", params.join("&"))
}

/// Event `n` of `visitor`, as a UUID of its own.
fn uuid(visitor: &str, n: u32) -> String {
    format!("{}{n:04x}{}", &visitor[..24], &visitor[28..])
}

/// What a visitor's browser sends: a body as `text/plain`, from the site's origin,
/// with its user agent (a payload too, after a regular one).
async fn send(stack: &Stack, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", stack.collector))
        .header("content-type", "text/plain")
        .header("origin", &stack.site)
        .header("user-agent", format!("{BROWSER_USER_AGENT} {}", short("user-agent")))
        .body(body.to_string())
        .send()
        .await
        .expect("the collector answers");
    let status = response.status();
    let answer: Value = response.json().await.expect("a JSON answer");
    assert!(status.is_success(), "POST {path}: {status} {answer}");
    answer
}

/// Event `n` of `visitor`: a `kind` on page `url`, with `fields` besides.
fn event(visitor: &str, n: u32, kind: &str, url: &str, fields: Value) -> Value {
    let mut event =
        json!({"id": uuid(visitor, n), "type": kind, "session": SESSION, "url": url, "ts": 1});
    let (Value::Object(event_fields), Value::Object(fields)) = (&mut event, fields) else {
        unreachable!("events are objects")
    };
    event_fields.extend(fields);
    event
}

/// A visit of `visitor` whose every event carries payloads, ended by `last` (an
/// `identify`, say).
async fn hostile_visit(stack: &Stack, visitor: &str, beacon: &str, last: Option<(&str, Value)>) {
    let landing = hostile_landing();
    let mut events = vec![
        event(
            visitor,
            1,
            "pageview",
            &landing,
            json!({
            "title": hostile("title", beacon), "referrer": "javascript:alert('referrer')"}),
        ),
        event(
            visitor,
            2,
            "pageview",
            "javascript:__xss('page')",
            json!({
            "title": short("title-2"),
            "referrer": "https://www.example.com/\"><svg onload=alert('referrer-url')>"}),
        ),
        event(
            visitor,
            3,
            "click",
            &landing,
            json!({
            "name": hostile("click", beacon), "target": "JaVaScRiPt:__xss('click-target')"}),
        ),
        event(
            visitor,
            4,
            "custom",
            &landing,
            json!({
            "name": hostile("custom", beacon),
            "props": {tiny("prop-name"): hostile("prop", beacon), "plan": "'\"><iframe srcdoc=x>"}}),
        ),
    ];
    if let Some((kind, fields)) = last {
        events.push(event(visitor, 5, kind, &landing, fields));
    }
    let count = events.len();
    let batch = json!({"site": DEMO_SITE_KEY, "visitor": visitor, "events": events,
        "context": {"visit": 1, "landing": landing, "referrer": "javascript:alert('context')"}});
    let answer = send(stack, "/v1/events", batch).await;
    assert_eq!(answer["accepted"], json!(count), "every hostile event is stored: {answer}");
}

/// Two leads made of payloads: one known by `identify`, one by the e-book form.
async fn seed_hostile_leads(stack: &Stack, beacon: &str) {
    let traits = json!({"props": {"email": IDENTIFIED_EMAIL, "name": hostile("trait-name", beacon),
        "company": hostile("trait-company", beacon), tiny("trait-key"): short("trait-value")}});
    hostile_visit(stack, IDENTIFIED, beacon, Some(("identify", traits))).await;

    hostile_visit(stack, SUBMITTER, beacon, None).await;
    let submission = json!({
        "site": DEMO_SITE_KEY, "visitor": SUBMITTER, "id": uuid(SUBMITTER, 10), "session": SESSION,
        "url": "javascript:__xss('consent-page')", "elapsed_ms": 9_000,
        "values": {"email": SUBMITTER_EMAIL, "name": short("name"), "company": short("company"),
                   "company_size": "500", "role": hostile("role", beacon), "news_consent": "true",
                   "campaign": hostile("campaign", beacon), "landing": "javascript:alert('landing')"}});
    send(stack, "/v1/forms/ebook/submissions", submission).await;
}

/// Opens `path` of the collector and fails with what ran or was blocked there.
async fn assert_nothing_runs(browser: &Browser, stack: &Stack, path: &str) {
    browser.client.goto(&format!("{}{path}", stack.collector)).await.expect("the page");
    let findings = trap::findings(browser).await;
    assert!(findings.is_empty(), "{path}:\n  {}", findings.join("\n  "));
}

/// The path (with its query) of the profile the leads list links as `email`.
async fn profile_path(browser: &Browser, email: &str) -> String {
    let script = format!(
        "const a = [...document.querySelectorAll('table a')].find(a => a.textContent === {email:?});
         return a ? a.getAttribute('href') : null;"
    );
    let found = browser.wait_for(&format!("the lead {email}"), &script).await;
    found.as_str().expect("a link").to_owned()
}

/// Whether the page shows `text` (so the payload did reach it, as text).
async fn shows(browser: &Browser, text: &str) -> bool {
    let script = format!("return document.body.textContent.includes({text:?});");
    browser.eval(&script).await == json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_visitor_data_runs_nothing_and_breaks_no_policy_in_the_console() {
    let started = Instant::now();
    let stack = Stack::demo().await;
    let beacon = Beacon::start().await;
    add_user(&stack, OWNER, PASSWORD, "owner").await;
    seed_hostile_leads(&stack, &beacon.origin).await;

    let browser = Browser::start().await;
    trap::install(&browser).await;
    let leads = format!("/admin/leads?site={DEMO_SITE_KEY}");
    sign_in(&browser, &stack, OWNER, PASSWORD, &leads).await;
    assert_nothing_runs(&browser, &stack, &leads).await;
    let mut profiles = Vec::new();
    for email in [IDENTIFIED_EMAIL, SUBMITTER_EMAIL] {
        profiles.push((email, profile_path(&browser, email).await));
    }
    assert!(shows(&browser, &short("utm_source")).await, "the first touch, as text");

    let searches = [hostile("search", &beacon.origin), "evil.example".to_owned()];
    for search in searches {
        assert_nothing_runs(&browser, &stack, &format!("{leads}&q={}", url_encoded(&search))).await;
    }
    for (email, profile) in &profiles {
        assert_nothing_runs(&browser, &stack, profile).await;
        let own = if *email == IDENTIFIED_EMAIL {
            hostile("trait-name", &beacon.origin)
        } else {
            hostile("role", &beacon.origin)
        };
        for shown in [
            email.to_string(),
            own,
            hostile("title", &beacon.origin),
            short("utm_campaign"),
            "javascript:__xss('page')".to_owned(),
        ] {
            assert!(shows(&browser, &shown).await, "{profile} shows {shown} as text");
        }
        assert_nothing_runs(&browser, &stack, &profile.replacen('?', "/erase?", 1)).await;
    }

    // Links someone could send an owner: every value they carry is shown escaped.
    let crafted = short("crafted");
    for path in [
        format!("{leads}&min_score={}", url_encoded(&crafted)),
        format!("/admin/leads?site={}", url_encoded(&crafted)),
        format!("/admin/leads/{}?site={DEMO_SITE_KEY}", url_encoded(&crafted)),
        format!("/admin/revisions/new?site={DEMO_SITE_KEY}&from={}", url_encoded(&crafted)),
        format!("/admin/login?next={}", url_encoded(&format!("/admin/{crafted}"))),
    ] {
        assert_nothing_runs(&browser, &stack, &path).await;
    }
    assert_eq!(beacon.hits(), Vec::<String>::new(), "requests to the beacon");
    println!("hostile data in the console: {:?}", started.elapsed());
    browser.close().await;
}

/// Runs axe-core on the page the browser shows and fails with every violation.
async fn assert_accessible(browser: &Browser, axe_script: &str, page: &str) {
    let violations = axe::violations(browser, axe_script).await;
    assert!(violations.is_empty(), "axe-core on {page}:\n  {}", violations.join("\n  "));
}

/// Saves a draft from the YAML editor at `editor`, with `from` replaced by `to` in the
/// document; returns the draft's path.
async fn save_draft(browser: &Browser, editor: &str, from: &str, to: &str) -> String {
    browser.client.goto(editor).await.expect("the editor");
    let edit = format!(
        "const area = document.getElementById('document');
         area.value = area.value.replace({from:?}, {to:?});
         document.getElementById('message').value = 'Replaced ' + {from:?};
         area.form.submit(); return true;"
    );
    browser.eval(&edit).await;
    let draft = "return /^\\/admin\\/revisions\\/\\d+$/.test(location.pathname)
         && document.readyState === 'complete' && location.pathname + location.search;";
    browser.wait_for("the draft", draft).await.as_str().expect("a path").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_core_finds_no_violation_on_the_console_pages() {
    let started = Instant::now();
    let axe_script = std::fs::read_to_string(axe::script_path()).expect("axe-core's script");
    let stack = Stack::demo().await;
    add_user(&stack, OWNER, PASSWORD, "owner").await;
    seed_hostile_leads(&stack, "http://127.0.0.1:9").await;
    let browser = Browser::start().await;
    let collector = |path: &str| format!("{}{path}", stack.collector);

    browser.client.goto(&collector("/admin/login")).await.expect("the sign-in page");
    assert_accessible(&browser, &axe_script, "the sign-in page").await;
    submit_sign_in(&browser, OWNER, "not the password").await;
    browser.wait_for("the refusal", "return !!document.getElementById('sign-in-problem');").await;
    assert_accessible(&browser, &axe_script, "the sign-in page with a refusal").await;

    let leads = format!("/admin/leads?site={DEMO_SITE_KEY}");
    sign_in(&browser, &stack, OWNER, PASSWORD, &leads).await;
    let profile = profile_path(&browser, SUBMITTER_EMAIL).await;
    let live = format!("/admin/revisions/1?site={DEMO_SITE_KEY}");
    let editor = format!("/admin/revisions/new?site={DEMO_SITE_KEY}");
    let (name, shorter) = ("name: Brightline (demo)", "name: Brightline");
    let draft = save_draft(&browser, &collector(&editor), name, shorter).await;
    let broken = save_draft(&browser, &collector(&editor), name, "name: [Brightline").await;
    assert!(shows(&browser, "This revision cannot be published").await, "the problem is shown");
    // Each page, and a word its title holds (so an error page cannot pass for it).
    let pages = [
        ("the leads list", leads.clone(), "Leads"),
        ("a profile", profile.clone(), "evil.example"),
        ("the erasure's confirmation", profile.replacen('?', "/erase?", 1), "Erase"),
        ("a missing person", format!("/admin/leads/nobody?site={DEMO_SITE_KEY}"), "Not found"),
        ("the revisions", format!("/admin/revisions?site={DEMO_SITE_KEY}"), "Revisions"),
        ("the YAML editor", editor, "Edit the configuration"),
        ("the live revision", live, "Revision 1"),
        ("a draft with its changes", draft, "Revision"),
        ("a draft that cannot be published", broken, "Revision"),
        ("the blocks", format!("/admin/blocks?site={DEMO_SITE_KEY}"), "Blocks"),
        (
            "the block editor",
            format!("/admin/blocks/hero-welcome?site={DEMO_SITE_KEY}"),
            "Edit block",
        ),
        ("a new block", format!("/admin/blocks/new?site={DEMO_SITE_KEY}"), "New block"),
        ("the forms", format!("/admin/forms?site={DEMO_SITE_KEY}"), "Forms"),
        ("the form editor", format!("/admin/forms/demo-request?site={DEMO_SITE_KEY}"), "Edit form"),
        ("a new form", format!("/admin/forms/new?site={DEMO_SITE_KEY}"), "New form"),
        ("the segments", format!("/admin/segments?site={DEMO_SITE_KEY}"), "Segments"),
        (
            "the segment editor",
            format!("/admin/segments/returning?site={DEMO_SITE_KEY}"),
            "Edit segment",
        ),
        (
            "the scoring editor",
            format!("/admin/scoring?site={DEMO_SITE_KEY}"),
            "Scoring and stages",
        ),
        ("the scoring section", format!("/admin/config/scoring?site={DEMO_SITE_KEY}"), "Scoring"),
        (
            "the webhooks section",
            format!("/admin/config/webhooks?site={DEMO_SITE_KEY}"),
            "Webhooks",
        ),
        ("the users", format!("/admin/users?site={DEMO_SITE_KEY}"), "Users"),
        ("the account", format!("/admin/account?site={DEMO_SITE_KEY}"), "account"),
        ("the settings", format!("/admin/settings?site={DEMO_SITE_KEY}"), "Settings"),
        ("the audit log", format!("/admin/audit?site={DEMO_SITE_KEY}"), "Audit"),
    ];
    for (width, height) in [(1280, 900), (390, 844)] {
        browser.client.set_window_size(width, height).await.expect("window size");
        for (name, path, title) in &pages {
            browser.client.goto(&collector(path)).await.expect("the page");
            let shown = browser.eval("return [document.title, window.innerWidth];").await;
            assert!(
                shown[0].as_str().is_some_and(|shown| shown.contains(title)),
                "{name}: {shown}"
            );
            assert_accessible(&browser, &axe_script, &format!("{name} ({} px wide)", shown[1]))
                .await;
        }
    }
    println!("axe-core on the console: {:?}", started.elapsed());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_signs_in_again_and_lands_back() {
    let idle = Duration::from_secs(2);
    let stack = Stack::start_tuned(
        kindling_demo_site::site_dir(),
        kindling_demo_site::demo_config(),
        |settings| settings.admin_session_idle_secs = idle.as_secs(),
    )
    .await;
    add_user(&stack, OWNER, PASSWORD, "owner").await;
    let browser = Browser::start().await;
    let revisions = format!("/admin/revisions?site={DEMO_SITE_KEY}");
    sign_in(&browser, &stack, OWNER, PASSWORD, &revisions).await;

    tokio::time::sleep(idle + Duration::from_millis(500)).await;
    browser.client.refresh().await.expect("reload");
    let login = format!("/admin/login?next={}", url_encoded(&revisions));
    wait_for_path(&browser, &login).await;
    submit_sign_in(&browser, OWNER, PASSWORD).await;
    wait_for_path(&browser, &revisions).await;
    assert!(shows(&browser, OWNER).await, "signed in as the owner again");
    browser.close().await;
}
