//! The lead forms as the second module of a split bundle (feature `forms-part`): the
//! exports the first-load module calls (`crate::lead_forms`), and the calls the forms
//! code makes outside itself ([`crate::forms::outside`]) sent back to that module
//! through `kindling.main` (`crate::lead_forms::from_forms`).
//!
//! This module has its own memory, so its own widget state: before each call it
//! takes the site, the collector, the visitor and the visit from the first-load
//! module ([`sync`]), which alone decides whether the visitor may be tracked.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Object};
use kindling_core::privacy::{Choice, ConsentMode, Signals};
use kindling_core::session::Session;
use kindling_core::wire::{EventKind, FormView, PropValue};
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::codec::{list, set};
use crate::state::{self, Widget};
use crate::{forms, log};

#[wasm_bindgen]
extern "C" {
    /// The first-load module's `from_forms` (`kindling.main`, set by the loader).
    #[wasm_bindgen(js_namespace = kindling, js_name = main, catch)]
    fn to_main(call: &Array) -> Result<JsValue, JsValue>;
}

fn call(parts: &[JsValue]) -> JsValue {
    let array: Array = parts.iter().collect();
    to_main(&array).unwrap_or(JsValue::UNDEFINED)
}

/// Draws the embedded forms of a boot answer's `forms` (as received).
#[wasm_bindgen]
pub fn draw_answer(raw: JsValue) {
    sync();
    forms::apply(list::<FormView>(&raw));
}

/// Opens `form` in a modal (see `crate::forms::open`).
#[wasm_bindgen]
pub fn open_form(
    form: String,
    block: Option<String>,
    variant: Option<String>,
    title: Option<String>,
) {
    sync();
    forms::open(form, block, variant, title);
}

/// Draws the form containers of a single-page app's new route.
#[wasm_bindgen]
pub fn draw_new() {
    sync();
    forms::draw_new();
}

/// Takes the site, collector, debugging, visitor and visit from the first-load module.
pub fn sync() {
    let visit = Array::from(&call(&["visit".into()]));
    let text = |index| visit.get(index).as_string();
    let (Some(site), Some(api)) = (text(0), text(1)) else { return };
    log::set_debug(visit.get(2).is_truthy());
    let visitor = text(3);
    let session = text(4).as_deref().and_then(Session::decode);
    if state::with(|_| ()).is_none() {
        state::install(Widget::new(site, api, ConsentMode::Implied, Signals::default()));
    }
    state::with(|widget| {
        widget.choice = if visitor.is_some() { Choice::Granted } else { Choice::Declined };
        widget.visitor = visitor;
        widget.session = session;
    });
}

pub fn record_form(kind: EventKind, form: String, props: Vec<(String, PropValue)>) {
    let object = Object::new();
    for (key, value) in &props {
        let value = match value {
            PropValue::Bool(flag) => JsValue::from_bool(*flag),
            PropValue::Number(number) => JsValue::from_f64(*number),
            PropValue::Text(text) => JsValue::from_str(text),
        };
        set(&object, key, &value);
    }
    call(&["record".into(), kind.as_str().into(), form.into(), object.into()]);
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
