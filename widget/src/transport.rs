//! Talking to the collector: JSON sent as `text/plain` (a "simple" CORS request, so no
//! preflight round trip), with `keepalive` so a send survives the page being left.

use alloc::string::String;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, RequestMode, Response};

use crate::codec::{Decode, Encode};
use crate::page;

/// Posts `body` as JSON to `api` + `path` and decodes the JSON answer. Non-2xx answers
/// are errors carrying the status code.
pub async fn post<B: Encode, R: Decode>(api: &str, path: &str, body: &B) -> Result<R, JsValue> {
    let text = js_sys::JSON::stringify(&body.encode())?;

    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&text);
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    // web-sys has no setter for `keepalive`; the property is standard fetch.
    js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE)?;

    let mut url = String::with_capacity(api.len() + path.len());
    url.push_str(api);
    url.push_str(path);
    let response: Response =
        JsFuture::from(page::window()?.fetch_with_str_and_init(&url, &init)).await?.dyn_into()?;
    if !response.ok() {
        return Err(JsValue::from_f64(f64::from(response.status())));
    }
    let json = JsFuture::from(response.json()?).await?;
    R::decode(&json).ok_or_else(|| JsValue::from_str("unexpected response shape"))
}
