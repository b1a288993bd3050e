//! The API document, `GET /openapi.json`, checked against the routes the collector
//! serves, so that neither can change without the other.
//!
//! Handlers are registered from the annotations that document them (`utoipa_axum`'s
//! `routes!` reads each one's path and methods), so a documented handler is served at
//! exactly what its documentation says. What could still drift is what does not go
//! through `routes!`: a route added with a plain `.route(…)`, the bundle's file services
//! (documented by annotations of their own), or a method served on a documented path
//! without being documented. An axum router cannot list its routes, so this test
//! checks from both sides:
//!
//! - over HTTP, against a collector serving the widget bundle: every documented path and
//!   method is served (asked without a token: the answer is neither 405 nor the
//!   router's fallback, the JSON 404 a made-up path gets); every other method on a
//!   documented path is 405 (asked with the token, since the admin token layer answers
//!   401 first; HEAD aside, which axum answers wherever GET is served); made-up paths
//!   get the fallback;
//! - in the source: every route registered in `collector/src` other than through
//!   `routes!` (`.route(`, `.route_service(`, `.nest(`, `.nest_service(`) names its path
//!   as a literal, and that path is documented, so the HTTP probes above cover it. The
//!   admin console's HTML pages (`src/console/`) are for browsers, not API clients:
//!   they are described in `docs/admin.md` and left out of the document, and so of
//!   this check.
//!
//! It also checks what schema-driven testers rely on: OpenAPI 3.1, a credential (a
//! bearer token or the session cookie) required exactly on `/admin/*` but signing in,
//! and on `/metrics`, JSON error bodies of the documented
//! shape, and a document that is cacheable.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[path = "support/harness.rs"]
mod harness;

use harness::*;

/// The methods an OpenAPI path item may document, as they appear in the document.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Paths no route serves.
const MADE_UP: [&str; 5] =
    ["/nothing-here", "/v1/bootx", "/admin/api/nothing", "/v2/boot", "/openapi.yaml"];

/// The bundle file the probes of `/w/{name}` ask for (from the fixture bundle).
const BUNDLE_FILE: &str = "kindling-0123456789.js";

async fn start() -> Collector {
    let bundle = fixtures().join("bundle");
    Collector::start_with(Backend::Sqlite, |settings| settings.widget_dir = Some(bundle)).await
}

async fn document(collector: &Collector) -> Value {
    let response = collector.http.get(collector.url("/openapi.json")).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    response.json().await.expect("the document is JSON")
}

/// Every documented operation as (path, method), the method in lower case.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (path.clone(), (*method).to_owned()))
        })
        .collect()
}

/// `path` with each `{parameter}` filled in with a value of the right shape.
fn concrete(path: &str) -> String {
    path.replace("{name}", BUNDLE_FILE)
        .replace("{form}", "probe")
        .replace("{token}", "probe")
        .replace("{id}", "probe")
}

/// An answer, as far as telling routes apart needs: status, media type and body.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: StatusCode,
    content_type: String,
    body: String,
}

/// Who a probe is sent as.
#[derive(Debug, Clone, Copy)]
enum Caller {
    /// No token: admin routes answer 401 before any handler runs, so no probe changes
    /// anything.
    Anonymous,
    /// The admin token: the admin router's token layer wraps its 405s too, so only a
    /// caller with the token sees them.
    Admin,
}

