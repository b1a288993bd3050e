//! The widget's lead forms in headless Chromium (`cargo xtask test`): drawing by kind,
//! labels and ARIA, checking on leaving a field and on sending, steps, languages,
//! prefilled values, the honeypot, the modal a block opens, form events, and the
//! wire format of forms and submissions. Answers of a real collector are the
//! end-to-end suite's business; here the collector is unreachable.

use std::collections::BTreeMap;

use kindling_core::blocks::{Layout, Placement, Trigger};
use kindling_core::forms::{Choice, Consent, Field, FieldKind, HiddenSource, Texts};
use kindling_core::privacy::{ConsentMode, Signals};
use kindling_core::wire::{
    BlockContent, BootRequest, BootResponse, Context, Cta, CtaAction, Decision, ErrorDetail,
    FieldError, FormRejected, FormSubmission, FormSuccess, FormView, SubmissionAccepted,
    VisitorState,
};
use kindling_widget::codec::{BootAnswer, Decode, Encode, list};
use kindling_widget::state::{self, Widget};
use kindling_widget::{blocks, forms};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

const VISITOR: &str = "0190f3c2-7d2a-7c4e-8a8b-0123456789ab";

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

/// A fresh widget tracking a known visitor, with an unreachable collector.
fn tracking_widget() {
    state::install(Widget::new(
        "pk_demo".to_owned(),
        "http://127.0.0.1:9".to_owned(),
        ConsentMode::Implied,
        Signals::default(),
    ));
    state::with(|widget| widget.visitor = Some(VISITOR.to_owned()));
}

fn field(name: &str, kind: FieldKind, label: &str) -> Field {
    Field { name: name.to_owned(), kind, label: label.to_owned(), ..Field::default() }
}

fn required(name: &str, kind: FieldKind, label: &str) -> Field {
    Field { required: true, ..field(name, kind, label) }
}

fn choices(pairs: &[(&str, &str)]) -> Vec<Choice> {
    pairs
        .iter()
        .map(|(value, label)| Choice { value: (*value).to_owned(), label: (*label).to_owned() })
        .collect()
}

/// A form of one step asking for every field that is not hidden.
fn view(id: &str, fields: Vec<Field>) -> FormView {
    let step =
        fields.iter().filter(|f| f.kind != FieldKind::Hidden).map(|f| f.name.clone()).collect();
    FormView {
        id: id.to_owned(),
        fields,
        steps: vec![step],
        values: BTreeMap::new(),
        submit: String::new(),
        success: FormSuccess::default(),
    }
}

/// Every kind of field, one of each.
fn all_kinds(id: &str) -> FormView {
    view(
        id,
        vec![
            Field {
                placeholder: Some("ann@example.com".to_owned()),
                help: Some("We reply within a day.".to_owned()),
                ..required("email", FieldKind::Email, "Work email")
            },
            field("name", FieldKind::Text, "Name"),
            field("phone", FieldKind::Tel, "Phone"),
            Field { max_length: Some(4), ..field("seats", FieldKind::Number, "Seats") },
            field("site", FieldKind::Url, "Website"),
            field("notes", FieldKind::Textarea, "Notes"),
            Field {
                options: choices(&[("small", "1-10"), ("large", "11+")]),
                ..required("size", FieldKind::Select, "Team size")
            },
            Field {
                options: choices(&[("email", "By email"), ("phone", "By phone")]),
                ..required("contact", FieldKind::Radio, "Contact me")
            },
            field("demo", FieldKind::Checkbox, "Book a demo"),
            field("country", FieldKind::Country, "Country"),
            Field {
                consent: Some(Consent {
                    text: "I agree to receive news by email.".to_owned(),
                    version: "2025-01".to_owned(),
                }),
                ..required("news", FieldKind::Consent, "News")
            },
            Field {
                source: Some(HiddenSource::UtmCampaign),
                ..field("campaign", FieldKind::Hidden, "")
            },
            Field { source: Some(HiddenSource::Page), ..field("page", FieldKind::Hidden, "") },
        ],
    )
}

/// A site's form container, `[data-kindling-lead-form=ID]`, at the end of `<body>`.
fn embed(id: &str) -> Element {
    let host = document().create_element("div").expect("div");
    host.set_attribute("data-kindling-lead-form", id).expect("attribute");
    document().body().expect("body").append_child(&host).expect("appended");
    host
}

/// Draws `views` into their containers as a boot answer would; the container's root.
fn drawn(host: &Element, views: Vec<FormView>) -> ShadowRoot {
    forms::apply(views);
    host.shadow_root().expect("the form is drawn in a shadow root")
}

fn inside(root: &ShadowRoot, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("query")
        .unwrap_or_else(|| panic!("{selector} in the form"))
}

fn attribute(element: &Element, name: &str) -> Option<String> {
    element.get_attribute(name)
}

