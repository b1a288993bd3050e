//! The widget's own tests, run in headless Chromium by wasm-bindgen-test-runner
//! (`cargo xtask test`): real DOM, real storage, real fetch.

use kindling_core::blocks::{Layout, Placement, Trigger};
use kindling_core::privacy::{ConsentMode, Signals};
use kindling_core::wire::{
    BlockContent, BootRequest, BootResponse, ClientEvent, Context, Cta, CtaAction, Decision,
    EventBatch, EventKind, EventsAccepted, Image, Link, PropValue, VisitorState, VisitorSummary,
};
use kindling_widget::codec::{BootAnswer, Decode, Encode};
use kindling_widget::state::{self, Widget};
use kindling_widget::{Options, api, blocks, identity, render, storage};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
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
        placement: Placement::Inline,
        layout: Layout::Standard,
        trigger: Trigger::Immediate,
        content: BlockContent {
            headline: headline.to_owned(),
            body_html: "<p>Read <strong>this</strong>.</p>".to_owned(),
            image: None,
            ctas: vec![cta("Take the tour", CtaAction::Link, "/tour/")],
            items: vec![],
        },
    }
}

fn cta(label: &str, action: CtaAction, target: &str) -> Cta {
    Cta { label: label.to_owned(), action, target: target.to_owned() }
}

/// An overlay block with a link and a form call to action.
fn overlay(block: &str, placement: Placement, trigger: Trigger) -> Decision {
    Decision {
        slot: String::new(),
        block: block.to_owned(),
        variant: "b".to_owned(),
        placement,
        layout: Layout::ImageTop,
        trigger,
        content: BlockContent {
            headline: "Get the guide".to_owned(),
            body_html: "<p>Twelve pages, <a href=\"/guide/\">no fluff</a>.</p>".to_owned(),
            image: None,
            ctas: vec![
                cta("Download", CtaAction::Link, "#download"),
                cta("Talk to us", CtaAction::Form, "demo-request"),
            ],
            items: vec![],
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
        session: Some("0190f3c2-7d2a-7c4e-8a8b-00000000a001".to_owned()),
        context: Some(Context {
            visit: 2,
            first_visit_ms: 1_763_000_000_000,
            landing: None,
            referrer: Some("https://www.google.com/".to_owned()),
            language: Some("en-GB".to_owned()),
            viewport: Some(390),
            touch: 5,
            dropped: 0,
        }),
        new_visitor: true,
        forms: Vec::new(),
    };
    let json =
        js_sys::JSON::stringify(&boot.encode()).expect("stringify").as_string().expect("text");
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
        slots: vec!["hero".to_owned()],
    };
    let json =
        js_sys::JSON::stringify(&batch.encode()).expect("stringify").as_string().expect("text");
    assert_eq!(serde_json::from_str::<EventBatch>(&json).expect("parses"), batch, "{json}");
    // What the offline queue stores comes back as the same events.
    let stored = js_sys::JSON::parse(&json).expect("JSON");
    let events = js_sys::Reflect::get(&stored, &"events".into()).expect("events");
    let restored: Vec<ClientEvent> = js_sys::Array::from(&events)
        .iter()
        .filter_map(|event| ClientEvent::decode(&event))
        .collect();
    assert_eq!(restored, batch.events);
}

