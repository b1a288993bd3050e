//! The console's automation report over real HTTP, on both backends, with a real
//! webhook receiver (an axum server on 127.0.0.1 in the test) that refuses until told
//! to accept: a lead's CRM hand-off dies and the page lists it as a dead letter; an
//! editor's Replay button sends it again and the receiver processes it once; the page
//! then counts it delivered, with its speed to lead, and lists no dead letter. A viewer
//! sees no Replay button and is refused the replay, and so is a cross-site form.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use kindling_collector::Settings;
use reqwest::header::{COOKIE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
mod harness;
#[path = "support/receiver.rs"]
mod receiver;

use accounts::{EDITOR, PASSWORD, VIEWER};
use harness::*;
use receiver::*;

on_both_backends!(
    a_dead_hand_off_is_replayed_from_the_page_and_delivered_once,
    viewers_see_no_replay_button_and_are_refused_the_replay,
);

const PAGE: &str = "https://www.example.com/";
const REPORT: &str = "/admin/reports/automation?site=pk_test";

/// The fixture with its webhook aimed at `receiver`, in a folder kept as long as the
/// returned guard.
fn config_for(receiver: &Receiver) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(fixtures().join("automation_report.yaml")).expect("fixture");
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("automation_report.yaml");
    std::fs::write(&path, text.replace("RECEIVER_URL", &receiver.url)).expect("config written");
    (folder, path)
}

/// Retries every 50 ms at most, for one second; private targets allowed.
fn settings_for(config: &std::path::Path) -> impl FnOnce(&mut Settings) + use<> {
    let config = config.to_owned();
    move |settings| {
        settings.config = Some(config);
        settings.webhook_allow_private = true;
        settings.webhook_retry_base_ms = 50;
        settings.webhook_retry_window_secs = 1;
        settings.login_attempts_ip = 1_000;
    }
}

/// A browser signed in through the console's sign-in form, showing redirects instead
/// of following them.
struct Console<'c> {
    collector: &'c Collector,
    client: reqwest::Client,
    cookie: String,
}

impl<'c> Console<'c> {
    async fn sign_in(collector: &'c Collector, email: &str) -> Console<'c> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let response = client
            .post(collector.url("/admin/login"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("email", email), ("password", PASSWORD), ("next", REPORT)])
            .send()
            .await
            .expect("POST /admin/login");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "signing in as {email}");
        let cookie = accounts::session_cookie(&response).expect("a session cookie");
        Console { collector, client, cookie }
    }

    fn request(&self, method: Method, path: &str, site: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.collector.url(path))
            .header(COOKIE, format!("kindling_session={}", self.cookie))
            .header("sec-fetch-site", site)
    }

    /// A page that must be there; returns its HTML.
    async fn page(&self, path: &str) -> String {
        let response = self.request(Method::GET, path, "same-origin").send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.expect("HTML")
    }

    /// Posts the empty form of a button to `action`, from a page of `site`.
    async fn press(&self, action: &str, site: &str) -> reqwest::Response {
        let fields: [(&str, &str); 0] = [];
        self.request(Method::POST, action, site).form(&fields).send().await.expect("POST")
    }
}

