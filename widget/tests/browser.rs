//! The widget's own tests, run in headless Chromium by wasm-bindgen-test-runner
//! (`cargo xtask test`): real DOM, real storage, real fetch.

use kindling_core::privacy::{ConsentMode, Signals};
use kindling_core::wire::{
    BlockContent, BootRequest, BootResponse, ClientEvent, Context, Cta, Decision, EventBatch,
    EventKind, PropValue, VisitorState,
};
use kindling_widget::codec::{Decode, Encode};
use kindling_widget::state::{self, Widget};
use kindling_widget::{Options, api, identity, render, storage};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

fn decision(slot: &str, headline: &str) -> Decision {
    Decision {
        slot: slot.to_owned(),
        block: "hero-welcome".to_owned(),
        variant: "a".to_owned(),
        content: BlockContent {
            headline: headline.to_owned(),
            body_html: "<p>Read <strong>this</strong>.</p>".to_owned(),
            cta: Some(Cta { label: "Take the tour".to_owned(), url: "/tour/".to_owned() }),
        },
    }
}

fn add_slot(name: &str) -> web_sys::Element {
    let slot = document().create_element("div").expect("div");
    slot.set_attribute("data-kindling-slot", name).expect("attribute");
    document().document_element().expect("root element").append_child(&slot).expect("appended");
    slot
}

#[wasm_bindgen_test]
fn encoded_requests_parse_as_the_shared_wire_types() {
    let boot = BootRequest {
        site: "pk_demo".to_owned(),
        visitor: "0190f3c2-7d2a-7c4e-8a8b-0123456789ab".to_owned(),
        url: "https://example.com/?utm_source=x".to_owned(),
        referrer: None,
        slots: vec!["hero".to_owned(), "footer".to_owned()],
    };
    let json = js_sys::JSON::stringify(&boot.encode()).expect("stringify").as_string().expect("text");
    assert_eq!(serde_json::from_str::<BootRequest>(&json).expect("parses"), boot, "{json}");

    let batch = EventBatch {
        site: "pk_demo".to_owned(),
        visitor: boot.visitor.clone(),
        context: Some(Context {
            visit: 3,
            first_visit_ms: 1_763_000_000_000,
            landing: Some("https://example.com/?utm_source=x".to_owned()),
            referrer: None,
            language: Some("pl-PL".to_owned()),
            viewport: Some(1280),
            touch: 0,
            dropped: 2,
        }),
        events: vec![
            ClientEvent {
                id: "0190f3c2-7d2a-7c4e-8a8b-00000000e001".to_owned(),
                kind: EventKind::Pageview,
                session: "0190f3c2-7d2a-7c4e-8a8b-00000000a001".to_owned(),
                url: "https://example.com/".to_owned(),
                title: Some("Home — “quoted”".to_owned()),
                referrer: Some("https://www.google.com/".to_owned()),
                name: None,
                target: None,
                value: None,
                props: vec![],
                ts: 1_764_000_000_123,
            },
            ClientEvent {
                id: "0190f3c2-7d2a-7c4e-8a8b-00000000e002".to_owned(),
                kind: EventKind::Custom,
                session: "0190f3c2-7d2a-7c4e-8a8b-00000000a001".to_owned(),
                url: "https://example.com/".to_owned(),
                title: None,
                referrer: None,
                name: Some("calculator_used".to_owned()),
                target: Some("seats".to_owned()),
                value: Some(75.0),
                props: vec![
                    ("plan".to_owned(), PropValue::Text("growth".to_owned())),
                    ("seats".to_owned(), PropValue::Number(12.0)),
                    ("annual".to_owned(), PropValue::Bool(true)),
                ],
                ts: 1_764_000_000_124,
            },
        ],
    };
    let json = js_sys::JSON::stringify(&batch.encode()).expect("stringify").as_string().expect("text");
    assert_eq!(serde_json::from_str::<EventBatch>(&json).expect("parses"), batch, "{json}");
    // What the offline queue stores comes back as the same events.
    let stored = js_sys::JSON::parse(&json).expect("JSON");
    let events = js_sys::Reflect::get(&stored, &"events".into()).expect("events");
    let restored: Vec<ClientEvent> =
        js_sys::Array::from(&events).iter().filter_map(|event| ClientEvent::decode(&event)).collect();
    assert_eq!(restored, batch.events);
}

