//! Leads export over real HTTP on both backends, and through `kindling-collector
//! export` on a SQLite file.

use reqwest::StatusCode;
use serde_json::{Value, json};

#[path = "support/harness.rs"]
mod harness;

use harness::*;

on_both_backends!(leads_export_as_csv_and_json_with_the_list_filters);

const ANN: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000a0001";
const BOB: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000b0001";

fn ebook(visitor: &str, id: u32, email: &str, company: &str, size: &str) -> Value {
    json!({"site": "pk_test", "visitor": visitor, "id": uuid_for(id), "session": SESSION,
           "url": "https://www.example.com/ebook", "elapsed_ms": 9_000,
           "values": {"email": email, "name": "N", "company": company, "company_size": size}})
}

async fn seed(collector: &Collector) {
    for body in [
        ebook(ANN, 1, "ann@example.com", "=cmd|' /C calc'!A0", "500"),
        ebook(BOB, 2, "bob@example.com", "Bee, Ltd", "25"),
    ] {
        let response =
            collector.post("/v1/forms/ebook/submissions", Some(ALLOWED), body.to_string()).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

async fn leads_export_as_csv_and_json_with_the_list_filters(backend: Backend) {
    let collector = Collector::start_with(backend, |settings| {
        settings.config = Some(fixtures().join("forms.yaml"));
    })
    .await;
    seed(&collector).await;

    let response =
        collector.admin(reqwest::Method::GET, "/admin/api/leads/export?site=pk_test").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"leads-pk_test.csv\""
    );
    let csv = response.text().await.expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("id,email,score,temperature,stage,segments,"));
    assert!(lines[0].ends_with(",trait:company,trait:company_size,trait:name"), "{}", lines[0]);
    // Best score first: Ann has the fit points of a large company.
    assert!(lines[1].starts_with(&format!("{ANN},ann@example.com,35,warm,lead,")), "{}", lines[1]);
    assert!(lines[1].contains(",'=cmd|' /C calc'!A0,500,N"), "formulas are defused: {}", lines[1]);
    assert!(lines[2].contains(",\"Bee, Ltd\",25,N"), "{}", lines[2]);

    let response = collector
        .admin(
            reqwest::Method::GET,
            "/admin/api/leads/export?site=pk_test&format=json&min_score=30",
        )
        .await;
    assert_eq!(response.headers()["content-type"], "application/json");
    let leads: Value = response.json().await.expect("JSON");
    assert_eq!(leads.as_array().map(Vec::len), Some(1));
    assert_eq!(leads[0]["email"], "ann@example.com");

    let response = collector
        .admin(reqwest::Method::GET, "/admin/api/leads/export?site=pk_test&format=xml")
        .await;
    expect_error(response, StatusCode::BAD_REQUEST, "invalid_field", Some("query")).await;
    let response = collector
        .http
        .get(collector.url("/admin/api/leads/export?site=pk_test"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_command_writes_a_sites_leads() {
    let folder = tempfile::tempdir().expect("folder");
    let database = format!("sqlite://{}", folder.path().join("leads.db").display());
    let url = database.clone();
    let collector = Collector::start_with(Backend::Sqlite, move |settings| {
        settings.config = Some(fixtures().join("forms.yaml"));
        settings.database = url;
    })
    .await;
    seed(&collector).await;
    let out = folder.path().join("leads.json");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kindling-collector"))
        .args(["export", "--site", "pk_test", "--format", "json", "--stage", "lead", "--out"])
        .arg(&out)
        .env("KINDLING_DATABASE", &database)
        .status()
        .expect("runs");
    assert!(status.success());
    let leads: Value =
        serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("JSON");
    let emails: Vec<&str> =
        leads.as_array().expect("list").iter().filter_map(|lead| lead["email"].as_str()).collect();
    assert_eq!(emails, ["ann@example.com", "bob@example.com"]);
}
