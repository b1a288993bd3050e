//! Personalization on the page: showing the blocks the collector decided on, and
//! telling it what the visitor did with them.
//!
//! - Inline decisions are drawn into their slots at once (their trigger is always
//!   immediate). Overlays (modal, slide-in, bars) wait for their trigger
//!   ([`triggers`]); each overlay block shows at most once per page view, and only one
//!   modal is open at a time: a modal whose trigger fires while another is open waits
//!   until it closes.
//! - New decisions in an events answer ([`apply`]): a slot whose block or variant
//!   changed is drawn again; a slot the answer has no decision for keeps what it shows
//!   (taking content away while the visitor reads it helps nobody, and the next page
//!   asks afresh); the overlays waiting for their triggers are replaced by the
//!   answer's overlays not yet shown on this page.
//! - Events, recorded like every other event (so only with consent): a
//!   `block_impression` when a block is drawn, a `block_click` when a call to action is
//!   used (`value`: its position) or a recommended item followed (no `value`), a
//!   `block_dismiss` when the visitor closes the block (close button, Escape, a click
//!   on the backdrop, a dismiss call to action). `name` is the block, `target` the
//!   variant. [`controls`] turns the visitor's clicks and keys into these.
//!   Impressions are sent at once, not with the next batch: the collector counts a
//!   block's caps on them, and the next page's boot must already see them.

pub mod controls;
pub mod page_view;
pub mod triggers;

use alloc::string::String;
use alloc::vec::Vec;

use kindling_core::blocks::Placement;
use kindling_core::wire::{Decision, EventKind};
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::track::{Details, record};
use crate::transport::queue;
use crate::{browser, log, render, state};

/// The User Timing mark set once the inline blocks of a set of decisions are in the
/// page (the frame that paints them follows).
pub const INLINE_DRAWN_MARK: &str = "kindling:inline-drawn";

/// Shows the page's `decisions`: inline ones at once, overlays when their trigger fires;
/// the impressions go out together.
pub fn apply(decisions: Vec<Decision>) {
    let mut overlays = Vec::new();
    for decision in decisions {
        if decision.placement != Placement::Inline {
            overlays.push(decision);
        } else if let Err(error) = show(&decision) {
            log::debug("kindling: cannot render a decision", &error);
        }
    }
    browser::mark(INLINE_DRAWN_MARK);
    state::with(|widget| {
        let blocks = &mut widget.blocks;
        blocks.pending.clear();
        for overlay in overlays {
            if !blocks.shown.contains(&overlay.block) {
                blocks.pending.push(overlay);
            }
        }
    });
    triggers::watch();
    queue::flush();
}

/// Draws `decision` now (an inline one unless its slot shows it already) and counts
/// the impression.
pub fn show(decision: &Decision) -> Result<(), JsValue> {
    controls::install();
    if render::show(decision)? {
        record_block(
            EventKind::BlockImpression,
            decision.block.clone(),
            decision.variant.clone(),
            None,
        );
    }
    Ok(())
}

/// The visitor closed the block `host` shows.
pub fn dismiss(host: &Element) {
    record_on(EventKind::BlockDismiss, host, None);
    close(host);
}

/// The visitor used a call to action (`position`) or, with `None`, followed a
/// recommended item of the block `host` shows.
pub fn clicked(host: &Element, position: Option<f64>) {
    record_on(EventKind::BlockClick, host, position);
}

/// Takes the block `host` shows off the page; a modal waiting behind it may now open.
pub fn close(host: &Element) {
    let modal =
        host.get_attribute(render::overlay::PLACEMENT_ATTRIBUTE).as_deref() == Some("modal");
    render::close(host);
    if modal {
        triggers::check(triggers::Moment::Now);
    }
}

fn record_on(kind: EventKind, host: &Element, value: Option<f64>) {
    if let Some((block, variant)) = render::shown_block(host) {
        record_block(kind, block, variant, value);
    }
}

fn record_block(kind: EventKind, block: String, variant: String, value: Option<f64>) {
    record(kind, Details { name: Some(block), target: Some(variant), value, ..Details::default() });
}
