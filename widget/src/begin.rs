//! Beginning to track and personalize, once allowed: the visitor id, unsent events
//! from earlier pages, the automatic trackers, the pageview,
//! and the page's boot — its decisions and forms, asked of the collector and shown.

use alloc::borrow::ToOwned;
use alloc::string::String;

use kindling_core::wire::{BootRequest, BootResponse};
use wasm_bindgen::JsValue;

use crate::transport::queue;
use crate::{blocks, forms, identity, log, page, session, state, track, transport};

/// Where and as whom the widget talks to the collector.
#[derive(Clone)]
pub struct Options {
    /// The site's public key.
    pub site: String,
    /// The collector's base URL, without a trailing slash.
    pub api: String,
}

/// Begins tracking and personalization once allowed: visitor id, unsent events from
/// earlier pages, the automatic trackers, the pageview and the page's decisions.
/// Does nothing when not allowed or already begun.
pub fn start_tracking() {
    let begin = state::with(|widget| widget.tracking() && widget.visitor.is_none()) == Some(true);
    if !begin {
        return;
    }
    let visitor = match identity::visitor_id() {
        Ok(visitor) => visitor,
        Err(error) => return log::debug("kindling: no visitor id", &error),
    };
    let first_time = state::with(|widget| {
        widget.visitor = Some(visitor.clone());
        !core::mem::replace(&mut widget.installed, true)
    }) == Some(true);
    queue::restore();
    if first_time {
        track::install();
    }
    track::navigation::pageview();
    let Some(options) =
        state::with(|widget| Options { site: widget.site.clone(), api: widget.api.clone() })
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = boot(&options, &visitor).await {
            log::debug("kindling: boot failed", &error);
        }
        page::announce_ready();
    });
}

/// Asks the collector for this page's decisions and forms and shows them.
pub async fn boot(options: &Options, visitor: &str) -> Result<(), JsValue> {
    let request = BootRequest {
        site: options.site.clone(),
        visitor: visitor.to_owned(),
        url: page::url()?,
        referrer: page::referrer(),
        slots: page::slot_names()?,
        session: session::touch().map(|session| session.id),
        context: session::context(),
        new_visitor: identity::is_new(),
        forms: forms::embedded(),
    };
    let response: BootResponse = transport::post(&options.api, "/v1/boot", &request)
        .await
        .map_err(|failure| failure.as_js())?;
    blocks::apply(response.decisions);
    forms::apply(response.forms);
    Ok(())
}
