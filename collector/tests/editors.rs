//! The console's structured block editor over real HTTP, on both backends: a block
//! saved from the editor's fields becomes a draft holding exactly that block, is served
//! once published; buttons change the form without saving; a problem is shown beside
//! its field and saves nothing; "who would see this?" counts the persons a rule matches
//! and the tester says why one person matches; a section (scoring, webhooks) is saved
//! as YAML of that part, webhook secrets stay write-only and owners-only, and viewers
//! or forged requests change nothing.

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
mod harness;

use accounts::{Browser, add_user};
use harness::*;
use reqwest::Method;

on_both_backends!(
    a_block_saved_in_the_editor_is_a_draft_then_served_once_published,
    buttons_change_the_form_and_save_nothing,
    problems_are_shown_at_their_field_and_save_nothing,
    who_would_see_this_counts_and_the_tester_explains,
    a_section_is_saved_as_a_draft_and_refused_at_its_problem,
    webhook_secrets_stay_write_only_and_owners_only,
    viewers_and_forged_requests_change_nothing_in_the_editors,
    a_segment_is_built_counted_and_saved_as_a_draft,
    the_audience_api_counts_and_tests_for_any_role,
);

const LINKEDIN: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000a0001";
const NEWSLETTER: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000b0001";

async fn start(backend: Backend) -> Collector {
    Collector::start_with(backend, |settings| {
        settings.config = Some(fixtures().join("editors.yaml"));
    })
    .await
}

