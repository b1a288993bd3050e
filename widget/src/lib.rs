//! Kindling's browser widget, compiled to `wasm32-unknown-unknown` and started by
//! `loader.js` (the script tag a site pastes).
//!
//! On each page it creates or reads the anonymous visitor id ([`identity`]), asks the
//! collector for this page's content with one `POST /v1/boot` ([`transport`]), renders
//! each decision into its `[data-kindling-slot]` inside a shadow root ([`render`]), and
//! records the pageview ([`track`]).
//!
//! It never throws into the host page: every failure ends in [`log`], which prints only
//! when debugging is on.
//!
//! The crate is `no_std`: built with the `standalone` feature (as `cargo xtask bundle`
//! does) it brings a small allocator and a panic handler that traps without
//! formatting, which keeps the standard library's formatting machinery out of the wasm.

#![no_std]

extern crate alloc;

pub mod codec;
pub mod identity;
pub mod log;
pub mod page;
pub mod render;
pub mod track;
pub mod transport;

use alloc::borrow::ToOwned;
use alloc::string::String;

use kindling_core::wire::{BootRequest, BootResponse};
use wasm_bindgen::prelude::*;

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

/// Where and as whom the widget talks to the collector.
#[derive(Clone)]
pub struct Options {
    /// The site's public key.
    pub site: String,
    /// The collector's base URL, without a trailing slash.
    pub api: String,
}

/// Starts the widget. Called once by the loader; returns at once and never throws.
/// When the page is booted, `kindling:ready` is dispatched on `document`.
#[wasm_bindgen]
pub fn start(site: String, api: String, debug: bool) {
    log::set_debug(debug);
    let options = Options { site, api: api.trim_end_matches('/').to_owned() };
    page::when_ready(move || {
        wasm_bindgen_futures::spawn_local(async move {
            run(&options).await;
            page::announce_ready();
        });
    });
}

/// Boots the page: decisions first (what the visitor sees), then the pageview, which
/// is recorded even when the decisions could not be had.
pub async fn run(options: &Options) {
    let visitor = match identity::visitor_id() {
        Ok(visitor) => visitor,
        Err(error) => return log::debug("kindling: no visitor id", &error),
    };
    if let Err(error) = boot(options, &visitor).await {
        log::debug("kindling: boot failed", &error);
    }
    if let Err(error) = track::pageview(options, &visitor).await {
        log::debug("kindling: pageview not sent", &error);
    }
}

async fn boot(options: &Options, visitor: &str) -> Result<(), JsValue> {
    let request = BootRequest {
        site: options.site.clone(),
        visitor: visitor.to_owned(),
        url: page::url()?,
        referrer: page::referrer(),
        slots: page::slot_names()?,
    };
    let response: BootResponse = transport::post(&options.api, "/v1/boot", &request).await?;
    for decision in &response.decisions {
        if let Err(error) = render::render(decision) {
            log::debug("kindling: cannot render a decision", &error);
        }
    }
    Ok(())
}