#[wasm_bindgen_test]
fn decoded_responses_match_what_the_collector_serializes() {
    let mut recommendation = decision("footer", "Read next");
    recommendation.content.body_html = String::new();
    recommendation.content.ctas = vec![];
    recommendation.content.image =
        Some(Image { url: "/img/guide.png".to_owned(), alt: "A guide".to_owned() });
    recommendation.content.items = vec![
        Link { title: "Pricing explained".to_owned(), url: "/blog/pricing".to_owned() },
        Link { title: "Case study".to_owned(), url: "https://example.com/acme".to_owned() },
    ];
    let mut exit = overlay("exit-offer", Placement::Modal, Trigger::ExitIntent);
    exit.content.ctas[1] = cta("No thanks", CtaAction::Dismiss, "");
    let decisions = vec![
        decision("hero", "Hello"),
        recommendation,
        exit,
        overlay("bar", Placement::TopBar, Trigger::Delay { seconds: 5 }),
        overlay("card", Placement::SlideIn, Trigger::Scroll { percent: 50 }),
        overlay("idle", Placement::BottomBar, Trigger::Inactivity { seconds: 30 }),
        overlay("pricing", Placement::Modal, Trigger::Click { selector: "#pricing a".to_owned() }),
    ];
    // Of the visitor's state the widget reads only the id.
    let response = BootResponse {
        visitor: VisitorState {
            id: "0190f3c2-7d2a-7c4e-8a8b-0123456789ab".to_owned(),
            ..VisitorState::default()
        },
        decisions: decisions.clone(),
        forms: Vec::new(),
    };
    let mut sent = response.clone();
    sent.visitor.score = 45;
    sent.visitor.segments = vec!["returning".to_owned()];
    let value =
        js_sys::JSON::parse(&serde_json::to_string(&sent).expect("serializes")).expect("parses");
    let decoded = BootAnswer::decode(&value).expect("decodes");
    assert_eq!(decoded.decisions.len(), decisions.len());
    for (got, expected) in decoded.decisions.iter().zip(&decisions) {
        assert_eq!(got, expected, "expected {expected:?}, got {got:?}");
    }
    assert_eq!(decoded.decisions, response.decisions);
    assert!(
        BootAnswer::decode(&js_sys::JSON::parse(r#"{"decisions":[]}"#).expect("json")).is_none()
    );

    // A placement or trigger this widget does not know leaves that decision out.
    let unknown = r#"{"visitor":{"id":"v"},"decisions":[
        {"block":"a","variant":"x","placement":"popup","content":{"headline":"A"}},
        {"block":"b","variant":"x","placement":"modal","trigger":{"on":"hover"},"content":{"headline":"B"}},
        {"block":"c","variant":"x","placement":"modal","trigger":{"on":"delay","seconds":2},"content":{"headline":"C",
         "ctas":[{"label":"1","action":"link","target":"/"},{"label":"2","action":"call"},
                 {"label":"3","action":"form","target":"f"},{"label":"4","action":"dismiss"}]}}]}"#;
    let decoded =
        BootAnswer::decode(&js_sys::JSON::parse(unknown).expect("json")).expect("decodes");
    let blocks: Vec<&str> =
        decoded.decisions.iter().map(|decision| decision.block.as_str()).collect();
    assert_eq!(blocks, ["c"]);
    // An unknown call to action is left out, and at most two are kept.
    let labels: Vec<&str> =
        decoded.decisions[0].content.ctas.iter().map(|cta| cta.label.as_str()).collect();
    assert_eq!(labels, ["1", "3"]);

    let accepted = EventsAccepted {
        accepted: 3,
        duplicates: 1,
        rejected: vec![],
        visitor: VisitorSummary::default(),
        decisions: Some(decisions),
    };
    let value = js_sys::JSON::parse(&serde_json::to_string(&accepted).expect("serializes"))
        .expect("parses");
    assert_eq!(EventsAccepted::decode(&value), Some(accepted.clone()));
    let unchanged = EventsAccepted { decisions: None, ..accepted };
    let value = js_sys::JSON::parse(&serde_json::to_string(&unchanged).expect("serializes"))
        .expect("parses");
    assert_eq!(EventsAccepted::decode(&value), Some(unchanged));
}

#[wasm_bindgen_test]
fn renders_a_decision_into_its_slot_inside_a_shadow_root() {
    let slot = add_slot("render-test");
    slot.set_attribute("style", "min-height:120px").expect("style");
    let mut long = decision("render-test", "Close the books <fast>");
    long.content.body_html.push_str(&"<p>More to read.</p>".repeat(20));
    assert_eq!(render::show(&long), Ok(true));
    let root = slot.shadow_root().expect("a shadow root");
    let heading = root.query_selector("h2").expect("query").expect("a heading");
    assert_eq!(
        heading.text_content().as_deref(),
        Some("Close the books <fast>"),
        "headline is text"
    );
    let body = root.query_selector(".kd-body strong").expect("query").expect("body markup");
    assert_eq!(body.text_content().as_deref(), Some("this"));
    let cta = root.query_selector("a.kd-cta").expect("query").expect("a CTA");
    assert_eq!(cta.get_attribute("href").as_deref(), Some("/tour/"));
    assert_eq!(slot.get_attribute("data-kindling-block").as_deref(), Some("hero-welcome"));
    assert_eq!(slot.inner_html(), "", "the host's light DOM is untouched");
    let block = root.query_selector("section").expect("query").expect("the block");
    assert_eq!(height(&slot), 120.0, "the slot keeps its reserved height, however long the block");
    assert_eq!(height(&block), 120.0, "the block fills the slot");

    // The same variant again: nothing to do. Another variant replaces the content.
    assert_eq!(render::show(&long), Ok(false));
    let mut other = decision("render-test", "Second");
    other.variant = "b".to_owned();
    assert_eq!(render::show(&other), Ok(true));
    let headings = root.query_selector_all("h2").expect("query");
    assert_eq!(headings.length(), 1);
    assert_eq!(
        root.query_selector("h2").ok().flatten().and_then(|h| h.text_content()).as_deref(),
        Some("Second")
    );
    slot.remove();
}

