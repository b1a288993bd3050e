//! The event queue: events wait here until the collector acknowledges them.
//!
//! - Batching: a send starts 1 s after the first waiting event, at once when 20 are
//!   waiting or the page is being hidden, with at most 50 events a request.
//! - Retries: network errors, 5xx and 429 are retried with exponential backoff
//!   (1 s doubling to 60 s, ±50 % jitter), or after `Retry-After` when the collector
//!   says so. Other 4xx answers drop the batch: sending it again cannot succeed.
//! - Offline: the queue is mirrored to `localStorage` (`kindling.queue`), so events
//!   survive reloads and closed tabs and are sent on a later page; at most 500 are
//!   kept, the oldest dropped first and counted in the next batch's context.
//!
//! Every event has its own id, so a batch sent twice (a reply lost on the way) is
//! stored once. Each batch names the page's content slots; when the answer brings new
//! decisions for them, what [`on_decisions`] was given shows them (the blocks, set when
//! the widget starts: the queue knows nothing of drawing).

use alloc::string::String;
use alloc::vec::Vec;

use kindling_core::wire::{ClientEvent, Decision, EventBatch, EventsAccepted};

use crate::codec::{Decode, encode_all, push_number};
use crate::transport::{Failure, post};
use crate::{browser, log, page, session, state, storage};

pub const STORAGE_KEY: &str = "kindling.queue";
const DROPPED_KEY: &str = "kindling.dropped";
/// Most events kept waiting.
pub const MAX_QUEUED: usize = 500;
/// Most events in one request.
pub const MAX_PER_REQUEST: usize = 50;
const SEND_AT: usize = 20;
const DELAY_MS: i32 = 1000;
const MAX_BACKOFF_MS: f64 = 60_000.0;

/// What shows the decisions an events answer brings.
pub type ShowDecisions = fn(Vec<Decision>);

static ON_DECISIONS: spin::Mutex<Option<ShowDecisions>> = spin::Mutex::new(None);

/// Sets what shows the decisions an events answer brings.
pub fn on_decisions(show: ShowDecisions) {
    if let Some(mut slot) = ON_DECISIONS.try_lock() {
        *slot = Some(show);
    }
}

/// Adds `event` to the queue and schedules a send.
pub fn enqueue(event: ClientEvent) {
    let send_now = state::with(|widget| {
        widget.queue.push(event);
        if widget.queue.len() > MAX_QUEUED {
            let excess = widget.queue.len() - MAX_QUEUED;
            widget.queue.drain(..excess);
            widget.dropped = widget.dropped.saturating_add(excess as u32);
        }
        widget.queue.len() >= SEND_AT
    });
    save();
    if send_now == Some(true) {
        flush();
    } else {
        schedule(DELAY_MS);
    }
}

/// Loads events an earlier page left unsent.
pub fn restore() {
    let Some(text) = storage::get(STORAGE_KEY) else { return };
    let Ok(parsed) = js_sys::JSON::parse(&text) else { return };
    let saved: Vec<ClientEvent> =
        js_sys::Array::from(&parsed).iter().filter_map(|item| ClientEvent::decode(&item)).collect();
    let dropped = storage::get(DROPPED_KEY).and_then(|n| n.parse().ok()).unwrap_or(0);
    state::with(|widget| {
        let mut queue = saved;
        queue.retain(|event| !widget.queue.iter().any(|mine| mine.id == event.id));
        queue.append(&mut widget.queue);
        widget.queue = queue;
        widget.dropped = widget.dropped.saturating_add(dropped);
    });
    if state::with(|widget| !widget.queue.is_empty()) == Some(true) {
        schedule(0);
    }
}

/// Forgets every waiting event (consent withdrawn).
pub fn clear() {
    state::with(|widget| {
        widget.queue.clear();
        widget.dropped = 0;
    });
    storage::remove(STORAGE_KEY);
    storage::remove(DROPPED_KEY);
}

/// Mirrors the queue to storage (only while tracking is allowed).
fn save() {
    let snapshot = state::with(|widget| {
        widget
            .tracking()
            .then(|| (js_sys::JSON::stringify(&encode_all(&widget.queue)), widget.dropped))
    });
    if let Some(Some((Ok(text), dropped))) = snapshot {
        if let Some(text) = text.as_string() {
            storage::set(STORAGE_KEY, &text);
        }
        let mut count = String::new();
        push_number(&mut count, dropped);
        storage::set(DROPPED_KEY, &count);
    }
}

fn schedule(delay_ms: i32) {
    let first = state::with(|widget| !core::mem::replace(&mut widget.flush_scheduled, true));
    if first == Some(true) {
        browser::after(delay_ms, || {
            state::with(|widget| widget.flush_scheduled = false);
            flush();
        });
    }
}

/// Sends the oldest waiting events now, unless a send is under way.
pub fn flush() {
    let Some(Some((api, batch))) = state::with(|widget| {
        if widget.in_flight || widget.queue.is_empty() || !widget.tracking() {
            return None;
        }
        let visitor = widget.visitor.clone()?;
        widget.in_flight = true;
        let events: Vec<ClientEvent> = widget.queue.iter().take(MAX_PER_REQUEST).cloned().collect();
        let batch = EventBatch {
            site: widget.site.clone(),
            visitor,
            context: None,
            events,
            slots: Vec::new(),
        };
        Some((widget.api.clone(), batch))
    }) else {
        return;
    };
    let mut batch = batch;
    batch.context = session::context().map(|mut context| {
        context.dropped = state::with(|widget| widget.dropped).unwrap_or(0);
        context
    });
    batch.slots = page::slot_names().unwrap_or_default();
    wasm_bindgen_futures::spawn_local(async move {
        let result: Result<EventsAccepted, Failure> = post(&api, "/v1/events", &batch).await;
        settle(&batch, result);
    });
}

/// Updates the queue after a send: acknowledged or hopeless events leave it, the rest
/// wait for a retry. New decisions in the answer go to [`blocks`].
fn settle(batch: &EventBatch, result: Result<EventsAccepted, Failure>) {
    let retry_in = match &result {
        Ok(_) => None,
        Err(failure) if failure.is_temporary() => Some(backoff(failure)),
        Err(failure) => {
            log::debug("kindling: events refused", &failure.as_js());
            None
        }
    };
    let more = state::with(|widget| {
        widget.in_flight = false;
        if retry_in.is_none() {
            widget.queue.retain(|event| !batch.events.iter().any(|sent| sent.id == event.id));
            widget.failures = 0;
            if batch.context.is_some() {
                widget.dropped = 0;
            }
        } else {
            widget.failures = widget.failures.saturating_add(1);
        }
        !widget.queue.is_empty()
    });
    save();
    match retry_in {
        Some(delay) => schedule(delay),
        None if more == Some(true) => schedule(0),
        None => {}
    }
    if let Ok(EventsAccepted { decisions: Some(decisions), .. }) = result {
        let show = ON_DECISIONS.try_lock().and_then(|slot| *slot);
        if let Some(show) = show {
            show(decisions);
        }
    }
}

fn backoff(failure: &Failure) -> i32 {
    if let Failure::Status { retry_after: Some(seconds), .. } = failure {
        return (*seconds).min(3600) as i32 * 1000;
    }
    let failures = state::with(|widget| widget.failures).unwrap_or(0).min(16);
    let base = (1000.0 * f64::from(1u32 << failures)).min(MAX_BACKOFF_MS);
    (base * (0.5 + js_sys::Math::random())) as i32
}
