//! What the visitor does in a drawn form, through listeners on its shadow root (events
//! there still name the element inside):
//!
//! - entering a field: `form_start` the first time; leaving one (`focusout`): its value
//!   is checked and its error shown or taken away; typing in a field showing an error
//!   checks it again, so the error goes as soon as the value is fixed; a changed value:
//!   `form_field`;
//! - Next (and Enter in a field of an earlier step) checks the step, then shows the
//!   next one; Back shows the previous one; the step's first field takes focus;
//! - Send (and Enter in a field of the last step) checks every step, then sends
//!   ([`submit`](crate::forms::submit)); a failed check shows the step with the first
//!   error and focuses that field;
//! - in a modal, the close button and the backdrop close it (Escape and Tab are
//!   handled with the blocks', `crate::blocks::controls`).

use wasm_bindgen::JsCast;
use web_sys::{Element, Event, ShadowRoot};

use crate::browser;
use crate::forms::hosts::{drawn, key_of};
use crate::forms::outside as tracked;
use crate::forms::page_forms::HOST_ATTRIBUTE;
use crate::forms::steps::go;
use crate::forms::{fields, submit};
use crate::render::texts;

/// Listens to what happens in the form drawn in `root`.
pub fn listen(root: &ShadowRoot) {
    for event in ["focusin", "focusout", "input", "change", "keydown", "click", "submit"] {
        browser::intercept(root, event, on_event);
    }
}

fn on_event(event: Event) {
    let Some(root) = event.current_target().and_then(|target| target.dyn_into::<ShadowRoot>().ok())
    else {
        return;
    };
    let Some(target) = event.target().and_then(|target| target.dyn_into::<Element>().ok()) else {
        return;
    };
    let Some(key) = key_of(&root) else { return };
    // A field's controls are inside a step; the honeypot and the buttons are not.
    let field = target
        .get_attribute("name")
        .filter(|_| target.closest("[data-step]").ok().flatten().is_some());
    let form = || root.host().get_attribute(HOST_ATTRIBUTE).unwrap_or_default();
    match event.type_().as_str() {
        "focusin" => tracked::started(form(), field),
        "focusout" => {
            if let Some(name) = field {
                check_field(&root, key, &name);
            }
        }
        "input" => {
            if let Some(name) = field.filter(|_| target.has_attribute("aria-invalid")) {
                check_field(&root, key, &name);
            }
        }
        "change" => {
            if let Some(name) = field {
                tracked::completed(form(), name);
            }
        }
        "keydown" => {
            let key_name = browser::property(&event, "key").as_string();
            let tag = target.tag_name();
            // Enter ending an input method's composition is not meant for the form.
            let composing = browser::property(&event, "isComposing").is_truthy();
            if key_name.as_deref() == Some("Enter")
                && !composing
                && matches!(tag.as_str(), "INPUT" | "SELECT")
            {
                event.prevent_default();
                advance(&root, key);
            }
        }
        "click" => {
            let action = target
                .closest("[data-kd]")
                .ok()
                .flatten()
                .and_then(|control| control.get_attribute("data-kd"));
            match action.as_deref() {
                Some("next") => advance(&root, key),
                Some("back") => back(&root, key),
                Some("close" | "backdrop") => tracked::close(&root.host()),
                _ => {}
            }
        }
        "submit" => {
            event.prevent_default();
            advance(&root, key);
        }
        _ => {}
    }
}

/// Checks the field `name` of form `key` and shows the outcome.
fn check_field(root: &ShadowRoot, key: usize, name: &str) {
    let Some(drawn) = drawn(key) else { return };
    if let Some(field) = fields::field(&drawn.view, name) {
        fields::check(root, field, texts::lang());
    }
}

/// Next, Send or Enter: shows the next step once this one passes, or from the last
/// step sends the form once every step passes.
pub fn advance(root: &ShadowRoot, key: usize) {
    let Some(drawn) = drawn(key) else { return };
    if drawn.sending {
        return;
    }
    let lang = texts::lang();
    let view = &drawn.view;
    let last = view.steps.len().saturating_sub(1);
    if drawn.step < last {
        match fields::check_step(root, view, drawn.step, lang) {
            Some(failed) => fields::focus(root, failed),
            None => go(root, key, drawn.step + 1),
        }
        return;
    }
    for step in 0..=last {
        if let Some(failed) = fields::check_step(root, view, step, lang) {
            if step != drawn.step {
                go(root, key, step);
            }
            fields::focus(root, failed);
            return;
        }
    }
    submit::send(root, key);
}

fn back(root: &ShadowRoot, key: usize) {
    if let Some(drawn) = drawn(key) {
        go(root, key, drawn.step.saturating_sub(1));
    }
}
