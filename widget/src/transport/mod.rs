//! Talking to the collector: JSON sent as `text/plain` (a string body gets
//! `text/plain;charset=UTF-8`: a "simple" CORS request, so no preflight round trip),
//! with `keepalive` so a send survives the page being left, and without cookies (the
//! ids travel in the body). [`queue`] batches and retries events on top of this;
//! `crate::forms` sends submissions and reads their answers, errors included.

pub mod queue;

use alloc::string::String;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, RequestMode, Response};

use crate::codec::{Decode, Encode};
use crate::page;

/// Why a request failed.
pub enum Failure {
    /// No answer: offline, collector down, refused by CORS.
    Network,
    /// An HTTP error; `retry_after` from the header, in seconds.
    Status { status: u16, retry_after: Option<u32> },
    /// A 2xx answer that is not what the protocol says.
    Shape,
}

impl Failure {
    /// True when sending the same request later may succeed.
    pub fn is_temporary(&self) -> bool {
        match self {
            Failure::Network => true,
            Failure::Status { status, .. } => *status == 429 || *status >= 500,
            Failure::Shape => false,
        }
    }

    pub fn as_js(&self) -> JsValue {
        match self {
            Failure::Network => JsValue::from_str("network error"),
            Failure::Status { status, .. } => JsValue::from_f64(f64::from(*status)),
            Failure::Shape => JsValue::from_str("unexpected response"),
        }
    }
}

/// Posts `body` as JSON to `api` + `path` and decodes the JSON answer.
pub async fn post<B: Encode, R: Decode>(api: &str, path: &str, body: &B) -> Result<R, Failure> {
    exchange(api, path, Some(&body.encode())).await?.decode()
}

/// Gets `api` + `path` and decodes the JSON answer.
pub async fn get<R: Decode>(api: &str, path: &str) -> Result<R, Failure> {
    exchange(api, path, None).await?.decode()
}

/// An HTTP answer from the collector, errors included.
pub struct Answer {
    pub status: u16,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<u32>,
    /// The body read as JSON; `null` when it is not JSON.
    pub json: JsValue,
}

impl Answer {
    /// A 2xx answer's body decoded; an error status as [`Failure::Status`].
    pub fn decode<R: Decode>(self) -> Result<R, Failure> {
        if !(200..300).contains(&self.status) {
            return Err(Failure::Status { status: self.status, retry_after: self.retry_after });
        }
        R::decode(&self.json).ok_or(Failure::Shape)
    }
}

/// Sends `body` (a JS value, as JSON text) to `api` + `path` with `POST`, or with
/// `GET` when there is none, and reads the answer, whatever its status. One function
/// (not one per message type) for every request keeps the wasm small.
pub async fn exchange(api: &str, path: &str, body: Option<&JsValue>) -> Result<Answer, Failure> {
    let init = RequestInit::new();
    if let Some(body) = body {
        let text = js_sys::JSON::stringify(body).map_err(|_| Failure::Shape)?;
        init.set_method("POST");
        init.set_body(&text);
    }
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    // web-sys has no setter for `keepalive`; the property is standard fetch.
    let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);

    let mut url = String::with_capacity(api.len() + path.len());
    url.push_str(api);
    url.push_str(path);
    let window = page::window().map_err(|_| Failure::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| Failure::Network)?
        .dyn_into()
        .map_err(|_| Failure::Shape)?;
    let retry_after = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|value| value.trim().parse().ok());
    let json = match response.json() {
        Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::NULL),
        Err(_) => JsValue::NULL,
    };
    Ok(Answer { status: response.status(), retry_after, json })
}