/// The `action` of the page's first Replay form, unescaped.
fn replay_action(html: &str) -> Option<String> {
    let start = html.find(r#"action="/admin/reports/automation/replay/"#)? + 8;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&amp;", "&"))
}

/// The delivery row of endpoint `name` on the page: delivered, retrying, pending, dead.
fn delivery_row(html: &str, name: &str) -> Option<[String; 4]> {
    let start = html.find(&format!(r#"<th scope="row">{name}</th>"#))?;
    let row = &html[start..start + html[start..].find("</tr>")?];
    let cells: Vec<String> = row
        .split(r#"<td class="num">"#)
        .skip(1)
        .map(|cell| cell.split('<').next().unwrap_or_default().to_owned())
        .collect();
    cells.try_into().ok()
}

fn pricing(n: u32, path: &str) -> Value {
    event(n, "pageview", &format!("{PAGE}{path}"), None, Value::Null)
}

/// Starts a collector whose receiver refuses, and makes a lead hot: its CRM hand-off
/// is tried until its retry window ends.
async fn start_with_a_refused_hand_off(
    receiver: &Receiver,
    config: &std::path::Path,
    backend: Backend,
) -> Collector {
    receiver.behaviour.failing.store(true, Ordering::SeqCst);
    let collector = Collector::start_with(backend, settings_for(config)).await;
    accounts::add_user(&collector, EDITOR, "editor").await;
    accounts::add_user(&collector, VIEWER, "viewer").await;
    let identify = json!({"email": "ana@acme.example", "company": "Acme"});
    let visitor = uuid_for(1);
    collector
        .send(
            &visitor,
            vec![
                event(1, "identify", PAGE, None, identify),
                pricing(2, "pricing"),
                pricing(3, "pricing/enterprise"),
            ],
        )
        .await;
    collector
}

/// Waits until `console`'s report page lists a dead letter; returns the page.
async fn wait_for_the_dead_letter(console: &Console<'_>) -> String {
    let mut html = String::new();
    wait_for("the dead letter on the page", async || {
        html = console.page(REPORT).await;
        html.contains(r#"id="dead-letters""#)
    })
    .await;
    html
}

async fn a_dead_hand_off_is_replayed_from_the_page_and_delivered_once(backend: Backend) {
    let receiver = Receiver::start().await;
    let (_folder, config) = config_for(&receiver);
    let collector = start_with_a_refused_hand_off(&receiver, &config, backend).await;
    let editor = Console::sign_in(&collector, EDITOR).await;

    let html = wait_for_the_dead_letter(&editor).await;
    assert!(html.contains("Hot lead hand-off"), "the workflow is listed");
    assert!(html.contains("Step 1: crm"), "with its step");
    assert!(html.contains("<td>HTTP 500</td>"), "the receiver's answer shown");
    assert_eq!(delivery_row(&html, "crm"), Some(["0", "0", "0", "1"].map(str::to_owned)));
    let action = replay_action(&html).expect("a Replay button for an editor");
    let id = action
        .trim_start_matches("/admin/reports/automation/replay/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let refused_before = receiver.seen().len();
    assert!(refused_before >= 2, "tried more than once: {:?}", receiver.seen());
    assert!(receiver.processed().is_empty());

    let cross_site = editor.press(&action, "cross-site").await;
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN, "a form of another site");

    receiver.behaviour.failing.store(false, Ordering::SeqCst);
    let replayed = editor.press(&action, "same-origin").await;
    assert_eq!(replayed.status(), StatusCode::SEE_OTHER);
    let location = replayed.headers()[LOCATION].to_str().expect("location").to_owned();
    assert_eq!(location, format!("{REPORT}&replayed={id}"));
    let shown = editor.page(&location).await;
    assert!(shown.contains(r#"role="status""#) && shown.contains(&id), "the replay is told");

    wait_for("the replayed hand-off", async || !receiver.processed().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.processed(), std::slice::from_ref(&id), "processed once");
    let accepted: Vec<Delivery> =
        receiver.seen().into_iter().filter(|delivery| delivery.status == 200).collect();
    assert_eq!(accepted.len(), 1, "accepted once: {accepted:?}");
    assert_eq!(accepted[0].key, id);
    assert_eq!(accepted[0].body["schema"], "kindling.crm_handoff.v1");

    let after = editor.page(REPORT).await;
    assert!(after.contains(r#"id="no-dead-letters""#), "no dead letter is left");
    assert!(replay_action(&after).is_none());
    assert_eq!(delivery_row(&after, "crm"), Some(["1", "0", "0", "0"].map(str::to_owned)));
    assert!(after.contains(r#"id="speed""#), "the hand-off's speed to lead is shown");
    assert!(after.contains("CRM hand-offs delivered: 1"), "as a key figure");

    let csv = editor
        .request(Method::GET, &format!("{REPORT}&format=csv&table=deliveries"), "same-origin")
        .send()
        .await
        .expect("CSV");
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.expect("text");
    assert_eq!(text, "endpoint,delivered,retrying,pending,dead\ncrm,1,0,0,0\n");

    let again = editor.press(&action, "same-origin").await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "only dead letters are replayed");
}

async fn viewers_see_no_replay_button_and_are_refused_the_replay(backend: Backend) {
    let receiver = Receiver::start().await;
    let (_folder, config) = config_for(&receiver);
    let collector = start_with_a_refused_hand_off(&receiver, &config, backend).await;
    let (editor, viewer) =
        (Console::sign_in(&collector, EDITOR).await, Console::sign_in(&collector, VIEWER).await);

    let action = replay_action(&wait_for_the_dead_letter(&editor).await).expect("a button");
    let seen = viewer.page(REPORT).await;
    assert!(seen.contains(r#"id="dead-letters""#), "a viewer reads the dead letters");
    assert!(replay_action(&seen).is_none(), "without a Replay button");
    assert!(!seen.contains(">Replay</button>"));

    receiver.behaviour.failing.store(false, Ordering::SeqCst);
    let refused = viewer.press(&action, "same-origin").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.processed().is_empty(), "nothing was sent again");
    assert!(replay_action(&editor.page(REPORT).await).is_some(), "still dead");
}
