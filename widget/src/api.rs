//! The JavaScript API, `kindling(command, ...args)`, through the loader's queue stub:
//!
//! - `kindling('track', name, props)`: a custom event with flat properties;
//! - `kindling('identify', {email, ...traits})`: makes the visitor known;
//! - `kindling('consent', {analytics: true|false})`: grants or withdraws consent;
//!   withdrawing removes every id and waiting event from the device;
//! - `kindling('reset')`: a new anonymous visitor (for example after a logout);
//! - `kindling('debug', true)`: logs the widget's problems to the console.
//!
//! Calls made before the widget loaded are replayed in order; unknown commands and
//! malformed arguments are ignored (and logged when debugging).

use js_sys::{Array, Reflect};
use kindling_core::privacy::Choice;
use kindling_core::wire::{EventKind, PropValue};
use wasm_bindgen::prelude::*;

use crate::begin::start_tracking;
use crate::track::record::{Details, record};
use crate::transport::queue;
use crate::{codec, identity, log, session, state, storage};

/// Where a granted consent is remembered (only a grant is stored).
pub const CONSENT_KEY: &str = "kindling.consent";

/// Runs one call: `args` is the `arguments` object of a `kindling(...)` call.
pub fn run(args: &JsValue) {
    let args = Array::from(args);
    let command = args.get(0).as_string().unwrap_or_default();
    match command.as_str() {
        "track" => track(&args),
        "identify" => identify(&args.get(1)),
        "consent" => consent(&args.get(1)),
        "reset" => reset(),
        "debug" => log::set_debug(args.get(1).is_truthy()),
        _ => log::debug("kindling: unknown command", &args.get(0)),
    }
}

fn track(args: &Array) {
    let Some(name) = args.get(1).as_string().filter(|name| !name.is_empty()) else {
        return log::debug("kindling: track needs an event name", &args.get(1));
    };
    let props = codec::props_of(&args.get(2));
    record(EventKind::Custom, Details { name: Some(name), props, ..Details::default() });
}

fn identify(traits: &JsValue) {
    let mut props = codec::props_of(traits);
    for (key, value) in props.iter_mut() {
        if key == "email"
            && let PropValue::Text(email) = value
        {
            *email = email.trim().to_ascii_lowercase();
        }
    }
    if props.is_empty() {
        return log::debug("kindling: identify needs traits such as {email}", traits);
    }
    record(EventKind::Identify, Details { props, ..Details::default() });
}

fn consent(choice: &JsValue) {
    let Some(analytics) = Reflect::get(choice, &"analytics".into()).ok().and_then(|v| v.as_bool())
    else {
        return log::debug("kindling: consent needs {analytics: true|false}", choice);
    };
    if analytics {
        state::with(|widget| widget.choice = Choice::Granted);
        storage::set(CONSENT_KEY, "granted");
        start_tracking();
    } else {
        state::with(|widget| {
            widget.choice = Choice::Declined;
            widget.visitor = None;
            widget.blocks.pending.clear();
        });
        queue::clear();
        session::forget();
        identity::forget();
        storage::remove(CONSENT_KEY);
    }
}

fn reset() {
    if state::with(|widget| widget.tracking()) != Some(true) {
        return;
    }
    session::forget();
    match identity::renew() {
        Ok(id) => {
            state::with(|widget| widget.visitor = Some(id));
        }
        Err(error) => log::debug("kindling: reset failed", &error),
    }
}
