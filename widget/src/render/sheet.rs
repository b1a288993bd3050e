//! The widget's stylesheets in its shadow roots, as constructable stylesheets
//! (`adoptedStyleSheets`), which a page's Content-Security-Policy allows without
//! `'unsafe-inline'` in `style-src`: a site with `style-src 'self'` shows fully styled
//! blocks and forms. A browser without them (Safari before 16.4) gets a `<style>`
//! element instead, which such a policy refuses.

use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Document, ShadowRoot};

/// Styles `root` with `css`, one stylesheet per text, after its content is in place.
pub fn apply(document: &Document, root: &ShadowRoot, css: &[&str]) -> Result<(), JsValue> {
    let sheets = Array::new();
    for text in css {
        let Ok(sheet) = CssStyleSheet::new() else { return inline(document, root, css) };
        sheet.replace_sync(text)?;
        sheets.push(&sheet);
    }
    root.set_adopted_style_sheets(&sheets);
    Ok(())
}

/// A `<style>` element first in `root`.
fn inline(document: &Document, root: &ShadowRoot, css: &[&str]) -> Result<(), JsValue> {
    let style = document.create_element("style")?;
    style.set_text_content(Some(&css.concat()));
    root.insert_before(&style, root.first_child().as_ref())?;
    Ok(())
}
