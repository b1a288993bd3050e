//! A block's content as markup: image, headline, body, recommended items and calls to
//! action.
//!
//! Markup is built as text with every value from the collector escaped ([`put`]) except
//! `body_html`, which the collector sanitized (and re-serialized, so it is well formed)
//! when it loaded its configuration. All of it is parsed in an inert `<template>`
//! ([`parse`]): nothing in a template runs or loads. Before anything leaves the
//! template, `<script>` elements and `on*` attributes are removed, in case a body ever
//! gets through unsanitized (URLs are checked by the collector).
//!
//! Elements the visitor acts on carry `data-kd` saying what they do (`link`, `form`,
//! `dismiss`, `item`, `close`, `backdrop`), calls to action their position in
//! `data-kd-cta` and form calls to action the form's id as the button's `value`;
//! `crate::blocks::controls` reads them.

use alloc::string::String;

use js_sys::Array;
use kindling_core::blocks::Placement;
use kindling_core::wire::{BlockContent, CtaAction, Decision};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlTemplateElement, Node};

use crate::render::texts::texts;

/// A modal's frame opens with `MODAL_TAG`, then any attributes, then `MODAL_ATTRIBUTES`.
pub const MODAL_TAG: &str = "<div class=\"kd-backdrop\" data-kd=\"backdrop\"></div><section";
pub const MODAL_ATTRIBUTES: &str = " class=\"kd-block kd-modal\" part=\"block\" role=\"dialog\" \
aria-modal=\"true\" aria-labelledby=\"kd-title\" tabindex=\"-1\">";
pub const CLOSE_BUTTON: &str =
    "<button type=\"button\" class=\"kd-close\" data-kd=\"close\" aria-label=\"";

/// The markup of `decision` in its placement's frame (its stylesheet is adopted
/// apart, [`sheet`](crate::render::sheet)), with its layout as `data-layout`. Overlays
/// end with a close button; an inline block that may `grow` (its slot is below the
/// viewport) flows, and its slot grows to it (`kd-grow`).
pub fn markup(decision: &Decision, grow: bool) -> String {
    let mut html = String::with_capacity(1024);
    let placement = decision.placement;
    let layout = decision.layout.as_str();
    match placement {
        Placement::Inline => {
            let class = if grow { "kd-block kd-inline kd-grow" } else { "kd-block kd-inline" };
            put(&mut html, &["<section class=\"", class, "\" part=\"block\" data-layout=\""]);
            put(&mut html, &["", layout, "\">"]);
        }
        Placement::Modal => {
            // The modal frame the lead forms share, with the block's layout.
            html.push_str(MODAL_TAG);
            put(&mut html, &[" data-layout=\"", layout, "\""]);
            html.push_str(MODAL_ATTRIBUTES);
        }
        _ => {
            let role = if placement == Placement::SlideIn { "complementary" } else { "region" };
            let (name, headline) = (placement.as_str(), decision.content.headline.as_str());
            put(
                &mut html,
                &["<section class=\"kd-block kd-", name, "\" part=\"block\" role=\"", role],
            );
            put(&mut html, &["\" aria-label=\"", headline, "\" data-layout=\"", layout, "\">"]);
        }
    }
    content(&mut html, &decision.content);
    if placement != Placement::Inline {
        put(&mut html, &[CLOSE_BUTTON, texts().close, "\">×</button>"]);
    }
    html.push_str("</section>");
    html
}

/// Appends the markup of `content` to `html`.
fn content(html: &mut String, content: &BlockContent) {
    if let Some(image) = &content.image {
        put(html, &["<img src=\"", &image.url, "\" alt=\"", &image.alt, "\">"]);
    }
    // The id is scoped to the shadow root; dialogs are labelled by it.
    put(html, &["<h2 id=\"kd-title\">", &content.headline, "</h2>"]);
    if !content.body_html.is_empty() {
        html.push_str("<div class=\"kd-body\">");
        html.push_str(&content.body_html);
        html.push_str("</div>");
    }
    if !content.items.is_empty() {
        html.push_str("<ul>");
        for item in &content.items {
            put(
                html,
                &["<li><a data-kd=\"item\" href=\"", &item.url, "\">", &item.title, "</a></li>"],
            );
        }
        html.push_str("</ul>");
    }
    if !content.ctas.is_empty() {
        html.push_str("<div class=\"kd-ctas\">");
        for (position, cta) in content.ctas.iter().enumerate() {
            let position = if position == 0 { "0" } else { "1" };
            // A link's target is its destination, a form's its id (the button's value).
            let (open, close) = match cta.action {
                CtaAction::Link => ("<a href=\"", "</a>"),
                CtaAction::Form | CtaAction::Dismiss => {
                    ("<button type=\"button\" value=\"", "</button>")
                }
            };
            put(
                html,
                &[
                    open,
                    &cta.target,
                    "\" class=\"kd-cta\" part=\"cta\" data-kd=\"",
                    cta.action.as_str(),
                ],
            );
            put(html, &["\" data-kd-cta=\"", position, "\">", &cta.label, close]);
        }
        html.push_str("</div>");
    }
}

/// Appends `parts` to `html`: the even ones (markup) as they are, the odd ones (values)
/// escaped for use as text or inside a double-quoted attribute.
pub fn put(html: &mut String, parts: &[&str]) {
    for (index, part) in parts.iter().enumerate() {
        if index % 2 == 0 {
            html.push_str(part);
            continue;
        }
        for character in part.chars() {
            match character {
                '&' => html.push_str("&amp;"),
                '<' => html.push_str("&lt;"),
                '"' => html.push_str("&quot;"),
                _ => html.push(character),
            }
        }
    }
}

/// `html` parsed inertly and cleaned of anything that could run (a document fragment).
pub fn parse(document: &Document, html: &str) -> Result<Node, JsValue> {
    let template: HtmlTemplateElement = document.create_element("template")?.unchecked_into();
    template.set_inner_html(html);
    let fragment = template.content();
    for selector in ["script", "*"] {
        let elements = fragment.query_selector_all(selector)?;
        let elements = Array::from(&elements);
        for index in 0..elements.length() {
            // Selectors match elements only.
            let element: Element = elements.get(index).unchecked_into();
            if selector == "script" {
                element.remove();
                continue;
            }
            // The parser lowercases attribute names.
            for name in element.get_attribute_names().iter().filter_map(|name| name.as_string()) {
                if name.starts_with("on") {
                    element.remove_attribute(&name)?;
                }
            }
        }
    }
    Ok(fragment.into())
}
