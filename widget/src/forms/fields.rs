//! A drawn form's fields in the DOM: their values as the browser has them, checking
//! them with `kindling_core::forms::check_with` (the rule the collector applies again;
//! letters by the browser's Unicode data), and their errors: the message in
//! `#kd-error-NAME`, `aria-invalid="true"` on the control and the error's id added to
//! its `aria-describedby`, all taken away once the value is fixed.

use alloc::string::String;

use js_sys::{Array, RegExp};
use kindling_core::forms::{self, Field, FieldKind, Lang, message_for};
use kindling_core::wire::FormView;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ShadowRoot};

use crate::browser;
use crate::forms::markup::{ERROR_ID, HELP_ID};

/// The controls of field `name`: its input, select or textarea, or its radio buttons
/// (the honeypot is outside every step, so never one of them).
pub fn controls(root: &ShadowRoot, name: &str) -> Array {
    let mut selector = String::from("[data-step] [name=\"");
    selector.push_str(name);
    selector.push_str("\"]");
    root.query_selector_all(&selector).map_or_else(|_| Array::new(), |nodes| Array::from(&nodes))
}

/// The value of `field` as the browser has it: `true` for a checked box, empty for an
/// unchecked one or radio buttons none of which is chosen; a country code in upper
/// case.
pub fn value(root: &ShadowRoot, field: &Field) -> String {
    let checkable =
        matches!(field.kind, FieldKind::Radio | FieldKind::Checkbox | FieldKind::Consent);
    for control in controls(root, &field.name).iter() {
        if !checkable || browser::property(&control, "checked").is_truthy() {
            let value = browser::property(&control, "value").as_string().unwrap_or_default();
            return if field.kind == FieldKind::Country {
                value.to_ascii_uppercase()
            } else {
                value
            };
        }
    }
    String::new()
}

/// Checks `field` and shows the outcome; true when its value passes.
pub fn check(root: &ShadowRoot, field: &Field, lang: Lang) -> bool {
    let problem = forms::check_with(field, &value(root, field), is_letter).err();
    let message = problem.map(|problem| message_for(field, problem, lang));
    show_error(root, field, message.as_deref());
    problem.is_none()
}

/// A letter, as `char::is_alphabetic` has it, by the browser's Unicode data
/// (`\p{Alphabetic}`): the wasm carries no Unicode tables of its own.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    let mut buffer = [0; 4];
    RegExp::new("^\\p{Alphabetic}$", "u").test(c.encode_utf8(&mut buffer))
}

/// Checks the fields of `step` of `view`, showing each one's outcome; the name of the
/// first that fails.
pub fn check_step<'a>(
    root: &ShadowRoot,
    view: &'a FormView,
    step: usize,
    lang: Lang,
) -> Option<&'a str> {
    let mut first = None;
    for name in view.steps.get(step)?.iter() {
        if let Some(field) = field(view, name)
            && !check(root, field, lang)
            && first.is_none()
        {
            first = Some(field.name.as_str());
        }
    }
    first
}

/// The visible field of `view` called `name`.
pub fn field<'a>(view: &'a FormView, name: &str) -> Option<&'a Field> {
    view.fields.iter().find(|field| field.name == name && field.kind != FieldKind::Hidden)
}

/// The step of `view` that asks for `name` (the first when none does).
pub fn step_of(view: &FormView, name: &str) -> usize {
    view.steps.iter().position(|step| step.iter().any(|asked| asked == name)).unwrap_or(0)
}

/// Shows `message` as the error of `field`, or with `None` takes it away.
pub fn show_error(root: &ShadowRoot, field: &Field, message: Option<&str>) {
    let name = field.name.as_str();
    let mut described = String::new();
    if field.help.is_some() {
        described.push_str(HELP_ID);
        described.push_str(name);
        described.push(' ');
    }
    let mut error_id = String::from(ERROR_ID);
    error_id.push_str(name);
    if let Some(element) = root.get_element_by_id(&error_id) {
        element.set_text_content(message);
    }
    if message.is_some() {
        described.push_str(&error_id);
    }
    for control in controls(root, name).iter() {
        let control: Element = control.unchecked_into();
        let _ = control.set_attribute("aria-describedby", &described);
        let _ = match message {
            Some(_) => control.set_attribute("aria-invalid", "true"),
            None => control.remove_attribute("aria-invalid"),
        };
    }
}

/// Moves focus to the first control of field `name`.
pub fn focus(root: &ShadowRoot, name: &str) {
    let first = controls(root, name).get(0);
    if first.is_object() {
        let _ = first.unchecked_ref::<HtmlElement>().focus();
    }
}
