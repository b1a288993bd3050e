//! Behaviour tracking: builds events and sends them to `POST /v1/events`.

use alloc::borrow::ToOwned;
use alloc::vec;

use kindling_core::wire::{ClientEvent, EventBatch, EventKind, EventsAccepted};
use wasm_bindgen::prelude::*;

use crate::{Options, identity, page, transport};

/// Records a pageview of the current page.
pub async fn pageview(options: &Options, visitor: &str) -> Result<(), JsValue> {
    let title = page::document()?.title();
    let event = ClientEvent {
        id: identity::new_id()?,
        kind: EventKind::Pageview,
        url: page::url()?,
        title: (!title.is_empty()).then_some(title),
        referrer: page::referrer(),
        ts: js_sys::Date::now() as u64,
    };
    let batch =
        EventBatch { site: options.site.clone(), visitor: visitor.to_owned(), events: vec![event] };
    let _: EventsAccepted = transport::post(&options.api, "/v1/events", &batch).await?;
    Ok(())
}
