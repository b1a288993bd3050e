//! The admin API's one gate: every route (and the metrics) refuses a request without the admin token or
//! with a wrong one, before it reads anything else of the request; an IP sending too
//! many wrong tokens is refused for a while, even with the right one; every answer is
//! marked `nosniff`; and a query string that does not parse is our JSON error.

#[path = "support/harness.rs"]
#[allow(unused_macros, unused_imports)]
mod harness;

use harness::{Backend, Collector, TOKEN, expect_error};
use reqwest::header::{RETRY_AFTER, X_CONTENT_TYPE_OPTIONS};
use reqwest::{Method, StatusCode};

/// Every admin route, with a method it answers.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/admin/api/events?site=pk_test"),
    ("GET", "/admin/api/profile?site=pk_test&id=x"),
    ("DELETE", "/admin/api/profile?site=pk_test&id=x"),
    ("GET", "/admin/api/profile/export?site=pk_test&id=x"),
    ("POST", "/admin/api/profile/stage?site=pk_test&id=x"),
    ("POST", "/admin/api/profile/customer?site=pk_test&id=x"),
    ("GET", "/admin/api/leads?site=pk_test"),
    ("GET", "/admin/api/leads/export?site=pk_test"),
    ("POST", "/admin/api/person-events"),
    ("GET", "/admin/api/reports/blocks?site=pk_test"),
    ("GET", "/admin/api/reports/forms?site=pk_test"),
    ("GET", "/admin/api/reports/workflows?site=pk_test"),
    ("GET", "/admin/api/forms/confirmations?site=pk_test"),
    ("GET", "/admin/api/outbox/dead?site=pk_test"),
    ("POST", "/admin/api/outbox/0190f3c2-7d2a-7c4e-8a8b-0123456789ab/replay?site=pk_test"),
    ("GET", "/admin/api/revisions"),
    ("POST", "/admin/api/revisions"),
    ("GET", "/admin/api/revisions/1"),
    ("GET", "/admin/api/revisions/1/diff"),
    ("POST", "/admin/api/revisions/1/publish"),
    ("POST", "/admin/api/revisions/1/restore"),
    ("GET", "/admin/api/config"),
    ("GET", "/admin/api/audience/reach?site=pk_test"),
    ("GET", "/admin/api/audience/test?site=pk_test&id=x"),
    ("POST", "/admin/api/config"),
    ("POST", "/admin/api/webhooks/test"),
    ("GET", "/metrics"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_route_refuses_a_missing_or_wrong_token() {
    // Many wrong tokens from one address: the brute-force limit is off here.
    let collector =
        Collector::start_with(Backend::Sqlite, |settings| settings.admin_token_failures = 0).await;
    for (method, path) in ROUTES {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let url = collector.url(path);
        let without = collector.http.request(method.clone(), &url).send().await.expect("sent");
        assert_eq!(without.status(), StatusCode::UNAUTHORIZED, "{method} {path} without a token");
        expect_error(without, StatusCode::UNAUTHORIZED, "unauthorized", None).await;
        for wrong in ["nope", "test-admin-toke", "test-admin-tokenX", ""] {
            let refused = collector
                .http
                .request(method.clone(), &url)
                .bearer_auth(wrong)
                .send()
                .await
                .expect("sent");
            assert_eq!(
                refused.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {wrong:?}"
            );
        }
        let allowed = collector.http.request(method.clone(), &url).bearer_auth(TOKEN).send().await;
        let status = allowed.expect("sent").status();
        assert_ne!(status, StatusCode::UNAUTHORIZED, "{method} {path} with the token");
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is routed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_wrong_tokens_from_one_ip_are_refused_for_a_while() {
    let collector = Collector::start(Backend::Sqlite).await;
    let url = collector.url("/admin/api/events?site=pk_test");
    let with = |token: &str| collector.http.get(&url).bearer_auth(token).send();
    for _ in 0..3 {
        let without = collector.http.get(&url).send().await.expect("sent");
        assert_eq!(without.status(), StatusCode::UNAUTHORIZED, "no token guesses nothing");
    }
    for attempt in 1..=10 {
        let refused = with("guess").await.expect("sent");
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "wrong token {attempt}");
    }
    for token in ["guess", TOKEN] {
        let limited = with(token).await.expect("sent");
        let retry_after: u64 = limited.headers()[RETRY_AFTER]
            .to_str()
            .ok()
            .and_then(|value| value.parse().ok())
            .expect("Retry-After in seconds");
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        assert_eq!(limited.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
        expect_error(limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_marked_nosniff() {
    let collector = Collector::start(Backend::Sqlite).await;
    let admin = collector.admin(Method::GET, "/admin/api/events?site=pk_test").await;
    assert_eq!(admin.status(), StatusCode::OK);
    let refused = collector.http.get(collector.url("/admin/api/leads?site=pk_test")).send();
    let public = collector.http.get(collector.url("/v1/forms/ebook?site=pk_nope")).send();
    let missing = collector.http.get(collector.url("/nowhere")).send();
    for response in [admin, refused.await.expect("sent"), public.await.expect("sent")] {
        let path = response.url().path().to_owned();
        assert_eq!(response.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .is_ok_and(|t| t.starts_with("application/json")),
            "{path}"
        );
    }
    assert_eq!(missing.await.expect("sent").headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_query_parameter_is_a_json_error() {
    let collector = Collector::start(Backend::Sqlite).await;
    for path in [
        "/admin/api/events?site=pk_test&limit=many",
        "/admin/api/reports/blocks?site=pk_test&from=yesterday",
        "/admin/api/leads?site=pk_test&min_score=high",
        "/admin/api/forms/confirmations?site=pk_test&pending=perhaps",
    ] {
        let response =
            collector.http.get(collector.url(path)).bearer_auth(TOKEN).send().await.expect("sent");
        let body =
            expect_error(response, StatusCode::BAD_REQUEST, "invalid_field", Some("query")).await;
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("deserialize"), "{path}: {body}");
    }
}
