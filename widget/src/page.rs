//! The host page as the widget sees it: readiness, URL, referrer and content slots.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Window};

/// The attribute that marks a content slot: `<div data-kindling-slot="hero">`.
pub const SLOT_ATTRIBUTE: &str = "data-kindling-slot";

pub fn window() -> Result<Window, JsValue> {
    web_sys::window().ok_or_else(|| JsValue::from_str("no window"))
}

pub fn document() -> Result<Document, JsValue> {
    window()?.document().ok_or_else(|| JsValue::from_str("no document"))
}

/// Runs `then` once the DOM is parsed (at once if it already is), so every slot exists.
pub fn when_ready(then: impl FnOnce() + 'static) {
    let Ok(document) = document() else { return };
    if document.ready_state() != "loading" {
        then();
        return;
    }
    // A one-shot listener: the closure frees itself after its single call.
    let callback = Closure::once_into_js(then);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_once(true);
    let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
        "DOMContentLoaded",
        callback.unchecked_ref(),
        &options,
    );
}

/// The page's full URL.
pub fn url() -> Result<String, JsValue> {
    window()?.location().href()
}

/// `document.referrer`, if not empty.
pub fn referrer() -> Option<String> {
    let referrer = document().ok()?.referrer();
    (!referrer.is_empty()).then_some(referrer)
}

/// The names of all content slots on the page, in document order.
pub fn slot_names() -> Result<Vec<String>, JsValue> {
    let mut names = Vec::new();
    for slot in slots()?.iter() {
        if let Some(name) = slot.unchecked_ref::<Element>().get_attribute(SLOT_ATTRIBUTE)
            && !name.is_empty()
        {
            names.push(name);
        }
    }
    Ok(names)
}

/// The first content slot called `name`.
pub fn slot(name: &str) -> Result<Option<Element>, JsValue> {
    for slot in slots()?.iter() {
        let slot: Element = slot.unchecked_into();
        if slot.get_attribute(SLOT_ATTRIBUTE).as_deref() == Some(name) {
            return Ok(Some(slot));
        }
    }
    Ok(None)
}

/// All content slots on the page, in document order (elements only: the selector
/// matches nothing else).
fn slots() -> Result<Array, JsValue> {
    let nodes = document()?.query_selector_all("[data-kindling-slot]")?;
    Ok(Array::from(&nodes))
}

/// Dispatches `kindling:ready` on `document`: the widget has booted (or given up),
/// so host pages and tests can wait for it.
pub fn announce_ready() {
    if let (Ok(document), Ok(event)) = (document(), web_sys::Event::new("kindling:ready")) {
        let _ = document.dispatch_event(&event);
    }
}
