//! The collector over real HTTP: the router served on 127.0.0.1 with a temporary
//! SQLite file, driven by an HTTP client, checking status codes, JSON bodies and
//! headers as a browser or an integrator sees them.

use reqwest::StatusCode;
use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_ENCODING, ORIGIN};
use serde_json::{Value, json};

#[path = "support/harness.rs"]
mod harness;

use harness::*;

on_both_backends!(
    a_pageview_is_stored_once_even_when_resent,
    boot_decides_each_slot_with_sanitized_content,
    unknown_site_key_is_401,
    origin_outside_the_allow_list_is_403_without_cors_headers,
    oversized_body_is_413,
    malformed_json_is_400,
    invalid_fields_are_named,
    valid_events_are_kept_when_others_in_the_batch_are_refused,
    pageviews_carry_the_visits_channel_campaign_and_device,
    crawlers_and_headless_browsers_are_stored_as_bots,
    over_the_rate_limit_is_429_with_retry_after,
    concurrent_requests_are_all_committed_through_shared_commits,
    other_media_types_are_415,
    preflight_is_answered_for_allowed_origins_only,
    admin_api_needs_the_token,
    unknown_paths_get_a_json_404,
    probes_answer,
    widget_bundle_is_served_precompressed_with_cache_headers,
    a_journey_is_scored_staged_and_explained,
    visitors_with_the_same_email_merge_into_one_person,
    leads_stages_export_and_erasure,
    a_mailing_tool_reports_an_opened_email
);

