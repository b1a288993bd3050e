//! The anonymous visitor id: a UUIDv7 kept first-party, in a cookie on the site's own
//! domain (`kd_vid`, one year) with a `localStorage` copy (`kindling.vid`) that survives
//! cookie clean-ups. Both are read; a valid one wins and both are refreshed.

use alloc::borrow::ToOwned;
use alloc::string::String;

use kindling_core::ids::{is_uuid, uuid_v7};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::HtmlDocument;

use crate::page;

const COOKIE_NAME: &str = "kd_vid";
const STORAGE_KEY: &str = "kindling.vid";
const COOKIE_ATTRIBUTES: &str = "; Max-Age=31536000; Path=/; SameSite=Lax";

/// The visitor's id, created and stored on the first visit.
pub fn visitor_id() -> Result<String, JsValue> {
    let id = read_cookie()
        .or_else(read_storage)
        .filter(|id| is_uuid(id))
        .map_or_else(new_id, Ok)?;
    remember(&id);
    Ok(id)
}

/// A fresh UUIDv7 from the clock and the browser's cryptographic random source.
pub fn new_id() -> Result<String, JsValue> {
    let mut random = [0u8; 10];
    page::window()?.crypto()?.get_random_values_with_u8_array(&mut random)?;
    Ok(uuid_v7(js_sys::Date::now() as u64, random))
}

/// Writes `id` to the cookie and to storage; either may be refused (privacy modes).
fn remember(id: &str) {
    if let Some(document) = html_document() {
        let mut cookie = String::with_capacity(80);
        cookie.push_str(COOKIE_NAME);
        cookie.push('=');
        cookie.push_str(id);
        cookie.push_str(COOKIE_ATTRIBUTES);
        let _ = document.set_cookie(&cookie);
    }
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, id);
    }
}

fn read_cookie() -> Option<String> {
    let cookies = html_document()?.cookie().ok()?;
    cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE_NAME).then(|| value.to_owned())
    })
}

fn read_storage() -> Option<String> {
    storage()?.get_item(STORAGE_KEY).ok()?
}

fn html_document() -> Option<HtmlDocument> {
    page::document().ok()?.dyn_into::<HtmlDocument>().ok()
}

fn storage() -> Option<web_sys::Storage> {
    page::window().ok()?.local_storage().ok()?
}