/// The fields of a LinkedIn slide-in, as the editor posts them.
fn linkedin_block(action: &str) -> Vec<(&'static str, String)> {
    [
        ("original", ""),
        ("id", "linkedin"),
        ("name", "LinkedIn offer"),
        ("placement", "slide_in"),
        ("priority", "5"),
        ("trigger.on", "scroll"),
        ("trigger.percent", "30"),
        ("caps.per_session", "1"),
        ("goal.kind", "form"),
        ("goal.target", "demo-request"),
        ("audience.0.kind", "all"),
        ("audience.1.kind", "condition"),
        ("audience.1.depth", "1"),
        ("audience.1.fact", "page.utm_source"),
        ("audience.1.op", "eq"),
        ("audience.1.value", "linkedin"),
        ("variants[0].id", "a"),
        ("variants[0].weight", "1"),
        ("variants[0].headline", "Hello from <LinkedIn>"),
        ("variants[0].body", "Book a **demo**."),
        ("variants[0].ctas[0].label", "Book a demo"),
        ("variants[0].ctas[0].kind", "form"),
        ("variants[0].ctas[0].target", "demo-request"),
        ("variants[0].ctas[1].label", "No thanks"),
        ("variants[0].ctas[1].kind", "dismiss"),
        ("variants[0].ctas[1].target", ""),
        ("action", action),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect()
}

fn with(
    mut fields: Vec<(&'static str, String)>,
    name: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    fields.retain(|(field, _)| *field != name);
    fields.push((name, value.to_owned()));
    fields
}

impl Collector {
    /// POSTs the editor's form with the admin token, not following a redirect.
    async fn editor_post(&self, fields: &[(&str, String)]) -> reqwest::Response {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .post(self.url("/admin/blocks?site=pk_test"))
            .bearer_auth(TOKEN)
            .form(fields)
            .send()
            .await
            .expect("editor post")
    }

    async fn html(&self, path: &str) -> String {
        let response = self.admin(reqwest::Method::GET, path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.expect("HTML")
    }

    async fn revision_count(&self) -> usize {
        let response = self.admin(reqwest::Method::GET, "/admin/api/revisions").await;
        let body: Value = response.json().await.expect("JSON");
        body["revisions"].as_array().map_or(0, Vec::len)
    }

    async fn boot_on(&self, visitor: &str, url: &str) -> Value {
        let body = json!({"site": "pk_test", "visitor": visitor, "url": url, "slots": ["hero"],
                          "session": SESSION, "context": {"visit": 1}});
        let response = self.post("/v1/boot", Some(ALLOWED), body.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("JSON")
    }
}

fn blocks_of(answer: &Value) -> Vec<String> {
    answer["decisions"]
        .as_array()
        .map(|decisions| {
            decisions.iter().filter_map(|d| d["block"].as_str().map(str::to_owned)).collect()
        })
        .unwrap_or_default()
}

async fn a_block_saved_in_the_editor_is_a_draft_then_served_once_published(backend: Backend) {
    let collector = start(backend).await;
    let list = collector.html("/admin/blocks?site=pk_test").await;
    assert!(list.contains("/admin/blocks/hero?site=pk_test") && list.contains("Slide-in card"));
    let hero = collector.html("/admin/blocks/hero?site=pk_test").await;
    assert!(hero.contains("value=\"Welcome &lt;b&gt;back&lt;/b&gt;\""), "escaped in a value");
    let before = collector.revision_count().await;

    let saved = collector.editor_post(&linkedin_block("save")).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let location = saved.headers()[LOCATION].to_str().expect("location").to_owned();
    assert!(location.contains("done=saved"), "{location}");
    let id: i64 = location
        .trim_start_matches("/admin/revisions/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("a revision id");
    assert_eq!(collector.revision_count().await, before + 1);

    let revision: Value = collector
        .admin(reqwest::Method::GET, &format!("/admin/api/revisions/{id}"))
        .await
        .json()
        .await
        .expect("JSON");
    let document: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(revision["document"].as_str().expect("document")).expect("YAML");
    let blocks = document["sites"][0]["blocks"].as_sequence().expect("blocks");
    assert_eq!(blocks.len(), 3, "the other blocks are kept");
    let expected: serde_yaml_ng::Value = serde_yaml_ng::from_str(
        r#"
id: linkedin
name: LinkedIn offer
placement: slide_in
priority: 5
audience: { fact: page.utm_source, op: eq, value: linkedin }
trigger: { on: scroll, percent: 30 }
caps: { per_session: 1 }
goal: { form: demo-request }
variants:
  - id: a
    headline: Hello from <LinkedIn>
    body: Book a **demo**.
    ctas: [{ label: Book a demo, form: demo-request }, { label: No thanks, dismiss: true }]
"#,
    )
    .expect("YAML");
    assert_eq!(blocks[2], expected);

    let from_linkedin = "https://www.example.com/?utm_source=linkedin";
    assert!(
        !blocks_of(&collector.boot_on(LINKEDIN, from_linkedin).await)
            .contains(&"linkedin".to_owned()),
        "a draft is not served"
    );
    let published = collector.editor_publish(id).await;
    assert_eq!(published, StatusCode::SEE_OTHER);
    let served = blocks_of(&collector.boot_on(LINKEDIN, from_linkedin).await);
    assert!(served.contains(&"linkedin".to_owned()), "{served:?}");
    let elsewhere = blocks_of(
        &collector.boot_on(NEWSLETTER, "https://www.example.com/?utm_source=newsletter").await,
    );
    assert!(!elsewhere.contains(&"linkedin".to_owned()), "{elsewhere:?}");

    // Editing it again replaces it in place; deleting it makes a draft without it.
    let renamed =
        with(with(linkedin_block("save"), "original", "linkedin"), "name", "LinkedIn, again");
    assert_eq!(collector.editor_post(&renamed).await.status(), StatusCode::SEE_OTHER);
    let edited = collector.html("/admin/blocks/linkedin?site=pk_test").await;
    assert!(edited.contains("value=\"LinkedIn, again\""));
    let deleted = collector.editor_post(&with(renamed, "action", "delete")).await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let after = collector.html("/admin/blocks?site=pk_test").await;
    assert!(!after.contains("/admin/blocks/linkedin?"), "deleted from the newest draft");
}

impl Collector {
    async fn editor_publish(&self, id: i64) -> StatusCode {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .post(self.url(&format!("/admin/revisions/{id}/publish?site=pk_test")))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("publish")
            .status()
    }
}

async fn buttons_change_the_form_and_save_nothing(backend: Backend) {
    let collector = start(backend).await;
    let before = collector.revision_count().await;
    let added = collector.editor_post(&linkedin_block("add-variant")).await;
    assert_eq!(added.status(), StatusCode::OK);
    let html = added.text().await.expect("HTML");
    assert!(html.contains("name=\"variants[1].id\" value=\"b\""), "a second variant");
    let html = collector
        .editor_post(&linkedin_block("rule-add-group:0"))
        .await
        .text()
        .await
        .expect("HTML");
    assert!(html.contains("name=\"audience.2.kind\"") && html.contains("name=\"audience.3.fact\""));
    let html =
        collector.editor_post(&linkedin_block("rule-remove:1")).await.text().await.expect("HTML");
    assert!(!html.contains("name=\"audience.1.fact\""), "the condition is gone");
    let html =
        collector.editor_post(&linkedin_block("remove-cta:0:1")).await.text().await.expect("HTML");
    assert!(!html.contains("variants[0].ctas[1].label"));
    assert_eq!(collector.revision_count().await, before, "nothing saved");
}

async fn problems_are_shown_at_their_field_and_save_nothing(backend: Backend) {
    let collector = start(backend).await;
    let before = collector.revision_count().await;
    let refused = |fields: Vec<(&'static str, String)>, field: &'static str| {
        let collector = &collector;
        async move {
            let response = collector.editor_post(&fields).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}");
            let html = response.text().await.expect("HTML");
            let id = format!("id=\"f-{}-problem\"", field.replace(['[', ']', '.'], "-"));
            assert!(html.contains(&id), "a problem at {field}: {id}");
            html
        }
    };
    refused(with(linkedin_block("save"), "placement", "inline"), "slot").await;
    refused(with(linkedin_block("save"), "variants[0].weight", "heavy"), "variants[0].weight")
        .await;
    refused(with(linkedin_block("save"), "id", "hero"), "id").await;
    let html = refused(
        with(
            with(linkedin_block("save"), "variants[0].ctas[0].kind", "url"),
            "variants[0].ctas[0].target",
            "javascript:alert(1)",
        ),
        "variants[0].ctas[0].target",
    )
    .await;
    assert!(!html.contains("href=\"javascript:"), "never a link");
    let unknown_fact = collector
        .editor_post(&with(linkedin_block("save"), "audience.1.fact", "no_such_fact"))
        .await;
    assert_eq!(unknown_fact.status(), StatusCode::BAD_REQUEST);
    assert!(unknown_fact.text().await.expect("HTML").contains("unknown fact: no_such_fact"));
    // Renaming the block a workflow shows would break the workflow: refused, named.
    let nudge = [
        ("original", "nudge"),
        ("id", "nudge-renamed"),
        ("placement", "slide_in"),
        ("trigger.on", "delay"),
        ("trigger.seconds", "5"),
        ("audience.0.kind", "all"),
        ("variants[0].id", "a"),
        ("variants[0].headline", "Still there?"),
        ("action", "save"),
    ]
    .map(|(name, value)| (name, value.to_owned()));
    let response = collector.editor_post(&nudge).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.expect("HTML").contains("workflows[0]"));
    assert_eq!(collector.revision_count().await, before, "nothing saved");
}

async fn who_would_see_this_counts_and_the_tester_explains(backend: Backend) {
    let collector = start(backend).await;
    for (visitor, source, n) in [(LINKEDIN, "linkedin", 1), (NEWSLETTER, "newsletter", 3)] {
        let url = format!("https://www.example.com/pricing?utm_source={source}");
        let view = event(n, "pageview", &url, None, Value::Null);
        let batch = json!({"site": "pk_test", "visitor": visitor, "events": [view],
                           "context": {"visit": 1, "landing": url}});
        let response = collector.post("/v1/events", Some(ALLOWED), batch.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let identify =
        event(2, "identify", "https://www.example.com/", None, json!({"email": "lin@example.com"}));
    collector.send(LINKEDIN, vec![identify]).await;

    let counted = collector.editor_post(&linkedin_block("reach")).await;
    assert_eq!(counted.status(), StatusCode::OK);
    let html = counted.text().await.expect("HTML");
    assert!(
        html.contains(
            "<strong>1</strong> of 2 visitors (50.0 %) and <strong>1</strong> of 1 leads"
        ),
        "{}",
        excerpt(&html, "Who would see this</h3>")
    );

    let pricing = with(
        with(linkedin_block("reach"), "audience.1.fact", "page.path"),
        "audience.1.op",
        "matches",
    );
    let html = collector
        .editor_post(&with(pricing, "audience.1.value", "/pricing*"))
        .await
        .text()
        .await
        .expect("HTML");
    assert!(
        html.contains("<strong>2</strong> of 2 visitors"),
        "{}",
        excerpt(&html, "Who would see this</h3>")
    );

    let tested =
        with(with(linkedin_block("test"), "test.person", "LIN@example.com"), "action", "test");
    let html = collector.editor_post(&tested).await.text().await.expect("HTML");
    assert!(
        html.contains("Matches") && html.contains("this person: <code>&quot;linkedin&quot;</code>"),
        "{}",
        excerpt(&html, "Tested against")
    );
    let unknown =
        with(with(linkedin_block("test"), "test.person", "nobody@example.com"), "action", "test");
    let response = collector.editor_post(&unknown).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.expect("HTML").contains("no person with this email"));
}

async fn the_audience_api_counts_and_tests_for_any_role(backend: Backend) {
    let collector = start(backend).await;
    let url = "https://www.example.com/?utm_source=linkedin";
    let batch = json!({"site": "pk_test", "visitor": LINKEDIN,
                       "events": [event(1, "pageview", url, None, Value::Null),
                                  event(2, "identify", url, None, json!({"email": "lin@example.com"}))],
                       "context": {"visit": 1, "landing": url}});
    assert_eq!(
        collector.post("/v1/events", Some(ALLOWED), batch.to_string()).await.status(),
        StatusCode::OK
    );
    add_user(&collector, "vi@example.com", "viewer").await;
    let viewer = Browser::sign_in(&collector, "vi@example.com").await;
    let rule = r#"{"fact":"page.utm_source","op":"eq","value":"linkedin"}"#;
    let encoded: String = url::form_urlencoded::byte_serialize(rule.as_bytes()).collect();
    let counted =
        viewer.get(&format!("/admin/api/audience/reach?site=pk_test&rule={encoded}")).await;
    assert_eq!(counted.status(), StatusCode::OK);
    let counted: Value = counted.json().await.expect("JSON");
    assert_eq!(
        (counted["matching_visitors"].as_u64(), counted["matching_leads"].as_u64()),
        (Some(1), Some(1)),
        "{counted}"
    );
    let tested: Value = viewer
        .get(&format!("/admin/api/audience/test?site=pk_test&rule={encoded}&email=LIN@example.com"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(tested["matches"], json!(true), "{tested}");
    assert_eq!(tested["explained"]["actual"], json!("linkedin"), "{tested}");
    let bad: String =
        url::form_urlencoded::byte_serialize(br#"{"fact":"nope","op":"eq","value":1}"#).collect();
    let refused = viewer.get(&format!("/admin/api/audience/reach?site=pk_test&rule={bad}")).await;
    expect_error(refused, StatusCode::BAD_REQUEST, "invalid_field", Some("rule")).await;
    let nobody = viewer
        .get(&format!("/admin/api/audience/test?site=pk_test&rule={encoded}&email=no@example.com"))
        .await;
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);
}

/// The part of `html` from `marker` on, for failure messages.
fn excerpt<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).unwrap_or(0);
    &html[start..(start + 600).min(html.len())]
}

impl Collector {
    async fn section_post(&self, section: &str, text: &str) -> reqwest::Response {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .post(self.url(&format!("/admin/config/{section}?site=pk_test")))
            .bearer_auth(TOKEN)
            .form(&[("text", text), ("message", "")])
            .send()
            .await
            .expect("section post")
    }

    /// The document of the revision a 303 to its page names.
    async fn saved_document(&self, response: reqwest::Response) -> serde_yaml_ng::Value {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()[LOCATION].to_str().expect("location").to_owned();
        let id = location.trim_start_matches("/admin/revisions/").split('?').next().expect("id");
        let revision: Value = self
            .admin(Method::GET, &format!("/admin/api/revisions/{id}"))
            .await
            .json()
            .await
            .expect("JSON");
        serde_yaml_ng::from_str(revision["document"].as_str().expect("document")).expect("YAML")
    }
}

async fn a_section_is_saved_as_a_draft_and_refused_at_its_problem(backend: Backend) {
    let collector = start(backend).await;
    let page = collector.html("/admin/config/scoring?site=pk_test").await;
    assert!(page.contains("warm: 25"), "the section as YAML");
    let before = collector.revision_count().await;

    let refused = collector.section_post("scoring", "thresholds: { warm: lukewarm }").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.expect("HTML");
    assert!(html.contains("scoring.thresholds.warm"), "the problem names its path");
    assert!(html.contains("lukewarm"), "the text is kept");
    let not_yaml = collector.section_post("scoring", "thresholds: [").await;
    assert_eq!(not_yaml.status(), StatusCode::BAD_REQUEST);
    assert_eq!(collector.revision_count().await, before, "nothing saved");

    let saved = collector.section_post("scoring", "thresholds: { warm: 10, hot: 40 }\n").await;
    let document = collector.saved_document(saved).await;
    let site = &document["sites"][0];
    assert_eq!(site["scoring"]["thresholds"]["hot"], serde_yaml_ng::Value::from(40));
    assert_eq!(site["blocks"].as_sequence().map(Vec::len), Some(2), "the rest is kept");
    assert!(
        collector.html("/admin/config/scoring?site=pk_test").await.contains("hot: 40"),
        "the newest draft is edited"
    );
    let unknown = collector.admin(Method::GET, "/admin/config/nonsense?site=pk_test").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

async fn webhook_secrets_stay_write_only_and_owners_only(backend: Backend) {
    let collector = start(backend).await;
    let page = collector.html("/admin/config/webhooks?site=pk_test").await;
    assert!(
        !page.contains("whsec_editors_crm_secret") && page.contains("&lt;redacted&gt;"),
        "write-only"
    );
    let shown = "- id: crm\n  url: https://crm.example.com/other\n  secret: <redacted>\n";
    let document = collector.saved_document(collector.section_post("webhooks", shown).await).await;
    let webhook = &document["sites"][0]["webhooks"][0];
    assert_eq!(webhook["url"], serde_yaml_ng::Value::from("https://crm.example.com/other"));
    assert_eq!(webhook["secret"], serde_yaml_ng::Value::from("whsec_editors_crm_secret"), "kept");
    let moved = "- id: crm-renamed\n  url: https://crm.example.com/hook\n  secret: <redacted>\n";
    let refused = collector.section_post("webhooks", moved).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    add_user(&collector, "ed@example.com", "editor").await;
    let editor = Browser::sign_in(&collector, "ed@example.com").await;
    assert_eq!(
        editor.get("/admin/config/webhooks?site=pk_test").await.status(),
        StatusCode::FORBIDDEN
    );
    let posted = editor
        .request(Method::POST, "/admin/config/webhooks?site=pk_test", "same-origin")
        .form(&[("text", shown)])
        .send()
        .await
        .expect("sent");
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
    assert_eq!(editor.get("/admin/config/scoring?site=pk_test").await.status(), StatusCode::OK);
}

async fn viewers_and_forged_requests_change_nothing_in_the_editors(backend: Backend) {
    let collector = start(backend).await;
    add_user(&collector, "vi@example.com", "viewer").await;
    let viewer = Browser::sign_in(&collector, "vi@example.com").await;
    let before = collector.revision_count().await;
    assert_eq!(viewer.get("/admin/blocks/hero?site=pk_test").await.status(), StatusCode::OK);
    let fields = linkedin_block("save");
    let block = viewer
        .request(Method::POST, "/admin/blocks?site=pk_test", "same-origin")
        .form(&fields)
        .send()
        .await
        .expect("sent");
    assert_eq!(block.status(), StatusCode::FORBIDDEN);
    let section = viewer
        .request(Method::POST, "/admin/config/scoring?site=pk_test", "same-origin")
        .form(&[("text", "thresholds: { warm: 1, hot: 2 }")])
        .send()
        .await
        .expect("sent");
    assert_eq!(section.status(), StatusCode::FORBIDDEN);
    add_user(&collector, "ed@example.com", "editor").await;
    let cross_site = Browser::sign_in(&collector, "ed@example.com").await;
    let forged = cross_site
        .request(Method::POST, "/admin/blocks?site=pk_test", "cross-site")
        .form(&fields)
        .send()
        .await
        .expect("sent");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(collector.revision_count().await, before, "nothing saved");
}

impl Collector {
    async fn segment_post(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .post(self.url("/admin/segments?site=pk_test"))
            .bearer_auth(TOKEN)
            .form(fields)
            .send()
            .await
            .expect("segment post")
    }
}

async fn a_segment_is_built_counted_and_saved_as_a_draft(backend: Backend) {
    let collector = start(backend).await;
    let list = collector.html("/admin/segments?site=pk_test").await;
    assert!(list.contains("Interested in pricing"));
    let shown = collector.html("/admin/segments/pricing_interest?site=pk_test").await;
    assert!(shown.contains("name=\"rule.1.fact\" value=\"pages\""), "the rule as rows");
    let url = "https://www.example.com/pricing";
    let batch = json!({"site": "pk_test", "visitor": LINKEDIN,
                       "events": [event(1, "pageview", url, None, Value::Null)],
                       "context": {"visit": 1, "landing": url}});
    assert_eq!(
        collector.post("/v1/events", Some(ALLOWED), batch.to_string()).await.status(),
        StatusCode::OK
    );

    let rule = |fact: &'static str, op: &'static str, value: &'static str, action: &'static str| {
        vec![
            ("original", "pricing_interest"),
            ("id", "pricing_interest"),
            ("name", "Interested in pricing"),
            ("rule.0.kind", "any"),
            ("rule.1.kind", "condition"),
            ("rule.1.depth", "1"),
            ("rule.1.fact", fact),
            ("rule.1.op", op),
            ("rule.1.value", value),
            ("action", action),
        ]
    };
    let counted = collector.segment_post(&rule("pages", "matches", "/pricing*", "reach")).await;
    assert_eq!(counted.status(), StatusCode::OK);
    assert!(counted.text().await.expect("HTML").contains("<strong>1</strong> of 1 visitors"));
    let before = collector.revision_count().await;
    let unknown = collector.segment_post(&rule("no_such_fact", "eq", "1", "save")).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert!(unknown.text().await.expect("HTML").contains("unknown fact: no_such_fact"));
    let mut empty = rule("", "eq", "", "save");
    empty.retain(|(name, _)| !name.starts_with("rule.1"));
    assert_eq!(
        collector.segment_post(&empty).await.status(),
        StatusCode::BAD_REQUEST,
        "a segment needs a rule"
    );
    assert_eq!(collector.revision_count().await, before, "nothing saved");

    let saved = collector.segment_post(&rule("score", "gte", "10", "save")).await;
    let document = collector.saved_document(saved).await;
    let expected: serde_yaml_ng::Value = serde_yaml_ng::from_str(
        "{id: pricing_interest, name: Interested in pricing, rule: {any: [{fact: score, op: gte, value: 10}]}}",
    )
    .expect("YAML");
    assert_eq!(document["sites"][0]["segments"][0], expected);
}