fn height(element: &web_sys::Element) -> f64 {
    element.get_bounding_client_rect().height()
}

#[wasm_bindgen_test]
fn a_missing_slot_is_an_error_not_a_throw() {
    assert!(render::show(&decision("no-such-slot", "Hi")).is_err());
}

#[wasm_bindgen_test]
fn the_visitor_id_is_kept_first_party_and_reused() {
    let storage =
        web_sys::window().and_then(|w| w.local_storage().ok().flatten()).expect("storage");
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
    for key in [
        "kindling.vid",
        "kindling.session",
        "kindling.queue",
        "kindling.landing",
        "kindling.consent",
    ] {
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

// Blocks: placements, focus, controls, triggers and their events.

const VISITOR: &str = "0190f3c2-7d2a-7c4e-8a8b-0123456789ab";

/// A fresh widget that may track a known visitor: block events are queued.
fn tracking_widget() {
    state::install(Widget::new(
        "pk_demo".to_owned(),
        "http://127.0.0.1:9".to_owned(),
        ConsentMode::Implied,
        Signals::default(),
    ));
    state::with(|widget| widget.visitor = Some(VISITOR.to_owned()));
}

/// The block events queued so far, as (type, block, variant, value).
fn block_events() -> Vec<(&'static str, String, String, Option<f64>)> {
    state::with(|widget| {
        widget
            .queue
            .iter()
            .filter(|event| event.kind.as_str().starts_with("block_"))
            .map(|event| {
                let text = |value: &Option<String>| value.clone().unwrap_or_default();
                (event.kind.as_str(), text(&event.name), text(&event.target), event.value)
            })
            .collect()
    })
    .unwrap_or_default()
}

fn event(
    kind: &'static str,
    block: &str,
    variant: &str,
    value: Option<f64>,
) -> (&'static str, String, String, Option<f64>) {
    (kind, block.to_owned(), variant.to_owned(), value)
}

fn overlay_host(block: &str) -> Option<web_sys::Element> {
    document().query_selector(&format!("[data-kindling-overlay=\"{block}\"]")).expect("query")
}

fn inside(root: &web_sys::ShadowRoot, selector: &str) -> web_sys::Element {
    root.query_selector(selector)
        .expect("query")
        .unwrap_or_else(|| panic!("{selector} in the block"))
}

fn focus(element: &web_sys::Element) {
    element.unchecked_ref::<web_sys::HtmlElement>().focus().expect("focus");
}

/// Dispatches a keydown as the browser would: bubbling, composed, cancelable.
fn press(target: &web_sys::Element, key: &str, shift: bool) -> bool {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    target.dispatch_event(&event).expect("dispatched")
}

/// Dispatches a click as the browser would: bubbling, composed, cancelable.
fn click(target: &web_sys::Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).expect("event");
    target.dispatch_event(&event).expect("dispatched");
}

fn computed(element: &web_sys::Element, property: &str) -> String {
    let window = web_sys::window().expect("window");
    let style = window.get_computed_style(element).expect("style").expect("a style");
    style.get_property_value(property).expect("property")
}

#[wasm_bindgen_test]
fn every_overlay_placement_renders_in_its_own_shadow_root_without_moving_the_page() {
    tracking_widget();
    let body = document().body().expect("body");
    let height_before = height(&body);
    for (block, placement, role, edge, offset) in [
        ("slide-test", Placement::SlideIn, "complementary", "bottom", "16px"),
        ("top-test", Placement::TopBar, "region", "top", "0px"),
        ("bottom-test", Placement::BottomBar, "region", "bottom", "0px"),
    ] {
        blocks::show(&overlay(block, placement, Trigger::Immediate)).expect("shown");
        let host = overlay_host(block).expect("a host element");
        assert_eq!(
            host.parent_element().as_ref(),
            Some(body.as_ref()),
            "{block}: appended to <body>"
        );
        assert_eq!(host.inner_html(), "", "{block}: nothing in the light DOM");
        let root = host.shadow_root().expect("an open shadow root");
        let card = inside(&root, &format!("[role={role}]"));
        assert_eq!(card.get_attribute("aria-label").as_deref(), Some("Get the guide"), "{block}");
        assert_eq!(computed(&card, "position"), "fixed", "{block}");
        assert_eq!(computed(&card, edge), offset, "{block}: {edge}");
        assert!(card.get_attribute("aria-modal").is_none(), "{block}: not modal");
        assert_eq!(card.get_attribute("data-layout").as_deref(), Some("image_top"), "{block}");
        let close = inside(&root, "button[data-kd=close]");
        assert_eq!(close.get_attribute("aria-label").as_deref(), Some("Close"));
        let target = close.get_bounding_client_rect();
        assert!(target.width() >= 44.0 && target.height() >= 44.0, "{block}: a touch target");
        let (first, second) =
            (inside(&root, "[data-kd-cta='0']"), inside(&root, "[data-kd-cta='1']"));
        assert_eq!(computed(&first, "background-color"), "rgb(36, 86, 232)", "{block}: primary");
        assert_eq!(computed(&second, "background-color"), "rgba(0, 0, 0, 0)", "{block}: secondary");
        assert_eq!(height(&body), height_before, "{block}: the page did not move");
    }

    for block in ["slide-test", "top-test", "bottom-test"] {
        let root = overlay_host(block).and_then(|host| host.shadow_root()).expect("shown");
        click(&inside(&root, "button[data-kd=close]"));
        assert!(overlay_host(block).is_none(), "{block}: closed by its close button");
    }
    let events = block_events();
    assert_eq!(events.len(), 6, "{events:?}");
    assert_eq!(events[0], event("block_impression", "slide-test", "b", None));
    assert_eq!(events[3], event("block_dismiss", "slide-test", "b", None));
    assert_eq!(events[5], event("block_dismiss", "bottom-test", "b", None));
}

#[wasm_bindgen_test]
fn a_modal_takes_focus_keeps_tab_inside_and_gives_focus_back() {
    tracking_widget();
    let body = document().body().expect("body");
    let opener = document().create_element("button").expect("button");
    opener.set_text_content(Some("Open"));
    body.append_child(&opener).expect("appended");
    focus(&opener);

    blocks::show(&overlay("modal-test", Placement::Modal, Trigger::Immediate)).expect("shown");
    let host = overlay_host("modal-test").expect("a host element");
    let root = host.shadow_root().expect("an open shadow root");
    let dialog = inside(&root, "[role=dialog]");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(dialog.get_attribute("data-layout").as_deref(), Some("image_top"));
    let label = dialog.get_attribute("aria-labelledby").expect("labelled");
    assert_eq!(
        inside(&root, &format!("#{label}")).text_content().as_deref(),
        Some("Get the guide")
    );
    assert!(root.query_selector(".kd-backdrop").expect("query").is_some(), "a backdrop");
    assert_eq!(document().active_element().as_ref(), Some(&host), "focus moved into the block");
    assert_eq!(root.active_element().as_ref(), Some(&dialog), "the dialog has focus");

    let focusable = root.query_selector_all("a[href],button").expect("query");
    let first: web_sys::Element = focusable.get(0).expect("first").unchecked_into();
    let last: web_sys::Element =
        focusable.get(focusable.length() - 1).expect("last").unchecked_into();
    assert_eq!(last.get_attribute("data-kd").as_deref(), Some("close"));
    focus(&last);
    assert!(!press(&last, "Tab", false), "Tab from the last element is taken over");
    assert_eq!(root.active_element().as_ref(), Some(&first), "Tab wrapped to the first element");
    assert!(!press(&first, "Tab", true), "Shift+Tab from the first element is taken over");
    assert_eq!(
        root.active_element().as_ref(),
        Some(&last),
        "Shift+Tab wrapped to the last element"
    );
    focus(&first);
    assert!(press(&first, "Tab", false), "Tab between elements is left to the browser");

    press(&last, "Escape", false);
    assert!(overlay_host("modal-test").is_none(), "Escape closed the modal");
    assert_eq!(
        document().active_element().as_ref(),
        Some(&opener),
        "focus went back to the opener"
    );
    opener.remove();

    blocks::show(&overlay("backdrop-test", Placement::Modal, Trigger::Immediate)).expect("shown");
    let root = overlay_host("backdrop-test").and_then(|host| host.shadow_root()).expect("shown");
    click(&inside(&root, "[role=dialog] p"));
    assert!(overlay_host("backdrop-test").is_some(), "a click inside the dialog keeps it open");
    click(&inside(&root, ".kd-backdrop"));
    assert!(overlay_host("backdrop-test").is_none(), "a click on the backdrop closed the modal");

    assert_eq!(
        block_events(),
        vec![
            event("block_impression", "modal-test", "b", None),
            event("block_dismiss", "modal-test", "b", None),
            event("block_impression", "backdrop-test", "b", None),
            event("block_dismiss", "backdrop-test", "b", None),
        ]
    );
}

#[wasm_bindgen_test]
fn calls_to_action_count_clicks_and_a_form_one_asks_the_page_to_open_its_form() {
    tracking_widget();
    let opened = std::rc::Rc::new(std::cell::RefCell::new(None::<JsValue>));
    let seen = opened.clone();
    let listener =
        Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |event: web_sys::CustomEvent| {
            *seen.borrow_mut() = Some(event.detail());
        });
    document()
        .add_event_listener_with_callback("kindling:open-form", listener.as_ref().unchecked_ref())
        .expect("listening");
    // The test page must not follow the link call to action.
    let stay =
        Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| event.prevent_default());
    let window = web_sys::window().expect("window");
    window
        .add_event_listener_with_callback("click", stay.as_ref().unchecked_ref())
        .expect("listening");

    blocks::show(&overlay("cta-test", Placement::SlideIn, Trigger::Immediate)).expect("shown");
    let root = overlay_host("cta-test").and_then(|host| host.shadow_root()).expect("shown");
    click(&inside(&root, "a[data-kd=link]"));
    assert!(opened.borrow().is_none());
    click(&inside(&root, "button[data-kd=form]"));
    let detail = opened.borrow().clone().expect("kindling:open-form dispatched");
    let field =
        |key: &str| js_sys::Reflect::get(&detail, &key.into()).ok().and_then(|v| v.as_string());
    assert_eq!(field("form").as_deref(), Some("demo-request"));
    assert_eq!(field("block").as_deref(), Some("cta-test"));
    assert_eq!(field("variant").as_deref(), Some("b"));
    assert!(overlay_host("cta-test").is_none(), "the overlay made way for the form");

    // A dismiss call to action closes and counts as a dismissal, not a click.
    let mut dismissable = overlay("dismiss-test", Placement::BottomBar, Trigger::Immediate);
    dismissable.content.ctas = vec![cta("No thanks", CtaAction::Dismiss, "")];
    blocks::show(&dismissable).expect("shown");
    let root = overlay_host("dismiss-test").and_then(|host| host.shadow_root()).expect("shown");
    click(&inside(&root, "button[data-kd=dismiss]"));
    assert!(overlay_host("dismiss-test").is_none());

    window
        .remove_event_listener_with_callback("click", stay.as_ref().unchecked_ref())
        .expect("removed");
    document()
        .remove_event_listener_with_callback(
            "kindling:open-form",
            listener.as_ref().unchecked_ref(),
        )
        .expect("removed");
    assert_eq!(
        block_events(),
        vec![
            event("block_impression", "cta-test", "b", None),
            event("block_click", "cta-test", "b", Some(0.0)),
            event("block_click", "cta-test", "b", Some(1.0)),
            event("block_impression", "dismiss-test", "b", None),
            event("block_dismiss", "dismiss-test", "b", None),
        ]
    );
}