async fn a_pageview_is_stored_once_even_when_resent(backend: Backend) {
    let collector = Collector::start(backend).await;
    let first = collector.post("/v1/events", Some(ALLOWED), pageview_batch("pk_test", EVENT)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], ALLOWED);
    let body = first.json::<Value>().await.expect("JSON");
    assert_eq!(
        (body["accepted"].clone(), body["duplicates"].clone()),
        (json!(1), json!(0)),
        "{body:#}"
    );
    assert_eq!(
        (body["visitor"]["visits"].clone(), body["visitor"]["events"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(body["visitor"]["stage"], "anonymous", "a profile exists from the first event");

    let resent =
        collector.post("/v1/events", Some(ALLOWED), pageview_batch("pk_test", EVENT)).await;
    let body = resent.json::<Value>().await.expect("JSON");
    assert_eq!(
        (body["accepted"].clone(), body["duplicates"].clone()),
        (json!(0), json!(1)),
        "{body:#}"
    );
    assert_eq!(body["visitor"]["events"], 1, "{body:#}");

    let events = collector.events().await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["id"], EVENT);
    assert_eq!(events[0]["kind"], "pageview");
    assert_eq!(events[0]["visitor"], VISITOR);
    assert_eq!(events[0]["title"], "Home");
    assert_eq!(events[0]["session"], SESSION);
    assert_eq!(events[0]["bot"], false);
    assert_eq!(events[0]["device"], "desktop");
    // The client's clock is far in the past here: its offset is kept, clamped to a day.
    assert_eq!(events[0]["client_offset_ms"], -24 * 60 * 60 * 1000);
}

async fn boot_decides_each_slot_with_sanitized_content(backend: Backend) {
    let collector = Collector::start(backend).await;
    let body = json!({"site": "pk_test", "visitor": VISITOR, "url": "https://www.example.com/",
                      "slots": ["hero", "nowhere", "hero"]});
    let response =
        collector.post("/v1/boot", Some("https://a.shop.example"), body.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "https://a.shop.example");
    let boot: Value = response.json().await.expect("JSON");
    assert_eq!(boot["visitor"]["id"], VISITOR);
    let decisions = boot["decisions"].as_array().expect("decisions");
    assert_eq!(decisions.len(), 1, "one decision for the one known slot: {boot:#}");
    assert_eq!(decisions[0]["block"], "hero-a");
    assert_eq!(decisions[0]["variant"], "a");
    assert_eq!(
        decisions[0]["content"]["headline"], "Hello <b>there</b>",
        "headline is text, not HTML"
    );
    assert_eq!(decisions[0]["content"]["body_html"], "<p>Read <strong>this</strong>.</p>");
    assert_eq!(
        decisions[0]["content"]["ctas"],
        json!([{"label": "Go", "action": "link", "target": "/pricing"}])
    );
    assert_eq!(decisions[0]["placement"], "inline");
}

async fn unknown_site_key_is_401(backend: Backend) {
    let collector = Collector::start(backend).await;
    let response =
        collector.post("/v1/events", Some(ALLOWED), pageview_batch("pk_nope", EVENT)).await;
    expect_error(response, StatusCode::UNAUTHORIZED, "unknown_site", Some("site")).await;
}

async fn origin_outside_the_allow_list_is_403_without_cors_headers(backend: Backend) {
    let collector = Collector::start(backend).await;
    for origin in ["https://evil.example", "https://shop.example", "http://www.example.com"] {
        let response =
            collector.post("/v1/events", Some(origin), pageview_batch("pk_test", EVENT)).await;
        assert!(response.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "{origin}");
        expect_error(response, StatusCode::FORBIDDEN, "origin_not_allowed", None).await;
    }
    assert!(collector.events().await.is_empty(), "nothing stored from refused origins");
}

async fn oversized_body_is_413(backend: Backend) {
    let collector = Collector::start(backend).await;
    let huge =
        format!(r#"{{"site":"pk_test","visitor":"{VISITOR}","pad":"{}"}}"#, "x".repeat(70 * 1024));
    let response = collector.post("/v1/events", Some(ALLOWED), huge).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None).await;
}

async fn malformed_json_is_400(backend: Backend) {
    let collector = Collector::start(backend).await;
    let response =
        collector.post("/v1/events", Some(ALLOWED), r#"{"site": "pk_test","#.to_owned()).await;
    assert_eq!(
        response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        ALLOWED,
        "errors are readable by the widget"
    );
    expect_error(response, StatusCode::BAD_REQUEST, "malformed_json", None).await;
}

async fn invalid_fields_are_named(backend: Backend) {
    let collector = Collector::start(backend).await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut event = pageview(EVENT);
        change(&mut event);
        json!({"site": "pk_test", "visitor": VISITOR, "events": [event]})
    };
    let cases = [
        (with(&|e| e["type"] = json!("teleport")), "events[0].type"),
        (with(&|e| e["id"] = json!("x")), "events[0].id"),
        (with(&|e| e["session"] = json!("nope")), "events[0].session"),
        (with(&|e| e["url"] = json!("u".repeat(3000))), "events[0].url"),
        (with(&|e| e["props"] = json!({"nested": {"a": 1}})), "events[0].props.nested"),
        (
            with(&|e| {
                e["type"] = json!("custom");
            }),
            "events[0].name",
        ),
        (
            with(&|e| {
                e.as_object_mut().map(|o| o.remove("ts"));
            }),
            "events[0].ts",
        ),
        (
            json!({"site": "pk_test", "visitor": "not-a-uuid", "events": [pageview(EVENT)]}),
            "visitor",
        ),
        (json!({"site": "pk_test", "visitor": VISITOR, "events": []}), "events"),
        (json!({"visitor": VISITOR, "events": []}), "site"),
    ];
    for (body, field) in cases {
        let response = collector.post("/v1/events", Some(ALLOWED), body.to_string()).await;
        expect_error(response, StatusCode::BAD_REQUEST, "invalid_field", Some(field)).await;
    }
    assert!(collector.events().await.is_empty());
}

async fn valid_events_are_kept_when_others_in_the_batch_are_refused(backend: Backend) {
    let collector = Collector::start(backend).await;
    let mut bad = pageview(&event_id(2));
    bad["url"] = json!("");
    let batch = json!({"site": "pk_test", "visitor": VISITOR,
                       "events": [pageview(&event_id(1)), bad, {"id": event_id(3)}, pageview(&event_id(4))]});
    let response = collector.post("/v1/events", Some(ALLOWED), batch.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["accepted"], 2, "{body:#}");
    let rejected = body["rejected"].as_array().expect("rejections");
    assert_eq!(rejected.len(), 2, "{body:#}");
    assert_eq!(rejected[0]["index"], 1);
    assert_eq!(rejected[0]["field"], "events[1].url");
    assert_eq!(rejected[1]["index"], 2);
    assert_eq!(rejected[1]["field"], "events[2].type");
    let stored: Vec<String> = collector
        .events()
        .await
        .iter()
        .map(|e| e["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(stored, vec![event_id(4), event_id(1)], "newest first");
}

async fn pageviews_carry_the_visits_channel_campaign_and_device(backend: Backend) {
    let collector = Collector::start(backend).await;
    let landing = "https://www.example.com/pricing?utm_source=LinkedIn&utm_medium=paid_social&utm_campaign=q4-cfo&gclid=abc";
    let mut view = pageview(&event_id(1));
    view["url"] = json!(landing);
    let click = json!({"id": event_id(2), "type": "click", "session": SESSION, "url": landing,
                       "name": "cta_book_demo", "target": "https://www.example.com/demo", "ts": 1});
    let custom = json!({"id": event_id(3), "type": "custom", "session": SESSION, "url": landing,
                        "name": "calculator_used", "props": {"seats": 12, "plan": "growth", "annual": true}, "ts": 1});
    let batch = json!({"site": "pk_test", "visitor": VISITOR,
        "context": {"visit": 3, "landing": landing, "referrer": "https://www.linkedin.com/feed/",
                    "language": "pl-PL", "viewport": 390, "touch": 5},
        "events": [view, click, custom]});
    let response = collector.post("/v1/events", Some(ALLOWED), batch.to_string()).await;
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        (body["visitor"]["visits"].clone(), body["visitor"]["events"].clone()),
        (json!(3), json!(3)),
        "{body:#}"
    );

    let events = collector.events().await;
    let by_kind = |kind: &str| events.iter().find(|e| e["kind"] == kind).cloned().expect(kind);
    let stored_view = by_kind("pageview");
    assert_eq!(stored_view["utm_source"], "linkedin");
    assert_eq!(stored_view["utm_medium"], "paid_social");
    assert_eq!(stored_view["utm_campaign"], "q4-cfo");
    assert_eq!(stored_view["click_id"], "google:abc");
    assert_eq!(stored_view["device"], "mobile");
    let channel = stored_view["channel"].as_str().unwrap_or_default();
    assert!(matches!(channel, "paid_search" | "paid_social"), "a paid channel, got {channel}");
    let stored_click = by_kind("click");
    assert_eq!(stored_click["name"], "cta_book_demo");
    assert_eq!(stored_click["target"], "https://www.example.com/demo");
    assert_eq!(stored_click["channel"], Value::Null, "channel is kept on pageviews");
    let stored_custom = by_kind("custom");
    let props: Value =
        serde_json::from_str(stored_custom["props"].as_str().expect("props")).expect("JSON");
    assert_eq!(props, json!({"seats": 12.0, "plan": "growth", "annual": true}));
}

async fn crawlers_and_headless_browsers_are_stored_as_bots(backend: Backend) {
    let collector = Collector::start(backend).await;
    for (n, agent) in [
        (1, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
        (
            2,
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
        ),
    ] {
        let response = collector
            .http
            .post(collector.url("/v1/events"))
            .header("user-agent", agent)
            .body(
                json!({"site": "pk_test", "visitor": VISITOR, "events": [pageview(&event_id(n))]})
                    .to_string(),
            )
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
    }
    let events = collector.events().await;
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e["bot"] == true), "{events:#?}");
}

async fn over_the_rate_limit_is_429_with_retry_after(backend: Backend) {
    let collector = Collector::start_with(backend, |settings| settings.rate_limit_ip = 1).await;
    let mut statuses = Vec::new();
    for n in 0..5 {
        let response = collector
            .post("/v1/events", Some(ALLOWED), pageview_batch("pk_test", &event_id(n)))
            .await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().get("retry-after").is_some(), "Retry-After is sent");
            expect_error(response, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None).await;
        }
    }
    assert_eq!(
        &statuses[..2],
        &[StatusCode::OK, StatusCode::OK],
        "a burst of two is allowed: {statuses:?}"
    );
    assert!(statuses[2..].contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let accepted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(collector.events().await.len(), accepted, "refused requests store nothing");
}

