//! Overlays: blocks drawn over the page rather than in it, each in a host element
//! appended to `<body>` (`<kindling-overlay data-kindling-overlay="BLOCK">`, fixed, on
//! top of everything, so nothing in the page moves).
//!
//! - modal: a backdrop and, on it, a `role="dialog"` `aria-modal="true"` element
//!   labelled by the headline. Focus moves into the dialog when it opens and back to
//!   the element that had it when it closes; [`trap_focus`] keeps Tab inside.
//! - slide-in: a card in the bottom-right corner (`role="complementary"`, named by
//!   the headline); not modal.
//! - top and bottom bars: a full-width strip (`role="region"`, named by the headline).
//!
//! Their markup, a close button named in the page's language included, is drawn by
//! [`content::markup`](crate::render::content::markup). Lead forms opened from a block
//! are modals too (`crate::forms`), and share all of this.

use js_sys::{Array, Reflect};
use kindling_core::blocks::Placement;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement, ShadowRoot};

use crate::{browser, page};

/// Marks an overlay's host element; its value is the block's id.
pub const OVERLAY_ATTRIBUTE: &str = "data-kindling-overlay";
/// Names an overlay's placement on its host element.
pub const PLACEMENT_ATTRIBUTE: &str = "data-kindling-placement";
/// The open modal's host element.
const OPEN_MODAL: &str = "[data-kindling-overlay][data-kindling-placement=modal]";
/// Where a modal's host keeps the element to give focus back to (a JS property: the
/// widget's own state holds no DOM references).
const RETURN_FOCUS: &str = "kindlingReturnFocus";
/// What can take focus inside a dialog: not what is hidden (a form's other steps) or
/// taken out of the tab order (a form's honeypot).
const FOCUSABLE: &str = ":is(a[href],button,input,select,textarea,[tabindex]):not([tabindex=\"-1\"],[hidden],[hidden] *)";

/// A new host element for the overlay `name` (a block, or a form opened from one) in
/// `placement`, not yet in the page.
pub fn host(document: &Document, name: &str, placement: Placement) -> Result<Element, JsValue> {
    let host = document.create_element("kindling-overlay")?;
    host.set_attribute(OVERLAY_ATTRIBUTE, name)?;
    host.set_attribute(PLACEMENT_ATTRIBUTE, placement.as_str())?;
    Ok(host)
}

/// Puts the drawn overlay `host` on the page; a dialog takes focus, and notes where
/// to give it back.
pub fn open(document: &Document, host: &Element, root: &ShadowRoot) -> Result<(), JsValue> {
    let body = document.body().ok_or_else(|| JsValue::from_str("no body"))?;
    let dialog = first(root, "[role=dialog]");
    if dialog.is_some() {
        // The element inside a shadow root (a block's call to action), not its host.
        let mut focused = browser::property(document, "activeElement");
        loop {
            let inner =
                browser::property(&browser::property(&focused, "shadowRoot"), "activeElement");
            if !inner.is_object() {
                break;
            }
            focused = inner;
        }
        let _ = Reflect::set(host, &JsValue::from_str(RETURN_FOCUS), &focused);
    }
    body.append_child(host)?;
    if let Some(dialog) = dialog {
        dialog.unchecked_ref::<HtmlElement>().focus()?;
    }
    Ok(())
}

/// The first element in `root` that matches `selector`.
pub fn first(root: &ShadowRoot, selector: &str) -> Option<Element> {
    let found = root.query_selector_all(selector).ok()?;
    let found = Array::from(&found).get(0);
    found.is_object().then(|| found.unchecked_into())
}

/// The open modal's host element, if one is open.
pub fn open_modal() -> Option<Element> {
    page::document().ok()?.query_selector(OPEN_MODAL).ok()?
}

/// Removes the overlay `host`; a modal gives focus back to where it was.
pub fn remove(host: &Element) {
    host.remove();
    if let Ok(focused) = Reflect::get(host, &JsValue::from_str(RETURN_FOCUS))
        && focused.is_object()
    {
        let _ = focused.unchecked_ref::<HtmlElement>().focus();
    }
}

/// Keeps Tab inside the modal `host`: from its last focusable element (or from outside
/// them) Tab goes to the first, and Shift+Tab from the first (or from the dialog
/// itself) to the last. True when it moved focus, so the key's default must not run.
pub fn trap_focus(host: &Element, backwards: bool) -> bool {
    let Some(root) = host.shadow_root() else { return false };
    let Ok(focusable) = root.query_selector_all(FOCUSABLE) else { return false };
    let focusable = Array::from(&focusable);
    let count = focusable.length();
    if count == 0 {
        return true;
    }
    let active = browser::property(&root, "activeElement");
    let position = (0..count).find(|index| focusable.get(*index) == active);
    let next = match (position, backwards) {
        (Some(0) | None, true) => count - 1,
        (None, false) => 0,
        (Some(last), false) if last == count - 1 => 0,
        _ => return false,
    };
    focusable.get(next).unchecked_ref::<HtmlElement>().focus().is_ok()
}
