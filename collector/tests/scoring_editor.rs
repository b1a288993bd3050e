//! The console's scoring and stages editor over real HTTP, on both backends: the page
//! posted back as shown saves both sections unchanged (keys the editor does not show
//! included); thresholds, rules, fit rules and stages saved from fields become a draft
//! holding exactly that; buttons change the form and save nothing; problems are shown
//! beside their field and save nothing; viewers cannot save.

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
    the_page_posted_back_unchanged_keeps_every_key,
    fields_saved_become_a_draft_holding_exactly_that,
    buttons_change_the_form_and_save_nothing,
    problems_are_shown_at_their_field_and_save_nothing,
    a_viewer_cannot_save,
);

async fn start(backend: Backend) -> Collector {
    Collector::start_with(backend, |settings| {
        settings.config = Some(fixtures().join("scoring.yaml"));
    })
    .await
}

impl Collector {
    async fn scoring_post(&self, fields: &[(String, String)]) -> reqwest::Response {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .post(self.url("/admin/scoring?site=pk_test"))
            .bearer_auth(TOKEN)
            .form(fields)
            .send()
            .await
            .expect("scoring post")
    }

    async fn page(&self) -> String {
        let response = self.admin(Method::GET, "/admin/scoring?site=pk_test").await;
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("HTML")
    }

    async fn revision_count(&self) -> usize {
        let response = self.admin(Method::GET, "/admin/api/revisions").await;
        let body: Value = response.json().await.expect("JSON");
        body["revisions"].as_array().map_or(0, Vec::len)
    }

    /// The first site of the revision a 303 to its page names.
    async fn saved_site(&self, response: reqwest::Response) -> Yaml {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()[LOCATION].to_str().expect("location").to_owned();
        assert!(location.contains("done=saved"), "{location}");
        let id = location.trim_start_matches("/admin/revisions/").split('?').next().expect("id");
        let revision: Value = self
            .admin(Method::GET, &format!("/admin/api/revisions/{id}"))
            .await
            .json()
            .await
            .expect("JSON");
        let document: Yaml =
            serde_yaml_ng::from_str(revision["document"].as_str().expect("document"))
                .expect("YAML");
        document["sites"][0].clone()
    }
}

fn yaml(text: &str) -> Yaml {
    serde_yaml_ng::from_str(text).expect("YAML")
}

/// The site as the fixture writes it.
fn fixture_site() -> Yaml {
    let text = std::fs::read_to_string(fixtures().join("scoring.yaml")).expect("fixture");
    yaml(&text)["sites"][0].clone()
}

