//! `localStorage`, when the browser allows it (private modes and policies may not).
//! Every key the widget uses starts with `kindling.`.

use alloc::string::String;

use crate::page;

fn local() -> Option<web_sys::Storage> {
    page::window().ok()?.local_storage().ok()?
}

pub fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok()?
}

pub fn set(key: &str, value: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(key, value);
    }
}

pub fn remove(key: &str) {
    if let Some(storage) = local() {
        let _ = storage.remove_item(key);
    }
}