fn property(element: &Element, name: &str) -> JsValue {
    js_sys::Reflect::get(element, &name.into()).expect("property")
}

fn set_value(element: &Element, value: &str) {
    js_sys::Reflect::set(element, &"value".into(), &value.into()).expect("value");
}

fn text(root: &ShadowRoot, selector: &str) -> String {
    inside(root, selector).text_content().unwrap_or_default()
}

fn focus(element: &Element) {
    element.unchecked_ref::<HtmlElement>().focus().expect("focus");
}

fn click(element: &Element) {
    element.unchecked_ref::<HtmlElement>().click();
}

/// Dispatches an `input` event on `element`, as typing does.
fn typed(element: &Element, value: &str) {
    set_value(element, value);
    let event = web_sys::Event::new("input").expect("event");
    element.dispatch_event(&event).expect("dispatched");
}

/// Dispatches a keydown as the browser would: bubbling, composed, cancelable.
fn press(target: &Element, key: &str, shift: bool) -> bool {
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

/// The id list of `aria-describedby`.
fn described_by(element: &Element) -> Vec<String> {
    attribute(element, "aria-describedby")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The form events queued so far, as (type, form, field).
fn form_events() -> Vec<(&'static str, String, Option<String>)> {
    state::with(|widget| {
        widget
            .queue
            .iter()
            .filter(|event| event.kind.as_str().starts_with("form_"))
            .map(|event| {
                (event.kind.as_str(), event.name.clone().unwrap_or_default(), event.target.clone())
            })
            .collect()
    })
    .unwrap_or_default()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("window");
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs `test` with `<html lang>` set to `lang`, restoring it after.
fn with_lang(lang: &str, test: impl FnOnce()) {
    let root = document().document_element().expect("root");
    let before = root.get_attribute("lang");
    root.set_attribute("lang", lang).expect("lang");
    test();
    match before {
        Some(lang) => root.set_attribute("lang", &lang).expect("lang"),
        None => root.remove_attribute("lang").expect("lang"),
    }
}

#[wasm_bindgen_test]
fn every_kind_is_drawn_with_its_label_and_aria() {
    tracking_widget();
    let host = embed("kinds");
    with_lang("en", || {
        let root = drawn(&host, vec![all_kinds("kinds")]);
        assert_eq!(host.inner_html(), "", "the host's light DOM is untouched");
        let form = inside(&root, "form.kd-form");
        assert!(form.has_attribute("novalidate"));

        for (name, tag, kind) in [
            ("email", "INPUT", Some("email")),
            ("name", "INPUT", Some("text")),
            ("phone", "INPUT", Some("tel")),
            ("seats", "INPUT", Some("text")),
            ("site", "INPUT", Some("url")),
            ("notes", "TEXTAREA", None),
            ("size", "SELECT", None),
            ("demo", "INPUT", Some("checkbox")),
            ("country", "INPUT", Some("text")),
            ("news", "INPUT", Some("checkbox")),
        ] {
            let control = inside(&root, &format!("[name={name}]"));
            assert_eq!(control.tag_name(), tag, "{name}");
            assert_eq!(attribute(&control, "type").as_deref(), kind, "{name}");
            let id = format!("kd-field-{name}");
            assert_eq!(control.id(), id, "{name}");
            let label = inside(&root, &format!("label[for={id}]"));
            assert!(!label.text_content().unwrap_or_default().is_empty(), "{name} is labelled");
        }
        assert_eq!(text(&root, "label[for=kd-field-email]"), "Work email");
        assert_eq!(
            text(&root, "label[for=kd-field-news]"),
            "I agree to receive news by email.",
            "a consent is labelled by its text"
        );
        let email = inside(&root, "#kd-field-email");
        assert_eq!(attribute(&email, "autocomplete").as_deref(), Some("email"));
        assert_eq!(attribute(&email, "placeholder").as_deref(), Some("ann@example.com"));
        assert!(email.has_attribute("required"));
        assert_eq!(attribute(&email, "aria-required").as_deref(), Some("true"));
        assert_eq!(described_by(&email), ["kd-help-email"]);
        assert_eq!(text(&root, "#kd-help-email"), "We reply within a day.");
        assert_eq!(text(&root, "#kd-error-email"), "", "no error yet");
        assert!(attribute(&inside(&root, "#kd-field-name"), "aria-required").is_none());
        assert_eq!(
            attribute(&inside(&root, "#kd-field-seats"), "inputmode").as_deref(),
            Some("decimal")
        );
        assert_eq!(attribute(&inside(&root, "#kd-field-seats"), "maxlength").as_deref(), Some("4"));
        let country = inside(&root, "#kd-field-country");
        assert_eq!(attribute(&country, "autocomplete").as_deref(), Some("country"));
        assert_eq!(attribute(&country, "maxlength").as_deref(), Some("2"));

        let options: Vec<String> = (0..3)
            .map(|index| {
                let option =
                    inside(&root, &format!("#kd-field-size option:nth-child({})", index + 1));
                attribute(&option, "value").unwrap_or_default()
            })
            .collect();
        assert_eq!(options, ["", "small", "large"], "an empty first option, then the options");
        assert_eq!(text(&root, "#kd-field-size option"), "Choose…", "a select says what to do");

        let group = inside(&root, "fieldset[role=radiogroup]");
        assert_eq!(text(&root, "fieldset legend"), "Contact me");
        assert_eq!(attribute(&group, "aria-required").as_deref(), Some("true"));
        let radios =
            root.query_selector_all("fieldset input[type=radio][name=contact]").expect("query");
        assert_eq!(radios.length(), 2);
        assert_eq!(text(&root, "fieldset label"), "By email");
        // Required is marked once per group: on the legend, not on each option.
        let marker = |selector: &str| {
            let element = inside(&root, selector);
            let window = web_sys::window().expect("window");
            let style = window.get_computed_style_with_pseudo_elt(&element, "::after");
            style.expect("style").expect("a style").get_property_value("content").expect("content")
        };
        assert_eq!(marker("fieldset legend"), "\" *\" / \"\"");
        assert_eq!(marker("fieldset label"), "none");
        assert_eq!(marker("label[for=kd-field-email]"), "\" *\" / \"\"");
        let target = inside(&root, "fieldset label").get_bounding_client_rect();
        assert!(target.height() >= 44.0, "a radio's label is a touch target: {}", target.height());

        assert!(
            root.query_selector("[name=campaign]").expect("query").is_none(),
            "hidden: not drawn"
        );
        assert!(root.query_selector("[name=page]").expect("query").is_none(), "hidden: not drawn");
        let submit = inside(&root, "button[type=submit]");
        assert_eq!(submit.text_content().as_deref(), Some("Send"));
        assert!(!submit.has_attribute("hidden"));
        assert!(root.query_selector("#kd-step").expect("query").is_none(), "one step: no progress");
    });
    host.remove();
}

#[wasm_bindgen_test]
fn leaving_a_field_shows_its_error_until_it_is_fixed() {
    tracking_widget();
    let host = embed("blur");
    with_lang("en-GB", || {
        let root = drawn(&host, vec![all_kinds("blur")]);
        let email = inside(&root, "#kd-field-email");
        focus(&email);
        set_value(&email, "ann@");
        focus(&inside(&root, "#kd-field-name"));
        assert_eq!(text(&root, "#kd-error-email"), "Enter a valid email address.");
        assert_eq!(attribute(&email, "aria-invalid").as_deref(), Some("true"));
        assert_eq!(described_by(&email), ["kd-help-email", "kd-error-email"]);

        typed(&email, "ann@example");
        assert_eq!(text(&root, "#kd-error-email"), "Enter a valid email address.", "still wrong");
        typed(&email, "ann@example.com");
        assert_eq!(text(&root, "#kd-error-email"), "", "fixed: the error is gone at once");
        assert_eq!(attribute(&email, "aria-invalid"), None);
        assert_eq!(described_by(&email), ["kd-help-email"]);

        // A field without help: the error alone describes it.
        let phone = inside(&root, "#kd-field-phone");
        focus(&phone);
        set_value(&phone, "12");
        focus(&email);
        assert_eq!(text(&root, "#kd-error-phone"), "Enter a valid phone number.");
        assert_eq!(described_by(&phone), ["kd-error-phone"]);
        // Leaving a valid or empty optional field shows nothing.
        focus(&inside(&root, "#kd-field-name"));
        focus(&email);
        assert_eq!(text(&root, "#kd-error-name"), "");
    });
    host.remove();
}

#[wasm_bindgen_test]
fn sending_with_errors_focuses_the_first_field_in_error() {
    tracking_widget();
    let host = embed("send-check");
    with_lang("en", || {
        let root = drawn(&host, vec![all_kinds("send-check")]);
        set_value(&inside(&root, "#kd-field-email"), "ann@example.com");
        set_value(&inside(&root, "#kd-field-seats"), "1,5");
        click(&inside(&root, "button[type=submit]"));
        let seats = inside(&root, "#kd-field-seats");
        assert_eq!(root.active_element().as_ref(), Some(&seats), "the first field in error");
        assert_eq!(text(&root, "#kd-error-seats"), "Enter a number.");
        assert_eq!(text(&root, "#kd-error-size"), "This field is required.");
        assert_eq!(text(&root, "#kd-error-contact"), "This field is required.");
        assert_eq!(text(&root, "#kd-error-news"), "Please give your consent to continue.");
        let radio = inside(&root, "[name=contact]");
        assert_eq!(attribute(&radio, "aria-invalid").as_deref(), Some("true"));
        assert_eq!(described_by(&radio), ["kd-error-contact"]);
        assert!(
            !inside(&root, "button[type=submit]").has_attribute("disabled"),
            "nothing was sent"
        );
    });
    host.remove();
}

fn two_steps(id: &str) -> FormView {
    let mut form = view(
        id,
        vec![
            required("email", FieldKind::Email, "Email"),
            field("name", FieldKind::Text, "Name"),
            required("company", FieldKind::Text, "Company"),
            Field {
                options: choices(&[("small", "1-10"), ("large", "11+")]),
                ..field("size", FieldKind::Select, "Size")
            },
        ],
    );
    form.steps = vec![
        vec!["email".to_owned(), "name".to_owned()],
        vec!["company".to_owned(), "size".to_owned()],
    ];
    form
}

#[wasm_bindgen_test]
fn a_multi_step_form_moves_on_only_when_the_step_passes() {
    tracking_widget();
    let host = embed("steps");
    with_lang("en", || {
        let root = drawn(&host, vec![two_steps("steps")]);
        let pages = root.query_selector_all("[data-step]").expect("query");
        let page = |index: u32| -> Element { pages.get(index).expect("a step").unchecked_into() };
        let hidden = |selector: &str| inside(&root, selector).has_attribute("hidden");
        assert_eq!(text(&root, "#kd-step"), "Step 1 of 2");
        let progress = inside(&root, "progress");
        assert_eq!(attribute(&progress, "max").as_deref(), Some("2"));
        assert_eq!(attribute(&progress, "value").as_deref(), Some("1"));
        assert!(!page(0).has_attribute("hidden") && page(1).has_attribute("hidden"));
        assert!(hidden("[data-kd=back]") && !hidden("[data-kd=next]") && hidden("[type=submit]"));

        click(&inside(&root, "[data-kd=next]"));
        assert_eq!(text(&root, "#kd-step"), "Step 1 of 2", "an empty required email stops Next");
        let email = inside(&root, "#kd-field-email");
        assert_eq!(root.active_element().as_ref(), Some(&email));
        assert_eq!(text(&root, "#kd-error-email"), "This field is required.");
        assert_eq!(text(&root, "#kd-error-company"), "", "later steps are not checked yet");

        typed(&email, "ann@example.com");
        // Enter in a field moves on.
        assert!(!press(&email, "Enter", false), "Enter is taken over");
        assert_eq!(text(&root, "#kd-step"), "Step 2 of 2");
        assert_eq!(attribute(&progress, "value").as_deref(), Some("2"));
        assert!(page(0).has_attribute("hidden") && !page(1).has_attribute("hidden"));
        assert!(!hidden("[data-kd=back]") && hidden("[data-kd=next]") && !hidden("[type=submit]"));
        assert_eq!(
            root.active_element().as_ref(),
            Some(&inside(&root, "#kd-field-company")),
            "the step's first field takes focus"
        );

        click(&inside(&root, "[data-kd=back]"));
        assert_eq!(text(&root, "#kd-step"), "Step 1 of 2");
        assert_eq!(root.active_element().as_ref(), Some(&email));
        assert_eq!(property(&email, "value").as_string().as_deref(), Some("ann@example.com"));

        // Sending from the last step checks it and stays on it.
        click(&inside(&root, "[data-kd=next]"));
        click(&inside(&root, "[type=submit]"));
        assert_eq!(text(&root, "#kd-step"), "Step 2 of 2");
        assert_eq!(text(&root, "#kd-error-company"), "This field is required.");
        assert_eq!(root.active_element().as_ref(), Some(&inside(&root, "#kd-field-company")));
    });
    host.remove();
}

#[wasm_bindgen_test]
fn texts_and_messages_follow_the_pages_language() {
    tracking_widget();
    let host = embed("polish");
    with_lang("pl-PL", || {
        let mut form = two_steps("polish");
        form.fields[1].min_length = Some(3);
        form.fields[0].message = Some(Texts {
            en: "We need your email.".to_owned(),
            pl: Some("Potrzebujemy adresu e-mail.".to_owned()),
        });
        let root = drawn(&host, vec![form]);
        assert_eq!(text(&root, "#kd-step"), "Krok 1 z 2");
        assert_eq!(text(&root, "[data-kd=next]"), "Dalej");
        assert_eq!(text(&root, "[data-kd=back]"), "Wstecz");
        assert_eq!(text(&root, "[type=submit]"), "Wyślij");
        let name = inside(&root, "#kd-field-name");
        focus(&name);
        set_value(&name, "Al");
        click(&inside(&root, "[data-kd=next]"));
        assert_eq!(
            text(&root, "#kd-error-email"),
            "Potrzebujemy adresu e-mail.",
            "the field's own"
        );
        assert_eq!(text(&root, "#kd-error-name"), "Wpisz co najmniej 3 znaki.");
    });
    host.remove();
}

#[wasm_bindgen_test]
fn known_values_are_filled_in() {
    tracking_widget();
    let host = embed("prefill");
    let mut form = all_kinds("prefill");
    for (name, value) in [
        ("email", "ann@example.com"),
        ("notes", "Call after <5pm> & \"soon\""),
        ("size", "large"),
        ("contact", "phone"),
        ("demo", "true"),
        ("country", "PL"),
    ] {
        form.values.insert(name.to_owned(), value.to_owned());
    }
    let root = drawn(&host, vec![form]);
    let value = |selector: &str| property(&inside(&root, selector), "value").as_string();
    let checked = |selector: &str| property(&inside(&root, selector), "checked").as_bool();
    assert_eq!(value("#kd-field-email").as_deref(), Some("ann@example.com"));
    assert_eq!(value("#kd-field-notes").as_deref(), Some("Call after <5pm> & \"soon\""));
    assert_eq!(value("#kd-field-size").as_deref(), Some("large"));
    assert_eq!(checked("[name=contact][value=phone]"), Some(true));
    assert_eq!(checked("[name=contact][value=email]"), Some(false));
    assert_eq!(checked("#kd-field-demo"), Some(true));
    assert_eq!(checked("#kd-field-news"), Some(false));
    assert_eq!(value("#kd-field-country").as_deref(), Some("PL"));
    assert_eq!(value("#kd-field-name").as_deref(), Some(""));
    host.remove();
}

#[wasm_bindgen_test]
fn the_submission_has_every_field_the_honeypot_and_the_hidden_values() {
    tracking_widget();
    let host = embed("values");
    let root = drawn(&host, vec![all_kinds("values")]);
    let honeypot = inside(&root, "#kd-hp");
    assert_eq!(attribute(&honeypot, "name").as_deref(), Some("website"));
    assert_eq!(attribute(&honeypot, "tabindex").as_deref(), Some("-1"));
    assert_eq!(attribute(&honeypot, "autocomplete").as_deref(), Some("off"));
    assert_eq!(attribute(&honeypot, "aria-hidden").as_deref(), Some("true"));
    assert!(honeypot.closest("[data-step]").expect("closest").is_none(), "not a field");
    let window = web_sys::window().expect("window");
    let rect = honeypot.get_bounding_client_rect();
    assert!(
        rect.right() <= 0.0
            || rect.left() >= window.inner_width().expect("width").as_f64().expect("f64"),
        "off screen"
    );

    set_value(&inside(&root, "#kd-field-email"), " ann@example.com ");
    set_value(&inside(&root, "#kd-field-country"), "pl");
    click(&inside(&root, "[name=contact][value=email]"));
    click(&inside(&root, "#kd-field-news"));
    set_value(&honeypot, "spam.example");
    let key = state::with(|widget| widget.forms.drawn.len() - 1).expect("state");
    let submission = forms::submit::submission(&root, key).expect("a submission");
    assert_eq!(submission.site, "pk_demo");
    assert_eq!(submission.visitor, VISITOR);
    assert_eq!(submission.honeypot, "spam.example");
    assert_eq!(submission.block, None);
    let value = |name: &str| submission.values.get(name).cloned();
    assert_eq!(value("email").as_deref(), Some("ann@example.com"), "as the browser has it");
    assert_eq!(value("country").as_deref(), Some("PL"), "a country code in upper case");
    assert_eq!(value("contact").as_deref(), Some("email"));
    assert_eq!(value("news").as_deref(), Some("true"));
    assert_eq!(value("demo").as_deref(), Some(""), "an unchecked box is empty");
    assert_eq!(value("name").as_deref(), Some(""));
    let page = window.location().href().expect("href");
    assert_eq!(value("page"), Some(page.clone()), "a hidden field filled from its source");
    assert_eq!(value("campaign").as_deref(), Some(""));
    assert_eq!(submission.values.len(), 13, "every field, hidden ones included");
    assert_eq!(submission.url, page);
    assert!(submission.elapsed_ms < 60_000);
    host.remove();
}

#[wasm_bindgen_test]
async fn a_failed_send_keeps_the_values_and_the_attempt() {
    tracking_widget();
    let host = embed("offline");
    let mut form = view("offline", vec![required("email", FieldKind::Email, "Email")]);
    form.submit = "Get the guide".to_owned();
    let root = drawn(&host, vec![form]);
    let submit = inside(&root, "button[type=submit]");
    assert_eq!(submit.text_content().as_deref(), Some("Get the guide"));
    set_value(&inside(&root, "#kd-field-email"), "ann@example.com");
    click(&submit);
    assert!(submit.has_attribute("disabled"), "no second send while one is under way");
    let key = state::with(|widget| widget.forms.drawn.len() - 1).expect("state");
    let attempt = state::with(|widget| widget.forms.drawn[key].submission.clone()).flatten();
    assert!(attempt.as_deref().is_some_and(kindling_core::ids::is_uuid), "{attempt:?}");
    click(&submit);
    for _ in 0..50 {
        if !submit.has_attribute("disabled") {
            break;
        }
        sleep(100).await;
    }
    assert!(!submit.has_attribute("disabled"), "enabled again");
    assert_eq!(text(&root, "#kd-form-error"), "Could not send. Please try again.");
    assert_eq!(attribute(&inside(&root, "#kd-form-error"), "role").as_deref(), Some("alert"));
    assert_eq!(
        property(&inside(&root, "#kd-field-email"), "value").as_string().as_deref(),
        Some("ann@example.com")
    );
    let kept = state::with(|widget| widget.forms.drawn[key].submission.clone()).flatten();
    assert_eq!(kept, attempt, "a retry is the same attempt");
    assert_eq!(forms::submit::submission(&root, key).map(|s| s.id), attempt);
    host.remove();
}

fn cta_block(slot: &str, form: &str) -> Decision {
    Decision {
        slot: slot.to_owned(),
        block: "guide-offer".to_owned(),
        variant: "b".to_owned(),
        placement: Placement::Inline,
        layout: Layout::Standard,
        trigger: Trigger::Immediate,
        content: BlockContent {
            headline: "Get the guide".to_owned(),
            body_html: String::new(),
            image: None,
            ctas: vec![Cta {
                label: "Get it".to_owned(),
                action: CtaAction::Form,
                target: form.to_owned(),
            }],
            items: vec![],
        },
    }
}

#[wasm_bindgen_test]
fn a_block_opens_its_form_in_a_modal_that_keeps_focus() {
    tracking_widget();
    let mut form = view(
        "modal-form",
        vec![
            required("email", FieldKind::Email, "Email"),
            Field { source: Some(HiddenSource::Block), ..field("from", FieldKind::Hidden, "") },
            Field {
                source: Some(HiddenSource::Variant),
                ..field("variant", FieldKind::Hidden, "")
            },
        ],
    );
    form.fields.insert(1, field("name", FieldKind::Text, "Name"));
    form.steps = vec![vec!["email".to_owned(), "name".to_owned()]];
    kindling_widget::lead_forms::install();
    forms::apply(vec![form]);
    let slot = document().create_element("div").expect("div");
    slot.set_attribute("data-kindling-slot", "form-cta").expect("attribute");
    slot.set_attribute("style", "min-height:80px").expect("style");
    document().body().expect("body").append_child(&slot).expect("appended");
    blocks::show(&cta_block("form-cta", "modal-form")).expect("shown");
    let cta = inside(&slot.shadow_root().expect("drawn"), "button[data-kd=form]");
    focus(&cta);
    click(&cta);

    let host = document()
        .query_selector("kindling-overlay[data-kindling-lead-form=modal-form]")
        .expect("query")
        .expect("the form opens in an overlay");
    assert_eq!(attribute(&host, "data-kindling-placement").as_deref(), Some("modal"));
    let root = host.shadow_root().expect("a shadow root");
    let dialog = inside(&root, "[role=dialog]");
    assert_eq!(attribute(&dialog, "aria-modal").as_deref(), Some("true"));
    assert_eq!(text(&root, "#kd-title"), "Get the guide", "named by the block's headline");
    assert_eq!(root.active_element().as_ref(), Some(&dialog), "focus moved into the dialog");

    let email = inside(&root, "#kd-field-email");
    let close = inside(&root, "[data-kd=close]");
    focus(&close);
    assert!(!press(&close, "Tab", false));
    assert_eq!(root.active_element().as_ref(), Some(&email), "Tab wraps to the first field");
    assert!(!press(&email, "Tab", true));
    assert_eq!(root.active_element().as_ref(), Some(&close), "never to the honeypot");

    let key = state::with(|widget| widget.forms.drawn.len() - 1).expect("state");
    let submission = forms::submit::submission(&root, key).expect("a submission");
    assert_eq!(submission.block.as_deref(), Some("guide-offer"));
    assert_eq!(submission.variant.as_deref(), Some("b"));
    assert_eq!(submission.values.get("from").map(String::as_str), Some("guide-offer"));
    assert_eq!(submission.values.get("variant").map(String::as_str), Some("b"));

    press(&email, "Escape", false);
    assert!(host.parent_node().is_none(), "Escape closed the modal");
    assert_eq!(
        slot.shadow_root().and_then(|root| root.active_element()).as_ref(),
        Some(&cta),
        "focus went back to the call to action"
    );
    slot.remove();
}

#[wasm_bindgen_test]
fn form_events_are_recorded_once_and_never_twice_for_the_page_s_own_forms() {
    tracking_widget();
    // A lead form inside a page form tracked by `data-kindling-form`.
    let page_form = document().create_element("form").expect("form");
    page_form.set_attribute("data-kindling-form", "page-form").expect("attribute");
    document().body().expect("body").append_child(&page_form).expect("appended");
    let host = document().create_element("div").expect("div");
    host.set_attribute("data-kindling-lead-form", "events").expect("attribute");
    page_form.append_child(&host).expect("appended");
    let second = embed("events");
    kindling_widget::track::forms::install();

    let root = drawn(&host, vec![all_kinds("events")]);
    assert!(second.shadow_root().is_some(), "every container of the form is drawn");
    let email = inside(&root, "#kd-field-email");
    focus(&email);
    set_value(&email, "ann@example.com");
    let change = web_sys::Event::new("change").expect("event");
    email.dispatch_event(&change).expect("dispatched");
    focus(&inside(&root, "#kd-field-name"));

    let some = |text: &str| Some(text.to_owned());
    assert_eq!(
        form_events(),
        vec![
            ("form_view", "events".to_owned(), None),
            ("form_start", "events".to_owned(), some("email")),
            ("form_field", "events".to_owned(), some("email")),
        ],
        "one form_view for the form, nothing for the page's form"
    );
    let drawn_fields: String = all_kinds("events")
        .fields
        .iter()
        .map(|field| [field.name.as_str(), ","].concat())
        .collect();
    let view_props = state::with(|widget| {
        widget
            .queue
            .iter()
            .find(|event| event.kind.as_str() == "form_view")
            .map(|e| e.props.clone())
    });
    assert_eq!(
        view_props.flatten(),
        Some(vec![("fields".to_owned(), kindling_core::wire::PropValue::Text(drawn_fields))]),
        "the form_view names the fields drawn"
    );
    assert_eq!(
        state::with(|widget| widget.forms_started.clone()),
        Some(vec![("events".to_owned(), some("name"))]),
        "the last field reached, for form_abandon"
    );
    kindling_widget::track::forms::abandon_started();
    assert_eq!(form_events()[3], ("form_abandon", "events".to_owned(), some("name")));
    assert!(form_events().iter().all(|(kind, _, _)| *kind != "form_submit"));
    page_form.remove();
    second.remove();
}

#[wasm_bindgen_test]
fn letters_are_what_the_shared_check_calls_letters() {
    // Latin, Greek, Cyrillic, CJK, Arabic, a letter number, a combining vowel sign
    // (alphabetic), and digits, marks, punctuation and symbols that are not.
    for c in "aZżŁΩжд日本ع\u{2160}\u{093E}09٣\u{301}-_ .,!€😀\u{200D}".chars() {
        assert_eq!(forms::fields::is_letter(c), c.is_alphabetic(), "{c:?}");
    }
}

#[wasm_bindgen_test]
fn forms_round_trip_through_the_wire_format() {
    let mut form = all_kinds("ebook");
    form.fields[0].message = Some(Texts { en: "We need your email.".to_owned(), pl: None });
    form.fields[1].min_length = Some(2);
    form.fields[1].pattern = Some("A*".to_owned());
    form.steps = vec![
        vec!["email".to_owned(), "name".to_owned(), "phone".to_owned()],
        vec!["seats".to_owned(), "site".to_owned(), "notes".to_owned(), "size".to_owned()],
        vec!["contact".to_owned(), "demo".to_owned(), "country".to_owned(), "news".to_owned()],
    ];
    form.values.insert("email".to_owned(), "ann@example.com".to_owned());
    form.submit = "Get the e-book".to_owned();
    form.success = FormSuccess {
        message: "Check your inbox.".to_owned(),
        redirect: None,
        download: Some("/files/guide.pdf".to_owned()),
    };
    let response = BootResponse {
        visitor: VisitorState { id: VISITOR.to_owned(), ..VisitorState::default() },
        decisions: vec![],
        forms: vec![form.clone(), view("short", vec![required("email", FieldKind::Email, "E")])],
    };
    let value = js_sys::JSON::parse(&serde_json::to_string(&response).expect("serializes"))
        .expect("parses");
    let decoded: Vec<FormView> = list(&BootAnswer::decode(&value).expect("decodes").forms);
    assert_eq!(decoded[0], form, "expected {form:?}, got {:?}", decoded[0]);
    assert_eq!(decoded, response.forms);
    let alone =
        js_sys::JSON::parse(&serde_json::to_string(&form).expect("serializes")).expect("json");
    assert_eq!(FormView::decode(&alone), Some(form));
    // A field of a kind this widget does not know is left out.
    let unknown = js_sys::JSON::parse(
        r#"{"id":"f","steps":[["a"]],"fields":[{"name":"a","kind":"file"},{"name":"b"}]}"#,
    )
    .expect("json");
    let decoded = FormView::decode(&unknown).expect("decodes");
    assert_eq!(decoded.fields.len(), 1);
    assert_eq!(decoded.fields[0].kind, FieldKind::Text);

    let mut values = BTreeMap::new();
    values.insert("email".to_owned(), "zażółć@przykład.pl".to_owned());
    values.insert("news".to_owned(), "true".to_owned());
    values.insert("demo".to_owned(), String::new());
    let submission = FormSubmission {
        site: "pk_demo".to_owned(),
        visitor: VISITOR.to_owned(),
        id: "0190f3c2-7d2a-7c4e-8a8b-00000000f001".to_owned(),
        session: "0190f3c2-7d2a-7c4e-8a8b-00000000a001".to_owned(),
        url: "https://example.com/guide?utm_campaign=spring".to_owned(),
        values,
        elapsed_ms: 8_250,
        honeypot: String::new(),
        block: Some("guide-offer".to_owned()),
        variant: Some("b".to_owned()),
        lang: Some("pl-PL".to_owned()),
        context: Some(Context {
            visit: 2,
            first_visit_ms: 1_763_000_000_000,
            landing: Some("https://example.com/?utm_source=x".to_owned()),
            referrer: None,
            language: Some("pl-PL".to_owned()),
            viewport: Some(390),
            touch: 5,
            dropped: 0,
        }),
        slots: vec!["hero".to_owned()],
    };
    let json = js_sys::JSON::stringify(&submission.encode())
        .expect("stringify")
        .as_string()
        .expect("text");
    assert_eq!(
        serde_json::from_str::<FormSubmission>(&json).expect("parses"),
        submission,
        "{json}"
    );
    let bare = FormSubmission {
        honeypot: "x".to_owned(),
        block: None,
        variant: None,
        lang: None,
        context: None,
        slots: vec![],
        ..submission
    };
    let json =
        js_sys::JSON::stringify(&bare.encode()).expect("stringify").as_string().expect("text");
    assert_eq!(serde_json::from_str::<FormSubmission>(&json).expect("parses"), bare, "{json}");

    let boot = BootRequest {
        site: "pk_demo".to_owned(),
        visitor: VISITOR.to_owned(),
        url: "https://example.com/".to_owned(),
        referrer: None,
        slots: vec![],
        session: None,
        context: None,
        new_visitor: false,
        forms: vec!["ebook".to_owned(), "demo-request".to_owned()],
    };
    let json =
        js_sys::JSON::stringify(&boot.encode()).expect("stringify").as_string().expect("text");
    assert_eq!(serde_json::from_str::<BootRequest>(&json).expect("parses"), boot, "{json}");

    let accepted = SubmissionAccepted {
        submission: "0190f3c2-7d2a-7c4e-8a8b-00000000f001".to_owned(),
        duplicate: true,
        confirmation_pending: true,
        success: FormSuccess {
            message: String::new(),
            redirect: Some("https://example.com/thanks".to_owned()),
            download: None,
        },
        decisions: Some(vec![cta_block("hero", "demo-request")]),
    };
    let value = js_sys::JSON::parse(&serde_json::to_string(&accepted).expect("serializes"))
        .expect("parses");
    // The new decisions go to the blocks undecoded.
    let without_decisions = SubmissionAccepted { decisions: None, ..accepted.clone() };
    assert_eq!(SubmissionAccepted::decode(&value), Some(without_decisions));
    let raw: Vec<Decision> = list(&kindling_widget::codec::get(&value, "decisions"));
    assert_eq!(Some(raw), accepted.decisions);
    let plain = SubmissionAccepted {
        duplicate: false,
        confirmation_pending: false,
        decisions: None,
        ..accepted
    };
    let value =
        js_sys::JSON::parse(&serde_json::to_string(&plain).expect("serializes")).expect("parses");
    assert_eq!(SubmissionAccepted::decode(&value), Some(plain));

    let rejected = FormRejected {
        error: ErrorDetail {
            code: "invalid_fields".to_owned(),
            message: "Some fields need attention.".to_owned(),
            field: None,
        },
        fields: vec![FieldError {
            field: "email".to_owned(),
            code: "disposable".to_owned(),
            message: "Use a permanent email address, not a disposable one.".to_owned(),
        }],
    };
    let value = js_sys::JSON::parse(&serde_json::to_string(&rejected).expect("serializes"))
        .expect("parses");
    assert_eq!(FormRejected::decode(&value), Some(rejected));
}

#[wasm_bindgen_test]
async fn containers_of_a_new_route_are_drawn() {
    tracking_widget();
    forms::apply(vec![view("later", vec![required("email", FieldKind::Email, "Email")])]);
    let known = embed("later");
    let unknown = embed("not-sent");
    assert!(known.shadow_root().is_none(), "added after the boot answer");
    forms::draw_new();
    sleep(300).await;
    let root = known.shadow_root().expect("drawn from the forms the page has");
    assert!(root.query_selector("#kd-field-email").expect("query").is_some());
    assert!(unknown.shadow_root().is_none(), "the collector could not be asked: left as it is");
    assert_eq!(
        form_events(),
        vec![("form_view", "later".to_owned(), None)],
        "a form drawn on a new route is a view"
    );
    known.remove();
    unknown.remove();
}
