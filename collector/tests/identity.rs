//! Whose data a browser is shown, over real HTTP on both backends. Knowing a lead's
//! email is not being the lead: a visitor that types it in a form, or sends it by an
//! unsigned `identify`, is linked to the lead on the server (the lead is scored and
//! handed on), but its browser gets back only what that device itself provided, in
//! every answer (events, boot, form views and their prefill). A signature of the site's
//! backend proves the identity; then the browser is shown the person.

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

#[path = "support/harness.rs"]
mod harness;

use harness::*;

on_both_backends!(
    an_email_typed_on_another_device_does_not_show_the_leads_data,
    the_device_that_claimed_first_does_not_see_what_the_real_lead_sends,
    a_signed_identify_shows_the_person,
);

const SECRET: &str = "forms-test-identity-secret-of-32-bytes-or-more";
const VICTIM: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000c0001";
const ATTACKER: &str = "0190f3c2-7d2a-7c4e-8a8b-0000000d0001";
const URL: &str = "https://www.example.com/";

fn sign(email: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).expect("a key");
    mac.update(email.trim().to_lowercase().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The victim's demo request: name, company, phone; an SQL with 40 points.
async fn victim_requests_a_demo(collector: &Collector, visitor: &str, id: u32) -> Value {
    let values = json!({"email": "vic@example.com", "name": "Victoria Secret",
                        "company": "Victim Corp", "phone": "+48 600 111 222", "timeline": "now"});
    let body = json!({"site": "pk_test", "visitor": visitor, "id": uuid_for(id), "session": SESSION,
                      "url": "https://www.example.com/demo", "values": values, "elapsed_ms": 9_000});
    let response =
        collector.post("/v1/forms/demo-request/submissions", Some(ALLOWED), body.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

async fn form_view(collector: &Collector, visitor: &str) -> Value {
    let url = collector.url(&format!("/v1/forms/demo-request?site=pk_test&visitor={visitor}"));
    let response = collector.http.get(url).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

async fn boot(collector: &Collector, visitor: &str) -> Value {
    let boot =
        json!({"site": "pk_test", "visitor": visitor, "url": URL, "forms": ["demo-request"]});
    let response = collector.post("/v1/boot", Some(ALLOWED), boot.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

/// Fails when any of the victim's data is in `answer`.
fn assert_nothing_of_the_victim(answer: &Value, what: &str) {
    let text = answer.to_string();
    for secret in ["Victoria", "Victim Corp", "600 111 222", "\"sql\""] {
        assert!(!text.contains(secret), "{what} shows {secret}: {answer:#}");
    }
}

async fn an_email_typed_on_another_device_does_not_show_the_leads_data(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    victim_requests_a_demo(&collector, VICTIM, 1).await;
    let victim_view = form_view(&collector, VICTIM).await;
    assert_eq!(victim_view["values"]["email"], "vic@example.com", "the lead's own device");

    let claim = event(50, "identify", URL, None, json!({"email": "VIC@example.com"}));
    let answer = collector.send(ATTACKER, vec![claim]).await;
    assert_nothing_of_the_victim(&answer, "the identify answer");
    assert_eq!(answer["visitor"]["score"], 0, "{answer:#}");
    assert_eq!(answer["visitor"]["stage"], "lead", "the device's own claim: {answer:#}");
    let later = collector.send(ATTACKER, vec![event(51, "pageview", URL, None, Value::Null)]).await;
    assert_nothing_of_the_victim(&later, "a later events answer");
    let boot = boot(&collector, ATTACKER).await;
    assert_nothing_of_the_victim(&boot, "boot");
    let view = form_view(&collector, ATTACKER).await;
    assert_nothing_of_the_victim(&view, "the form view");
    assert_eq!(view["values"]["email"], "vic@example.com", "what the device typed itself");

    // On the server the claim links the device to the lead.
    let profile = collector.profile("email=vic@example.com").await;
    let visitors = profile["visitors"].as_array().expect("visitors");
    assert!(visitors.iter().any(|v| v == ATTACKER), "linked: {profile:#}");
    assert_eq!(profile["person"]["stage"], "sql");
    assert_eq!(profile["person"]["traits"]["name"]["value"], "Victoria Secret", "{profile:#}");
}

async fn the_device_that_claimed_first_does_not_see_what_the_real_lead_sends(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    let claim = event(60, "identify", URL, None, json!({"email": "vic@example.com"}));
    collector.send(ATTACKER, vec![claim]).await;
    victim_requests_a_demo(&collector, VICTIM, 2).await;
    let own = boot(&collector, VICTIM).await;
    assert_eq!(own["visitor"]["stage"], "sql", "the victim sees its own: {own:#}");
    let view = form_view(&collector, ATTACKER).await;
    assert_nothing_of_the_victim(&view, "the first claimer's form view");
    let boot = boot(&collector, ATTACKER).await;
    assert_nothing_of_the_victim(&boot, "the first claimer's boot");
    let answer =
        collector.send(ATTACKER, vec![event(61, "pageview", URL, None, Value::Null)]).await;
    assert_nothing_of_the_victim(&answer, "the first claimer's events answer");
}

async fn a_signed_identify_shows_the_person(backend: Backend) {
    let collector = Collector::start_forms_site(backend).await;
    victim_requests_a_demo(&collector, VICTIM, 3).await;
    let laptop = "0190f3c2-7d2a-7c4e-8a8b-0000000c0002";
    let forged = json!({"email": "vic@example.com", "signature": "ab".repeat(32)});
    let answer = collector.send(laptop, vec![event(70, "identify", URL, None, forged)]).await;
    assert_nothing_of_the_victim(&answer, "a forged signature");

    let signed = json!({"email": "Vic@Example.com", "signature": sign("vic@example.com")});
    let answer = collector.send(laptop, vec![event(71, "identify", URL, None, signed)]).await;
    assert_eq!(answer["visitor"]["stage"], "sql", "proved: {answer:#}");
    let view = form_view(&collector, laptop).await;
    assert_eq!(view["values"]["email"], "vic@example.com");
    let boot = boot(&collector, laptop).await;
    assert_eq!(boot["visitor"]["stage"], "sql", "{boot:#}");
    let stored = collector.events().await;
    let identify = stored.iter().find(|e| e["id"] == event_id(71)).expect("stored");
    assert!(!identify.to_string().contains("signature"), "not kept: {identify:#}");
}
