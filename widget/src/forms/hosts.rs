//! A drawn form's host element: the key it keeps (its index among the page's drawn
//! forms, a JS property: the widget's state holds no DOM references), finding the form
//! a shadow root shows, and text encoded for the form's URLs.

use alloc::string::String;

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use web_sys::{Element, ShadowRoot};

use crate::browser;
use crate::forms::page_forms::Drawn;
use crate::state;

/// Where a host element keeps its form's key, the index in `Forms::drawn` (a JS
/// property: the widget's state holds no DOM references).
const KEY: &str = "kindlingForm";

/// Gives `host` the key `key`.
pub fn set_key(host: &Element, key: usize) -> Result<(), JsValue> {
    Reflect::set(host, &JsValue::from_str(KEY), &JsValue::from_f64(key as f64))?;
    Ok(())
}

/// The key of the form `root` shows.
pub fn key_of(root: &ShadowRoot) -> Option<usize> {
    browser::property(&root.host(), KEY).as_f64().map(|key| key as usize)
}

/// A copy of the drawn form `key`.
pub fn drawn(key: usize) -> Option<Drawn> {
    state::with(|widget| widget.forms.drawn.get(key).cloned()).flatten()
}

/// Appends `text` encoded as a URL component.
pub fn push_encoded(out: &mut String, text: &str) {
    out.push_str(&js_sys::encode_uri_component(text).as_string().unwrap_or_default());
}
