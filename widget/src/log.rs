//! Debug logging: silent unless the site turned debugging on (`data-debug` on the
//! script tag), so the widget never clutters the host page's console.

use core::sync::atomic::{AtomicBool, Ordering};

use wasm_bindgen::JsValue;

static DEBUG: AtomicBool = AtomicBool::new(false);

/// Turns debug output on or off.
pub fn set_debug(on: bool) {
    DEBUG.store(on, Ordering::Relaxed);
}

/// True when debugging is on.
pub fn debugging() -> bool {
    DEBUG.load(Ordering::Relaxed)
}

/// Logs `message` and `detail` to the console when debugging is on.
pub fn debug(message: &str, detail: &JsValue) {
    if DEBUG.load(Ordering::Relaxed) {
        web_sys::console::warn_2(&JsValue::from_str(message), detail);
    }
}
