//! Rendering decided content into its slot, inside an open shadow root so the host's
//! CSS and the block's CSS do not leak into each other. The block is themed through
//! CSS custom properties the host page may set (`--kindling-accent`,
//! `--kindling-radius`, `--kindling-text`, `--kindling-surface`), which inherit
//! through the shadow boundary.

use alloc::string::String;

use kindling_core::wire::{BlockContent, Decision};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::page;

const STYLE: &str = ":host{display:block}\
.kd-block{box-sizing:border-box;height:100%;padding:1.5rem;border-radius:var(--kindling-radius,12px);\
background:var(--kindling-surface,#f5f7fb);color:var(--kindling-text,#1b2430);font:inherit;line-height:1.5}\
.kd-headline{margin:0 0 .5rem;font-size:1.5rem;line-height:1.25}\
.kd-body{margin:0 0 1rem}.kd-body p{margin:0 0 .5rem}\
.kd-cta{display:inline-block;padding:.6rem 1.1rem;border-radius:var(--kindling-radius,8px);\
background:var(--kindling-accent,#2456e8);color:#fff;text-decoration:none;font-weight:600}\
.kd-cta:focus-visible{outline:3px solid var(--kindling-accent,#2456e8);outline-offset:3px}";

/// Renders `decision` into the slot it names. A missing slot is an error, not a throw.
pub fn render(decision: &Decision) -> Result<(), JsValue> {
    let document = page::document()?;
    let mut selector = String::with_capacity(decision.slot.len() + 24);
    selector.push_str("[data-kindling-slot=\"");
    selector.push_str(&css_escape(&decision.slot));
    selector.push_str("\"]");
    let slot = document
        .query_selector(&selector)?
        .ok_or_else(|| JsValue::from_str("slot not on the page"))?;
    let root = shadow_root(&slot)?;
    root.set_inner_html("");

    let style = document.create_element("style")?;
    style.set_text_content(Some(STYLE));
    root.append_child(&style)?;
    let section = block(&document, decision)?;
    root.append_child(&section)?;
    slot.set_attribute("data-kindling-block", &decision.block)?;
    slot.set_attribute("data-kindling-variant", &decision.variant)?;
    Ok(())
}

fn block(document: &web_sys::Document, decision: &Decision) -> Result<Element, JsValue> {
    let BlockContent { headline, body_html, cta } = &decision.content;
    let section = document.create_element("section")?;
    section.set_class_name("kd-block");
    section.set_attribute("part", "block")?;

    let heading = document.create_element("h2")?;
    heading.set_class_name("kd-headline");
    heading.set_text_content(Some(headline));
    section.append_child(&heading)?;

    if !body_html.is_empty() {
        // Sanitized by the collector when the configuration was loaded.
        let body = document.create_element("div")?;
        body.set_class_name("kd-body");
        body.set_inner_html(body_html);
        section.append_child(&body)?;
    }
    if let Some(cta) = cta {
        let link = document.create_element("a")?;
        link.set_class_name("kd-cta");
        link.set_attribute("href", &cta.url)?;
        link.set_attribute("part", "cta")?;
        link.set_text_content(Some(&cta.label));
        section.append_child(&link)?;
    }
    Ok(section)
}

/// The slot's shadow root, attached on first use.
fn shadow_root(slot: &Element) -> Result<ShadowRoot, JsValue> {
    if let Some(root) = slot.shadow_root() {
        return Ok(root);
    }
    slot.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .map_err(|error| error.unchecked_into())
}

/// Escapes `"` and `\` for use inside a quoted CSS attribute selector.
fn css_escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for character in value.chars() {
        if matches!(character, '"' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}
