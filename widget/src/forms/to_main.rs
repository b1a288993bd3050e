//! The forms part's calls to the first-load module of a split bundle (feature
//! `forms-part`): what [`crate::forms::outside`] asks, sent through `kindling.main`
//! (set by the loader; answered by `crate::forms_bridge`).

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::Array;
use kindling_core::wire::{EventKind, PropValue};
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::codec::props_object;

#[wasm_bindgen]
extern "C" {
    /// The first-load module's `from_forms` (`kindling.main`, set by the loader).
    #[wasm_bindgen(js_namespace = kindling, js_name = main, catch)]
    fn to_main(call: &Array) -> Result<JsValue, JsValue>;
}

/// Calls the first-load module with `[what, ...]`; `undefined` when it cannot answer.
pub fn call(parts: &[JsValue]) -> JsValue {
    let array: Array = parts.iter().collect();
    to_main(&array).unwrap_or(JsValue::UNDEFINED)
}

pub fn record_form(kind: EventKind, form: String, props: Vec<(String, PropValue)>) {
    let props = props_object(&props);
    call(&["record".into(), kind.as_str().into(), form.into(), props.into()]);
}

pub fn started(form: String, field: Option<String>) {
    call(&["started".into(), form.into(), field.map_or(JsValue::UNDEFINED, JsValue::from)]);
}

pub fn completed(form: String, field: String) {
    call(&["completed".into(), form.into(), field.into()]);
}

pub fn sent(form: &str) {
    call(&["sent".into(), form.into()]);
}

pub fn decisions(raw: &JsValue) {
    call(&["decisions".into(), raw.clone()]);
}

pub fn close(host: &Element) {
    call(&["close".into(), host.into()]);
}

/// The first-load module installed them before asking for a modal.
pub fn modal_controls() {}
