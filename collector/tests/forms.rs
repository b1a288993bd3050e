//! Lead forms over real HTTP, on both backends: submissions that become leads (traits
//! with their source, consent records, the `form_submit` event and its score), the
//! 4xx answers to bad bodies with nothing stored, spam defences, repeats collapsed into
//! one lead, progressive profiling, double opt-in, the plain HTML fallback and the form
//! report.

use reqwest::StatusCode;
use serde_json::{Value, json};

#[path = "support/harness.rs"]
mod harness;

use harness::*;

on_both_backends!(
    a_submission_becomes_a_consented_lead,
    bad_bodies_get_field_errors_and_store_nothing,
    spam_is_refused_counted_and_never_a_lead,
    the_same_lead_sent_twice_is_one_submission,
    progressive_profiling_asks_only_what_is_unknown,
    double_opt_in_waits_for_the_confirmation_link,
    plain_html_forms_are_accepted_and_sent_back,
    plain_form_posts_from_pages_the_site_does_not_allow_are_refused,
    the_form_report_counts_the_funnel_and_drop_off,
);

const ANN: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000a0001";
const BOB: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000b0001";

fn ebook_values() -> Value {
    json!({"email": " Ann@Example.com ", "name": "Ann", "company": "Acme",
           "company_size": "500", "news": "true", "campaign": "spring"})
}

/// A submission body of `visitor` for `values`, shown `elapsed_ms` before.
fn submission(visitor: &str, id: u32, values: Value, elapsed_ms: u64) -> Value {
    json!({"site": "pk_test", "visitor": visitor, "id": uuid_for(id), "session": SESSION,
           "url": "https://www.example.com/ebook", "values": values, "elapsed_ms": elapsed_ms})
}

impl Collector {
    async fn submit(&self, form: &str, body: &Value) -> reqwest::Response {
        self.post(&format!("/v1/forms/{form}/submissions"), Some(ALLOWED), body.to_string()).await
    }

    async fn submit_ok(&self, form: &str, body: &Value) -> Value {
        let response = self.submit(form, body).await;
        assert_eq!(response.status(), StatusCode::OK, "submission of {form}");
        response.json().await.expect("JSON")
    }

    async fn form_report(&self) -> Value {
        let response =
            self.admin(reqwest::Method::GET, "/admin/api/reports/forms?site=pk_test").await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("JSON")
    }

    async fn submit_events(&self) -> Vec<Value> {
        self.events().await.into_iter().filter(|event| event["kind"] == "form_submit").collect()
    }
}

fn report_of<'a>(report: &'a Value, form: &str) -> &'a Value {
    report["forms"].as_array().expect("forms").iter().find(|f| f["form"] == form).expect("form")
}

async fn a_submission_becomes_a_consented_lead(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    let answer = collector.submit_ok("ebook", &submission(ANN, 1, ebook_values(), 9_000)).await;
    assert_eq!(answer["submission"], uuid_for(1));
    assert!(answer.get("duplicate").is_none(), "{answer}");
    assert_eq!(answer["success"]["download"], "/files/guide.pdf");
    assert_eq!(answer["success"]["message"], "Here it is");

    let profile = collector.profile("email=ann@example.com").await;
    let person = &profile["person"];
    assert_eq!(person["id"], ANN);
    assert_eq!(person["traits"]["company"]["value"], "Acme");
    assert_eq!(person["traits"]["company"]["source"], "form:ebook");
    assert_eq!(person["traits"]["company_size"]["value"], 500.0, "a choice of numbers is a number");
    assert!(person["traits"].get("campaign").is_none(), "hidden values are not traits");
    assert_eq!(person["marketing_consent"], true);
    assert_eq!(person["stage"], "lead");
    // 20 for the e-book and 15 for fit.
    assert_eq!(person["score"], 35);

    let submits = collector.submit_events().await;
    assert_eq!(submits.len(), 1);
    assert_eq!(submits[0]["name"], "ebook");
    let report = collector.form_report().await;
    let ebook = report_of(&report, "ebook");
    assert_eq!(ebook["submissions"], 1);
    assert_eq!(ebook["confirmed"], 1);
    assert_eq!(
        ebook["consents"],
        json!([{"field": "news", "version": "news-v2", "given": 1, "confirmed": 1}])
    );

    // The same address from another device: merged into the same person.
    let demo = json!({"email": "ann@example.com", "name": "Ann", "company": "Acme",
                      "phone": "+48 600 700 800"});
    collector.submit_ok("demo-request", &submission(BOB, 2, demo, 9_000)).await;
    let profile = collector.profile("email=ann@example.com").await;
    let mut visitors: Vec<&str> = profile["visitors"]
        .as_array()
        .expect("visitors")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    visitors.sort_unstable();
    assert_eq!(visitors, [ANN, BOB]);
    assert_eq!(profile["person"]["stage"], "sql");
}

