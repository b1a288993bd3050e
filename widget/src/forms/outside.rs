//! What the lead forms ask of the rest of the widget: recording their events, the
//! page's form tracking, new decisions from a submission's answer and closing a modal.
//!
//! In one module these are plain calls. Built as the forms part of a split bundle
//! (feature `forms-part`, a second wasm module with its own memory), each goes to the
//! first-load module through [`crate::forms::to_main`], which answers with the same code.

#[cfg(not(feature = "forms-part"))]
mod direct {
    use alloc::string::String;
    use alloc::vec::Vec;

    use kindling_core::wire::{Decision, EventKind, PropValue};
    use wasm_bindgen::JsValue;
    use web_sys::Element;

    use crate::codec::list;
    use crate::track::forms as tracked;
    use crate::track::record::{Details, record};

    /// Records a form event (`form_view`, …) named after `form`.
    pub fn record_form(kind: EventKind, form: String, props: Vec<(String, PropValue)>) {
        record(kind, Details { name: Some(form), props, ..Details::default() });
    }

    /// The visitor is in `field` of `form` (`form_start` the first time).
    pub fn started(form: String, field: Option<String>) {
        tracked::started(form, field);
    }

    /// The visitor completed `field` of `form` (`form_field`).
    pub fn completed(form: String, field: String) {
        tracked::completed(form, field);
    }

    /// `form` was sent: no `form_abandon` for it.
    pub fn sent(form: &str) {
        tracked::sent(form);
    }

    /// New decisions from a submission's answer (the JSON array as received).
    pub fn decisions(raw: &JsValue) {
        if raw.is_object() {
            crate::blocks::apply(list::<Decision>(raw));
        }
    }

    /// Closes the overlay `host` (a form's modal).
    pub fn close(host: &Element) {
        crate::blocks::controls::close(host);
    }

    /// Escape and Tab in a modal, handled with the blocks'.
    pub fn modal_controls() {
        crate::blocks::controls::install();
    }
}

#[cfg(not(feature = "forms-part"))]
pub use direct::*;

#[cfg(feature = "forms-part")]
pub use crate::forms::to_main::{
    close, completed, decisions, modal_controls, record_form, sent, started,
};
