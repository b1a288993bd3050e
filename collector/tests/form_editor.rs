//! The console's structured form editor over real HTTP, on both backends: a form saved
//! from the editor's fields becomes a draft holding exactly that form; buttons change
//! the form without saving; a problem is shown beside its field and saves nothing, and
//! one that breaks another part (a call to action, a workflow) is refused with a
//! notice; settings the editor does not show are kept; viewers cannot post.

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
mod harness;

use accounts::{Browser, add_user};
use harness::*;

on_both_backends!(
    a_form_saved_in_the_editor_is_a_draft_holding_exactly_that_form,
    buttons_change_the_form_and_save_nothing,
    problems_are_shown_at_their_field_and_save_nothing,
    keys_the_editor_does_not_show_are_kept,
    a_viewer_cannot_post_a_form,
);

async fn start(backend: Backend) -> Collector {
    Collector::start_with(backend, |settings| {
        settings.config = Some(fixtures().join("form_editor.yaml"));
    })
    .await
}

type Posted = Vec<(&'static str, String)>;

/// The fields of a new call-back form, as the editor posts them.
fn callback_form(action: &str) -> Posted {
    [
        ("original", ""),
        ("id", "callback"),
        ("name", "Call-back <request>"),
        ("submit", "Call me"),
        ("prefill", "on"),
        ("fields[0].name", "email"),
        ("fields[0].kind", "email"),
        ("fields[0].label", "Work email"),
        ("fields[0].placeholder", "you@company.com"),
        ("fields[0].required", "on"),
        ("fields[0].kept", ""),
        ("fields[1].name", "slot"),
        ("fields[1].kind", "radio"),
        ("fields[1].label", "Best time"),
        ("fields[1].help", "Your time zone"),
        ("fields[1].options", "morning|Morning\r\nafternoon|Afternoon\r\n"),
        ("fields[1].kept", ""),
        ("fields[2].name", "news"),
        ("fields[2].kind", "consent"),
        ("fields[2].label", "News"),
        ("fields[2].consent.text", "Send me news."),
        ("fields[2].consent.version", "v1"),
        ("fields[3].name", "campaign"),
        ("fields[3].kind", "hidden"),
        ("fields[3].source", "utm_campaign"),
        ("steps", "email, slot\r\nnews"),
        ("progressive.ask_at_most", "1"),
        ("progressive.queue", "slot"),
        ("success.message", "Thanks!"),
        ("success.redirect", "/thanks"),
        ("success.download", ""),
        ("spam.min_seconds", "5"),
        ("spam.dedupe_minutes", "10"),
        ("action", action),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect()
}

fn with(mut fields: Posted, name: &'static str, value: &str) -> Posted {
    fields.retain(|(field, _)| *field != name);
    fields.push((name, value.to_owned()));
    fields
}

impl Collector {
    /// POSTs the editor's form with the admin token, not following a redirect.
    async fn form_post(&self, fields: &[(&str, String)]) -> reqwest::Response {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .post(self.url("/admin/forms?site=pk_test"))
            .bearer_auth(TOKEN)
            .form(fields)
            .send()
            .await
            .expect("form post")
    }

    async fn html(&self, path: &str) -> String {
        let response = self.admin(Method::GET, path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.expect("HTML")
    }

    async fn revision_count(&self) -> usize {
        let body: Value =
            self.admin(Method::GET, "/admin/api/revisions").await.json().await.expect("JSON");
        body["revisions"].as_array().map_or(0, Vec::len)
    }

    /// The document of the revision a 303 to its page names.
    async fn saved_document(&self, response: reqwest::Response) -> Yaml {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()[LOCATION].to_str().expect("location").to_owned();
        let id = location.trim_start_matches("/admin/revisions/").split(['?', '/']).next();
        let revision: Value = self
            .admin(Method::GET, &format!("/admin/api/revisions/{}", id.expect("id")))
            .await
            .json()
            .await
            .expect("JSON");
        serde_yaml_ng::from_str(revision["document"].as_str().expect("document")).expect("YAML")
    }
}

fn yaml(text: &str) -> Yaml {
    serde_yaml_ng::from_str(text).expect("YAML")
}

async fn a_form_saved_in_the_editor_is_a_draft_holding_exactly_that_form(backend: Backend) {
    let collector = start(backend).await;
    let list = collector.html("/admin/forms?site=pk_test").await;
    assert!(list.contains("/admin/forms/demo-request?site=pk_test"), "the forms are listed");
    assert!(list.contains("/admin/config/forms?site=pk_test"), "the YAML editor is linked");
    let before = collector.revision_count().await;

    let saved = collector.form_post(&callback_form("save")).await;
    assert!(saved.headers()[LOCATION].to_str().expect("location").contains("done=saved"));
    let document = collector.saved_document(saved).await;
    assert_eq!(collector.revision_count().await, before + 1);
    let forms = document["sites"][0]["forms"].as_sequence().expect("forms");
    assert_eq!(forms.len(), 3, "the other forms are kept");
    let expected = yaml(
        r#"
id: callback
name: Call-back <request>
fields:
  - { name: email, kind: email, label: Work email, placeholder: you@company.com, required: true }
  - name: slot
    kind: radio
    label: Best time
    help: Your time zone
    options: [{ value: morning, label: Morning }, { value: afternoon, label: Afternoon }]
  - { name: news, kind: consent, label: News, consent: { text: Send me news., version: v1 } }
  - { name: campaign, kind: hidden, source: utm_campaign }
steps: [[email, slot], [news]]
progressive: { ask_at_most: 1, queue: [slot] }
prefill: true
submit: Call me
success: { message: Thanks!, redirect: /thanks }
spam: { min_seconds: 5 }
"#,
    );
    assert_eq!(forms[2], expected);

    let page = collector.html("/admin/forms/callback?site=pk_test").await;
    assert!(page.contains("value=\"Call-back &lt;request&gt;\""), "escaped in a value");
    let again = with(with(callback_form("save-preview"), "original", "callback"), "name", "Again");
    let previewed = collector.form_post(&again).await;
    assert_eq!(previewed.status(), StatusCode::SEE_OTHER);
    let location = previewed.headers()[LOCATION].to_str().expect("location").to_owned();
    assert!(location.ends_with("/preview?site=pk_test&form=callback"), "{location}");
    let deleted = collector.form_post(&with(again, "action", "delete")).await;
    let document = collector.saved_document(deleted).await;
    assert_eq!(document["sites"][0]["forms"].as_sequence().map(Vec::len), Some(2), "deleted");
}

async fn buttons_change_the_form_and_save_nothing(backend: Backend) {
    let collector = start(backend).await;
    let before = collector.revision_count().await;
    let step = |action: &str| {
        let collector = &collector;
        let fields = callback_form(action);
        async move {
            let response = collector.form_post(&fields).await;
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.expect("HTML")
        }
    };
    let html = step("add-field").await;
    assert!(html.contains("name=\"fields[4].kind\""), "a fifth field");
    let html = step("field-up:1").await;
    assert!(html.contains("name=\"fields[0].name\" value=\"slot\""), "moved up");
    let html = step("field-down:0").await;
    assert!(html.contains("name=\"fields[1].name\" value=\"email\""), "moved down");
    let html = step("remove-field:2").await;
    assert!(!html.contains("value=\"Send me news.\""), "removed");
    let chosen = with(callback_form("refresh"), "fields[0].kind", "select");
    let html = collector.form_post(&chosen).await.text().await.expect("HTML");
    assert!(html.contains("name=\"fields[0].options\""), "the kind's settings are shown");
    assert_eq!(collector.revision_count().await, before, "nothing saved");
}

async fn problems_are_shown_at_their_field_and_save_nothing(backend: Backend) {
    let collector = start(backend).await;
    let before = collector.revision_count().await;
    let refused = |fields: Posted, field: &'static str| {
        let collector = &collector;
        async move {
            let response = collector.form_post(&fields).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}");
            let html = response.text().await.expect("HTML");
            let id = format!("id=\"f-{}-problem\"", field.replace(['[', ']', '.'], "-"));
            assert!(html.contains(&id), "a problem at {field}: {id}");
        }
    };
    refused(with(callback_form("save"), "fields[1].options", ""), "fields[1].options").await;
    refused(with(callback_form("save"), "fields[1].name", "email"), "fields[1].name").await;
    refused(with(callback_form("save"), "steps", "email, phone\nnews"), "steps").await;
    refused(with(callback_form("save"), "fields[2].consent.text", ""), "fields[2].consent.text")
        .await;
    refused(with(callback_form("save"), "spam.min_seconds", "soon"), "spam.min_seconds").await;
    refused(with(callback_form("save"), "success.download", "/book.pdf"), "success.redirect").await;
    refused(with(callback_form("save"), "id", "newsletter"), "id").await;

    // Renaming the form a block's call to action opens breaks the block: refused.
    let demo = collector.html("/admin/forms/demo-request?site=pk_test").await;
    assert!(demo.contains("name=\"fields[1].kept\""));
    let renamed = with(with(callback_form("save"), "original", "demo-request"), "id", "demo");
    let response = collector.form_post(&renamed).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.expect("HTML").contains("blocks[0]"), "the block is named");
    // Deleting the form a workflow starts from breaks the workflow: refused.
    let deleted = with(with(callback_form("delete"), "original", "newsletter"), "id", "newsletter");
    let response = collector.form_post(&deleted).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.expect("HTML").contains("workflows[0]"), "the workflow");
    assert_eq!(collector.revision_count().await, before, "nothing saved");
}