async fn bad_bodies_get_field_errors_and_store_nothing(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    // Missing required values, one too long, one not an option, one unknown: all at once.
    let values = json!({"email": "ann@example", "name": "A name far longer than twenty",
                        "company_size": "7", "favourite": "blue"});
    let response = collector.submit("ebook", &submission(ANN, 1, values, 9_000)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "invalid_fields");
    let codes: Vec<(String, String)> = body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap_or("").to_owned(),
                f["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("email", "email"),
        ("name", "too_long"),
        ("company", "required"),
        ("company_size", "not_an_option"),
        ("favourite", "unknown"),
    ];
    assert_eq!(codes, expected.map(|(f, c)| (f.to_owned(), c.to_owned())), "{body}");
    assert_eq!(body["fields"][1]["message"], "Use at most 20 characters.");

    // The same words in Polish.
    let mut polish = submission(ANN, 2, json!({"email": "ann@example.com"}), 9_000);
    polish["lang"] = json!("pl-PL");
    let body: Value = collector.submit("ebook", &polish).await.json().await.expect("JSON");
    assert_eq!(body["fields"][0]["field"], "name");
    assert_eq!(body["fields"][0]["message"], "To pole jest wymagane.");

    // Wrong types, unknown members, broken and oversized bodies: 4xx naming the field.
    let mut wrong_type = submission(ANN, 3, ebook_values(), 9_000);
    wrong_type["values"]["company_size"] = json!(500);
    let response = collector.submit("ebook", &wrong_type).await;
    expect_error(response, StatusCode::BAD_REQUEST, "invalid_field", Some("values.company_size"))
        .await;
    let mut unknown = submission(ANN, 4, ebook_values(), 9_000);
    unknown["admin"] = json!(true);
    expect_error(
        collector.submit("ebook", &unknown).await,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("admin"),
    )
    .await;
    let mut no_values = submission(ANN, 5, ebook_values(), 9_000);
    no_values.as_object_mut().expect("object").remove("values");
    expect_error(
        collector.submit("ebook", &no_values).await,
        StatusCode::BAD_REQUEST,
        "invalid_field",
        Some("values"),
    )
    .await;
    let bad_id = submission(ANN, 6, ebook_values(), 9_000);
    let bad_id = bad_id.to_string().replace(&uuid_for(6), "not-a-uuid");
    let response = collector.post("/v1/forms/ebook/submissions", Some(ALLOWED), bad_id).await;
    expect_error(response, StatusCode::BAD_REQUEST, "invalid_field", Some("id")).await;
    let mut bad_utf8 = submission(ANN, 7, ebook_values(), 9_000).to_string().into_bytes();
    let at = bad_utf8.windows(4).position(|w| w == b"Acme").expect("company");
    bad_utf8[at] = 0xff;
    let response = collector
        .http
        .post(collector.url("/v1/forms/ebook/submissions"))
        .header("content-type", "application/json")
        .body(bad_utf8)
        .send()
        .await
        .expect("sent");
    expect_error(response, StatusCode::BAD_REQUEST, "malformed_json", None).await;
    let huge = json!({"site": "pk_test", "values": {"name": "x".repeat(1 << 20)}});
    // The server closes the connection after refusing the body unread: a client of its own.
    let response = reqwest::Client::new()
        .post(collector.url("/v1/forms/ebook/submissions"))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(huge.to_string())
        .send()
        .await
        .expect("sent");
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None).await;
    let response =
        collector.submit("no-such-form", &submission(ANN, 8, ebook_values(), 9_000)).await;
    expect_error(response, StatusCode::NOT_FOUND, "unknown_form", Some("form")).await;

    assert!(collector.submit_events().await.is_empty(), "no form_submit stored");
    let response = collector
        .admin(reqwest::Method::GET, "/admin/api/profile?site=pk_test&email=ann@example.com")
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "no lead stored");
}

