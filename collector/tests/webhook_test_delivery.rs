//! A webhook's test delivery and the owner's settings page over real HTTP, on both
//! backends: a receiver on 127.0.0.1 (private targets allowed by the setting, as the
//! outbox tests do) gets exactly one signed `kindling.test` body per test, through the
//! API and the page's button, and what it answered comes back; a failing receiver is
//! not delivered to; unknown sites and webhooks are 404s naming the field; editors and
//! viewers are refused both; the page never shows a secret and escapes what receivers
//! answer; a private target is refused unless allowed; long answers are cut at 2 KB.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use kindling_collector::Settings;
use kindling_collector::automation::signature;
use reqwest::Method;
use serde_json::{Value, json};

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
mod harness;

use accounts::{Browser, EDITOR, OWNER, VIEWER};
use harness::*;

on_both_backends!(
    a_test_reaches_the_receiver_once_signed_and_its_answer_comes_back,
    the_pages_button_sends_one_test_and_shows_the_answer,
    a_failing_receiver_is_not_delivered_to_and_its_status_is_shown,
    unknown_sites_and_webhooks_are_404s_naming_the_field,
    editors_and_viewers_are_refused_the_api_and_the_page,
    the_settings_page_shows_the_site_and_webhooks_but_never_a_secret,
    hostile_answers_are_escaped_on_the_page,
    a_private_target_is_refused_unless_allowed,
    a_long_answer_is_cut_at_2_kb,
);

/// The `crm` webhook's secret in `fixtures/webhooks.yaml`.
const CRM_SECRET: &str = "whsec_settings_test_0123456789";
/// The `chat` webhook's secret.
const CHAT_SECRET: &str = "whsec_settings_chat_9876543210";
const TEST_API: &str = "/admin/api/webhooks/test";
const CRM_BUTTON: &str = "/admin/settings/webhooks/crm/test?site=pk_test";
const SETTINGS: &str = "/admin/settings?site=pk_test";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Request {
    path: String,
    signature: String,
    key: String,
    content_type: String,
    body: Bytes,
}

/// What the receiver answers, and what it got.
#[derive(Clone)]
struct Receiver {
    base: String,
    answer: Arc<Mutex<(StatusCode, String)>>,
    got: Arc<Mutex<Vec<Request>>>,
}

impl Receiver {
    /// A receiver on 127.0.0.1 answering `status` with `body` to any `POST`.
    async fn start(status: StatusCode, body: &str) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let receiver = Receiver {
            base: format!("http://{}", listener.local_addr().expect("address")),
            answer: Arc::new(Mutex::new((status, body.to_owned()))),
            got: Arc::default(),
        };
        let app = axum::Router::new().fallback(receive).with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn got(&self) -> Vec<Request> {
        self.got.lock().expect("requests").clone()
    }

    /// The one request it got, after a pause long enough for a retry to show.
    async fn only_request(&self) -> Request {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let got = self.got();
        assert_eq!(got.len(), 1, "exactly one request: {got:?}");
        got[0].clone()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let header = |name: &str| {
        headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
    };
    receiver.got.lock().expect("requests").push(Request {
        path: uri.path().to_owned(),
        signature: header(signature::HEADER),
        key: header(signature::IDEMPOTENCY_HEADER),
        content_type: header("content-type"),
        body,
    });
    receiver.answer.lock().expect("answer").clone()
}

/// `fixtures/webhooks.yaml` with its webhooks pointing at `receiver`, in `folder`.
fn config_for(receiver: &Receiver, folder: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(fixtures().join("webhooks.yaml")).expect("fixture");
    let path = folder.join("webhooks.yaml");
    std::fs::write(&path, text.replace("RECEIVER_URL", &format!("{}/hooks", receiver.base)))
        .expect("written");
    path
}

/// A collector on the webhooks site, delivering to private addresses when
/// `allow_private`.
async fn start(
    backend: Backend,
    receiver: &Receiver,
    allow_private: bool,
) -> (Collector, tempfile::TempDir) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let config = config_for(receiver, folder.path());
    let collector = Collector::start_with(backend, move |settings: &mut Settings| {
        settings.config = Some(config);
        settings.webhook_allow_private = allow_private;
        settings.login_attempts_ip = 1_000;
    })
    .await;
    (collector, folder)
}

