//! Drawing decided blocks, each inside an open shadow root so the host page's CSS
//! cannot break the block and the block's CSS cannot leak into the page; themed by
//! inherited CSS custom properties ([`style`]), adopted as constructable stylesheets
//! ([`sheet`]).
//!
//! - Inline blocks go into their slot, `[data-kindling-slot="NAME"]`, replacing what
//!   the slot showed (its own children, the default content, until a block is drawn
//!   and again once it is closed). A block fills the box the slot reserves; in a slot
//!   entirely below the viewport it may grow to its content.
//! - Overlays (modal, slide-in, top and bottom bars) get a host element of their own at
//!   the end of `<body>` ([`overlay`]).
//!
//! The element hosting a block carries `data-kindling-block` and
//! `data-kindling-variant`: the page (and the widget) can always tell what it shows.
//! Drawing is all this module does; when to show a block and what the visitor does
//! with it are `crate::blocks`' business.

pub mod content;
pub mod overlay;
pub mod sheet;
pub mod style;
pub mod texts;

use alloc::string::String;

use kindling_core::blocks::Placement;
use kindling_core::wire::Decision;
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

use crate::page;

/// Names the block an element hosts.
pub const BLOCK_ATTRIBUTE: &str = "data-kindling-block";
/// Names the variant of the block an element hosts.
pub const VARIANT_ATTRIBUTE: &str = "data-kindling-variant";

/// Draws `decision`: an inline block into the slot it names, unless the slot already
/// shows that variant of that block (false then); an overlay into a new host element.
/// A missing slot is an error, not a throw.
pub fn show(decision: &Decision) -> Result<bool, JsValue> {
    let below = decision.placement == Placement::Inline && slot_below_the_fold(&decision.slot);
    show_with(decision, below)
}

/// [`show`], told whether an inline block's slot is below the viewport (read for all
/// of a page's slots before any is drawn: one layout, not one per block).
pub fn show_with(decision: &Decision, below_the_fold: bool) -> Result<bool, JsValue> {
    let document = page::document()?;
    let inline = decision.placement == Placement::Inline;
    let host = if inline {
        let slot =
            page::slot(&decision.slot)?.ok_or_else(|| JsValue::from_str("slot not on the page"))?;
        if shown_block(&slot)
            .is_some_and(|(block, variant)| block == decision.block && variant == decision.variant)
        {
            return Ok(false);
        }
        slot
    } else {
        overlay::host(&document, &decision.block, decision.placement)?
    };
    let root = match host.shadow_root() {
        Some(root) => root,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    root.set_inner_html("");
    // Nothing on screen moves when a slot below the viewport grows to its block.
    let markup = content::markup(decision, inline && below_the_fold);
    root.append_child(&content::parse(&document, &markup)?)?;
    sheet::apply(&document, &root, &[style::STYLE])?;
    host.set_attribute(BLOCK_ATTRIBUTE, &decision.block)?;
    host.set_attribute(VARIANT_ATTRIBUTE, &decision.variant)?;
    if !inline {
        overlay::open(&document, &host, &root)?;
    }
    Ok(true)
}

/// Whether all of the slot `name` is below the viewport.
pub fn slot_below_the_fold(name: &str) -> bool {
    let Ok(Some(slot)) = page::slot(name) else { return false };
    let viewport = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64());
    viewport.is_some_and(|height| slot.get_bounding_client_rect().top() >= height)
}

/// The block and variant `host` shows, if any.
pub fn shown_block(host: &Element) -> Option<(String, String)> {
    Some((host.get_attribute(BLOCK_ATTRIBUTE)?, host.get_attribute(VARIANT_ATTRIBUTE)?))
}

/// Takes the block `host` shows off the page: an overlay goes away with its host
/// (a modal hands focus back), an inline slot is emptied (the slot keeps its place and
/// its `data-kindling-*` marks, so the same block is not drawn again on this page).
pub fn close(host: &Element) {
    if host.has_attribute(overlay::OVERLAY_ATTRIBUTE) {
        overlay::remove(host);
    } else if let Some(root) = host.shadow_root() {
        // The slot's own children, its default content, show again.
        root.set_inner_html("<slot></slot>");
    }
}
