//! Pageviews: the first load and every route change of a single-page app
//! (`history.pushState`, `history.replaceState`, `popstate`, `hashchange`). A route
//! change that leaves the URL as it was is not a new pageview.

use js_sys::{Function, Reflect};
use kindling_core::wire::EventKind;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::track::record::{Details, record};
use crate::track::{engagement, forms};
use crate::{browser, page, state};

/// Records a pageview of the current URL unless it is the one last recorded.
pub fn pageview() {
    let url = page::url().unwrap_or_default();
    let previous = state::with(|widget| {
        if widget.page_url == url {
            return None;
        }
        let previous = core::mem::replace(&mut widget.page_url, url.clone());
        widget.scroll_marks = 0;
        widget.blocks.new_page_view(browser::now());
        widget.forms.viewed.clear();
        Some(previous)
    });
    let Some(Some(previous)) = previous else { return };
    let referrer = if previous.is_empty() { page::referrer() } else { Some(previous) };
    let title = page::document().map(|document| document.title()).unwrap_or_default();
    record(
        EventKind::Pageview,
        Details { title: (!title.is_empty()).then_some(title), referrer, ..Details::default() },
    );
}

/// A route change: close the previous page's engagement and forms, count the new page
/// and draw its lead forms. Deferred a tick so the app can update the page first.
fn route_changed() {
    browser::after(0, || {
        let url = page::url().unwrap_or_default();
        if state::with(|widget| widget.page_url != url) == Some(true) {
            engagement::report();
            forms::abandon_started();
            pageview();
            crate::lead_forms::draw_new();
        }
    });
}

pub fn install() {
    let Ok(window) = page::window() else { return };
    if let Ok(history) = window.history() {
        for method in ["pushState", "replaceState"] {
            wrap_history_method(&history, method);
        }
    }
    browser::listen(&window, "popstate", |_| route_changed());
    browser::listen(&window, "hashchange", |_| route_changed());
}

/// Replaces `history[method]` with a function that calls the original, then notes the
/// route change.
fn wrap_history_method(history: &web_sys::History, method: &str) {
    let key = JsValue::from_str(method);
    let Ok(original) = Reflect::get(history, &key).and_then(|f| f.dyn_into::<Function>()) else {
        return;
    };
    let target: JsValue = history.clone().into();
    let wrapper = Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> JsValue>::new(
        move |state: JsValue, unused: JsValue, url: JsValue| {
            let result =
                original.call3(&target, &state, &unused, &url).unwrap_or(JsValue::UNDEFINED);
            route_changed();
            result
        },
    );
    let _ = Reflect::set(history, &key, wrapper.as_ref().unchecked_ref());
    // The wrapper replaces the page's own history method for the page's lifetime.
    wrapper.forget();
}