#[wasm_bindgen_test]
async fn markup_in_a_body_never_runs() {
    let flag = || js_sys::Reflect::get(&js_sys::global(), &"__kindlingRan".into()).expect("read");
    let slot = add_slot("unsafe-body");
    let mut unsafe_body = decision("unsafe-body", "Hello");
    unsafe_body.content.body_html = "<img src=x onerror=\"window.__kindlingRan='img'\">\
        <script>window.__kindlingRan='script'</script>\
        <p onclick=\"window.__kindlingRan='click'\">Text</p>\
        <svg><script>window.__kindlingRan='svg'</script></svg>"
        .to_owned();
    render::show(&unsafe_body).expect("rendered");
    let root = slot.shadow_root().expect("a shadow root");
    click(&inside(&root, ".kd-body p"));
    sleep(200).await;
    assert!(flag().is_undefined(), "nothing ran: {:?}", flag());
    assert_eq!(root.query_selector_all("script").expect("query").length(), 0);
    assert!(!inside(&root, "img").has_attribute("onerror"));
    assert_eq!(inside(&root, ".kd-body p").text_content().as_deref(), Some("Text"));
    slot.remove();
}

#[wasm_bindgen_test]
fn the_close_button_speaks_the_pages_language() {
    tracking_widget();
    let root_element = document().document_element().expect("root");
    let lang = root_element.get_attribute("lang");
    for (language, label) in
        [("pl", "Zamknij"), ("pl-PL", "Zamknij"), ("en-GB", "Close"), ("de", "Close")]
    {
        root_element.set_attribute("lang", language).expect("lang");
        blocks::show(&overlay("language-test", Placement::SlideIn, Trigger::Immediate))
            .expect("shown");
        let host = overlay_host("language-test").expect("shown");
        let root = host.shadow_root().expect("a shadow root");
        assert_eq!(
            inside(&root, "[data-kd=close]").get_attribute("aria-label").as_deref(),
            Some(label),
            "{language}"
        );
        host.remove();
    }
    match lang {
        Some(lang) => root_element.set_attribute("lang", &lang).expect("lang"),
        None => root_element.remove_attribute("lang").expect("lang"),
    }
}

