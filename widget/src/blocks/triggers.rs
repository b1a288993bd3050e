//! Watching the waiting overlays' triggers. Whether a trigger has fired is decided by
//! `kindling_core::blocks` (`Trigger::fires` over [`PageSignals`], `ExitIntent`), the
//! same code the collector uses; this module only gathers the signals:
//!
//! - time on the page: since the page view began, re-checked by a clock (every
//!   quarter second) while a delay or inactivity trigger waits;
//! - scroll depth: the deepest point of the page seen, handed on by the scroll
//!   tracker ([`scrolled`]);
//! - idle time: since the last pointer, key, scroll or touch input (the engagement
//!   tracker's record of activity);
//! - exit intent: the pointer leaving the document through the top edge (`mouseout`
//!   with nowhere to go) or, on touch screens, a fast scroll back up;
//! - a click on the trigger's selector: handed on by the click tracker's delegated
//!   listener ([`clicked`]); a selector the browser cannot parse matches nothing.
//!
//! Exit intent and clicks are moments: they fire the triggers waiting at that moment,
//! not ones that arrive later.

use core::sync::atomic::{AtomicBool, Ordering};

use alloc::vec::Vec;

use kindling_core::blocks::{ExitIntent, PageSignals, Placement, Trigger};
use web_sys::{Element, Event};

use crate::blocks::show::show;
use crate::transport::queue;
use crate::{browser, log, page, render, state};

/// How often time-based triggers are re-checked.
const TICK_MS: i32 = 250;

/// The listeners are installed (once per document).
static LISTENING: AtomicBool = AtomicBool::new(false);
/// The device has a touch screen: scrolling is watched for exit intent.
static TOUCH: AtomicBool = AtomicBool::new(false);

/// What prompted a check.
pub enum Moment<'a> {
    /// Something changed on the page.
    Now,
    /// The clock ticked.
    Tick,
    /// The visitor is about to leave.
    ExitIntent,
    /// The visitor clicked this element.
    Click(&'a Element),
}

/// Starts watching the waiting overlays: checks them now, then on every signal.
pub fn watch() {
    if !LISTENING.swap(true, Ordering::Relaxed) {
        TOUCH.store(
            browser::navigator_property("maxTouchPoints").as_f64().unwrap_or(0.0) > 0.0,
            Ordering::Relaxed,
        );
        if let Ok(document) = page::document() {
            browser::listen(&document, "mouseout", on_mouse_out);
        }
    }
    check(Moment::Now);
}

/// The page was scrolled and `depth` percent of it has been seen.
pub fn scrolled(depth: u8) {
    let Some(elapsed) = elapsed_if_waiting() else { return };
    let y = page::window().ok().and_then(|window| window.scroll_y().ok()).unwrap_or(0.0) as i32;
    let touch = TOUCH.load(Ordering::Relaxed);
    let exit = state::with(|widget| {
        let blocks = &mut widget.blocks;
        blocks.scroll_percent = blocks.scroll_percent.max(depth);
        touch && blocks.exit_intent.scrolled(y, browser::now(), elapsed)
    });
    check(if exit == Some(true) { Moment::ExitIntent } else { Moment::Now });
}

/// The visitor clicked `element`.
pub fn clicked(element: &Element) {
    check(Moment::Click(element));
}

fn on_mouse_out(event: Event) {
    if browser::property(&event, "relatedTarget").is_object() {
        return;
    }
    let client_y = browser::property(&event, "clientY").as_f64().unwrap_or(1.0) as i32;
    if elapsed_if_waiting().is_some_and(|elapsed| ExitIntent::pointer_left(client_y, elapsed)) {
        check(Moment::ExitIntent);
    }
}

/// Time since the page view began, when overlays wait for their trigger.
fn elapsed_if_waiting() -> Option<u64> {
    let now = browser::now();
    state::with(|widget| {
        (!widget.blocks.pending.is_empty()).then(|| now.saturating_sub(widget.blocks.started_ms))
    })
    .flatten()
}

/// Shows the waiting overlays whose trigger has fired at `moment`, and keeps the clock
/// running while a delay or inactivity trigger waits.
pub fn check(moment: Moment) {
    let now = browser::now();
    let checked = state::with(|widget| {
        let blocks = &mut widget.blocks;
        if matches!(moment, Moment::Tick) {
            blocks.ticking = false;
        }
        if blocks.pending.is_empty() {
            return None;
        }
        let mut modal_open = render::overlay::open_modal().is_some();
        let signals = PageSignals {
            elapsed_ms: now.saturating_sub(blocks.started_ms),
            scroll_percent: blocks.scroll_percent,
            idle_ms: now.saturating_sub(widget.last_activity_ms.max(blocks.started_ms)),
            exit_intent: matches!(moment, Moment::ExitIntent),
            clicked: false,
        };
        let mut fired = Vec::new();
        let mut timed = false;
        for decision in core::mem::take(&mut blocks.pending) {
            let clicked = matches!((&moment, &decision.trigger),
                (Moment::Click(element), Trigger::Click { selector }) if matches_selector(element, selector));
            let modal = decision.placement == Placement::Modal;
            if decision.trigger.fires(&PageSignals { clicked, ..signals }) && !(modal && modal_open)
            {
                modal_open |= modal;
                blocks.shown.push(decision.block.clone());
                fired.push(decision);
            } else {
                timed |=
                    matches!(decision.trigger, Trigger::Delay { .. } | Trigger::Inactivity { .. });
                blocks.pending.push(decision);
            }
        }
        let start_clock = timed && !core::mem::replace(&mut blocks.ticking, true);
        Some((fired, start_clock))
    });
    let Some(Some((fired, start_clock))) = checked else { return };
    if start_clock {
        browser::after(TICK_MS, || check(Moment::Tick));
    }
    for decision in &fired {
        if let Err(error) = show(decision, false) {
            log::debug("kindling: cannot show a block", &error);
        }
    }
    if !fired.is_empty() {
        queue::flush();
    }
}

/// `element` or an ancestor matches `selector`; an invalid selector matches nothing.
fn matches_selector(element: &Element, selector: &str) -> bool {
    match element.closest(selector) {
        Ok(found) => found.is_some(),
        Err(error) => {
            log::debug("kindling: invalid trigger selector", &error);
            false
        }
    }
}
