//! Showing one step of a multi-step form: its page, its progress, the buttons that
//! apply, and focus on its first control.

use alloc::string::String;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ShadowRoot};

use crate::codec::push_number;
use crate::forms::markup;
use crate::render::overlay::first;
use crate::state;

/// Shows `step` of form `key` (its progress, the buttons that apply) and focuses the
/// step's first control.
pub fn go(root: &ShadowRoot, key: usize, step: usize) {
    let steps = state::with(|widget| {
        let drawn = widget.forms.drawn.get_mut(key)?;
        drawn.step = step;
        Some(drawn.view.steps.len())
    })
    .flatten()
    .unwrap_or(1);
    let last = step + 1 >= steps;
    if let Ok(pages) = root.query_selector_all("[data-step]") {
        for index in 0..pages.length() {
            hide(pages.get(index).map(JsCast::unchecked_into), index as usize != step);
        }
    }
    hide(first(root, "[data-kd=back]"), step == 0);
    hide(first(root, "[data-kd=next]"), last);
    hide(first(root, "[type=submit]"), !last);
    let mut text = String::new();
    markup::step_text(&mut text, step, steps);
    if let Some(progress) = first(root, "#kd-step") {
        progress.set_text_content(Some(&text));
    }
    if let Some(progress) = first(root, "progress") {
        text.clear();
        push_number(&mut text, step as u32 + 1);
        let _ = progress.set_attribute("value", &text);
    }
    if let Some(control) = first(root, "[data-step]:not([hidden]) :is(input,select,textarea)") {
        let _ = control.unchecked_ref::<HtmlElement>().focus();
    }
}

/// Hides or shows `element`.
fn hide(element: Option<Element>, hidden: bool) {
    if let Some(element) = element {
        let _ = element.toggle_attribute_with_force("hidden", hidden);
    }
}