#[wasm_bindgen_test]
async fn a_delay_trigger_waits_for_its_time() {
    tracking_widget();
    blocks::apply(vec![overlay("delay-test", Placement::SlideIn, Trigger::Delay { seconds: 1 })]);
    assert!(overlay_host("delay-test").is_none(), "not at once");
    sleep(500).await;
    assert!(overlay_host("delay-test").is_none(), "not before its time");
    sleep(1000).await;
    let host = overlay_host("delay-test").expect("shown after its delay");
    assert_eq!(block_events(), vec![event("block_impression", "delay-test", "b", None)]);
    host.remove();
}

#[wasm_bindgen_test]
fn a_click_trigger_fires_on_its_selector_and_a_bad_selector_is_harmless() {
    tracking_widget();
    let button = document().create_element("button").expect("button");
    button.set_id("kd-pricing");
    let label = document().create_element("span").expect("span");
    button.append_child(&label).expect("appended");
    document().body().expect("body").append_child(&button).expect("appended");
    blocks::apply(vec![
        overlay(
            "bad-selector",
            Placement::BottomBar,
            Trigger::Click { selector: "[[nope".to_owned() },
        ),
        overlay(
            "click-test",
            Placement::TopBar,
            Trigger::Click { selector: "#kd-pricing".to_owned() },
        ),
    ]);
    assert!(overlay_host("click-test").is_none());
    blocks::triggers::clicked(&document().body().expect("body"));
    assert!(overlay_host("click-test").is_none(), "a click elsewhere");
    blocks::triggers::clicked(&label);
    overlay_host("click-test").expect("shown on a click inside the selector").remove();
    assert!(overlay_host("bad-selector").is_none());
    button.remove();
}