/// An owner signed in on `collector`, with the team of three added.
async fn owner(collector: &Collector) -> Browser<'_> {
    accounts::team(collector).await;
    Browser::sign_in(collector, OWNER).await
}

/// `POST /admin/api/webhooks/test` by `browser` for `site` and `webhook`.
async fn test_api(browser: &Browser<'_>, site: &str, webhook: &str) -> reqwest::Response {
    browser.send(Method::POST, TEST_API, Some(json!({"site": site, "webhook": webhook}))).await
}

/// The API's answer to a test of `webhook`, which must be a 200.
async fn tested(browser: &Browser<'_>, webhook: &str) -> Value {
    let response = test_api(browser, "pk_test", webhook).await;
    assert_eq!(response.status(), StatusCode::OK, "testing {webhook}");
    response.json().await.expect("JSON")
}

/// The page's test button posting to `path`, pressed by `browser`: status and HTML.
async fn press(browser: &Browser<'_>, path: &str) -> (StatusCode, String) {
    let response = browser.request(Method::POST, path, "same-origin").send().await.expect("sent");
    (response.status(), response.text().await.expect("HTML"))
}

/// `request` is signed with `secret` now, and carries a test body for `webhook`.
fn assert_signed_test(request: &Request, secret: &str, webhook: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let now = i64::try_from(now).expect("seconds");
    assert_eq!(
        signature::verify(secret.as_bytes(), &request.signature, &request.body, now),
        Ok(()),
        "the signature verifies with the webhook's secret: {request:?}"
    );
    assert!(
        signature::verify(b"another secret entirely", &request.signature, &request.body, now)
            .is_err(),
        "and with no other"
    );
    assert_eq!(request.content_type, "application/json");
    assert!(!request.key.is_empty(), "an idempotency key");
    let body: Value = serde_json::from_slice(&request.body).expect("a JSON body");
    assert_eq!(body["type"], "kindling.test", "{body}");
    assert_eq!(body["test"], true, "{body}");
    assert_eq!((body["site"].as_str(), body["webhook"].as_str()), (Some("pk_test"), Some(webhook)));
    for person in ["person", "lead", "email", "traits"] {
        assert!(body.get(person).is_none(), "no person data: {body}");
    }
}

/// The `webhook.test` entries of the audit log, newest first.
async fn audited(collector: &Collector) -> Vec<Value> {
    let response = collector.admin(Method::GET, "/admin/api/audit").await;
    assert_eq!(response.status(), StatusCode::OK);
    let entries: Value = response.json().await.expect("JSON");
    let entries = entries.as_array().expect("entries").clone();
    entries.into_iter().filter(|entry| entry["action"] == "webhook.test").collect()
}