#[wasm_bindgen_test]
fn decoded_responses_match_what_the_collector_serializes() {
    let response = BootResponse {
        visitor: VisitorState {
            id: "0190f3c2-7d2a-7c4e-8a8b-0123456789ab".to_owned(),
            score: 45,
            temperature: "warm".to_owned(),
            stage: "lead".to_owned(),
            segments: vec!["returning".to_owned(), "pricing".to_owned()],
        },
        decisions: vec![decision("hero", "Hello"), {
            let mut plain = decision("footer", "Bye");
            plain.content.cta = None;
            plain
        }],
    };
    let json = serde_json::to_string(&response).expect("serializes");
    let value = js_sys::JSON::parse(&json).expect("parses");
    assert_eq!(BootResponse::decode(&value), Some(response));
    assert_eq!(BootResponse::decode(&js_sys::JSON::parse(r#"{"decisions":[]}"#).expect("json")), None);
}

#[wasm_bindgen_test]
fn renders_a_decision_into_its_slot_inside_a_shadow_root() {
    let slot = add_slot("render-test");
    render::render(&decision("render-test", "Close the books <fast>")).expect("rendered");
    let root = slot.shadow_root().expect("a shadow root");
    let heading = root.query_selector("h2").expect("query").expect("a heading");
    assert_eq!(heading.text_content().as_deref(), Some("Close the books <fast>"), "headline is text");
    let body = root.query_selector(".kd-body strong").expect("query").expect("body markup");
    assert_eq!(body.text_content().as_deref(), Some("this"));
    let cta = root.query_selector("a.kd-cta").expect("query").expect("a CTA");
    assert_eq!(cta.get_attribute("href").as_deref(), Some("/tour/"));
    assert_eq!(slot.get_attribute("data-kindling-block").as_deref(), Some("hero-welcome"));
    assert_eq!(slot.inner_html(), "", "the host's light DOM is untouched");

    // Rendering again replaces the content instead of adding to it.
    render::render(&decision("render-test", "Second")).expect("rendered again");
    let headings = root.query_selector_all("h2").expect("query");
    assert_eq!(headings.length(), 1);
    assert_eq!(root.query_selector("h2").ok().flatten().and_then(|h| h.text_content()).as_deref(), Some("Second"));
}

#[wasm_bindgen_test]
fn a_missing_slot_is_an_error_not_a_throw() {
    assert!(render::render(&decision("no-such-slot", "Hi")).is_err());
}

#[wasm_bindgen_test]
fn the_visitor_id_is_kept_first_party_and_reused() {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten()).expect("storage");
    let html = document().dyn_into::<web_sys::HtmlDocument>().expect("html document");
    storage.set_item("kindling.vid", "garbage").expect("set");
    html.set_cookie("kd_vid=; Max-Age=0; Path=/").expect("cookie cleared");

    let first = identity::visitor_id().expect("an id");
    assert!(kindling_core::ids::is_uuid(&first), "{first}");
    assert_ne!(first, "garbage", "an invalid stored id is replaced");
    assert_eq!(storage.get_item("kindling.vid").expect("get").as_deref(), Some(first.as_str()));
    assert!(html.cookie().expect("cookie").contains(&format!("kd_vid={first}")));

    // Storage cleared, cookie kept: the same visitor.
    storage.remove_item("kindling.vid").expect("removed");
    assert_eq!(identity::visitor_id().expect("an id"), first);
    assert_ne!(identity::new_id().expect("id"), identity::new_id().expect("id"));
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("window");
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[wasm_bindgen_test]
async fn an_unreachable_collector_leaves_the_page_alone() {
    let slot = add_slot("hero");
    let options = Options { site: "pk_demo".to_owned(), api: "http://127.0.0.1:9".to_owned() };
    let visitor = identity::new_id().expect("id");
    assert!(kindling_widget::boot(&options, &visitor).await.is_err());
    assert!(slot.shadow_root().is_none(), "nothing rendered");
}

/// The widget's whole lifecycle on one page, in order (the state is per page):
/// consent required → nothing stored; consent granted → pageview queued and kept
/// offline while the collector is unreachable; consent withdrawn → all of it gone.
#[wasm_bindgen_test]
async fn consent_decides_what_is_stored_and_unsent_events_wait_offline() {
    for key in ["kindling.vid", "kindling.session", "kindling.queue", "kindling.landing", "kindling.consent"] {
        storage::remove(key);
    }
    let html = document().dyn_into::<web_sys::HtmlDocument>().expect("html document");
    html.set_cookie("kd_vid=; Max-Age=0; Path=/").expect("cookie cleared");
    state::install(Widget::new(
        "pk_demo".to_owned(),
        "http://127.0.0.1:9".to_owned(),
        ConsentMode::Required,
        Signals::default(),
    ));
    kindling_widget::start_tracking();
    let call = |args: &[wasm_bindgen::JsValue]| {
        let array: js_sys::Array = args.iter().collect();
        api::run(&array);
    };
    call(&["track".into(), "before_consent".into()]);
    sleep(50).await;
    assert_eq!(storage::get("kindling.vid"), None, "no id before consent");
    assert_eq!(storage::get("kindling.queue"), None, "no queue before consent");
    assert!(!html.cookie().expect("cookie").contains("kd_vid="), "no cookie before consent");

    let grant = js_sys::Object::new();
    js_sys::Reflect::set(&grant, &"analytics".into(), &true.into()).expect("set");
    call(&["consent".into(), grant.into()]);
    call(&["track".into(), "after_consent".into()]);
    sleep(1500).await; // past the batching delay: a send was tried and failed
    let queued = storage::get("kindling.queue").expect("events wait offline");
    assert!(queued.contains("\"pageview\""), "{queued}");
    assert!(queued.contains("after_consent"), "{queued}");
    assert!(!queued.contains("before_consent"), "events before consent are dropped: {queued}");
    assert!(storage::get("kindling.vid").is_some());
    assert_eq!(storage::get("kindling.consent").as_deref(), Some("granted"));

    let withdraw = js_sys::Object::new();
    js_sys::Reflect::set(&withdraw, &"analytics".into(), &false.into()).expect("set");
    call(&["consent".into(), withdraw.into()]);
    for key in ["kindling.vid", "kindling.session", "kindling.queue", "kindling.consent"] {
        assert_eq!(storage::get(key), None, "{key} removed");
    }
    assert!(!html.cookie().expect("cookie").contains("kd_vid="), "cookie removed");
    assert_eq!(state::with(|widget| widget.queue.len()), Some(0));
}
