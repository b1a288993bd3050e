//! Converting the shared wire types (`kindling_core::wire`) to and from JavaScript
//! objects, which the browser turns into JSON with its own `JSON.stringify` and
//! `Response.json()`.
//!
//! Written by hand on purpose: serde-wasm-bindgen and derived deserializers, with the
//! formatting machinery their errors pull in, cost about 27 KB of brotli-compressed
//! wasm; these few functions cost a fraction of that. The widget's browser tests check
//! that what is encoded here parses as the shared types on the collector's side.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Object, Reflect};
use kindling_core::wire::{
    BlockContent, BootRequest, BootResponse, ClientEvent, Cta, Decision, EventBatch,
    EventsAccepted, VisitorState,
};
use wasm_bindgen::JsValue;

/// A value the widget sends.
pub trait Encode {
    fn encode(&self) -> JsValue;
}

/// A value the widget receives; `None` when the shape is not the expected one.
pub trait Decode: Sized {
    fn decode(value: &JsValue) -> Option<Self>;
}

impl Encode for BootRequest {
    fn encode(&self) -> JsValue {
        let object = Object::new();
        set(&object, "site", &self.site.as_str().into());
        set(&object, "visitor", &self.visitor.as_str().into());
        set(&object, "url", &self.url.as_str().into());
        set_optional(&object, "referrer", self.referrer.as_deref());
        let slots: Array = self.slots.iter().map(|slot| JsValue::from_str(slot)).collect();
        set(&object, "slots", &slots);
        object.into()
    }
}

impl Encode for EventBatch {
    fn encode(&self) -> JsValue {
        let object = Object::new();
        set(&object, "site", &self.site.as_str().into());
        set(&object, "visitor", &self.visitor.as_str().into());
        let events: Array = self.events.iter().map(Encode::encode).collect();
        set(&object, "events", &events);
        object.into()
    }
}

impl Encode for ClientEvent {
    fn encode(&self) -> JsValue {
        let object = Object::new();
        set(&object, "id", &self.id.as_str().into());
        set(&object, "type", &self.kind.as_str().into());
        set(&object, "url", &self.url.as_str().into());
        set_optional(&object, "title", self.title.as_deref());
        set_optional(&object, "referrer", self.referrer.as_deref());
        set(&object, "ts", &JsValue::from_f64(self.ts as f64));
        object.into()
    }
}

impl Decode for BootResponse {
    fn decode(value: &JsValue) -> Option<Self> {
        let visitor = get(value, "visitor");
        let decisions = get(value, "decisions");
        let decisions = if decisions.is_undefined() {
            Vec::new()
        } else {
            Array::from(&decisions).iter().filter_map(|item| Decision::decode(&item)).collect()
        };
        Some(BootResponse { visitor: VisitorState { id: string(&visitor, "id")? }, decisions })
    }
}

impl Decode for Decision {
    fn decode(value: &JsValue) -> Option<Self> {
        let content = get(value, "content");
        let cta = get(&content, "cta");
        let cta = if cta.is_object() {
            Some(Cta { label: string(&cta, "label")?, url: string(&cta, "url")? })
        } else {
            None
        };
        Some(Decision {
            slot: string(value, "slot")?,
            block: string(value, "block")?,
            variant: string(value, "variant")?,
            content: BlockContent {
                headline: string(&content, "headline")?,
                body_html: string(&content, "body_html").unwrap_or_default(),
                cta,
            },
        })
    }
}

impl Decode for EventsAccepted {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(EventsAccepted {
            accepted: get(value, "accepted").as_f64()? as u32,
            duplicates: get(value, "duplicates").as_f64()? as u32,
        })
    }
}

fn get(object: &JsValue, key: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn set_optional(object: &Object, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        set(object, key, &JsValue::from_str(value));
    }
}