#[wasm_bindgen_test]
fn new_decisions_redraw_changed_slots_and_show_an_overlay_once_per_page_view() {
    tracking_widget();
    let slot = add_slot("apply-test");
    let bar = overlay("apply-bar", Placement::BottomBar, Trigger::Immediate);
    blocks::apply(vec![decision("apply-test", "One"), bar.clone()]);
    let root = slot.shadow_root().expect("drawn");
    overlay_host("apply-bar").expect("the bar is shown").remove();

    // The same decisions again: nothing new is drawn or shown.
    blocks::apply(vec![decision("apply-test", "One"), bar.clone()]);
    assert!(overlay_host("apply-bar").is_none(), "shown once per page view");
    let mut changed = decision("apply-test", "Two");
    changed.variant = "c".to_owned();
    blocks::apply(vec![changed]);
    assert_eq!(inside(&root, "h2").text_content().as_deref(), Some("Two"));
    // No decision for the slot: what it shows stays.
    blocks::apply(vec![]);
    assert_eq!(inside(&root, "h2").text_content().as_deref(), Some("Two"));
    assert_eq!(
        block_events(),
        vec![
            event("block_impression", "hero-welcome", "a", None),
            event("block_impression", "apply-bar", "b", None),
            event("block_impression", "hero-welcome", "c", None),
        ]
    );
    slot.remove();
}

#[wasm_bindgen_test]
fn blocks_record_nothing_before_consent() {
    state::install(Widget::new(
        "pk_demo".to_owned(),
        "http://127.0.0.1:9".to_owned(),
        ConsentMode::Required,
        Signals::default(),
    ));
    let slot = add_slot("consent-test");
    blocks::show(&decision("consent-test", "Hi")).expect("shown");
    assert_eq!(state::with(|widget| widget.queue.len()), Some(0));
    slot.remove();
}