async fn spam_is_refused_counted_and_never_a_lead(backend: Backend) {
    let collector = Collector::start_with(backend, |settings| {
        settings.config = Some(fixtures().join("forms.yaml"));
        settings.rate_limit_ip = 10_000;
        settings.form_rate_limit_ip = 6;
    })
    .await;
    let too_fast = submission(ANN, 1, ebook_values(), 800);
    expect_error(collector.submit("ebook", &too_fast).await, StatusCode::FORBIDDEN, "spam", None)
        .await;
    let mut honeypot = submission(ANN, 2, ebook_values(), 9_000);
    honeypot["honeypot"] = json!("http://cheap-pills.example");
    expect_error(collector.submit("ebook", &honeypot).await, StatusCode::FORBIDDEN, "spam", None)
        .await;
    let response = collector
        .http
        .post(collector.url("/v1/forms/ebook/submissions"))
        .header(
            "user-agent",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        )
        .body(submission(ANN, 3, ebook_values(), 9_000).to_string())
        .send()
        .await
        .expect("sent");
    expect_error(response, StatusCode::FORBIDDEN, "spam", None).await;
    let mut disposable = submission(ANN, 4, ebook_values(), 9_000);
    disposable["values"]["email"] = json!("ann@mailinator.com");
    let response = collector.submit("ebook", &disposable).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["fields"][0]["code"], "disposable", "{body}");
    // Six submissions a minute from one IP: the fifth and sixth pass, the seventh not.
    collector.submit_ok("ebook", &submission(ANN, 5, ebook_values(), 9_000)).await;
    let mut bob = ebook_values();
    bob["email"] = json!("bob@example.com");
    collector.submit_ok("ebook", &submission(BOB, 6, bob.clone(), 9_000)).await;
    let response = collector.submit("ebook", &submission(BOB, 7, bob, 9_000)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));

    let submits = collector.submit_events().await;
    assert_eq!(submits.len(), 2, "only the two real leads");
    let report = collector.form_report().await;
    let spam = &report_of(&report, "ebook")["spam"];
    assert_eq!(
        *spam,
        json!({"bot": 1, "disposable_email": 1, "honeypot": 1, "rate_limited": 1, "too_fast": 1})
    );
}

async fn the_same_lead_sent_twice_is_one_submission(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    let first = collector.submit_ok("ebook", &submission(ANN, 1, ebook_values(), 9_000)).await;
    // The visitor clicks again (a new submission id) and the browser resends the first.
    let again = collector.submit_ok("ebook", &submission(ANN, 2, ebook_values(), 9_000)).await;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["submission"], first["submission"]);
    let resent = collector.submit_ok("ebook", &submission(ANN, 1, ebook_values(), 9_000)).await;
    assert_eq!(resent["submission"], first["submission"]);
    // From another device (another visitor id), within the window: still the same lead.
    let other_device =
        collector.submit_ok("ebook", &submission(BOB, 3, ebook_values(), 9_000)).await;
    assert_eq!(other_device["duplicate"], true);
    // Both at once from two new devices: one is stored.
    let cy = json!({"email": "cy@example.com", "name": "Cy", "company": "C",
                    "phone": "+48 600 700 800", "timeline": "now"});
    let (first_device, second_device) =
        (submission(&uuid_for(90), 4, cy.clone(), 9_000), submission(&uuid_for(91), 5, cy, 9_000));
    let (one, two) = tokio::join!(
        collector.submit_ok("demo-request", &first_device),
        collector.submit_ok("demo-request", &second_device),
    );
    assert_eq!(one["submission"], two["submission"], "{one} {two}");

    let submits = collector.submit_events().await;
    assert_eq!(submits.len(), 2, "one e-book and one demo request");
    let report = collector.form_report().await;
    assert_eq!(report_of(&report, "ebook")["submissions"], 1);
    assert_eq!(report_of(&report, "demo-request")["submissions"], 1);
    let profile = collector.profile("email=ann@example.com").await;
    assert_eq!(profile["person"]["score"], 35, "scored once");
}

