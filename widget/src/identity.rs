//! The anonymous visitor id: a UUIDv7 kept first-party, in a cookie on the site's own
//! domain (`kd_vid`, one year) with a `localStorage` copy (`kindling.vid`) that survives
//! cookie clean-ups. Both are read; a valid one wins and both are refreshed. Only
//! called once tracking is allowed: before that nothing is read or written.

use core::sync::atomic::{AtomicBool, Ordering};

use alloc::borrow::ToOwned;
use alloc::string::String;

use kindling_core::ids::{is_uuid, uuid_v7};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::HtmlDocument;

use crate::{browser, page, storage};

const COOKIE_NAME: &str = "kd_vid";
pub const STORAGE_KEY: &str = "kindling.vid";
const COOKIE_ATTRIBUTES: &str = "; Max-Age=31536000; Path=/; SameSite=Lax";

/// Whether the visitor id was made on this page (no collector knows it yet).
static MADE_HERE: AtomicBool = AtomicBool::new(false);

/// The visitor's id, created and stored on the first visit.
pub fn visitor_id() -> Result<String, JsValue> {
    visitor_id_or(None)
}

/// The visitor's id; on the first visit `handed` (an id the loader made on this page),
/// if valid, or a new one, stored.
pub fn visitor_id_or(handed: Option<&str>) -> Result<String, JsValue> {
    let stored = read_cookie().or_else(|| storage::get(STORAGE_KEY)).filter(|id| is_uuid(id));
    let id = match (stored, handed.filter(|id| is_uuid(id))) {
        (Some(id), _) => id,
        (None, Some(id)) => {
            MADE_HERE.store(true, Ordering::Relaxed);
            id.to_owned()
        }
        (None, None) => made_here()?,
    };
    remember(&id);
    Ok(id)
}

/// Replaces the visitor id with a fresh one (`kindling('reset')`).
pub fn renew() -> Result<String, JsValue> {
    let id = made_here()?;
    remember(&id);
    Ok(id)
}

/// True when the current visitor id was made on this page.
pub fn is_new() -> bool {
    MADE_HERE.load(Ordering::Relaxed)
}

fn made_here() -> Result<String, JsValue> {
    let id = new_id()?;
    MADE_HERE.store(true, Ordering::Relaxed);
    Ok(id)
}

/// Removes the id from the device (consent withdrawn).
pub fn forget() {
    write_cookie("", "; Max-Age=0; Path=/");
    storage::remove(STORAGE_KEY);
}

/// A fresh UUIDv7 from the clock and the browser's cryptographic random source.
pub fn new_id() -> Result<String, JsValue> {
    let mut random = [0u8; 10];
    page::window()?.crypto()?.get_random_values_with_u8_array(&mut random)?;
    Ok(uuid_v7(browser::now(), random))
}

/// Writes `id` to the cookie and to storage; either may be refused (privacy modes).
fn remember(id: &str) {
    write_cookie(id, COOKIE_ATTRIBUTES);
    storage::set(STORAGE_KEY, id);
}

fn write_cookie(value: &str, attributes: &str) {
    if let Some(document) = html_document() {
        let mut cookie = String::with_capacity(80);
        cookie.push_str(COOKIE_NAME);
        cookie.push('=');
        cookie.push_str(value);
        cookie.push_str(attributes);
        let _ = document.set_cookie(&cookie);
    }
}

fn read_cookie() -> Option<String> {
    let cookies = html_document()?.cookie().ok()?;
    cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE_NAME && !value.is_empty()).then(|| value.to_owned())
    })
}

fn html_document() -> Option<HtmlDocument> {
    page::document().ok()?.dyn_into::<HtmlDocument>().ok()
}
