//! Converting the shared wire types (`kindling_core::wire`) to and from JavaScript
//! objects, which the browser turns into JSON with its own `JSON.stringify` and
//! `Response.json()`.
//!
//! Written by hand on purpose: serde-wasm-bindgen and derived deserializers, with the
//! formatting machinery their errors pull in, cost about 27 KB of brotli-compressed
//! wasm; these few functions cost a fraction of that. The widget's browser tests check
//! that what is encoded here parses as the shared types on the collector's side.
//!
//! Of the answers, only what the widget uses is decoded: the visitor's id and the
//! decisions and forms (the profile and the counts stay the collector's business).
//! Requests and events are here; the decided blocks are in [`decision`], lead forms and
//! their submissions in [`form`].

mod decision;
mod form;

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Object, Reflect};
use kindling_core::wire::{
    BootRequest, ClientEvent, Context, Decision, EventBatch, EventKind, EventsAccepted, PropValue,
    VisitorSummary,
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
        set(&object, "slots", &strings(&self.slots));
        set_optional(&object, "session", self.session.as_deref());
        if let Some(context) = &self.context {
            set(&object, "context", &context.encode());
        }
        if self.new_visitor {
            set(&object, "new_visitor", &JsValue::TRUE);
        }
        if !self.forms.is_empty() {
            set(&object, "forms", &strings(&self.forms));
        }
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
        if !self.slots.is_empty() {
            set(&object, "slots", &strings(&self.slots));
        }
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
            set(&object, "props", &props_object(&self.props));
        }
        set(&object, "ts", &JsValue::from_f64(self.ts as f64));
        object.into()
    }
}

/// Flat properties as a plain JS object.
pub fn props_object(props: &[(String, PropValue)]) -> Object {
    let object = Object::new();
    for (key, value) in props {
        let value = match value {
            PropValue::Bool(flag) => JsValue::from_bool(*flag),
            PropValue::Number(number) => JsValue::from_f64(*number),
            PropValue::Text(text) => JsValue::from_str(text),
        };
        set(&object, key, &value);
    }
    object
}

/// Encodes a list as a JS array.
pub fn encode_all<T: Encode>(items: &[T]) -> Array {
    items.iter().map(Encode::encode).collect()
}

fn strings(items: &[String]) -> Array {
    items.iter().map(|item| JsValue::from_str(item)).collect()
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

/// A boot answer as the widget uses it: the decisions, and the lead forms as received
/// (decoded by the forms code, which may be a part loaded apart).
pub struct BootAnswer {
    pub decisions: Vec<Decision>,
    /// The `forms` array of the answer, undecoded.
    pub forms: JsValue,
}

impl Decode for BootAnswer {
    fn decode(value: &JsValue) -> Option<Self> {
        // Of the visitor's state only its presence is checked.
        string(&get(value, "visitor"), "id")?;
        Some(BootAnswer { decisions: list(&get(value, "decisions")), forms: get(value, "forms") })
    }
}

impl Decode for EventsAccepted {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(EventsAccepted {
            accepted: get(value, "accepted").as_f64()? as u32,
            duplicates: get(value, "duplicates").as_f64()? as u32,
            // Refused events are dropped by the widget either way; their reasons
            // matter to people reading the collector's answer, not to the widget.
            rejected: Vec::new(),
            // Nothing in the widget reads the visitor summary: it is not decoded.
            visitor: VisitorSummary::default(),
            decisions: {
                let decisions = get(value, "decisions");
                decisions.is_object().then(|| list(&decisions))
            },
        })
    }
}

/// Decodes the items of a JS array, leaving out those of another shape; anything but
/// an array reads as an empty list.
pub fn list<T: Decode>(value: &JsValue) -> Vec<T> {
    let mut items = Vec::new();
    if value.is_object() {
        // `Array.from` of an object that is not a list is empty.
        let array = Array::from(value);
        for index in 0..array.length() {
            if let Some(item) = T::decode(&array.get(index)) {
                items.push(item);
            }
        }
    }
    items
}

pub fn get(object: &JsValue, key: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(object: &JsValue, key: &str) -> Option<String> {
    get(object, key).as_string()
}

/// A text that may be missing (empty then).
fn text(object: &JsValue, key: &str) -> String {
    string(object, key).unwrap_or_default()
}

/// Sets `key` on a plain object.
pub fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn set_optional(object: &Object, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        set(object, key, &JsValue::from_str(value));
    }
}

/// Appends `number` in decimal (no formatting machinery).
pub fn push_number(out: &mut String, mut number: u32) {
    let mut digits = [0u8; 10];
    let mut length = 0;
    loop {
        digits[length] = b'0' + (number % 10) as u8;
        length += 1;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    for digit in digits[..length].iter().rev() {
        out.push(char::from(*digit));
    }
}
