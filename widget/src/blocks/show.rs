//! Drawing a decided block and telling the collector what happened to it: the
//! impression when it is drawn, and the clicks and dismissals [`controls`](super::controls)
//! reports.

use alloc::string::String;

use kindling_core::wire::{Decision, EventKind};
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::render;
use crate::track::record::{Details, record};

/// Draws `decision` now (an inline one unless its slot shows it already; see
/// `render::show_with` for `below_the_fold`) and counts the impression.
pub fn show(decision: &Decision, below_the_fold: bool) -> Result<(), JsValue> {
    if render::show_with(decision, below_the_fold)? {
        record_block(
            EventKind::BlockImpression,
            decision.block.clone(),
            decision.variant.clone(),
            None,
        );
    }
    Ok(())
}

pub fn record_on(kind: EventKind, host: &Element, value: Option<f64>) {
    if let Some((block, variant)) = render::shown_block(host) {
        record_block(kind, block, variant, value);
    }
}

pub fn record_block(kind: EventKind, block: String, variant: String, value: Option<f64>) {
    record(kind, Details { name: Some(block), target: Some(variant), value, ..Details::default() });
}
