//! What the visitor does with a shown block, through two listeners on `document` that
//! serve every block: clicks and keys inside a block's shadow root reach them
//! (composed, retargeted to the host element), and `composedPath()` names the element
//! inside.
//!
//! - a call to action: `link` counts a `block_click` and lets the browser follow it;
//!   `form` counts a `block_click`, closes an overlay (so the form can take focus) and
//!   dispatches `kindling:open-form` on `document` with
//!   `detail: {form, block, variant, title}` (`title`: the block's headline), which
//!   opens the lead form (`crate::forms`) and which a site may handle for a form of its
//!   own; `dismiss` closes the block and counts as a dismissal, not a click;
//! - a recommended item: a `block_click` without a position;
//! - the close button, a click on a modal's backdrop, Escape while a modal is open:
//!   closed, counted as a dismissal;
//! - Tab and Shift+Tab while a modal is open wrap around inside it.

use core::sync::atomic::{AtomicBool, Ordering};

use alloc::string::String;

use js_sys::Object;
use kindling_core::wire::EventKind;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, Element, Event};

use crate::blocks::show::record_on;
use crate::blocks::triggers;
use crate::codec::set;
use crate::render::{self, overlay};
use crate::{browser, log, page};

/// The event a `form` call to action dispatches on `document`.
pub const OPEN_FORM_EVENT: &str = "kindling:open-form";

/// The listeners are installed (once per document).
static LISTENING: AtomicBool = AtomicBool::new(false);

/// Installs the listeners, once.
pub fn install() {
    if LISTENING.swap(true, Ordering::Relaxed) {
        return;
    }
    let Ok(document) = page::document() else { return };
    browser::listen(&document, "click", on_click);
    browser::intercept(&document, "keydown", on_key);
}

fn on_click(event: Event) {
    // Casts unchecked: on anything but an element `closest` fails, and fails as an
    // error, not a throw.
    let inner: Element = event.composed_path().get(0).unchecked_into();
    let Ok(Some(control)) = inner.closest("[data-kd]") else { return };
    // At `document`, the target is the element hosting the shadow root.
    let Some(target) = event.target() else { return };
    let Ok(Some(host)) = target.unchecked_into::<Element>().closest("[data-kindling-variant]")
    else {
        return;
    };
    let action = control.get_attribute("data-kd").unwrap_or_default();
    let position =
        if control.get_attribute("data-kd-cta").as_deref() == Some("1") { 1.0 } else { 0.0 };
    match action.as_str() {
        "close" | "dismiss" | "backdrop" => dismiss(&host),
        "link" => clicked(&host, Some(position)),
        "item" => clicked(&host, None),
        "form" => {
            clicked(&host, Some(position));
            if host.has_attribute(overlay::OVERLAY_ATTRIBUTE) {
                close(&host);
            }
            let form = control.get_attribute("value").unwrap_or_default();
            if let Err(error) = open_form(&host, form) {
                log::debug("kindling: cannot open the form", &error);
            }
        }
        _ => {}
    }
}

/// Asks for `form` to be opened: `kindling:open-form` on `document`.
fn open_form(host: &Element, form: String) -> Result<(), JsValue> {
    let (block, variant) = render::shown_block(host).unwrap_or_default();
    let title = host
        .shadow_root()
        .and_then(|root| overlay::first(&root, "#kd-title"))
        .and_then(|headline| headline.text_content())
        .unwrap_or_default();
    let detail = Object::new();
    set(&detail, "form", &form.into());
    set(&detail, "block", &block.into());
    set(&detail, "variant", &variant.into());
    set(&detail, "title", &title.into());
    let init = Object::new();
    set(&init, "bubbles", &JsValue::TRUE);
    set(&init, "detail", &detail);
    let event = CustomEvent::new_with_event_init_dict(OPEN_FORM_EVENT, init.unchecked_ref())?;
    page::document()?.dispatch_event(&event)?;
    Ok(())
}

fn on_key(event: Event) {
    let key = browser::property(&event, "key").as_string().unwrap_or_default();
    if key != "Escape" && key != "Tab" {
        return;
    }
    let Some(modal) = overlay::open_modal() else { return };
    if key == "Escape" {
        dismiss(&modal);
    } else if overlay::trap_focus(&modal, browser::property(&event, "shiftKey").is_truthy()) {
        event.prevent_default();
    }
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
