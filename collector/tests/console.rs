//! The admin console over real HTTP, on both backends: pages render for leads seeded
//! through the public API, with the security headers on every answer and the assets
//! under hashed, immutable names; visitor-controlled values are escaped and never
//! linked unless they are web URLs; filters and sorting pick the right leads, and the
//! CSV export follows them; stage changes, the data export and erasure work from the
//! page's forms; requests without the admin credential are refused.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION,
};
use serde_json::{Value, json};

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
mod harness;

use harness::*;

on_both_backends!(
    pages_render_seeded_leads_with_security_headers,
    visitor_values_are_escaped_and_never_script_links,
    filters_and_sorting_pick_the_right_leads,
    profile_actions_change_stage_export_and_erase,
    requests_without_a_credential_are_sent_to_sign_in_or_refused,
    the_sign_in_form_and_the_revision_pages_publish_a_change,
);

const ANN: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000a0001";
const BOB: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000b0001";
const CY: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000c0001";
const EVE: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000e0001";
const SVG: &str = "\"><svg onload=alert(1)>";
const SCRIPT: &str = "<script>alert(1)</script>";
const JS_URL: &str = "javascript:alert(1)";
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn start(backend: Backend) -> Collector {
    Collector::start_with(backend, |settings| {
        settings.config = Some(fixtures().join("console.yaml"));
        settings.rate_limit_ip = 10_000;
        settings.form_rate_limit_ip = 1_000;
    })
    .await
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

impl Collector {
    /// GETs a console page with the admin token; asserts the status and the headers
    /// every page carries; returns the HTML.
    async fn page(&self, path: &str) -> String {
        let response = self.admin(reqwest::Method::GET, path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        assert_page_headers(&response, path);
        let content_type = response.headers()[CONTENT_TYPE].to_str().expect("text").to_owned();
        assert!(content_type.starts_with("text/html"), "{path}: {content_type}");
        response.text().await.expect("HTML")
    }

    /// POSTs a console form with the admin token, not following the redirect.
    async fn form_post(&self, path: &str, body: &str) -> reqwest::Response {
        no_redirects()
            .post(self.url(path))
            .bearer_auth(TOKEN)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await
            .expect("console form post")
    }

    async fn pageview(&self, visitor: &str, n: u32, url: &str, referrer: Option<&str>) {
        let mut view = json!({"id": uuid_for(n), "type": "pageview", "session": SESSION,
                              "url": url, "title": "Page", "ts": 1});
        if let Some(referrer) = referrer {
            view["referrer"] = json!(referrer);
        }
        let mut context = json!({"visit": 1, "landing": url});
        if let Some(referrer) = referrer {
            context["referrer"] = json!(referrer);
        }
        let batch =
            json!({"site": "pk_test", "visitor": visitor, "events": [view], "context": context});
        let response = self.post("/v1/events", Some(ALLOWED), batch.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK, "pageview {n}");
    }

    async fn submit(&self, form: &str, visitor: &str, n: u32, values: Value) {
        let body = json!({"site": "pk_test", "visitor": visitor, "id": uuid_for(n),
                          "session": SESSION, "url": "https://www.example.com/ebook",
                          "values": values, "elapsed_ms": 9_000});
        let path = format!("/v1/forms/{form}/submissions");
        let response = self.post(&path, Some(ALLOWED), body.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK, "submission {n} of {form}");
    }

    /// Three leads: Ann (45, warm, lead, enterprise, from email, seen last), Bob (50,
    /// warm, sql, from organic search), Cy (20, cold, lead, direct, first seen last).
    async fn seed_three(&self) {
        let pricing = "https://www.example.com/pricing?utm_source=newsletter&utm_medium=email";
        self.pageview(ANN, 1, pricing, None).await;
        self.submit(
            "ebook",
            ANN,
            2,
            json!({"email": "ann@example.com", "name": "Ann Archer", "company_size": "500", "news": "true"}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(15)).await;
        let search = Some("https://www.google.com/");
        self.pageview(BOB, 3, "https://www.example.com/pricing", search).await;
        self.submit("demo-request", BOB, 4, json!({"email": "Bob@Example.com", "name": "Bob"}))
            .await;
        tokio::time::sleep(Duration::from_millis(15)).await;
        self.pageview(CY, 5, "https://www.example.com/", None).await;
        self.submit(
            "ebook",
            CY,
            6,
            json!({"email": "cy@example.com", "name": "Cy", "company_size": "10"}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(15)).await;
        self.pageview(ANN, 7, "https://www.example.com/blog", None).await;
    }
}

fn assert_page_headers(response: &reqwest::Response, path: &str) {
    let header = |name: &str| {
        response.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_owned)
    };
    assert_eq!(header("content-security-policy").as_deref(), Some(POLICY), "CSP of {path}");
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{path}");
    assert_eq!(header("referrer-policy").as_deref(), Some("same-origin"), "{path}");
    assert_eq!(header("cache-control").as_deref(), Some("no-store"), "{path}");
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
}

/// The emails of the leads table's rows, in order.
fn emails(html: &str) -> Vec<String> {
    let Some(body) = html.split("<tbody>").nth(1) else { return Vec::new() };
    let body = body.split("</tbody>").next().unwrap_or_default();
    body.split("<a href=\"/admin/leads/")
        .skip(1)
        .filter_map(|link| link.split_once("\">").and_then(|(_, rest)| rest.split_once("</a>")))
        .map(|(text, _)| text.to_owned())
        .collect()
}

/// Every `href` value in `html`.
fn hrefs(html: &str) -> Vec<&str> {
    html.split(" href=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect()
}

/// Today (UTC) plus `days`, as `YYYY-MM-DD`.
fn day(days: i64) -> String {
    let date = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

async fn pages_render_seeded_leads_with_security_headers(backend: Backend) {
    let collector = start(backend).await;
    collector.seed_three().await;

    let home = no_redirects()
        .get(collector.url("/admin"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("GET /admin");
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(home.headers()[LOCATION], "/admin/leads");

    let list = collector.page("/admin/leads").await;
    assert_eq!(emails(&list), ["bob@example.com", "ann@example.com", "cy@example.com"]);
    assert!(list.contains("Ann Archer") && list.contains("admin-token"), "names and the actor");
    assert!(list.contains(r#"<span class="badge role">owner</span>"#), "the actor's role");
    assert!(list.contains(r#"<main id="main""#) && list.contains("<nav"), "landmarks");
    assert!(list.contains(r#"<option value="pk_x_other""#), "the switcher lists both sites");
    assert!(list.contains(r#"aria-current="page">Leads</a>"#), "the section is marked");
    let other = collector.page("/admin/leads?site=pk_x_other").await;
    assert!(emails(&other).is_empty(), "the other site has no lead: {other}");
    let unknown = collector.admin(reqwest::Method::GET, "/admin/leads?site=nope").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let profile = collector.page(&format!("/admin/leads/{ANN}?site=pk_test")).await;
    for shown in [
        "ann@example.com",
        "Ann Archer",
        "form:ebook",
        "Send me the newsletter.",
        "news-v2",
        "pricing_interest",
        "enterprise",
        "ebook_download",
        "enterprise_size",
        "https://www.example.com/blog",
        "newsletter",
    ] {
        assert!(profile.contains(shown), "the profile shows {shown}");
    }
    assert!(profile.contains(r#"action="/admin/leads/"#), "an owner sees the actions");
    let confirm = collector.page(&format!("/admin/leads/{ANN}/erase?site=pk_test")).await;
    assert!(confirm.contains("Erase permanently"));
    let missing = collector.admin(reqwest::Method::GET, "/admin/leads/nobody?site=pk_test").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()[CONTENT_SECURITY_POLICY], POLICY, "error pages too");
    println!("page sizes: leads list {} bytes, profile {} bytes", list.len(), profile.len());

    let linked: Vec<&str> =
        hrefs(&list).into_iter().filter(|href| href.starts_with("/admin/assets/")).collect();
    assert_eq!(linked.len(), 2, "stylesheet and icon: {linked:?}");
    assert!(list.contains(r#"<script src="/admin/assets/console."#), "the script");
    let css = linked.iter().find(|href| href.ends_with(".css")).expect("a stylesheet");
    let response = collector.http.get(collector.url(css)).send().await.expect("CSS");
    assert_eq!(response.status(), StatusCode::OK, "assets need no sign-in");
    assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert!(response.headers()[CONTENT_TYPE].to_str().expect("text").starts_with("text/css"));
    assert_eq!(response.headers()[CONTENT_SECURITY_POLICY], POLICY);
    let etag = response.headers()[ETAG].clone();
    assert!(response.text().await.expect("CSS").contains(".sidebar"));
    let again = collector
        .http
        .get(collector.url(css))
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("CSS again");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let stale = collector.http.get(collector.url("/admin/assets/console.0.css")).send().await;
    assert_eq!(stale.expect("old name").status(), StatusCode::NOT_FOUND);
}

async fn visitor_values_are_escaped_and_never_script_links(backend: Backend) {
    let collector = start(backend).await;
    let landing = "https://www.example.com/pricing?utm_source=%22%3E%3Csvg%20onload%3Dalert(1)%3E&utm_campaign=%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let events = json!([
        {"id": uuid_for(1), "type": "pageview", "session": SESSION, "url": landing,
         "title": SVG, "referrer": JS_URL, "ts": 1},
        {"id": uuid_for(2), "type": "pageview", "session": SESSION, "url": JS_URL,
         "title": SCRIPT, "ts": 1},
        {"id": uuid_for(3), "type": "click", "session": SESSION, "url": landing,
         "name": SVG, "target": JS_URL, "ts": 1},
        {"id": uuid_for(4), "type": "custom", "session": SESSION, "url": landing,
         "name": "hostile", "props": {"answer": SCRIPT, "other": SVG}, "ts": 1},
    ]);
    let batch = json!({"site": "pk_test", "visitor": EVE, "events": events,
                       "context": {"visit": 1, "landing": landing, "referrer": JS_URL}});
    let response = collector
        .http
        .post(collector.url("/v1/events"))
        .header(CONTENT_TYPE, "text/plain")
        .header("origin", ALLOWED)
        .header("user-agent", format!("Mozilla/5.0 {SVG} {SCRIPT}"))
        .body(batch.to_string())
        .send()
        .await
        .expect("events");
    let accepted: Value = response.json().await.expect("JSON");
    assert_eq!(accepted["accepted"], 4, "{accepted}");
    collector
        .submit(
            "ebook",
            EVE,
            5,
            json!({"email": "eve@example.com", "name": SVG, "company": SCRIPT, "news": "true"}),
        )
        .await;

    let list = collector.page("/admin/leads").await;
    let profile = collector.page(&format!("/admin/leads/{EVE}?site=pk_test")).await;
    for (page, html) in [("list", &list), ("profile", &profile)] {
        let lower = html.to_lowercase();
        assert!(!lower.contains("<svg"), "{page}: an unescaped <svg");
        assert_eq!(lower.matches("<script").count(), 1, "{page}: only the console's own script");
        assert!(html.contains("&quot;&gt;&lt;svg onload=alert(1)&gt;"), "{page}: shown escaped");
        for href in hrefs(html) {
            let safe = href.starts_with('/')
                || href.starts_with('#')
                || href.starts_with("https://")
                || href.starts_with("http://");
            assert!(safe && !href.starts_with("//"), "{page}: a link to {href}");
        }
    }
    assert!(profile.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the company, escaped");
    assert!(profile.contains(r#"<span class="url">javascript:alert(1)</span>"#), "as text");
    assert!(!profile.to_lowercase().contains("href=\"javascript"), "never a script link");
    for link in profile.split("<a ").skip(1).filter(|a| a.starts_with("class=\"url\"")) {
        assert!(link.contains(r#"rel="noopener noreferrer nofollow""#), "a link out: {link}");
    }
    assert!(profile.contains("Page"), "the timeline shows pages");
    assert!(
        profile.contains("<dt>utm_campaign</dt>") && profile.contains("<dt>utm_source</dt>"),
        "UTM values are shown"
    );
    assert!(profile.contains("https://www.example.com/pricing?utm_source"), "the landing page");
}

async fn filters_and_sorting_pick_the_right_leads(backend: Backend) {
    let collector = start(backend).await;
    collector.seed_three().await;
    let leads = |query: String| {
        let collector = &collector;
        async move { emails(&collector.page(&format!("/admin/leads?site=pk_test&{query}")).await) }
    };
    let (ann, bob, cy) = ("ann@example.com", "bob@example.com", "cy@example.com");
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("sort=score".into(), vec![bob, ann, cy]),
        ("sort=email".into(), vec![ann, bob, cy]),
        ("sort=last_seen".into(), vec![ann, cy, bob]),
        ("sort=first_seen".into(), vec![cy, bob, ann]),
        ("q=ARCHER".into(), vec![ann]),
        ("q=bob%40".into(), vec![bob]),
        ("temperature=cold".into(), vec![cy]),
        ("temperature=warm&sort=email".into(), vec![ann, bob]),
        ("stage=sql".into(), vec![bob]),
        ("segment=enterprise".into(), vec![ann]),
        ("segment=pricing_interest".into(), vec![bob, ann]),
        ("min_score=41&max_score=49".into(), vec![ann]),
        ("min_score=&max_score=&q=".into(), vec![bob, ann, cy]),
        ("channel=email".into(), vec![ann]),
        ("channel=organic_search".into(), vec![bob]),
        ("channel=direct".into(), vec![cy]),
        (format!("first_from={}", day(1)), vec![]),
        (format!("first_from={}&first_to={}", day(0), day(0)), vec![bob, ann, cy]),
        (format!("last_from={}", day(0)), vec![bob, ann, cy]),
        (format!("last_to={}", day(-1)), vec![]),
        ("page=2".into(), vec![]),
    ];
    for (query, expected) in cases {
        assert_eq!(leads(query.clone()).await, expected, "leads for {query}");
    }
    let bad = collector.admin(reqwest::Method::GET, "/admin/leads?min_score=lots").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let list =
        collector.page("/admin/leads?site=pk_test&segment=pricing_interest&sort=email").await;
    let export = hrefs(&list)
        .into_iter()
        .find(|href| href.starts_with("/admin/leads/export?"))
        .expect("an export link")
        .replace("&amp;", "&");
    let csv = collector.admin(reqwest::Method::GET, &export).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()[CONTENT_TYPE].to_str().expect("text").starts_with("text/csv"));
    let text = csv.text().await.expect("CSV");
    let rows: Vec<&str> = text.lines().skip(1).filter_map(|line| line.split(',').nth(1)).collect();
    assert_eq!(rows, [ann, bob], "the export follows the list's filters and order:\n{text}");
}

async fn profile_actions_change_stage_export_and_erase(backend: Backend) {
    let collector = start(backend).await;
    collector.seed_three().await;
    let profile_path = format!("/admin/leads/{CY}?site=pk_test");

    let set =
        collector.form_post(&format!("/admin/leads/{CY}/stage?site=pk_test"), "stage=mql").await;
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    assert_eq!(set.headers()[LOCATION], profile_path.as_str());
    let api = collector.profile(&format!("id={CY}")).await;
    assert_eq!(api["person"]["stage"], "mql");
    let causes: Vec<&str> = api["stage_changes"]
        .as_array()
        .expect("stage changes")
        .iter()
        .filter_map(|change| change["cause"].as_str())
        .collect();
    assert!(causes.contains(&"set_in_console"), "{causes:?}");
    let page = collector.page(&profile_path).await;
    assert!(page.contains("set_in_console"), "the stage history shows the change");
    let wrong =
        collector.form_post(&format!("/admin/leads/{CY}/stage?site=pk_test"), "stage=king").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);

    let customer =
        collector.form_post(&format!("/admin/leads/{CY}/customer?site=pk_test"), "").await;
    assert_eq!(customer.status(), StatusCode::SEE_OTHER);
    assert_eq!(collector.profile(&format!("id={CY}")).await["person"]["stage"], "customer");

    let export = collector
        .admin(reqwest::Method::GET, &format!("/admin/leads/{ANN}/export?site=pk_test"))
        .await;
    assert_eq!(export.status(), StatusCode::OK);
    let disposition = export.headers()["content-disposition"].to_str().expect("text").to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let document: Value = export.json().await.expect("JSON");
    assert_eq!(document["person"]["email"], "ann@example.com");
    assert_eq!(document["consents"][0]["version"], "news-v2", "{document}");

    let erase = collector.form_post(&format!("/admin/leads/{CY}/erase?site=pk_test"), "").await;
    assert_eq!(erase.status(), StatusCode::SEE_OTHER);
    assert_eq!(erase.headers()[LOCATION], "/admin/leads?site=pk_test&erased=1");
    let gone = collector.admin(reqwest::Method::GET, &profile_path).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let api = collector
        .admin(reqwest::Method::GET, &format!("/admin/api/profile?site=pk_test&id={CY}"))
        .await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND, "erased for the API too");
    let list = collector.page("/admin/leads?site=pk_test&erased=1").await;
    assert_eq!(emails(&list), ["bob@example.com", "ann@example.com"]);
    assert!(list.contains("were erased"), "the list says so");
    let again = collector.form_post(&format!("/admin/leads/{CY}/erase?site=pk_test"), "").await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

async fn requests_without_a_credential_are_sent_to_sign_in_or_refused(backend: Backend) {
    let collector = start(backend).await;
    collector.seed_three().await;
    let client = no_redirects();
    for path in ["/admin", "/admin/leads", "/admin/leads/export", &format!("/admin/leads/{ANN}")] {
        let anonymous = client.get(collector.url(path)).send().await.expect("GET");
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "GET {path}: to the login page");
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(anonymous.headers()[LOCATION], format!("/admin/login?next={next}"));
        assert_eq!(anonymous.headers()[CONTENT_SECURITY_POLICY], POLICY, "{path}");
        let wrong = client.get(collector.url(path)).bearer_auth("wrong").send().await.expect("GET");
        assert_eq!(wrong.status(), StatusCode::SEE_OTHER, "GET {path} with a wrong token");
    }
    let erase = client
        .post(collector.url(&format!("/admin/leads/{ANN}/erase?site=pk_test")))
        .send()
        .await
        .expect("POST");
    assert_eq!(erase.status(), StatusCode::SEE_OTHER);
    let kept = collector.profile(&format!("id={ANN}")).await;
    assert_eq!(kept["person"]["email"], "ann@example.com", "nothing was erased");
}

/// Signs `email` in through the sign-in form; returns the session cookie.
async fn signed_in_cookie(collector: &Collector, email: &str) -> String {
    let client = no_redirects();
    let form = [("email", email), ("password", accounts::PASSWORD), ("next", "/admin/revisions")];
    let response = client
        .post(collector.url("/admin/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed in");
    assert_eq!(response.headers()[LOCATION], "/admin/revisions");
    accounts::session_cookie(&response).expect("a session cookie")
}

async fn the_sign_in_form_and_the_revision_pages_publish_a_change(backend: Backend) {
    let collector = start(backend).await;
    accounts::team(&collector).await;
    let client = no_redirects();
    let wrong = client
        .post(collector.url("/admin/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("email", accounts::EDITOR),
            ("password", "not the password"),
            ("next", "//evil.example"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let page = wrong.text().await.expect("HTML");
    assert!(page.contains("Wrong email or password") && !page.contains("evil.example"), "{page}");

    let cookie = signed_in_cookie(&collector, accounts::EDITOR).await;
    let with = |request: reqwest::RequestBuilder| {
        request
            .header("cookie", format!("kindling_session={cookie}"))
            .header("sec-fetch-site", "same-origin")
    };
    let editor = with(client.get(collector.url("/admin/revisions/new"))).send().await.expect("GET");
    assert_eq!(editor.status(), StatusCode::OK);
    let html = editor.text().await.expect("HTML");
    assert!(html.contains("<textarea"), "the editor");
    let live = std::fs::read_to_string(fixtures().join("console.yaml")).expect("fixture");

    let broken = format!("{live}\n  - nonsense\n");
    let refused = with(client.post(collector.url("/admin/revisions")))
        .form(&[("document", broken.as_str()), ("message", "broken")])
        .send()
        .await
        .expect("POST");
    assert_eq!(refused.status(), StatusCode::SEE_OTHER, "a draft is kept even when invalid");
    let draft_page = refused.headers()[LOCATION].to_str().expect("location").to_owned();
    let shown = with(client.get(collector.url(&draft_page))).send().await.expect("GET");
    let html = shown.text().await.expect("HTML");
    assert!(html.contains("cannot be published"), "the problem is shown: {html}");
    assert!(!html.contains(r#"/publish?"#), "no publish button for an invalid draft");

    let (id, _) = draft_page.trim_start_matches("/admin/revisions/").split_once('?').expect("id");
    let publish = with(client.post(collector.url(&format!("/admin/revisions/{id}/publish"))))
        .send()
        .await
        .expect("POST");
    assert_eq!(publish.status(), StatusCode::BAD_REQUEST, "refused");

    let changed = live.replacen("points: 20", "points: 25", 1);
    assert_ne!(changed, live);
    let fine = format!("{changed}# a comment the export keeps\n");
    let saved = with(client.post(collector.url("/admin/revisions")))
        .form(&[("document", fine.as_str()), ("message", "a comment")])
        .send()
        .await
        .expect("POST");
    let location = saved.headers()[LOCATION].to_str().expect("location").to_owned();
    let (id, _) = location.trim_start_matches("/admin/revisions/").split_once('?').expect("id");
    let published = with(client.post(collector.url(&format!("/admin/revisions/{id}/publish"))))
        .send()
        .await
        .expect("POST");
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    let exported = collector
        .admin(reqwest::Method::GET, "/admin/api/config")
        .await
        .text()
        .await
        .expect("YAML");
    assert_eq!(exported, fine);

    let viewer = signed_in_cookie(&collector, accounts::VIEWER).await;
    let as_viewer = client
        .post(collector.url(&format!("/admin/revisions/{id}/restore")))
        .header("cookie", format!("kindling_session={viewer}"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("POST");
    assert_eq!(as_viewer.status(), StatusCode::FORBIDDEN, "a viewer changes nothing");
    let cross_site = client
        .post(collector.url(&format!("/admin/revisions/{id}/restore")))
        .header("cookie", format!("kindling_session={cookie}"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("POST");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN, "no cross-site change");

    let out = with(client.post(collector.url("/admin/logout"))).send().await.expect("POST");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = with(client.get(collector.url("/admin/revisions"))).send().await.expect("GET");
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "signed out: back to the sign-in page");
}
