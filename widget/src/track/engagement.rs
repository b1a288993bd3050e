//! Engaged time: time the page is visible and the visitor active. Each sign of
//! activity (pointer, key, scroll, touch) adds the time since the previous one, capped
//! at 15 s so an idle page does not count. The total is reported as an `engagement`
//! event (`value` in milliseconds) when the page is hidden or left, or the route
//! changes; at least one second is needed to report.

use kindling_core::wire::EventKind;

use crate::track::forms;
use crate::track::record::{Details, record};
use crate::transport::queue;
use crate::{browser, page, state};

const IDLE_CAP_MS: u64 = 15_000;
const MIN_REPORT_MS: u64 = 1_000;

pub fn install() {
    let Ok(document) = page::document() else { return };
    for event in ["pointerdown", "pointermove", "keydown", "touchstart"] {
        browser::listen(&document, event, |_| active());
    }
    browser::listen(&document, "visibilitychange", |_| {
        if page::document().is_ok_and(|document| document.hidden()) {
            page_hidden();
        } else {
            state::with(|widget| widget.last_activity_ms = browser::now());
        }
    });
    if let Ok(window) = page::window() {
        browser::listen(&window, "pagehide", |_| page_hidden());
    }
    state::with(|widget| widget.last_activity_ms = browser::now());
}

/// The visitor did something: count the time since the last sign of activity.
pub fn active() {
    if page::document().is_ok_and(|document| document.hidden()) {
        return;
    }
    let now = browser::now();
    state::with(|widget| {
        let since = now.saturating_sub(widget.last_activity_ms);
        if widget.last_activity_ms > 0 {
            widget.engaged_ms += since.min(IDLE_CAP_MS);
        }
        widget.last_activity_ms = now;
    });
}

/// Reports the engaged time gathered on this page and starts counting afresh.
pub fn report() {
    active();
    let engaged = state::with(|widget| core::mem::take(&mut widget.engaged_ms)).unwrap_or(0);
    if engaged >= MIN_REPORT_MS {
        record(
            EventKind::Engagement,
            Details { value: Some(engaged as f64), ..Details::default() },
        );
    }
}

/// The page is being hidden or left: report, close forms, and send what waits now.
fn page_hidden() {
    report();
    forms::abandon_started();
    queue::flush();
}
