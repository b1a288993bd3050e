//! Kindling's browser widget, compiled to `wasm32-unknown-unknown` and started by
//! `loader.js` (the script tag a site pastes).
//!
//! On each page it creates or reads the anonymous visitor id ([`identity`]) and the
//! visit ([`session`]), asks the collector for this page's content with one
//! `POST /v1/boot`, shows each decided block ([`blocks`]: inline in its
//! `[data-kindling-slot]`, or as a modal, slide-in or bar when its trigger fires),
//! each inside a shadow root ([`render`]), draws, checks and sends the lead forms the
//! page embeds or a block opens ([`forms`]), and tracks what the visitor does
//! ([`track`]): pageviews (single-page apps included), CTA, outbound and download
//! clicks, scroll depth, engaged time, form interactions and what they do with the
//! blocks. Events are batched, retried and kept offline by [`transport::queue`]; an
//! answer may bring new decisions for the page. [`api`] is the `kindling(...)` command
//! API; consent and browser privacy signals decide whether anything is stored or sent
//! at all.
//!
//! It never throws into the host page: every failure ends in [`log`], which prints only
//! when debugging is on.
//!
//! The crate is `no_std`: built with the `standalone` feature (as `cargo xtask bundle`
//! does) it brings a small allocator and a panic handler that traps without
//! formatting, which keeps the standard library's formatting machinery out of the wasm.

#![no_std]

extern crate alloc;

pub mod api;
pub mod begin;
pub mod blocks;
pub mod browser;
pub mod codec;
pub mod forms;
pub mod identity;
pub mod log;
pub mod page;
pub mod render;
pub mod session;
pub mod state;
pub mod storage;
pub mod track;
pub mod transport;

use alloc::borrow::ToOwned;
use alloc::string::String;

use kindling_core::privacy::{Choice, ConsentMode, Signals};
use wasm_bindgen::prelude::*;

pub use crate::begin::{Options, boot, start_tracking};
use crate::state::Widget;
use crate::transport::queue;

#[cfg(feature = "standalone")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// Nothing in the widget is meant to panic; if something does, trap at once instead of
/// formatting a message nobody reads. The trap ends only the widget's current call.
#[cfg(feature = "standalone")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Starts the widget. Called once by the loader with the calls queued before the
/// widget loaded; returns at once and never throws. When the page is booted,
/// `kindling:ready` is dispatched on `document`.
///
/// `consent_required`: the script tag's `data-consent="required"`: nothing is stored
/// or sent until `kindling('consent', {analytics: true})`.
#[wasm_bindgen]
pub fn start(site: String, api: String, debug: bool, consent_required: bool, queued: JsValue) {
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
    queue::on_decisions(blocks::apply);
    page::when_ready(move || {
        for call in js_sys::Array::from(&queued).iter() {
            api::run(&call);
        }
        start_tracking();
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
