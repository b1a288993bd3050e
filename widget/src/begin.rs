//! Beginning to track and personalize, once allowed: the visitor id, unsent events
//! from earlier pages, the automatic trackers, the pageview,
//! and the page's boot — its decisions and forms, asked of the collector and shown.
//!
//! The loader may have sent the boot request already, while the widget downloaded
//! ([`Early`]): the widget then adopts the visitor id and the visit the loader made,
//! builds its own request as always, and uses the loader's answer when the two
//! requests are the same text. Any difference (a slot added since, another tab moving
//! the visit on, a rule the loader reads differently) costs one more request, never a
//! wrong answer.

use alloc::borrow::ToOwned;
use alloc::string::String;

use alloc::vec::Vec;
use js_sys::{Function, Promise};

use kindling_core::wire::{BootRequest, Decision};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::codec::{BootAnswer, Decode, Encode, get};
use crate::transport::{self, queue};
use crate::{blocks, browser, identity, lead_forms, log, page, session, state, track};

/// Where and as whom the widget talks to the collector.
#[derive(Clone)]
pub struct Options {
    /// The site's public key.
    pub site: String,
    /// The collector's base URL, without a trailing slash.
    pub api: String,
}

/// The boot request the loader sent before the widget ran, and what it made for it.
pub struct Early {
    /// The visitor id it found or, with `made`, made.
    pub visitor: String,
    pub made: bool,
    /// The visit it started (`Session::encode`), empty when it continued one.
    pub session: String,
    /// The request's JSON text.
    pub body: String,
    /// Its answer: the JSON, or `null` for an error status.
    pub answer: Promise,
}

impl Early {
    /// Reads the loader's `early` argument: a function returning the request's object,
    /// or nothing when the loader sent none.
    pub fn from_loader(getter: &JsValue) -> Option<Early> {
        let early = getter.dyn_ref::<Function>()?.call0(&JsValue::NULL).ok()?;
        Some(Early {
            visitor: get(&early, "visitor").as_string()?,
            made: get(&early, "made").is_truthy(),
            session: get(&early, "session").as_string().unwrap_or_default(),
            body: get(&early, "body").as_string()?,
            answer: get(&early, "answer").dyn_into().ok()?,
        })
    }
}

/// Begins tracking and personalization once allowed: visitor id, unsent events from
/// earlier pages, the automatic trackers, the pageview and the page's decisions.
/// Does nothing when not allowed or already begun.
pub fn start_tracking() {
    start_tracking_with(None);
}

/// [`start_tracking`], using the loader's boot request if it sent one.
pub fn start_tracking_with(early: Option<Early>) {
    let begin = state::with(|widget| widget.tracking() && widget.visitor.is_none()) == Some(true);
    if !begin {
        return;
    }
    let handed = early.as_ref().filter(|early| early.made).map(|early| early.visitor.as_str());
    let visitor = match identity::visitor_id_or(handed) {
        Ok(visitor) => visitor,
        Err(error) => return log::debug("kindling: no visitor id", &error),
    };
    if let Some(early) = &early {
        session::adopt(&early.session);
    }
    let first_time = state::with(|widget| {
        widget.visitor = Some(visitor.clone());
        !core::mem::replace(&mut widget.installed, true)
    }) == Some(true);
    queue::restore();
    if first_time {
        // The trackers' listeners wait for the next task: the page's blocks come first.
        browser::after(0, track::install);
    }
    track::navigation::pageview();
    let Some(options) =
        state::with(|widget| Options { site: widget.site.clone(), api: widget.api.clone() })
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = boot_with(&options, &visitor, early).await {
            log::debug("kindling: boot failed", &error);
        }
        page::announce_ready();
    });
}

/// Asks the collector for this page's decisions and forms and shows them.
pub async fn boot(options: &Options, visitor: &str) -> Result<(), JsValue> {
    boot_with(options, visitor, None).await
}

async fn boot_with(options: &Options, visitor: &str, early: Option<Early>) -> Result<(), JsValue> {
    let request = BootRequest {
        site: options.site.clone(),
        visitor: visitor.to_owned(),
        url: page::url()?,
        referrer: page::referrer(),
        slots: page::slot_names()?,
        session: session::touch().map(|session| session.id),
        context: session::context(),
        new_visitor: identity::is_new(),
        forms: lead_forms::embedded(),
    }
    .encode();
    let mut answer = None;
    if let Some(early) = early
        && js_sys::JSON::stringify(&request).ok().and_then(|text| text.as_string())
            == Some(early.body)
    {
        let json = JsFuture::from(early.answer).await.unwrap_or(JsValue::NULL);
        answer = BootAnswer::decode(&json);
        browser::mark("kindling:early-boot");
    }
    let answer = match answer {
        Some(answer) => answer,
        None => transport::exchange(&options.api, "/v1/boot", Some(&request))
            .await
            .and_then(transport::Answer::decode)
            .map_err(|failure| failure.as_js())?,
    };
    show_decisions(answer.decisions);
    lead_forms::apply(answer.forms);
    Ok(())
}

/// Shows new decisions (a boot's, an events answer's or a submission's), having the
/// lead forms fetched first when one of the blocks opens a form.
pub fn show_decisions(decisions: Vec<Decision>) {
    lead_forms::prefetch_for(&decisions);
    blocks::apply(decisions);
}
