//! The console's forms report page over real HTTP, on both backends, signed in: a
//! two-step form most visitors leave at the first field of step 2 shows that field as
//! the biggest drop-off, counted against the views that showed it (progressive
//! profiling's field left out of the views that drew the other one, step 2's fields
//! out of the views that never reached it); an erasure and a view finished in a later
//! request move the figures; the field table downloads as CSV.

use reqwest::StatusCode;
use serde_json::{Value, json};

#[path = "support/accounts.rs"]
mod accounts;
#[path = "support/harness.rs"]
mod harness;

use accounts::{Browser, VIEWER, add_user};
use harness::*;

on_both_backends!(
    the_biggest_drop_off_is_counted_against_the_views_that_showed_the_field,
    the_field_table_downloads_as_csv,
);

const PAGE: &str = "https://www.example.com/demo";
const STEP_ONE: &str = "email,name,company";

/// How one scripted view goes.
struct Script {
    /// The step-2 field the view drew (progressive profiling asks one at a time).
    asked: &'static str,
    /// The fields the visitor reached, in order.
    reached: &'static [&'static str],
    /// Sent, or abandoned at the last field reached.
    sent: bool,
}

/// 20 views, 18 starts, 15 reach step 2, 4 sends; 11 of the 15 leave at step 2's
/// first field.
fn scripts() -> Vec<Script> {
    let mut all = Vec::new();
    let step_two: &[&str] = &["email", "name", "company", "phone"];
    let step_two_timeline: &[&str] = &["email", "name", "company", "timeline"];
    for _ in 0..3 {
        all.push(Script { asked: "phone", reached: step_two, sent: true });
    }
    for _ in 0..9 {
        all.push(Script { asked: "phone", reached: step_two, sent: false });
    }
    all.push(Script { asked: "timeline", reached: step_two_timeline, sent: true });
    for _ in 0..2 {
        all.push(Script { asked: "timeline", reached: step_two_timeline, sent: false });
    }
    all.push(Script { asked: "phone", reached: &["email"], sent: false });
    for _ in 0..2 {
        all.push(Script { asked: "phone", reached: &["email", "name"], sent: false });
    }
    for _ in 0..2 {
        all.push(Script { asked: "phone", reached: &[], sent: false });
    }
    all
}

fn with_target(mut event: Value, target: &str) -> Value {
    event["target"] = json!(target);
    event
}

/// Plays every script as its own visitor: the widget's events, then the submission.
async fn play(collector: &Collector) {
    for (index, script) in scripts().iter().enumerate() {
        let visitor = uuid_for(100 + index as u32);
        let n = 1_000 + index as u32 * 20;
        let shown = json!({"fields": format!("{STEP_ONE},{}", script.asked)});
        let mut events = vec![event(n, "form_view", PAGE, Some("demo-request"), shown)];
        for (at, field) in script.reached.iter().enumerate() {
            let kind = if at == 0 { "form_start" } else { "form_field" };
            let reached = event(n + 1 + at as u32, kind, PAGE, Some("demo-request"), Value::Null);
            events.push(with_target(reached, field));
        }
        if let (false, Some(last)) = (script.sent, script.reached.last()) {
            let abandon = event(n + 10, "form_abandon", PAGE, Some("demo-request"), Value::Null);
            events.push(with_target(abandon, last));
        }
        collector.send(&visitor, events).await;
        if script.sent {
            let mut values = json!({"email": format!("lead{index}@example.com"), "name": "Lead",
                                    "company": "Acme"});
            values[script.asked] =
                json!(if script.asked == "phone" { "+48 600 700 800" } else { "now" });
            let body = json!({"site": "pk_test", "visitor": visitor, "id": uuid_for(500 + index as u32),
                              "session": SESSION, "url": PAGE, "values": values, "elapsed_ms": 9_000});
            let response = collector
                .post("/v1/forms/demo-request/submissions", Some(ALLOWED), body.to_string())
                .await;
            assert_eq!(response.status(), StatusCode::OK, "submission {index}");
        }
    }
}

async fn signed_in(collector: &Collector) -> Browser<'_> {
    add_user(collector, VIEWER, "viewer").await;
    Browser::sign_in(collector, VIEWER).await
}

fn field<'a>(form: &'a Value, name: &str) -> &'a Value {
    form["fields"].as_array().expect("fields").iter().find(|f| f["field"] == name).expect(name)
}

