//! The widget's stylesheets in its shadow roots, as constructable stylesheets
//! (`adoptedStyleSheets`), which a page's Content-Security-Policy allows without
//! `'unsafe-inline'` in `style-src`: a site with `style-src 'self'` shows fully styled
//! blocks and forms. A browser without them (Safari before 16.4) gets a `<style>`
//! element instead, which such a policy refuses.
//!
//! The blocks' stylesheet ([`STYLE`]), first in every root, is parsed once per page:
//! a root drawn later adopts the sheet a drawn block's root already has (the browser
//! shares one constructed sheet between roots of a document, across the widget's
//! modules too).

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Document, ShadowRoot};

use crate::render::style::STYLE;

/// A host showing a block (`crate::render::BLOCK_ATTRIBUTE`).
const DRAWN_BLOCK: &str = "[data-kindling-block]";

/// Styles `root` with `css`, one stylesheet per text, after its content is in place.
pub fn apply(document: &Document, root: &ShadowRoot, css: &[&str]) -> Result<(), JsValue> {
    let sheets = Array::new();
    for (index, text) in css.iter().enumerate() {
        if index == 0
            && *text == STYLE
            && let Some(sheet) = drawn_style(document)
        {
            sheets.push(&sheet);
            continue;
        }
        let Ok(sheet) = CssStyleSheet::new() else { return inline(document, root, css) };
        sheet.replace_sync(text)?;
        sheets.push(&sheet);
    }
    root.set_adopted_style_sheets(&sheets);
    Ok(())
}

/// The blocks' stylesheet as a drawn block's root adopted it, if one is on the page.
fn drawn_style(document: &Document) -> Option<CssStyleSheet> {
    let host = document.query_selector(DRAWN_BLOCK).ok()??;
    host.shadow_root()?.adopted_style_sheets().get(0).dyn_into().ok()
}

/// A `<style>` element first in `root`.
fn inline(document: &Document, root: &ShadowRoot, css: &[&str]) -> Result<(), JsValue> {
    let style = document.create_element("style")?;
    style.set_text_content(Some(&css.concat()));
    root.insert_before(&style, root.first_child().as_ref())?;
    Ok(())
}