/// What a browser would post from `html`'s form: every input (a checkbox when ticked),
/// every select's chosen option, then `action`.
fn posted(html: &str, action: &str) -> Vec<(String, String)> {
    let form = &html[html.find("<form class=\"editor\"").expect("the editor's form")..];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        let end = rest.find('>').expect("a tag ends");
        let tag = &rest[..end];
        if tag.starts_with("<input") {
            let checkbox = attribute(tag, "type").as_deref() == Some("checkbox");
            if (!checkbox || tag.contains(" checked"))
                && let Some(name) = attribute(tag, "name")
            {
                fields.push((name, attribute(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<select") {
            let name = attribute(tag, "name").expect("a named select");
            let options = &rest[..rest.find("</select>").expect("select ends")];
            let chosen = options
                .split("<option")
                .skip(1)
                .find(|option| option.split('>').next().is_some_and(|o| o.contains(" selected")))
                .or_else(|| options.split("<option").nth(1))
                .expect("an option");
            fields.push((name, attribute(chosen, "value").unwrap_or_default()));
        }
        rest = &rest[end..];
    }
    fields.push(("action".to_owned(), action.to_owned()));
    fields
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let value = &tag[start..start + tag[start..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

fn with(mut fields: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    fields.retain(|(field, _)| field != name);
    fields.push((name.to_owned(), value.to_owned()));
    fields
}

async fn the_page_posted_back_unchanged_keeps_every_key(backend: Backend) {
    let collector = start(backend).await;
    let html = collector.page().await;
    assert!(html.contains("href=\"/admin/scoring?site=pk_test\" aria-current=\"page\""), "nav");
    assert!(
        html.contains("/admin/config/scoring?site=pk_test")
            && html.contains("/admin/config/stages?site=pk_test")
    );
    assert!(html.contains("&lt;Finance&gt;") && !html.contains("<Finance>"), "escaped");
    let site = collector.saved_site(collector.scoring_post(&posted(&html, "save")).await).await;
    let fixture = fixture_site();
    assert_eq!(site["scoring"], fixture["scoring"]);
    assert_eq!(site["stages"], fixture["stages"]);
    assert_eq!(site["scoring"]["rules"][1]["when"]["props"], yaml("{plan: pro, seats: 10}"));

    // Editing a rule overwrites only the keys the editor shows.
    let edited = with(with(posted(&html, "save"), "rules[1].points", "30"), "rules[1].name", "");
    let site = collector.saved_site(collector.scoring_post(&edited).await).await;
    assert_eq!(
        site["scoring"]["rules"][1],
        yaml(
            "{id: upgrade, points: 30, when: {type: custom, props: {plan: pro, seats: 10}}, cap: {ever: 1}}"
        )
    );
    assert_eq!(site["scoring"]["decay"], yaml("{after_days: 60, points: -20, floor: 5}"));
}

/// A whole new model, as fields.
fn new_model() -> Vec<(String, String)> {
    [
        ("thresholds.warm", "25"),
        ("thresholds.hot", "60"),
        ("decay.after_days", ""),
        ("decay.points", ""),
        ("decay.floor", ""),
        ("rules[0].id", "webinar"),
        ("rules[0].points", "15"),
        ("rules[0].type", "form_submit"),
        ("rules[0].name", "webinar"),
        ("rules[0].path", ""),
        ("rules[0].url", ""),
        ("rules[0].cap", "ever"),
        ("rules[0].cap_count", "1"),
        ("rules[0].kept", ""),
        ("rules[1].id", "docs"),
        ("rules[1].points", "2"),
        ("rules[1].type", "pageview"),
        ("rules[1].path", "/docs/*"),
        ("rules[1].cap", "per_day"),
        ("rules[1].cap_count", "3"),
        ("fit[0].id", "big"),
        ("fit[0].points", "20"),
        ("fit[0].rule.0.kind", "all"),
        ("fit[0].rule.1.kind", "condition"),
        ("fit[0].rule.1.depth", "1"),
        ("fit[0].rule.1.fact", "trait.company_size"),
        ("fit[0].rule.1.op", "gte"),
        ("fit[0].rule.1.value", "1000"),
        ("fit_open", "0"),
        ("stages.mql_score", "40"),
        ("stages.sql_score", "80"),
        ("stages.choices", "2"),
        ("stages.sql_forms[0]", "ebook"),
        ("message", "A new model"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

async fn fields_saved_become_a_draft_holding_exactly_that(backend: Backend) {
    let collector = start(backend).await;
    let before = collector.revision_count().await;
    let site = collector
        .saved_site(collector.scoring_post(&with(new_model(), "action", "save")).await)
        .await;
    assert_eq!(collector.revision_count().await, before + 1);
    assert_eq!(
        site["scoring"],
        yaml(
            r#"
rules:
  - { id: webinar, points: 15, when: { type: form_submit, name: webinar }, cap: { ever: 1 } }
  - { id: docs, points: 2, when: { type: pageview, path: "/docs/*" }, cap: { per_day: 3 } }
fit:
  - { id: big, points: 20, rule: { fact: trait.company_size, op: gte, value: 1000 } }
thresholds: { warm: 25, hot: 60 }
"#
        )
    );
    assert_eq!(site["stages"], yaml("{mql_score: 40, sql_score: 80, sql_forms: [ebook]}"));
    assert_eq!(site["forms"], fixture_site()["forms"], "the rest of the site is kept");
    let page = collector.page().await;
    assert!(page.contains("name=\"rules[0].id\" value=\"webinar\""), "the editor reads the draft");
}

async fn buttons_change_the_form_and_save_nothing(backend: Backend) {
    let collector = start(backend).await;
    let before = collector.revision_count().await;
    let html = collector.page().await;
    let step = |action: &str| {
        let fields = posted(&html, action);
        let action = action.to_owned();
        let collector = &collector;
        async move {
            let response = collector.scoring_post(&fields).await;
            assert_eq!(response.status(), StatusCode::OK, "{action}");
            response.text().await.expect("HTML")
        }
    };
    let added = step("behaviour-add").await;
    assert!(added.contains("name=\"rules[3].id\" value=\"rule_4\""), "a fourth rule");
    let moved = step("behaviour-down:0").await;
    assert!(moved.contains("name=\"rules[1].id\" value=\"pricing_page\""), "moved down");
    let removed = step("behaviour-remove:0").await;
    assert!(!removed.contains("value=\"pricing_page\""), "removed");
    let fit = step("fit-add").await;
    assert!(fit.contains("name=\"fit[2].id\" value=\"fit_3\""), "a third fit rule");
    assert!(fit.contains("id=\"f-fit-2--rule-1-fact\""), "opened in the builder");
    let opened = step("fit-edit:1").await;
    assert!(opened.contains("id=\"f-fit-1--rule-0-kind\""), "the second fit rule's builder");
    assert!(!opened.contains("id=\"f-fit-0--rule-0-kind\""), "the first one closed");
    let grown = step("rule-add-condition:0").await;
    assert!(grown.contains("name=\"fit[0].rule.2.fact\""), "a condition in the open rule");
    assert_eq!(collector.revision_count().await, before, "nothing saved");
}

async fn problems_are_shown_at_their_field_and_save_nothing(backend: Backend) {
    let collector = start(backend).await;
    let before = collector.revision_count().await;
    let refused = |fields: Vec<(String, String)>, field: &'static str| {
        let collector = &collector;
        async move {
            let response = collector.scoring_post(&fields).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{field}");
            let html = response.text().await.expect("HTML");
            let id = format!("id=\"f-{}-problem\"", field.replace(['[', ']', '.'], "-"));
            assert!(html.contains(&id), "a problem at {field}: {id}");
            html
        }
    };
    let model = || with(new_model(), "action", "save");
    refused(with(model(), "thresholds.hot", "20"), "thresholds.hot").await;
    let html = refused(with(model(), "fit[0].rule.1.fact", "no_such_fact"), "fit[0].rule").await;
    assert!(html.contains("unknown fact: no_such_fact"), "the validator's message");
    refused(with(model(), "stages.sql_forms[1]", "nope"), "stages.sql_forms").await;
    refused(with(model(), "rules[1].id", "webinar"), "rules[1].id").await;
    refused(with(model(), "rules[0].points", "many"), "rules[0].points").await;
    refused(with(model(), "decay.after_days", "30"), "decay.points").await;
    assert_eq!(collector.revision_count().await, before, "nothing saved");
}

async fn a_viewer_cannot_save(backend: Backend) {
    let collector = start(backend).await;
    add_user(&collector, "vi@example.com", "viewer").await;
    let viewer = Browser::sign_in(&collector, "vi@example.com").await;
    let before = collector.revision_count().await;
    let page = viewer.get("/admin/scoring?site=pk_test").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(!page.text().await.expect("HTML").contains("Save draft"), "no save for a viewer");
    let response = viewer
        .request(Method::POST, "/admin/scoring?site=pk_test", "same-origin")
        .form(&with(new_model(), "action", "save"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(collector.revision_count().await, before, "nothing saved");
}
