//! The widget's entry points, called by the loader: [`start`], once, and [`command`]
//! for each `kindling(...)` call after that. (The forms part of a split bundle has its
//! own, in `crate::forms::part`.)

use alloc::borrow::ToOwned;
use alloc::string::String;

use kindling_core::privacy::{Choice, ConsentMode, Signals};
use wasm_bindgen::prelude::*;

use crate::state::Widget;
use crate::transport::queue;
use crate::{api, begin, browser, log, page, state, storage};

/// Starts the widget. Called once by the loader with the calls queued before the
/// widget loaded; returns at once and never throws. When the page is booted,
/// `kindling:ready` is dispatched on `document`.
///
/// `consent_required`: the script tag's `data-consent="required"`: nothing is stored
/// or sent until `kindling('consent', {analytics: true})`.
///
/// `early`: a function returning the loader's own boot request and its answer, if it
/// sent one (see `begin::Early`).
#[wasm_bindgen]
pub fn start(
    site: String,
    api: String,
    debug: bool,
    consent_required: bool,
    queued: JsValue,
    early: JsValue,
) {
    log::set_debug(debug);
    let mode = if consent_required { ConsentMode::Required } else { ConsentMode::Implied };
    let signals = Signals {
        global_privacy_control: browser::navigator_property("globalPrivacyControl").is_truthy(),
        do_not_track: browser::navigator_property("doNotTrack").as_string().as_deref() == Some("1"),
    };
    let mut widget = Widget::new(site, api.trim_end_matches('/').to_owned(), mode, signals);
    if storage::get(api::CONSENT_KEY).as_deref() == Some("granted") {
        widget.choice = Choice::Granted;
    }
    state::install(widget);
    queue::on_decisions(begin::show_decisions);
    page::when_ready(move || {
        for call in js_sys::Array::from(&queued).iter() {
            api::run(&call);
        }
        begin::start_tracking_with(begin::Early::from_loader(&early));
        if state::with(|widget| widget.visitor.is_none()) == Some(true) {
            // Not allowed to track (yet): nothing is sent, the page is left as it is.
            page::announce_ready();
        }
    });
}

/// One `kindling(...)` call made after the widget loaded.
#[wasm_bindgen]
pub fn command(args: JsValue) {
    api::run(&args);
}