async fn concurrent_requests_are_all_committed_through_shared_commits(backend: Backend) {
    let collector = Collector::start_with(backend, |settings| settings.rate_limit_ip = 0).await;
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..200u32 {
        let batch = json!({"site": "pk_test", "visitor": VISITOR,
                           "events": [pageview(&event_id(2 * n)), pageview(&event_id(2 * n + 1))]});
        let request =
            collector.http.post(collector.url("/v1/events")).body(batch.to_string()).send();
        requests.spawn(async move {
            let response = request.await.expect("sent");
            (response.status(), response.json::<Value>().await.expect("JSON"))
        });
    }
    while let Some(joined) = requests.join_next().await {
        let (status, body) = joined.expect("request task");
        assert_eq!(status, StatusCode::OK, "{body:#}");
        assert_eq!(body["accepted"], 2, "{body:#}");
    }
    let stored = collector
        .http
        .get(collector.url("/admin/api/events?site=pk_test&limit=1000"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("admin")
        .json::<Vec<Value>>()
        .await
        .expect("JSON");
    assert_eq!(stored.len(), 400);
}

async fn other_media_types_are_415(backend: Backend) {
    let collector = Collector::start(backend).await;
    let response = collector
        .http
        .post(collector.url("/v1/events"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("site=pk_test")
        .send()
        .await
        .expect("sent");
    expect_error(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None)
        .await;
}

async fn preflight_is_answered_for_allowed_origins_only(backend: Backend) {
    let collector = Collector::start(backend).await;
    let preflight = |origin: &'static str| {
        collector
            .http
            .request(reqwest::Method::OPTIONS, collector.url("/v1/events"))
            .header(ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let allowed = preflight(ALLOWED).await.expect("sent");
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(allowed.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], ALLOWED);
    let refused = preflight("https://evil.example").await.expect("sent");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

async fn admin_api_needs_the_token(backend: Backend) {
    let collector = Collector::start(backend).await;
    let url = collector.url("/admin/api/events?site=pk_test");
    let none = collector.http.get(&url).send().await.expect("sent");
    expect_error(none, StatusCode::UNAUTHORIZED, "unauthorized", None).await;
    let wrong = collector.http.get(&url).bearer_auth("nope").send().await.expect("sent");
    expect_error(wrong, StatusCode::UNAUTHORIZED, "unauthorized", None).await;
    let bad_limit =
        collector.http.get(format!("{url}&limit=0")).bearer_auth(TOKEN).send().await.expect("sent");
    expect_error(bad_limit, StatusCode::BAD_REQUEST, "invalid_field", Some("limit")).await;
    let no_site = collector
        .http
        .get(collector.url("/admin/api/events"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("sent");
    let body = expect_error(no_site, StatusCode::BAD_REQUEST, "invalid_field", Some("query")).await;
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("site"), "{body}");
}

async fn unknown_paths_get_a_json_404(backend: Backend) {
    let collector = Collector::start(backend).await;
    let response = collector.http.get(collector.url("/v2/nothing")).send().await.expect("sent");
    expect_error(response, StatusCode::NOT_FOUND, "not_found", None).await;
}

async fn probes_answer(backend: Backend) {
    let collector = Collector::start(backend).await;
    for path in ["/healthz", "/readyz"] {
        let response = collector.http.get(collector.url(path)).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

async fn widget_bundle_is_served_precompressed_with_cache_headers(backend: Backend) {
    // The bundle folder as `cargo xtask bundle` lays it out. The `.br` file holds a
    // marker instead of real brotli: the collector serves the variant it finds, and the
    // marker shows which one it chose.
    let bundle = tempfile::tempdir().expect("folder");
    let source = fixtures().join("bundle");
    std::fs::create_dir_all(bundle.path().join("w")).expect("w/");
    for file in ["kindling.js", "w/kindling-0123456789.js"] {
        std::fs::copy(source.join(file), bundle.path().join(file)).expect("copy");
    }
    std::fs::write(bundle.path().join("w/kindling-0123456789.js.br"), "brotli variant")
        .expect("br");
    let dir = bundle.path().to_path_buf();
    let collector =
        Collector::start_with(backend, |settings| settings.widget_dir = Some(dir)).await;

    let loader = collector.http.get(collector.url("/kindling.js")).send().await.expect("sent");
    assert_eq!(loader.status(), StatusCode::OK);
    assert_eq!(loader.headers()[CACHE_CONTROL], "public, max-age=300");
    assert_eq!(loader.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(loader.text().await.expect("text"), "console.log(\"loader\")\n");

    let glue = collector
        .http
        .get(collector.url("/w/kindling-0123456789.js"))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("sent");
    assert_eq!(glue.status(), StatusCode::OK);
    assert_eq!(glue.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(glue.headers()[CONTENT_ENCODING], "br");
    assert_eq!(glue.text().await.expect("body"), "brotli variant");

    let plain =
        collector.http.get(collector.url("/w/kindling-0123456789.js")).send().await.expect("sent");
    assert!(plain.headers().get(CONTENT_ENCODING).is_none(), "no encoding asked, none given");
    assert_eq!(plain.text().await.expect("body"), "export default function(){}\n");

    // A well-formed name of no file is the same JSON 404 as every other error, and is
    // not cached: the file may be uploaded a moment later.
    let missing =
        collector.http.get(collector.url("/w/kindling-none.js")).send().await.expect("sent");
    assert!(missing.headers().get(CACHE_CONTROL).is_none(), "{:?}", missing.headers());
    expect_error(missing, StatusCode::NOT_FOUND, "not_found", None).await;

    let long = format!("/w/{}", "a".repeat(5_000));
    for odd in [long.as_str(), "/w/", "/w/.hidden", "/w/%2e%2e%2fkindling.js", "/w/a%00.js"] {
        let response = collector.http.get(collector.url(odd)).send().await.expect("sent");
        assert!(response.headers().get(CACHE_CONTROL).is_none(), "{odd}: {:?}", response.headers());
        expect_error(response, StatusCode::NOT_FOUND, "not_found", None).await;
    }
}

async fn a_journey_is_scored_staged_and_explained(backend: Backend) {
    let collector = Collector::start(backend).await;
    let site = "https://www.example.com";
    let state = collector
        .send(
            VISITOR,
            vec![event(
                1,
                "pageview",
                &format!("{site}/customers/northwind.html"),
                None,
                Value::Null,
            )],
        )
        .await;
    assert_eq!(state["visitor"]["score"], 10, "{state:#}");
    assert_eq!(state["visitor"]["temperature"], "cold");
    assert_eq!(state["visitor"]["stage"], "anonymous");

    let state = collector
        .send(VISITOR, vec![
            event(2, "form_submit", &format!("{site}/ebook.html"), Some("ebook"), Value::Null),
            event(3, "identify", &format!("{site}/ebook.html"), None,
                  json!({"email": " Dana@Northwind.example ", "company_size": 500, "role": "CFO"})),
            // A second e-book submission earns nothing: the rule pays once ever.
            event(4, "form_submit", &format!("{site}/ebook.html"), Some("ebook"), Value::Null),
        ])
        .await;
    assert_eq!(state["visitor"]["score"], 45, "10 + 20 + 15 fit: {state:#}");
    assert_eq!(state["visitor"]["temperature"], "warm");
    assert_eq!(state["visitor"]["stage"], "lead");
    assert_eq!(state["visitor"]["segments"], json!(["enterprise"]));

    let state = collector
        .send(
            VISITOR,
            vec![event(
                5,
                "form_submit",
                &format!("{site}/demo.html"),
                Some("demo-request"),
                Value::Null,
            )],
        )
        .await;
    assert_eq!(state["visitor"]["score"], 85, "{state:#}");
    assert_eq!(state["visitor"]["temperature"], "hot");
    assert_eq!(state["visitor"]["stage"], "sql", "a demo request makes an SQL");
    assert_eq!(state["visitor"]["segments"], json!(["enterprise", "hot_leads"]));

    let profile = collector.profile("email=dana@northwind.example").await;
    let person = &profile["person"];
    assert_eq!(person["email"], "dana@northwind.example");
    assert_eq!(person["traits"]["role"]["value"], "CFO");
    assert_eq!(person["traits"]["role"]["source"], "identify");
    let reasons: Vec<(String, i64)> = profile["score_changes"]
        .as_array()
        .expect("score lines")
        .iter()
        .map(|line| {
            (
                line["rule"].as_str().unwrap_or_default().to_owned(),
                line["points"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("case_study".to_owned(), 10),
            ("ebook_download".to_owned(), 20),
            ("enterprise_size".to_owned(), 15),
            ("demo_request".to_owned(), 40),
        ],
        "the score explained line by line"
    );
    let total: i64 = reasons.iter().map(|(_, points)| points).sum();
    assert_eq!(total, person["score"].as_i64().unwrap_or(0), "the lines add up to the score");
    let stages: Vec<(&str, &str)> = profile["stage_changes"]
        .as_array()
        .expect("stage lines")
        .iter()
        .map(|line| {
            (line["to"].as_str().unwrap_or_default(), line["cause"].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(stages, vec![("lead", "email_known"), ("sql", "sql_form_submitted")]);
    let entered: Vec<&str> = profile["segment_changes"]
        .as_array()
        .expect("segment lines")
        .iter()
        .filter(|line| line["entered"] == true)
        .map(|line| line["segment"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(entered, vec!["enterprise", "hot_leads"]);
    assert_eq!(profile["events"].as_array().map(Vec::len), Some(5));

    // The boot response carries the same state.
    let boot = json!({"site": "pk_test", "visitor": VISITOR, "url": "https://www.example.com/", "slots": []});
    let boot: Value = collector
        .post("/v1/boot", Some(ALLOWED), boot.to_string())
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(boot["visitor"]["stage"], "sql", "{boot:#}");
    assert_eq!(boot["visitor"]["score"], 85);
}

async fn visitors_with_the_same_email_merge_into_one_person(backend: Backend) {
    let collector = Collector::start(backend).await;
    let laptop = VISITOR;
    let phone = "0190f3c2-7d2a-7c4e-8a8b-0000000000f2";
    let pricing = "https://www.example.com/pricing.html";
    // The pricing rule pays once a day: the same day on two devices must pay once
    // after the merge, exactly as for one visitor.
    collector.send(laptop, vec![event(1, "pageview", pricing, None, Value::Null)]).await;
    collector
        .send(
            laptop,
            vec![event(2, "identify", pricing, None, json!({"email": "sam@example.com"}))],
        )
        .await;
    let before = collector.profile(&format!("visitor={laptop}")).await;
    collector.send(phone, vec![event(3, "pageview", pricing, None, Value::Null)]).await;
    let phone_alone = collector.profile(&format!("visitor={phone}")).await;
    assert_ne!(phone_alone["person"]["id"], before["person"]["id"], "two persons before the merge");
    assert_eq!(phone_alone["person"]["score"], 10);

    let merged_state = collector
        .send(
            phone,
            vec![event(
                4,
                "identify",
                pricing,
                None,
                json!({"email": "SAM@example.com", "company_size": 300}),
            )],
        )
        .await;
    let merged = collector.profile("email=sam@example.com").await;
    assert_eq!(merged["person"]["id"], before["person"]["id"], "the known person survives");
    let mut visitors: Vec<&str> =
        merged["visitors"].as_array().expect("visitors").iter().filter_map(Value::as_str).collect();
    visitors.sort_unstable();
    let mut expected = vec![laptop, phone];
    expected.sort_unstable();
    assert_eq!(visitors, expected);
    assert_eq!(merged["events"].as_array().map(Vec::len), Some(4), "both histories");
    // One history: pricing once today (10) + fit (15), as if one visitor did it all.
    assert_eq!(merged["person"]["score"], 25, "{merged:#}");
    assert_eq!(merged_state["visitor"]["score"], 25);
    let lines: i64 = merged["score_changes"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["points"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(lines, 25, "the lines still add up after the merge");
    assert_eq!(merged["person"]["aggregates"]["pageviews"], 2);
    let old = collector
        .admin(
            reqwest::Method::GET,
            &format!(
                "/admin/api/profile?site=pk_test&id={}",
                phone_alone["person"]["id"].as_str().unwrap_or_default()
            ),
        )
        .await;
    assert_eq!(old.status(), StatusCode::NOT_FOUND, "the merged person is gone");
}

async fn leads_stages_export_and_erasure(backend: Backend) {
    let collector = Collector::start(backend).await;
    let url = "https://www.example.com/pricing.html";
    for (n, (visitor_n, email, size)) in
        [(1u32, "a@one.example", 500), (2, "b@two.example", 20)].into_iter().enumerate()
    {
        let visitor = uuid_for(visitor_n);
        collector
            .send(
                &visitor,
                vec![
                    event(10 * n as u32 + 1, "pageview", url, None, Value::Null),
                    event(
                        10 * n as u32 + 2,
                        "identify",
                        url,
                        None,
                        json!({"email": email, "company_size": size}),
                    ),
                ],
            )
            .await;
    }
    collector.send(&uuid_for(3), vec![event(31, "pageview", url, None, Value::Null)]).await;

    let leads = collector.admin(reqwest::Method::GET, "/admin/api/leads?site=pk_test").await;
    let leads: Vec<Value> = leads.json().await.expect("JSON");
    let emails: Vec<&str> = leads.iter().filter_map(|p| p["email"].as_str()).collect();
    assert_eq!(
        emails,
        vec!["a@one.example", "b@two.example"],
        "known persons only, best score first"
    );
    let enterprise: Vec<Value> = collector
        .admin(
            reqwest::Method::GET,
            "/admin/api/leads?site=pk_test&segment=enterprise&min_score=20",
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(enterprise.len(), 1);
    let paged: Vec<Value> = collector
        .admin(reqwest::Method::GET, "/admin/api/leads?site=pk_test&limit=1&offset=1")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(paged[0]["email"], "b@two.example");

    let stage = collector
        .http
        .post(collector.url("/admin/api/profile/stage?site=pk_test&email=b@two.example"))
        .bearer_auth(TOKEN)
        .body(r#"{"stage": "sql", "cause": "accepted by sales"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(stage.status(), StatusCode::OK);
    let customer = collector
        .admin(
            reqwest::Method::POST,
            "/admin/api/profile/customer?site=pk_test&email=b@two.example",
        )
        .await;
    assert_eq!(customer.json::<Value>().await.expect("JSON")["stage"], "customer");
    let bad = collector
        .http
        .post(collector.url("/admin/api/profile/stage?site=pk_test&email=b@two.example"))
        .bearer_auth(TOKEN)
        .body(r#"{"stage": "whale"}"#)
        .send()
        .await
        .expect("sent");
    expect_error(bad, StatusCode::BAD_REQUEST, "invalid_field", Some("stage")).await;
    let history = collector.profile("email=b@two.example").await;
    let causes: Vec<&str> = history["stage_changes"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["cause"].as_str())
        .collect();
    assert_eq!(causes, vec!["email_known", "accepted by sales", "customer_conversion"]);

    let export = collector
        .admin(reqwest::Method::GET, "/admin/api/profile/export?site=pk_test&email=b@two.example")
        .await;
    assert!(
        export.headers()["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment")
    );
    let exported: Value = export.json().await.expect("JSON");
    assert_eq!(exported["person"]["email"], "b@two.example");
    assert_eq!(exported["events"].as_array().map(Vec::len), Some(2));

    let erased = collector
        .admin(reqwest::Method::DELETE, "/admin/api/profile?site=pk_test&email=b@two.example")
        .await;
    assert_eq!(erased.status(), StatusCode::OK);
    let gone = collector
        .admin(reqwest::Method::GET, "/admin/api/profile?site=pk_test&email=b@two.example")
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let events = collector.events().await;
    assert!(
        events.iter().all(|e| e["visitor"] != uuid_for(2).as_str()),
        "the person's events are erased"
    );
    assert_eq!(events.len(), 3, "other persons keep theirs");
}

async fn a_mailing_tool_reports_an_opened_email(backend: Backend) {
    let collector = Collector::start(backend).await;
    let url = "https://www.example.com/";
    collector
        .send(VISITOR, vec![event(1, "identify", url, None, json!({"email": "kim@example.com"}))])
        .await;
    let post = |body: Value| {
        collector
            .http
            .post(collector.url("/admin/api/person-events"))
            .bearer_auth(TOKEN)
            .body(body.to_string())
            .send()
    };
    let opened = json!({"site": "pk_test", "email": "Kim@Example.com", "name": "email_opened",
                        "props": {"campaign": "nov-digest"}, "id": event_id(900)});
    let first: Value = post(opened.clone()).await.expect("sent").json().await.expect("JSON");
    assert_eq!(first["accepted"], 1, "{first:#}");
    assert_eq!(first["visitor"]["score"], 5);
    let again: Value = post(opened).await.expect("sent").json().await.expect("JSON");
    assert_eq!(again["duplicates"], 1, "a resend is stored once: {again:#}");
    assert_eq!(again["visitor"]["score"], 5);
    let profile = collector.profile("email=kim@example.com").await;
    assert_eq!(profile["person"]["aggregates"]["visits"], 1, "server events are not visits");
    assert!(
        profile["score_changes"]
            .as_array()
            .is_some_and(|lines| lines.iter().any(|l| l["rule"] == "email_opened"))
    );
    let unknown =
        post(json!({"site": "pk_test", "email": "nobody@example.com", "name": "email_opened"}))
            .await
            .expect("sent");
    expect_error(unknown, StatusCode::BAD_REQUEST, "invalid_field", Some("email")).await;
}
