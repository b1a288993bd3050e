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
    BlockContent, BootRequest, BootResponse, ClientEvent, Context, Cta, Decision, EventBatch,
    EventKind, EventsAccepted, PropValue, VisitorState, VisitorSummary,
};
use wasm_bindgen::{JsCast, JsValue};

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
        if let Some(context) = &self.context {
            set(&object, "context", &context.encode());
        }
        set(&object, "events", &encode_all(&self.events));
        object.into()
    }
}

impl Encode for Context {
    fn encode(&self) -> JsValue {
        let object = Object::new();
        set(&object, "visit", &JsValue::from_f64(f64::from(self.visit)));
        set(&object, "first_visit_ms", &JsValue::from_f64(self.first_visit_ms as f64));
        set_optional(&object, "landing", self.landing.as_deref());
        set_optional(&object, "referrer", self.referrer.as_deref());
        set_optional(&object, "language", self.language.as_deref());
        if let Some(viewport) = self.viewport {
            set(&object, "viewport", &JsValue::from_f64(f64::from(viewport)));
        }
        set(&object, "touch", &JsValue::from_f64(f64::from(self.touch)));
        set(&object, "dropped", &JsValue::from_f64(f64::from(self.dropped)));
        object.into()
    }
}

impl Encode for ClientEvent {
    fn encode(&self) -> JsValue {
        let object = Object::new();
        set(&object, "id", &self.id.as_str().into());
        set(&object, "type", &self.kind.as_str().into());
        set(&object, "session", &self.session.as_str().into());
        set(&object, "url", &self.url.as_str().into());
        set_optional(&object, "title", self.title.as_deref());
        set_optional(&object, "referrer", self.referrer.as_deref());
        set_optional(&object, "name", self.name.as_deref());
        set_optional(&object, "target", self.target.as_deref());
        if let Some(value) = self.value {
            set(&object, "value", &JsValue::from_f64(value));
        }
        if !self.props.is_empty() {
            let props = Object::new();
            for (key, value) in &self.props {
                let value = match value {
                    PropValue::Bool(flag) => JsValue::from_bool(*flag),
                    PropValue::Number(number) => JsValue::from_f64(*number),
                    PropValue::Text(text) => JsValue::from_str(text),
                };
                set(&props, key, &value);
            }
            set(&object, "props", &props);
        }
        set(&object, "ts", &JsValue::from_f64(self.ts as f64));
        object.into()
    }
}

/// Encodes a list as a JS array.
pub fn encode_all<T: Encode>(items: &[T]) -> Array {
    items.iter().map(Encode::encode).collect()
}

impl Decode for ClientEvent {
    fn decode(value: &JsValue) -> Option<Self> {
        let props = props_of(&get(value, "props"));
        Some(ClientEvent {
            id: string(value, "id")?,
            kind: EventKind::parse(&string(value, "type")?)?,
            session: string(value, "session")?,
            url: string(value, "url")?,
            title: string(value, "title"),
            referrer: string(value, "referrer"),
            name: string(value, "name"),
            target: string(value, "target"),
            value: get(value, "value").as_f64(),
            props,
            ts: get(value, "ts").as_f64()? as u64,
        })
    }
}

fn prop_value(value: &JsValue) -> Option<PropValue> {
    if let Some(flag) = value.as_bool() {
        Some(PropValue::Bool(flag))
    } else if let Some(number) = value.as_f64() {
        Some(PropValue::Number(number))
    } else {
        value.as_string().map(PropValue::Text)
    }
}

/// Reads a plain JS object of text, number and boolean values as properties;
/// anything else in it is left out.
pub fn props_of(object: &JsValue) -> Vec<(String, PropValue)> {
    if !object.is_object() {
        return Vec::new();
    }
    Object::entries(object.unchecked_ref())
        .iter()
        .filter_map(|entry| {
            let pair = Array::from(&entry);
            Some((pair.get(0).as_string()?, prop_value(&pair.get(1))?))
        })
        .collect()
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
        let profile = Profile::decode(&visitor);
        Some(BootResponse {
            visitor: VisitorState {
                id: string(&visitor, "id")?,
                score: profile.score,
                temperature: profile.temperature,
                stage: profile.stage,
                segments: profile.segments,
            },
            decisions,
        })
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
        let visitor = get(value, "visitor");
        Some(EventsAccepted {
            accepted: get(value, "accepted").as_f64()? as u32,
            duplicates: get(value, "duplicates").as_f64()? as u32,
            // Refused events are dropped by the widget either way; their reasons
            // matter to people reading the collector's answer, not to the widget.
            rejected: Vec::new(),
            visitor: {
                let profile = Profile::decode(&visitor);
                VisitorSummary {
                    visits: get(&visitor, "visits").as_f64()? as u32,
                    events: get(&visitor, "events").as_f64()? as u32,
                    score: profile.score,
                    temperature: profile.temperature,
                    stage: profile.stage,
                    segments: profile.segments,
                }
            },
        })
    }
}

/// The profile part both visitor answers share; missing parts are empty.
struct Profile {
    score: i32,
    temperature: String,
    stage: String,
    segments: Vec<String>,
}

impl Profile {
    fn decode(visitor: &JsValue) -> Profile {
        let segments = get(visitor, "segments");
        Profile {
            score: get(visitor, "score").as_f64().unwrap_or(0.0) as i32,
            temperature: string(visitor, "temperature").unwrap_or_default(),
            stage: string(visitor, "stage").unwrap_or_default(),
            segments: if segments.is_object() {
                Array::from(&segments).iter().filter_map(|item| item.as_string()).collect()
            } else {
                Vec::new()
            },
        }
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