async fn keys_the_editor_does_not_show_are_kept(backend: Backend) {
    let collector = start(backend).await;
    let page = collector.html("/admin/forms/demo-request?site=pk_test").await;
    let kept = r###"{"pattern":"##-###","max_length":6,"message":{"en":"Use the form 00-000.","pl":"Wpisz kod w formie 00-000."}}"###;
    let shown = format!("name=\"fields[1].kept\" value=\"{}\"", kept.replace('"', "&quot;"));
    let at = page.find("name=\"fields[1].kept\"").unwrap_or(0);
    assert!(
        page.contains(&shown),
        "the other settings travel: {}",
        &page[at..(at + 300).min(page.len())]
    );
    assert!(page.contains("<code>pattern</code>"), "and are listed");
    let fields: Posted = [
        ("original", "demo-request"),
        ("id", "demo-request"),
        ("name", "Demo request"),
        ("fields[0].name", "email"),
        ("fields[0].kind", "email"),
        ("fields[0].label", "Work email"),
        ("fields[0].required", "on"),
        ("fields[1].name", "postcode"),
        ("fields[1].kind", "text"),
        ("fields[1].label", "Postcode"),
        ("fields[1].kept", kept),
        ("fields[2].name", "size"),
        ("fields[2].kind", "select"),
        ("fields[2].label", "Company size"),
        ("fields[2].options", "25|1-49\n500|250+"),
        ("steps", "email\npostcode, size"),
        ("success.message", "Thanks <b>you</b>!"),
        ("spam.min_seconds", "3"),
        ("spam.dedupe_minutes", "10"),
        ("action", "save"),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect();
    let document = collector.saved_document(collector.form_post(&fields).await).await;
    let original: Yaml =
        yaml(&std::fs::read_to_string(fixtures().join("form_editor.yaml")).expect("fixture"));
    let mut expected = original["sites"][0]["forms"][0].clone();
    expected["fields"][1]["label"] = Yaml::from("Postcode");
    assert_eq!(document["sites"][0]["forms"][0], expected, "only the label changed");
}

async fn a_viewer_cannot_post_a_form(backend: Backend) {
    let collector = start(backend).await;
    add_user(&collector, "vi@example.com", "viewer").await;
    let viewer = Browser::sign_in(&collector, "vi@example.com").await;
    let before = collector.revision_count().await;
    assert_eq!(viewer.get("/admin/forms/newsletter?site=pk_test").await.status(), StatusCode::OK);
    let posted = viewer
        .request(Method::POST, "/admin/forms?site=pk_test", "same-origin")
        .form(&callback_form("save"))
        .send()
        .await
        .expect("sent");
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
    let page = viewer.get("/admin/forms/newsletter?site=pk_test").await.text().await.expect("HTML");
    assert!(!page.contains("Save draft"), "no save button for a viewer");
    assert_eq!(collector.revision_count().await, before, "nothing saved");
}
