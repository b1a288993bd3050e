//! The admin API's one gate: every route (and the metrics) refuses a request without the admin token or
//! with a wrong one, before it reads anything else of the request; and a query string
//! that does not parse is our JSON error.

#[path = "support/harness.rs"]
#[allow(unused_macros, unused_imports)]
mod harness;

use harness::{Backend, Collector, TOKEN, expect_error};
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
    ("GET", "/metrics"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_route_refuses_a_missing_or_wrong_token() {
    let collector = Collector::start(Backend::Sqlite).await;
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