async fn a_test_reaches_the_receiver_once_signed_and_its_answer_comes_back(backend: Backend) {
    let receiver = Receiver::start(StatusCode::OK, r#"{"ok":true}"#).await;
    let (collector, _config) = start(backend, &receiver, true).await;
    let owner = owner(&collector).await;

    let answer = tested(&owner, "crm").await;
    assert_eq!(answer["delivered"], true, "{answer}");
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["body"], r#"{"ok":true}"#, "{answer}");
    assert_eq!(answer["error"], Value::Null, "{answer}");
    assert_eq!(answer["refused"], false, "{answer}");
    assert!(answer["elapsed_ms"].as_u64().is_some_and(|ms| ms < 10_000), "{answer}");
    let request = receiver.only_request().await;
    assert_eq!(request.path, "/hooks/crm");
    assert_signed_test(&request, CRM_SECRET, "crm");

    let outbox = accounts::column(&collector.database, "SELECT id FROM outbox").await;
    assert!(outbox.is_empty(), "nothing is stored in the outbox: {outbox:?}");
    let entries = audited(&collector).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["subject"], "webhook:pk_test/crm");
    assert_eq!(entries[0]["actor_email"], OWNER);

    // The admin token is an owner too, and each webhook is signed with its own secret.
    let response = collector
        .http
        .post(collector.url(TEST_API))
        .bearer_auth(TOKEN)
        .json(&json!({"site": "pk_test", "webhook": "chat"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let got = receiver.got();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].path, "/hooks/chat");
    assert_signed_test(&got[1], CHAT_SECRET, "chat");
    assert_ne!(got[0].key, got[1].key, "each test has its own idempotency key");

    let document: Value = collector
        .http
        .get(collector.url("/openapi.json"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let operation = &document["paths"][TEST_API]["post"];
    assert!(operation["responses"]["200"].is_object(), "documented: {operation}");
}

async fn the_pages_button_sends_one_test_and_shows_the_answer(backend: Backend) {
    let receiver = Receiver::start(StatusCode::ACCEPTED, "queued as 42").await;
    let (collector, _config) = start(backend, &receiver, true).await;
    let owner = owner(&collector).await;

    let page = owner.get(SETTINGS).await.text().await.expect("HTML");
    assert!(page.contains(&format!(r#"action="{}""#, CRM_BUTTON.replace('&', "&amp;"))), "{page}");
    let (status, html) = press(&owner, CRM_BUTTON).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Delivered: the receiver accepted it."), "{html}");
    assert!(html.contains("HTTP 202"), "{html}");
    assert!(html.contains("<pre><code class=\"props\">queued as 42</code></pre>"), "{html}");
    assert!(html.contains(" ms</dd>"), "the time taken: {html}");
    let request = receiver.only_request().await;
    assert_signed_test(&request, CRM_SECRET, "crm");
    assert_eq!(audited(&collector).await.len(), 1);
}

async fn a_failing_receiver_is_not_delivered_to_and_its_status_is_shown(backend: Backend) {
    let receiver = Receiver::start(StatusCode::INTERNAL_SERVER_ERROR, "database down").await;
    let (collector, _config) = start(backend, &receiver, true).await;
    let owner = owner(&collector).await;

    let answer = tested(&owner, "crm").await;
    assert_eq!(answer["delivered"], false, "{answer}");
    assert_eq!(answer["status"], 500, "{answer}");
    assert_eq!(answer["body"], "database down", "{answer}");
    receiver.only_request().await;
    let (status, html) = press(&owner, CRM_BUTTON).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Not delivered.") && html.contains("HTTP 500"), "{html}");
    assert!(html.contains("database down"), "{html}");
    assert_eq!(receiver.got().len(), 2, "one request per test, no retry");
}

async fn unknown_sites_and_webhooks_are_404s_naming_the_field(backend: Backend) {
    let receiver = Receiver::start(StatusCode::OK, "").await;
    let (collector, _config) = start(backend, &receiver, true).await;
    let owner = owner(&collector).await;

    let unknown = test_api(&owner, "pk_test", "nope").await;
    expect_error(unknown, StatusCode::NOT_FOUND, "not_found", Some("webhook")).await;
    let unknown = test_api(&owner, "pk_nope", "crm").await;
    expect_error(unknown, StatusCode::NOT_FOUND, "not_found", Some("site")).await;
    let malformed = owner.send(Method::POST, TEST_API, Some(json!({"site": "pk_test"}))).await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let (status, _) = press(&owner, "/admin/settings/webhooks/nope/test?site=pk_test").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = press(&owner, "/admin/settings/webhooks/crm/test?site=pk_nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.got().is_empty(), "nothing was sent");
    assert!(audited(&collector).await.is_empty(), "nothing was tested");
}

async fn editors_and_viewers_are_refused_the_api_and_the_page(backend: Backend) {
    let receiver = Receiver::start(StatusCode::OK, "").await;
    let (collector, _config) = start(backend, &receiver, true).await;
    let owner = owner(&collector).await;
    let leads = owner.get("/admin/leads?site=pk_test").await.text().await.expect("HTML");
    assert!(leads.contains(r#"href="/admin/settings?site=pk_test">Settings</a>"#), "{leads}");

    for email in [EDITOR, VIEWER] {
        let browser = Browser::sign_in(&collector, email).await;
        let refused = test_api(&browser, "pk_test", "crm").await;
        expect_error(refused, StatusCode::FORBIDDEN, "forbidden", None).await;
        assert_eq!(browser.get(SETTINGS).await.status(), StatusCode::FORBIDDEN, "{email}");
        let (status, html) = press(&browser, CRM_BUTTON).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        assert!(!html.contains(CRM_SECRET));
        let leads = browser.get("/admin/leads?site=pk_test").await.text().await.expect("HTML");
        assert!(leads.contains("/admin/leads?site=pk_test"), "a page with navigation");
        assert!(!leads.contains("/admin/settings"), "no settings link for {email}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.got().is_empty(), "nothing was sent");
    assert!(audited(&collector).await.is_empty());
}

async fn the_settings_page_shows_the_site_and_webhooks_but_never_a_secret(backend: Backend) {
    let receiver = Receiver::start(StatusCode::OK, "thanks").await;
    let (collector, _config) = start(backend, &receiver, true).await;
    let owner = owner(&collector).await;

    let response = owner.get(SETTINGS).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.expect("HTML");
    // About 3.8 KB with two webhooks: markup, no inline script or style.
    assert!(html.len() < 8 * 1024, "a small page: {} bytes", html.len());
    let (crm, chat) =
        (format!("{}/hooks/crm", receiver.base), format!("{}/hooks/chat", receiver.base));
    for shown in [
        "<code>pk_test</code>",
        "Webhook test site",
        "<code>https://*.shop.example</code>",
        crm.as_str(),
        chat.as_str(),
        "Secret set",
        "Hot lead hand-off: the CRM hand-off, when the lead turns hot",
        "Hot lead hand-off: a notification text, when the lead turns hot",
        r#"href="/admin/revisions/new?site=pk_test">configuration editor</a>"#,
        r#"aria-current="page">Settings"#,
    ] {
        assert!(html.contains(shown), "{shown} in {html}");
    }
    let (_, tested) = press(&owner, CRM_BUTTON).await;
    for page in [&html, &tested] {
        for secret in [CRM_SECRET, CHAT_SECRET, "whsec_"] {
            assert!(!page.contains(secret), "a secret on the page: {page}");
        }
    }
    let api = tested_json(&collector).await;
    assert!(!api.contains("whsec_"), "nor in the API's answer: {api}");
}

/// The API's answer to a test of `crm` with the admin token, as text.
async fn tested_json(collector: &Collector) -> String {
    let response = collector
        .http
        .post(collector.url(TEST_API))
        .bearer_auth(TOKEN)
        .json(&json!({"site": "pk_test", "webhook": "crm"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("text")
}

async fn hostile_answers_are_escaped_on_the_page(backend: Backend) {
    let hostile = r#"<script>alert(1)</script><img src=x onerror="alert(2)">"#;
    let receiver = Receiver::start(StatusCode::BAD_REQUEST, hostile).await;
    let (collector, _config) = start(backend, &receiver, true).await;
    let owner = owner(&collector).await;

    let (status, html) = press(&owner, CRM_BUTTON).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(
        html.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;"
        ),
        "shown as text: {html}"
    );
    let answer = tested(&owner, "crm").await;
    assert_eq!(answer["body"], hostile, "the API gives the text as it came");
}

async fn a_private_target_is_refused_unless_allowed(backend: Backend) {
    let receiver = Receiver::start(StatusCode::OK, "").await;
    let (collector, _config) = start(backend, &receiver, false).await;
    let owner = owner(&collector).await;

    let answer = tested(&owner, "crm").await;
    assert_eq!(answer["delivered"], false, "{answer}");
    assert_eq!(answer["refused"], true, "{answer}");
    assert_eq!(answer["status"], Value::Null, "{answer}");
    let error = answer["error"].as_str().unwrap_or_default();
    assert!(error.contains("127.0.0.1 is not a public address"), "{answer}");
    let (status, html) = press(&owner, CRM_BUTTON).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Not sent: the target is refused."), "{html}");
    assert!(html.contains("No answer") && html.contains("not a public address"), "{html}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.got().is_empty(), "nothing reached the private address");
    assert_eq!(audited(&collector).await.len(), 2, "refused tests are in the log too");
}

async fn a_long_answer_is_cut_at_2_kb(backend: Backend) {
    let long = "x".repeat(10_000);
    let receiver = Receiver::start(StatusCode::OK, &long).await;
    let (collector, _config) = start(backend, &receiver, true).await;
    let owner = owner(&collector).await;

    let answer = tested(&owner, "crm").await;
    assert_eq!(answer["body"].as_str().map(str::len), Some(2048), "the length of the body");
    assert_eq!(answer["delivered"], true);
}
