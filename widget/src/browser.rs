//! Thin wrappers over browser timers and event listeners, so the rest of the widget
//! never handles closures' lifetimes itself.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{AddEventListenerOptions, Event, EventTarget};

use crate::page;

/// Runs `then` once after `ms` milliseconds. The callback frees itself when it runs.
/// A plain function: one closure type for every timer keeps the wasm small.
pub fn after(ms: i32, then: fn()) {
    let callback = Closure::once_into_js(then);
    if let Ok(window) = page::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms);
    }
}

/// Calls `handler` for every `event` on `target`, passively, in the capture phase, for
/// the rest of the page's life. Handlers are plain functions: one closure type for
/// every listener keeps the wasm small.
pub fn listen(target: &EventTarget, event: &str, handler: fn(Event)) {
    add_listener(target, event, true, handler);
}

/// Like [`listen`], but the handler may cancel the event's default action (keys the
/// widget handles itself).
pub fn intercept(target: &EventTarget, event: &str, handler: fn(Event)) {
    add_listener(target, event, false, handler);
}

fn add_listener(target: &EventTarget, event: &str, passive: bool, handler: fn(Event)) {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    let options = AddEventListenerOptions::new();
    options.set_passive(passive);
    options.set_capture(true);
    let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
        event,
        closure.as_ref().unchecked_ref(),
        &options,
    );
    // The widget lives as long as the page and never removes its listeners, so the
    // closure is handed to the JS side for good instead of being dropped here.
    closure.forget();
}

/// The current time, milliseconds since the Unix epoch.
pub fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// A value of `navigator` read by name (for properties web-sys does not bind).
pub fn navigator_property(name: &str) -> JsValue {
    page::window().map_or(JsValue::UNDEFINED, |window| property(&window.navigator(), name))
}

/// Adds a User Timing mark (`performance.mark(name)`) that pages and benchmarks can
/// read; nothing happens where the API is missing.
pub fn mark(name: &str) {
    let performance =
        page::window().map_or(JsValue::UNDEFINED, |window| property(&window, "performance"));
    if let Ok(mark) = property(&performance, "mark").dyn_into::<js_sys::Function>() {
        let _ = mark.call1(&performance, &JsValue::from_str(name));
    }
}

/// A property of a JS object read by name; `undefined` when it cannot be read. Cheaper
/// in the bundle than a binding of its own for properties read in one place.
pub fn property(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}