async fn progressive_profiling_asks_only_what_is_unknown(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    let view = |visitor: &'static str| {
        let collector = &collector;
        async move {
            let url =
                collector.url(&format!("/v1/forms/demo-request?site=pk_test&visitor={visitor}"));
            let response = collector.http.get(url).send().await.expect("sent");
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.expect("JSON")
        }
    };
    let names = |view: &Value| -> Vec<String> {
        view["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .map(|f| f["name"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let stranger = view(ANN).await;
    assert_eq!(names(&stranger), ["email", "name", "company", "phone"]);
    assert_eq!(stranger["steps"], json!([["email", "name", "company"], ["phone"]]));

    collector.submit_ok("ebook", &submission(ANN, 1, ebook_values(), 9_000)).await;
    let known = view(ANN).await;
    assert_eq!(names(&known), ["email", "phone"], "name and company are known: {known}");
    assert_eq!(known["values"]["email"], "ann@example.com", "prefilled");

    // The demo request asks only the email and the first unanswered queue question.
    let values = json!({"email": "ann@example.com", "phone": "+48 600 700 800"});
    collector.submit_ok("demo-request", &submission(ANN, 2, values, 9_000)).await;
    let later = view(ANN).await;
    assert_eq!(names(&later), ["email", "timeline"], "the queue moves on: {later}");

    // Boot carries the forms the page embeds and those its blocks open.
    let boot = json!({"site": "pk_test", "visitor": ANN, "url": "https://www.example.com/", "forms": ["ebook", "nope"]});
    let response = collector.post("/v1/boot", Some(ALLOWED), boot.to_string()).await;
    let boot: Value = response.json().await.expect("JSON");
    let forms = boot["forms"].as_array().expect("forms");
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0]["id"], "ebook");
    let profile = collector.profile("email=ann@example.com").await;
    assert_eq!(profile["person"]["stage"], "sql", "a demo request makes a sales-qualified lead");
    assert_eq!(profile["person"]["traits"]["phone"]["source"], "form:demo-request");
}

