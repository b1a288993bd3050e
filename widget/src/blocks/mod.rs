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
pub mod show;
pub mod triggers;

use alloc::vec::Vec;

use kindling_core::blocks::Placement;
use kindling_core::wire::Decision;
use wasm_bindgen::JsValue;

use crate::transport::queue;
use crate::{browser, log, render, state};

/// The User Timing mark set once the inline blocks of a set of decisions are in the
/// page (the frame that paints them follows).
pub const INLINE_DRAWN_MARK: &str = "kindling:inline-drawn";

/// Shows the page's `decisions`: inline ones at once, overlays when their trigger fires;
/// the impressions go out together.
pub fn apply(decisions: Vec<Decision>) {
    controls::install();
    let (inline, overlays): (Vec<Decision>, Vec<Decision>) =
        decisions.into_iter().partition(|decision| decision.placement == Placement::Inline);
    // Every slot's place is read before any block is drawn: one layout for all.
    let below: Vec<bool> =
        inline.iter().map(|decision| render::slot_below_the_fold(&decision.slot)).collect();
    for (decision, below_the_fold) in inline.iter().zip(below) {
        if let Err(error) = show::show(decision, below_the_fold) {
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
    // Sent in the next task, after the frame that paints the blocks.
    browser::after(0, queue::flush);
}

/// Draws `decision` now and counts the impression (see [`show::show`]), with the
/// controls that turn the visitor's clicks and keys into block events listening.
pub fn show(decision: &Decision) -> Result<(), JsValue> {
    controls::install();
    let below =
        decision.placement == Placement::Inline && render::slot_below_the_fold(&decision.slot);
    show::show(decision, below)
}