/// Sends `method` to `path` with an empty `text/plain` body.
async fn probe(collector: &Collector, caller: Caller, method: &str, path: &str) -> Answer {
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("method");
    let mut request =
        collector.http.request(method, collector.url(path)).header(CONTENT_TYPE, "text/plain");
    if let Caller::Admin = caller {
        request = request.bearer_auth(TOKEN);
    }
    let response = request.send().await.expect("sent");
    let status = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|value| value.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let body = response.text().await.unwrap_or_default();
    Answer { status, content_type, body }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_route_is_served_and_no_other_method_is() {
    let collector = start().await;
    let document = document(&collector).await;
    let operations = operations(&document);
    assert!(operations.len() > 20, "{operations:?}");

    let fallback = probe(&collector, Caller::Anonymous, "get", MADE_UP[0]).await;
    assert_eq!(fallback.status, StatusCode::NOT_FOUND, "{fallback:?}");
    for path in MADE_UP {
        for method in ["get", "post"] {
            let answer = probe(&collector, Caller::Admin, method, path).await;
            assert_eq!(answer, fallback, "{method} {path}");
        }
    }

    let mut problems = Vec::new();
    for (path, method) in &operations {
        let answer = probe(&collector, Caller::Anonymous, method, &concrete(path)).await;
        if answer == fallback || answer.status == StatusCode::METHOD_NOT_ALLOWED {
            problems.push(format!("documented but not served: {method} {path} -> {answer:?}"));
        }
    }
    let paths: BTreeSet<&String> = operations.iter().map(|(path, _)| path).collect();
    for path in paths {
        let documented = |method: &str| operations.contains(&(path.clone(), method.to_owned()));
        for method in METHODS.iter().filter(|method| !documented(method)) {
            if *method == "head" && documented("get") {
                continue;
            }
            let answer = probe(&collector, Caller::Admin, method, &concrete(path)).await;
            if answer.status != StatusCode::METHOD_NOT_ALLOWED {
                problems.push(format!("served but not documented: {method} {path} -> {answer:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_registered_outside_routes_macro_are_documented() {
    let collector = start().await;
    let document = document(&collector).await;
    let documented: Vec<String> =
        document["paths"].as_object().expect("paths").keys().cloned().collect();
    let mut registered = Vec::new();
    let mut problems = Vec::new();
    source_routes(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut registered,
        &mut problems,
    );
    assert!(
        registered
            .iter()
            .any(|(_, call, path)| call == ".route_service(" && path == "/kindling.js"),
        "the scan finds the bundle's routes: {registered:?}"
    );
    for (file, call, path) in &registered {
        let covered = if call.starts_with(".nest") {
            documented.iter().any(|doc| doc.starts_with(&format!("{path}/")))
        } else {
            documented.contains(path)
        };
        if !covered {
            problems.push(format!("{file}: {call}\"{path}\" is not in the document"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Collects `(file, call, path)` for every route registration in the Rust files under
/// `dir` that does not go through `routes!`; a call whose path is not a literal is a
/// problem, since the document could not be checked against it.
fn source_routes(
    dir: &Path,
    found: &mut Vec<(String, String, String)>,
    problems: &mut Vec<String>,
) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).expect("source folder").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.ends_with("console") {
                continue;
            }
            source_routes(&path, found, problems);
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("source file");
        for call in [".route(", ".route_service(", ".nest(", ".nest_service("] {
            for (at, _) in text.match_indices(call) {
                let rest = text[at + call.len()..].trim_start();
                match rest.strip_prefix('"').and_then(|rest| rest.split_once('"')) {
                    Some((literal, _)) => {
                        found.push((file.clone(), call.to_owned(), literal.to_owned()))
                    }
                    None => problems.push(format!("{file}: {call}… without a literal path")),
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_openapi_3_1_with_the_admin_token_and_json_errors() {
    let collector = start().await;
    let document = document(&collector).await;
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["components"]["securitySchemes"]["admin_token"]["scheme"], "bearer");
    let session = &document["components"]["securitySchemes"]["session"];
    assert_eq!((&session["in"], &session["name"]), (&"cookie".into(), &"kindling_session".into()));

    let mut problems = Vec::new();
    for (path, method) in operations(&document) {
        let operation = &document["paths"][&path][&method];
        let wants_token =
            operation["security"] == serde_json::json!([{"admin_token": []}, {"session": []}]);
        // Signing in is the one admin route reachable without a credential.
        let signing_in = path == "/admin/api/session" && method == "post";
        let behind_token = (path.starts_with("/admin/") && !signing_in) || path == "/metrics";
        if wants_token != behind_token {
            problems.push(format!("{method} {path}: security {}", operation["security"]));
        }
        for (status, response) in operation["responses"].as_object().expect("responses") {
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            let response = resolve(&document, response);
            let Some(schema) = response["content"]["application/json"].get("schema") else {
                continue;
            };
            let expected = if status == "422" { "FormRejected" } else { "ErrorBody" };
            if schema["$ref"] != format!("#/components/schemas/{expected}") {
                problems.push(format!("{method} {path} {status}: {schema}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let detail = &document["components"]["schemas"]["ErrorDetail"];
    let required: BTreeSet<&str> =
        detail["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    assert_eq!(required, BTreeSet::from(["code", "message"]), "{detail}");
    assert!(detail["properties"]["field"].is_object(), "{detail}");

    // Public JSON bodies may come as text/plain; the plain form posts form-encoded.
    let submissions = &document["paths"]["/v1/forms/{form}/submissions"]["post"]["requestBody"];
    for media in ["application/json", "text/plain", "application/x-www-form-urlencoded"] {
        assert!(submissions["content"][media].is_object(), "{media}: {submissions}");
    }
    for path in ["/v1/boot", "/v1/events"] {
        let body = &document["paths"][path]["post"]["requestBody"]["content"];
        assert!(body["text/plain"].is_object() && body["application/json"].is_object(), "{body}");
    }
}

/// `response`, or the component it refers to.
fn resolve<'a>(document: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/responses/")) {
        Some(name) => &document["components"]["responses"][name],
        None => response,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_public_and_cacheable() {
    let collector = Collector::start(Backend::Sqlite).await;
    let first = collector.http.get(collector.url("/openapi.json")).send().await.expect("sent");
    assert_eq!(first.status(), StatusCode::OK, "no token needed");
    assert_eq!(first.headers()[CACHE_CONTROL], "public, max-age=300");
    let etag = first.headers()[ETAG].clone();
    let body = first.bytes().await.expect("body");

    let again = collector.http.get(collector.url("/openapi.json")).send().await.expect("sent");
    assert_eq!(again.headers()[ETAG], etag, "built once: the same document every time");
    assert_eq!(again.bytes().await.expect("body"), body);

    let unchanged = collector
        .http
        .get(collector.url("/openapi.json"))
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.headers()[ETAG], etag);
    assert!(unchanged.bytes().await.expect("body").is_empty());
}