async fn double_opt_in_waits_for_the_confirmation_link(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    let values = json!({"email": "ann@example.com", "news": "true"});
    let answer = collector.submit_ok("newsletter", &submission(ANN, 1, values, 9_000)).await;
    assert_eq!(answer["confirmation_pending"], true);
    let profile = collector.profile("email=ann@example.com").await;
    assert_eq!(profile["person"]["marketing_consent"], false, "not before confirming");

    let response = collector
        .admin(reqwest::Method::GET, "/admin/api/forms/confirmations?site=pk_test&pending=true")
        .await;
    let pending: Value = response.json().await.expect("JSON");
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{pending}");
    assert_eq!(pending[0]["email"], "ann@example.com");
    let path = pending[0]["confirm_path"].as_str().expect("path").to_owned();
    assert_eq!(path.len(), "/v1/confirm/".len() + 64);

    for _ in 0..2 {
        let response = collector.http.get(collector.url(&path)).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.text().await.expect("page").contains("confirmed"));
    }
    let profile = collector.profile("email=ann@example.com").await;
    assert_eq!(profile["person"]["marketing_consent"], true);
    let response = collector
        .admin(reqwest::Method::GET, "/admin/api/forms/confirmations?site=pk_test&pending=true")
        .await;
    assert_eq!(response.json::<Value>().await.expect("JSON"), json!([]));
    let report = collector.form_report().await;
    let newsletter = report_of(&report, "newsletter");
    assert_eq!(newsletter["confirmed"], 1);
    assert_eq!(newsletter["consents"][0]["confirmed"], 1);

    let response = collector
        .http
        .get(collector.url("/v1/confirm/0123456789abcdef"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn plain_html_forms_are_accepted_and_sent_back(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    let post = |body: &'static str| {
        let collector = &collector;
        async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            client
                .post(collector.url("/v1/forms/ebook/submissions"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("referer", "https://www.example.com/ebook?utm_campaign=spring")
                .header("user-agent", BROWSER_UA)
                .body(body)
                .send()
                .await
                .expect("sent")
        }
    };
    let response = post(
        "_site=pk_test&email=ann%40example.com&name=Ann&company=Acme&company_size=25&news=on&_hp=",
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "https://www.example.com/ebook?utm_campaign=spring&kindling_form=sent"
    );
    let profile = collector.profile("email=ann@example.com").await;
    assert_eq!(profile["person"]["traits"]["company"]["value"], "Acme");

    let response =
        post("_site=pk_test&email=nope&name=Bob&company=B&company_size=25&_lang=pl").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.expect("page");
    assert!(page.contains("Work email: Wpisz poprawny adres e-mail."), "{page}");
    let response = post("_site=pk_test&email=bob%40example.com&name=Bob&company=B&company_size=25&_hp=http%3A%2F%2Fspam").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = post("_site=pk_test&email=bob%40example.com&name=Bob&company=B&company_size=25&_redirect=https%3A%2F%2Fevil.example%2F").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().expect("text").to_owned();
    assert!(
        location.starts_with("https://www.example.com/"),
        "never to another origin: {location}"
    );
    assert_eq!(collector.submit_events().await.len(), 2);
}

async fn plain_form_posts_from_pages_the_site_does_not_allow_are_refused(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let post = |headers: &'static [(&'static str, &'static str)]| {
        let mut request = client
            .post(collector.url("/v1/forms/ebook/submissions"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("user-agent", BROWSER_UA)
            .body("_site=pk_test&_page=https%3A%2F%2Fwww.example.com%2Febook&email=cy%40example.com&name=Cy&company=C&company_size=25");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        async move { request.send().await.expect("sent") }
    };
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")],
        &[("origin", "https://evil.example"), ("referer", "https://www.example.com/ebook")],
        &[("referer", "https://evil.example/ebook")],
        &[("referer", "https://www.example.com.evil.example/")],
    ] {
        let response = post(headers).await;
        assert!(response.headers().get("access-control-allow-origin").is_none(), "{headers:?}");
        expect_error(response, StatusCode::FORBIDDEN, "origin_not_allowed", None).await;
    }
    assert!(collector.submit_events().await.is_empty(), "nothing stored for refused posts");
    for headers in [
        &[("origin", ALLOWED)][..],
        &[("referer", "https://www.example.com/ebook?utm_campaign=spring")],
        &[],
    ] {
        let response = post(headers).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{headers:?}");
    }
}

async fn the_form_report_counts_the_funnel_and_drop_off(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    for (n, visitor) in [ANN, BOB].into_iter().enumerate() {
        let n = n as u32 * 10;
        collector
            .send(
                visitor,
                vec![
                    event(
                        n + 1,
                        "form_view",
                        "https://www.example.com/ebook",
                        Some("ebook"),
                        Value::Null,
                    ),
                    event(
                        n + 2,
                        "form_start",
                        "https://www.example.com/ebook",
                        Some("ebook"),
                        Value::Null,
                    ),
                ],
            )
            .await;
    }
    let mut abandon =
        event(30, "form_abandon", "https://www.example.com/ebook", Some("ebook"), Value::Null);
    abandon["target"] = json!("company");
    collector.send(BOB, vec![abandon]).await;
    collector.submit_ok("ebook", &submission(ANN, 1, ebook_values(), 9_000)).await;

    let report = collector.form_report().await;
    let ebook = report_of(&report, "ebook");
    assert_eq!(ebook["views"], 2);
    assert_eq!(ebook["starts"], 2);
    assert_eq!(ebook["submissions"], 1);
    assert_eq!(ebook["conversion_rate"], 0.5);
    assert_eq!(ebook["abandons"], 1);
    assert_eq!(ebook["abandonment_rate"], 0.5);
    assert_eq!(ebook["drop_off"], json!([{"field": "company", "abandons": 1, "share": 1.0}]));
    let demo = report_of(&report, "demo-request");
    assert_eq!(demo["views"], 0);
    assert_eq!(demo["conversion_rate"], Value::Null);
}