async fn the_biggest_drop_off_is_counted_against_the_views_that_showed_the_field(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    play(&collector).await;
    let browser = signed_in(&collector).await;

    let response = browser.get("/admin/reports/forms?site=pk_test&range=30d&format=json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.expect("JSON");
    let forms = report["forms"].as_array().expect("forms");
    assert_eq!(forms[0]["form"], "demo-request", "the busiest form first");
    let demo = &forms[0];
    assert_eq!(
        (&demo["views"], &demo["starts"], &demo["submissions"], &demo["started_views"]),
        (&json!(20), &json!(18), &json!(4), &json!(18))
    );
    assert_eq!(demo["conversion_rate"], 0.2);
    assert_eq!(demo["biggest_drop_off"], "phone");
    let line = |name| {
        let line = field(demo, name);
        (
            line["step"].clone(),
            line["shown"].clone(),
            line["passed"].clone(),
            line["stopped"].clone(),
        )
    };
    assert_eq!(line("email"), (json!(1), json!(20), json!(17), json!(1)));
    assert_eq!(line("name"), (json!(1), json!(20), json!(15), json!(2)));
    assert_eq!(line("company"), (json!(1), json!(20), json!(15), json!(0)));
    // Step 2 was reached in 15 views; 3 of them drew `timeline` instead of `phone`.
    assert_eq!(line("phone"), (json!(2), json!(12), json!(3), json!(9)));
    assert_eq!(line("timeline"), (json!(2), json!(3), json!(1), json!(2)));
    assert_eq!(field(demo, "phone")["drop_off"], 0.75);

    let page = browser.get("/admin/reports/forms?site=pk_test").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("HTML");
    assert!(
        html.contains("Biggest drop-off: </strong>Phone (phone) (step 2): 9 of the 12 views"),
        "{html}"
    );
    assert!(html.contains("Median time to complete"), "{html}");
    assert!(html.contains(r#"aria-current="page">Forms</a>"#), "the Forms tab is current");
    assert_eq!(demo["median_seconds"], 0, "sent within a second of the first field");

    // Erasing a visitor who sent the form and one who stopped at `phone` takes their
    // views away; a view whose abandon comes in a later request moves on then.
    for index in [0, 3] {
        let path = format!("/admin/api/profile?site=pk_test&visitor={}", uuid_for(100 + index));
        let erased = collector.admin(reqwest::Method::DELETE, &path).await;
        assert_eq!(erased.status(), StatusCode::OK);
    }
    let late = uuid_for(300);
    let shown = json!({"fields": format!("{STEP_ONE},phone")});
    collector.send(&late, vec![event(5_000, "form_view", PAGE, Some("demo-request"), shown)]).await;
    let abandon = event(5_001, "form_abandon", PAGE, Some("demo-request"), Value::Null);
    collector.send(&late, vec![with_target(abandon, "email")]).await;
    let response = browser.get("/admin/reports/forms?site=pk_test&range=30d&format=json").await;
    let report: Value = response.json().await.expect("JSON");
    let demo = &report["forms"][0];
    assert_eq!(
        (&demo["views"], &demo["started_views"], &demo["submissions"]),
        (&json!(19), &json!(17), &json!(3))
    );
    assert_eq!(line_of(demo, "email"), (json!(1), json!(19), json!(15), json!(2)));
    assert_eq!(line_of(demo, "phone"), (json!(2), json!(10), json!(2), json!(8)));
}

fn line_of(form: &Value, name: &str) -> (Value, Value, Value, Value) {
    let line = field(form, name);
    (line["step"].clone(), line["shown"].clone(), line["passed"].clone(), line["stopped"].clone())
}

async fn the_field_table_downloads_as_csv(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    play(&collector).await;
    let browser = signed_in(&collector).await;
    let response = browser
        .get("/admin/reports/forms?site=pk_test&range=7d&format=csv&form=demo-request")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"].to_str().expect("text").to_owned();
    assert!(disposition.starts_with("attachment; filename=\"form-demo-request-"), "{disposition}");
    let csv = response.text().await.expect("CSV");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "field,label,step,shown,passed,stopped,drop_off");
    assert_eq!(lines[4], "phone,Phone,2,12,3,9,0.7500");
    assert_eq!(lines.len(), 6, "{csv}");

    let unknown = browser.get("/admin/reports/forms?site=pk_test&format=csv&form=nope").await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let signed_out = collector.http.get(collector.url("/admin/reports/forms")).send().await;
    let signed_out = signed_out.expect("sent");
    assert_ne!(signed_out.url().path(), "/admin/reports/forms", "only for signed-in users");
}
