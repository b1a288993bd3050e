//! Thin wrappers over browser timers and event listeners, so the rest of the widget
//! never handles closures' lifetimes itself.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{AddEventListenerOptions, Event, EventTarget};

use crate::page;

/// Runs `then` once after `ms` milliseconds. The callback frees itself when it runs.
pub fn after(ms: i32, then: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(then);
    if let Ok(window) = page::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            ms,
        );
    }
}

/// Calls `handler` for every `event` on `target`, passively, in the capture phase, for
/// the rest of the page's life.
pub fn listen(target: &EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    let options = AddEventListenerOptions::new();
    options.set_passive(true);
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
    page::window()
        .ok()
        .and_then(|window| js_sys::Reflect::get(&window.navigator(), &JsValue::from_str(name)).ok())
        .unwrap_or(JsValue::UNDEFINED)
}
