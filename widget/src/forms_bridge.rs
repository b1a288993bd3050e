//! The first-load module's side of a split bundle's forms part calling back
//! (`kindling.main`, set by the loader; the part's side is `crate::forms::part`): the
//! lead forms' events, form tracking, new decisions and closing a modal are handled here
//! with the same code as in one module, under this module's consent and queue.

use js_sys::Array;
use kindling_core::wire::EventKind;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::codec::{list, props_of};
use crate::track::forms as tracked;
use crate::track::record::{Details, record};
use crate::{begin, log, session, state};

/// The forms part's calls back (`kindling.main`, set by the loader): `[what, ...]`.
///
/// - `["visit"]`: `[site, api, debug, visitor, session]`, the visitor and the
///   stored visit as this module has them (`undefined` when not tracked);
/// - `["record", type, form, props]`: a form event (`form_*` types only);
/// - `["started", form, field]`, `["completed", form, field]`, `["sent", form]`: the
///   form tracking's steps;
/// - `["decisions", decisions]`: a submission's new decisions, as received;
/// - `["close", host]`: closes a form's modal.
#[wasm_bindgen]
pub fn from_forms(call: Array) -> JsValue {
    let what = call.get(0).as_string().unwrap_or_default();
    let text = |index| call.get(index).as_string();
    match what.as_str() {
        "visit" => {
            let visit = state::with(|widget| {
                let visitor = widget.visitor.clone().filter(|_| widget.tracking());
                [
                    JsValue::from(widget.site.as_str()),
                    JsValue::from(widget.api.as_str()),
                    JsValue::from(log::debugging()),
                    visitor.map_or(JsValue::UNDEFINED, JsValue::from),
                ]
            });
            let Some(visit) = visit else { return JsValue::UNDEFINED };
            let session = session::touch().map_or(JsValue::UNDEFINED, |s| s.encode().into());
            visit.into_iter().chain([session]).collect::<Array>().into()
        }
        "record" => {
            let kind = text(1).as_deref().and_then(EventKind::parse);
            if let (Some(kind), Some(form)) = (kind, text(2))
                && kind.as_str().starts_with("form_")
                && kind != EventKind::FormSubmit
            {
                let props = props_of(&call.get(3));
                record(kind, Details { name: Some(form), props, ..Details::default() });
            }
            JsValue::UNDEFINED
        }
        "started" => {
            if let Some(form) = text(1) {
                tracked::started(form, text(2));
            }
            JsValue::UNDEFINED
        }
        "completed" => {
            if let (Some(form), Some(field)) = (text(1), text(2)) {
                tracked::completed(form, field);
            }
            JsValue::UNDEFINED
        }
        "sent" => {
            if let Some(form) = text(1) {
                tracked::sent(&form);
            }
            JsValue::UNDEFINED
        }
        "decisions" => {
            let decisions = call.get(1);
            if decisions.is_object() {
                begin::show_decisions(list(&decisions));
            }
            JsValue::UNDEFINED
        }
        "close" => {
            if let Ok(host) = call.get(1).dyn_into::<Element>() {
                crate::blocks::controls::close(&host);
            }
            JsValue::UNDEFINED
        }
        _ => JsValue::UNDEFINED,
    }
}
