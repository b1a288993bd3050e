//! The visit: a session id that rolls over after 30 minutes without activity or at
//! the visitor's local midnight (rules in `kindling_core::session`), with the visit
//! counter and first-visit time, kept in `localStorage` (`kindling.session`), and the
//! page and referrer the visit started from (`kindling.landing`).

use alloc::string::String;

use kindling_core::attribution::host_of;
use kindling_core::session::{self, Session};

use crate::{browser, identity, page, state, storage};

pub const STORAGE_KEY: &str = "kindling.session";
pub const LANDING_KEY: &str = "kindling.landing";
const SEPARATOR: char = '\n';

/// The session for activity happening now; starts a new one when due.
pub fn touch() -> Option<Session> {
    let previous = state::with(|widget| widget.session.clone())
        .flatten()
        .or_else(|| storage::get(STORAGE_KEY).and_then(|text| Session::decode(&text)));
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
    let referrer = page::referrer().filter(|referrer| host_of(referrer) != own_host).unwrap_or_default();
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
