//! The configuration as revisions, over HTTP on both backends: the file given at start
//! is the first revision; a saved draft changes nothing until it is published, then
//! the change is served at once, without a restart; restoring brings the earlier one
//! back; an invalid draft is kept but cannot be published; YAML export and import give
//! back the same bytes; a restart with the same file keeps what was published since;
//! and a second collector on the same PostgreSQL database applies a publish within
//! about a second.

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
#[allow(unused_macros, unused_imports)]
mod harness;

use std::time::{Duration, Instant};

use harness::{ALLOWED, Backend, Collector, TOKEN, VISITOR, fixtures, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_backends!(
    a_published_draft_is_served_at_once_and_a_restore_takes_it_back,
    an_invalid_draft_is_kept_but_not_published,
    export_then_import_gives_back_the_same_document,
    a_restart_with_the_same_file_keeps_what_was_published,
    editors_publish_content_but_not_sites_webhooks_or_secrets,
);

const LIVE_HEADLINE: &str = "Hello <b>there</b>";

fn site_yaml() -> String {
    std::fs::read_to_string(fixtures().join("site.yaml")).expect("site.yaml")
}

/// The hero headline a new visitor of pk_test is shown now.
async fn hero_headline(collector: &Collector) -> String {
    let body = json!({"site": "pk_test", "visitor": VISITOR, "url": "https://www.example.com/",
                      "slots": ["hero"]});
    let response = collector.post("/v1/boot", Some(ALLOWED), body.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let boot: Value = response.json().await.expect("JSON");
    boot["decisions"][0]["content"]["headline"].as_str().unwrap_or_default().to_owned()
}

async fn admin_json(
    collector: &Collector,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = collector.http.request(method, collector.url(path)).bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("admin API");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn save(collector: &Collector, document: &str, message: &str) -> (i64, Value) {
    let body = json!({"document": document, "message": message});
    let (status, saved) =
        admin_json(collector, Method::POST, "/admin/api/revisions", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    (saved["id"].as_i64().expect("an id"), saved["problem"].clone())
}

async fn live_id(collector: &Collector) -> i64 {
    let (status, page) = admin_json(collector, Method::GET, "/admin/api/revisions", None).await;
    assert_eq!(status, StatusCode::OK);
    page["live"].as_i64().expect("live")
}

async fn a_published_draft_is_served_at_once_and_a_restore_takes_it_back(backend: Backend) {
    let collector = Collector::start(backend).await;
    let (_, page) = admin_json(&collector, Method::GET, "/admin/api/revisions", None).await;
    let revisions = page["revisions"].as_array().expect("revisions");
    assert_eq!(revisions.len(), 1, "the file given at start: {page:#}");
    assert_eq!(revisions[0]["source"], "file");
    let first = revisions[0]["id"].as_i64().expect("id");
    assert_eq!(page["live"], first);
    assert_eq!(hero_headline(&collector).await, LIVE_HEADLINE);

    let changed = site_yaml().replace(LIVE_HEADLINE, "Published without a restart");
    let (draft, problem) = save(&collector, &changed, "New hero").await;
    assert_eq!(problem, Value::Null);
    assert_eq!(hero_headline(&collector).await, LIVE_HEADLINE, "a draft is not served");

    let path = format!("/admin/api/revisions/{draft}/diff");
    let (status, diff) = admin_json(&collector, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<String> = diff["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|line| line["op"] != " ")
        .map(|line| {
            format!("{}{}", line["op"].as_str().unwrap_or(""), line["text"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        lines,
        [
            "-            headline: Hello <b>there</b>",
            "+            headline: Published without a restart"
        ],
        "{diff:#}"
    );

    let path = format!("/admin/api/revisions/{draft}/publish");
    let (status, answer) = admin_json(&collector, Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(hero_headline(&collector).await, "Published without a restart");
    assert_eq!(live_id(&collector).await, draft);

    let path = format!("/admin/api/revisions/{first}/restore");
    let (status, answer) = admin_json(&collector, Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let restored = answer["live"].as_i64().expect("the new revision");
    assert!(restored > draft, "a restore is a new revision");
    assert_eq!(hero_headline(&collector).await, LIVE_HEADLINE);
    let (_, shown) =
        admin_json(&collector, Method::GET, &format!("/admin/api/revisions/{restored}"), None)
            .await;
    assert_eq!(shown["source"], "restore");
    assert_eq!(shown["message"], format!("Restore revision {first}"));
    assert_eq!(shown["document"], site_yaml());
    assert_eq!(shown["live"], true);
}

async fn an_invalid_draft_is_kept_but_not_published(backend: Backend) {
    let collector = Collector::start(backend).await;
    let live = live_id(&collector).await;
    let broken = site_yaml().replace(
        "origins: [\"https://www.example.com\", \"https://*.shop.example\"]",
        "origins: [\"https://www.example.com\", \"shop.example\"]",
    );
    let (draft, problem) = save(&collector, &broken, "Typo").await;
    assert_eq!(problem["path"], "sites[0].origins[1]", "{problem}");

    let path = format!("/admin/api/revisions/{draft}/publish");
    let (status, error) = admin_json(&collector, Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], "invalid_config");
    assert_eq!(error["error"]["field"], "sites[0].origins[1]");
    assert_eq!(live_id(&collector).await, live, "the live revision is unchanged");
    assert_eq!(hero_headline(&collector).await, LIVE_HEADLINE);

    let (_, shown) =
        admin_json(&collector, Method::GET, &format!("/admin/api/revisions/{draft}"), None).await;
    assert_eq!(shown["document"], broken, "the draft is kept as written");
    assert_eq!(shown["live"], false);

    let (status, _) =
        admin_json(&collector, Method::POST, "/admin/api/revisions/999999/publish", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn export_text(collector: &Collector) -> String {
    let response = collector.admin(Method::GET, "/admin/api/config").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"].to_str().unwrap_or("").starts_with("application/yaml")
    );
    response.text().await.expect("YAML")
}

async fn export_then_import_gives_back_the_same_document(backend: Backend) {
    let collector = Collector::start(backend).await;
    let exported = export_text(&collector).await;
    assert_eq!(exported, site_yaml(), "the file as given, comments and layout included");

    let edited = format!("# Edited by hand\n{}", exported.replace(LIVE_HEADLINE, "Imported  hero"));
    let response = collector
        .http
        .post(collector.url("/admin/api/config?publish=true&message=From%20git"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/yaml")
        .body(edited.clone())
        .send()
        .await
        .expect("import");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(export_text(&collector).await, edited);
    assert_eq!(hero_headline(&collector).await, "Imported  hero");

    let response = collector
        .http
        .post(collector.url("/admin/api/config?publish=true"))
        .bearer_auth(TOKEN)
        .body("sites: [{key: pk_x}]")
        .send()
        .await
        .expect("import");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "an invalid import is not published");
    assert_eq!(export_text(&collector).await, edited);
}

async fn a_restart_with_the_same_file_keeps_what_was_published(backend: Backend) {
    let collector = Collector::start(backend).await;
    let changed = site_yaml().replace(LIVE_HEADLINE, "Published in the admin");
    let (draft, _) = save(&collector, &changed, "Admin edit").await;
    let path = format!("/admin/api/revisions/{draft}/publish");
    assert_eq!(admin_json(&collector, Method::POST, &path, None).await.0, StatusCode::OK);

    let collector = collector.restart(|_| {}).await;
    assert_eq!(hero_headline(&collector).await, "Published in the admin", "same file: kept");
    assert_eq!(live_id(&collector).await, draft);

    let collector = collector.restart(|settings| settings.config = None).await;
    assert_eq!(hero_headline(&collector).await, "Published in the admin", "no file: the live one");

    let changed_file = tempfile::NamedTempFile::new().expect("file");
    std::fs::write(changed_file.path(), site_yaml().replace(LIVE_HEADLINE, "Changed file"))
        .expect("write");
    let path = changed_file.path().to_owned();
    let collector = collector.restart(move |settings| settings.config = Some(path)).await;
    assert_eq!(hero_headline(&collector).await, "Changed file", "a changed file is imported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_collector_on_the_same_postgres_applies_a_publish_within_a_second() {
    let first = Collector::start(Backend::Postgres).await;
    let second = first.beside(|_| {}).await;
    assert_eq!(hero_headline(&second).await, LIVE_HEADLINE);
    let mut waits = Vec::new();
    for round in 0..5 {
        let headline = format!("Round {round}");
        let (draft, _) =
            save(&first, &site_yaml().replace(LIVE_HEADLINE, &headline), "round").await;
        let path = format!("/admin/api/revisions/{draft}/publish");
        assert_eq!(admin_json(&first, Method::POST, &path, None).await.0, StatusCode::OK);
        let published = Instant::now();
        while hero_headline(&second).await != headline {
            assert!(published.elapsed() < Duration::from_secs(2), "not applied within 2 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        waits.push(published.elapsed());
    }
    waits.sort();
    println!("publish on one collector, served by the other after: {waits:?}");
}

fn config_command(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kindling-collector"))
        .arg("config")
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn config_check_names_the_problem_without_starting_anything() {
    let good = fixtures().join("site.yaml");
    let checked = config_command(&["check", good.to_str().expect("path")]);
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));

    let broken = tempfile::NamedTempFile::new().expect("file");
    std::fs::write(broken.path(), site_yaml().replace("name: Test site", "nmae: Test site"))
        .expect("write");
    let checked = config_command(&["check", broken.path().to_str().expect("path")]);
    assert!(!checked.status.success());
    let said = String::from_utf8_lossy(&checked.stderr);
    assert!(said.contains("sites[0]") && said.contains("nmae"), "{said}");
}

#[test]
fn config_import_then_export_gives_back_the_same_bytes() {
    let folder = tempfile::tempdir().expect("folder");
    let database = format!("sqlite://{}", folder.path().join("k.db").display());
    let file = folder.path().join("config.yaml");
    let text = format!("# kept as written\n{}", site_yaml());
    std::fs::write(&file, &text).expect("write");
    let imported =
        config_command(&["import", file.to_str().expect("path"), "--database", &database]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let exported = config_command(&["export", "--database", &database]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    assert_eq!(String::from_utf8_lossy(&exported.stdout), text);
}

/// A webhook with an inline secret, added to pk_test.
const WEBHOOK: &str = "    webhooks:\n      - { id: crm, url: 'https://crm.example/hook', secret: whsec_inline_0123 }\n";

async fn editors_publish_content_but_not_sites_webhooks_or_secrets(backend: Backend) {
    let collector = Collector::start(backend).await;
    accounts::team(&collector).await;
    let with_webhook = format!("{}{WEBHOOK}", site_yaml());
    let (id, problem) = save(&collector, &with_webhook, "CRM hook").await;
    assert_eq!(problem, Value::Null, "{problem}");
    let path = format!("/admin/api/revisions/{id}/publish");
    assert_eq!(admin_json(&collector, Method::POST, &path, None).await.0, StatusCode::OK);

    let viewer = accounts::Browser::sign_in(&collector, accounts::VIEWER).await;
    let draft = json!({"document": with_webhook, "message": "viewer"});
    let refused = viewer.send(Method::POST, "/admin/api/revisions", Some(draft)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "a viewer saves nothing");

    let editor = accounts::Browser::sign_in(&collector, accounts::EDITOR).await;
    let shown: Value =
        editor.get(&format!("/admin/api/revisions/{id}")).await.json().await.expect("JSON");
    let document = shown["document"].as_str().expect("document");
    assert!(!document.contains("whsec_inline_0123"), "an editor never sees a secret: {document}");
    assert!(document.contains("secret: <redacted>"), "{document}");
    let exported = editor.get("/admin/api/config").await.text().await.expect("YAML");
    assert!(!exported.contains("whsec_inline_0123"));

    // An editor changes the hero in the redacted document: the secret comes back.
    let edited = document.replace(LIVE_HEADLINE, "Edited by an editor");
    let saved: Value = editor
        .send(Method::POST, "/admin/api/revisions", Some(json!({"document": edited})))
        .await
        .json()
        .await
        .expect("JSON");
    let draft = saved["id"].as_i64().expect("id");
    let published =
        editor.send(Method::POST, &format!("/admin/api/revisions/{draft}/publish"), None).await;
    assert_eq!(published.status(), StatusCode::OK);
    assert_eq!(hero_headline(&collector).await, "Edited by an editor");
    let (_, stored) =
        admin_json(&collector, Method::GET, &format!("/admin/api/revisions/{draft}"), None).await;
    assert!(
        stored["document"].as_str().unwrap_or("").contains("whsec_inline_0123"),
        "kept for the owner"
    );

    // Changing the webhook, or a site's origins, needs an owner.
    for changed in [
        edited.replace("https://crm.example/hook", "https://attacker.example/hook"),
        edited.replace("\"https://*.shop.example\"", "\"https://*.evil.example\""),
    ] {
        let saved: Value = editor
            .send(Method::POST, "/admin/api/revisions", Some(json!({"document": changed})))
            .await
            .json()
            .await
            .expect("JSON");
        let draft = saved["id"].as_i64().expect("id");
        let refused =
            editor.send(Method::POST, &format!("/admin/api/revisions/{draft}/publish"), None).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let owner = accounts::Browser::sign_in(&collector, accounts::OWNER).await;
        let allowed =
            owner.send(Method::POST, &format!("/admin/api/revisions/{draft}/publish"), None).await;
        assert_eq!(allowed.status(), StatusCode::OK, "an owner may");
        let (_, restored) = admin_json(
            &collector,
            Method::POST,
            &format!("/admin/api/revisions/{id}/restore"),
            None,
        )
        .await;
        assert!(restored["live"].is_i64());
    }
}
