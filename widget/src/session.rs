//! The visit: a session id that rolls over after 30 minutes without activity or at
//! the visitor's local midnight (rules in `kindling_core::session`), with the visit
//! counter and first-visit time, kept in `localStorage` (`kindling.session`), and the
//! page and referrer the visit started from (`kindling.landing`); and the [`context`]
//! the collector is told about the visit.

use alloc::string::String;

use kindling_core::attribution::host_of;
use kindling_core::session::{self, Session};
use kindling_core::wire::Context;

use crate::{browser, identity, page, state, storage};

pub const STORAGE_KEY: &str = "kindling.session";
pub const LANDING_KEY: &str = "kindling.landing";
const SEPARATOR: char = '\n';

/// The session for activity happening now; starts a new one when due. The stored visit
/// wins over the page's own copy (kept for when storage is refused): another tab of
/// the site may have moved it on since.
pub fn touch() -> Option<Session> {
    let previous = storage::get(STORAGE_KEY)
        .and_then(|text| Session::decode(&text))
        .or_else(|| state::with(|widget| widget.session.clone()).flatten());
    let offset = -(js_sys::Date::new_0().get_timezone_offset() as i32);
    let (current, started) = session::touch(previous.as_ref(), browser::now(), offset, || {
        identity::new_id().unwrap_or_default()
    });
    if current.id.is_empty() {
        return None;
    }
    if started {
        remember_landing();
    }
    storage::set(STORAGE_KEY, &current.encode());
    state::with(|widget| widget.session = Some(current.clone()));
    Some(current)
}

/// Takes on the visit the loader started for this page (`Session::encode`'s text;
/// empty when it continued the stored one): stored, with this page as its landing.
pub fn adopt(started: &str) {
    let Some(session) = Session::decode(started) else { return };
    let stored = storage::get(STORAGE_KEY).and_then(|text| Session::decode(&text));
    if stored.is_some_and(|stored| stored.id == session.id) {
        return;
    }
    remember_landing();
    storage::set(STORAGE_KEY, started);
    state::with(|widget| widget.session = Some(session));
}

/// The page the visit started on and the outside referrer it came from.
pub fn landing() -> (Option<String>, Option<String>) {
    let Some(text) = storage::get(LANDING_KEY) else { return (page::url().ok(), None) };
    let (landing, referrer) = text.split_once(SEPARATOR).unwrap_or((&text, ""));
    let non_empty = |text: &str| (!text.is_empty()).then(|| String::from(text));
    (non_empty(landing), non_empty(referrer))
}

/// A new visit starts here: keep this page and, if it came from another site, the
/// referrer.
fn remember_landing() {
    let url = page::url().unwrap_or_default();
    let own_host = host_of(&url);
    let referrer =
        page::referrer().filter(|referrer| host_of(referrer) != own_host).unwrap_or_default();
    let mut text = String::with_capacity(url.len() + referrer.len() + 1);
    text.push_str(&url);
    text.push(SEPARATOR);
    text.push_str(&referrer);
    storage::set(LANDING_KEY, &text);
}

/// Removes the visit from the device (consent withdrawn, reset).
pub fn forget() {
    storage::remove(STORAGE_KEY);
    storage::remove(LANDING_KEY);
    state::with(|widget| widget.session = None);
}

/// The window's width in CSS pixels: `outerWidth`, which needs no layout (`innerWidth`
/// may force one of a page still loading), or `innerWidth` while the browser does not
/// know the window's size yet (`outerWidth` is 0 then, in a new or background tab).
fn window_width(window: &web_sys::Window) -> Option<u32> {
    let width = |read: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>| {
        read.ok().and_then(|width| width.as_f64()).filter(|width| *width > 0.0)
    };
    width(window.outer_width()).or_else(|| width(window.inner_width())).map(|width| width as u32)
}

/// What the widget tells the collector about the visit (boot requests and event
/// batches); `dropped` is left at 0 for the queue to fill in.
pub fn context() -> Option<Context> {
    let session = touch()?;
    let (landing, referrer) = landing();
    let window = page::window().ok()?;
    Some(Context {
        visit: session.visit,
        first_visit_ms: session.first_visit_ms,
        landing,
        referrer,
        language: window.navigator().language(),
        viewport: window_width(&window),
        touch: browser::navigator_property("maxTouchPoints").as_f64().unwrap_or(0.0) as u32,
        dropped: 0,
    })
}
