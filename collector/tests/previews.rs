//! Previews over HTTP: any signed-in user asks for one; its host page carries its own
//! policy and the real loader pointed at the preview's API; boot there decides the
//! chosen variant at once, even of a draft that visitors do not see; events and
//! submissions there store nothing; an unknown token is a 404.

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
#[allow(unused_macros, unused_imports)]
mod harness;

use harness::{ALLOWED, Backend, Collector, TOKEN, VISITOR, fixtures, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_backends!(a_draft_block_is_previewed_and_nothing_is_stored);

async fn a_draft_block_is_previewed_and_nothing_is_stored(backend: Backend) {
    let collector = Collector::start(backend).await;
    accounts::team(&collector).await;
    let yaml = std::fs::read_to_string(fixtures().join("site.yaml")).expect("site.yaml");
    let draft = yaml.replace("Hello <b>there</b>", "Draft hero");
    let saved: Value = collector
        .http
        .post(collector.url("/admin/api/revisions"))
        .bearer_auth(TOKEN)
        .json(&json!({"document": draft}))
        .send()
        .await
        .expect("saved")
        .json()
        .await
        .expect("JSON");
    let revision = saved["id"].as_i64().expect("id");

    let viewer = accounts::Browser::sign_in(&collector, accounts::VIEWER).await;
    let wanted = json!({"revision": revision, "site": "pk_test", "block": "hero-a", "lang": "pl"});
    let made = viewer.send(Method::POST, "/admin/api/previews", Some(wanted)).await;
    assert_eq!(made.status(), StatusCode::CREATED, "a viewer may preview");
    let made: Value = made.json().await.expect("JSON");
    let url = made["url"].as_str().expect("url").to_owned();

    let page = collector.http.get(collector.url(&url)).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()["content-security-policy"].to_str().expect("policy").to_owned();
    assert!(policy.contains("frame-ancestors 'self'") && policy.contains("'wasm-unsafe-eval'"));
    let html = page.text().await.expect("HTML");
    assert!(html.contains(r#"<html lang="pl">"#), "{html}");
    assert!(html.contains(r#"data-kindling-slot="hero""#), "{html}");
    assert!(html.contains(&format!(r#"data-api="{url}""#)), "{html}");

    let boot = json!({"site": "pk_test", "visitor": VISITOR, "url": "https://preview/", "slots": ["hero"]});
    let answer = collector.post(&format!("{url}/v1/boot"), None, boot.to_string()).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let answer: Value = answer.json().await.expect("JSON");
    assert_eq!(answer["decisions"][0]["block"], "hero-a");
    assert_eq!(answer["decisions"][0]["content"]["headline"], "Draft hero");

    let live = collector.post("/v1/boot", Some(ALLOWED), boot.to_string()).await;
    let live: Value = live.json().await.expect("JSON");
    assert_eq!(
        live["decisions"][0]["content"]["headline"], "Hello <b>there</b>",
        "visitors see the live one"
    );

    let batch = json!({"site": "pk_test", "visitor": VISITOR, "events": [harness::pageview(harness::EVENT)]});
    let events = collector.post(&format!("{url}/v1/events"), None, batch.to_string()).await;
    assert_eq!(events.status(), StatusCode::OK);
    assert!(collector.events().await.is_empty(), "a preview stores no event");

    let unknown =
        collector.http.get(collector.url("/preview/not-a-token")).send().await.expect("page");
    assert_eq!(unknown.status(), StatusCode::GONE);
    let wrong = viewer
        .send(
            Method::POST,
            "/admin/api/previews",
            Some(json!({"site": "pk_test", "block": "nope"})),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
}
