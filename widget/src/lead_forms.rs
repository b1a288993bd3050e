//! The rest of the widget's door to the lead forms (`crate::forms`): the forms a boot
//! answer brings, a single-page app's new form containers, and `kindling:open-form`
//! from a block's call to action.
//!
//! Built as one module, these call the forms code. Built as the first load of a split
//! bundle (feature `split`), the forms code is a second wasm module, the forms part,
//! fetched only when a page shows a form: the loader's `kindling.forms()` loads it once
//! and every call here waits for it. It is fetched early when a form is likely — the
//! page embeds one (the loader starts it with the page's boot), or a block with a form
//! call to action is decided — so a form opens without waiting. The part reaches back
//! through `crate::forms_bridge`; the modal's keys are the blocks' (installed when the
//! block with the call to action was shown). If the part cannot be loaded, nothing is
//! thrown and the failure is logged in debug mode: an embedded container shows the
//! site's plain form instead, the `<noscript>` markup right after it (or in it), which
//! posts to the collector without the widget; a form a call to action opens does not
//! open.

use core::sync::atomic::{AtomicBool, Ordering};

use alloc::string::String;
use alloc::vec::Vec;

use kindling_core::wire::{CtaAction, Decision};
use wasm_bindgen::JsValue;
use web_sys::Event;

use crate::blocks::controls::OPEN_FORM_EVENT;
use crate::{browser, page};

/// The `kindling:open-form` listener is installed (once per document).
static LISTENING: AtomicBool = AtomicBool::new(false);

/// The ids of the forms the page embeds, in document order, each once.
pub fn embedded() -> Vec<String> {
    crate::forms::embedded()
}

/// Draws the page's embedded forms from a boot answer's `forms` (as received), and
/// listens for forms opened by blocks.
pub fn apply(forms: JsValue) {
    install();
    to::apply(forms);
}

/// Draws form containers a single-page app's new route added.
pub fn draw_new() {
    to::draw_new();
}

/// Fetches the forms code now when one of the blocks `decisions` opens a form.
pub fn prefetch_for(decisions: &[Decision]) {
    let opens_form = decisions
        .iter()
        .any(|decision| decision.content.ctas.iter().any(|cta| cta.action == CtaAction::Form));
    if opens_form {
        to::prefetch();
    }
}

/// Listens for `kindling:open-form`, once.
pub fn install() {
    if LISTENING.swap(true, Ordering::Relaxed) {
        return;
    }
    if let Ok(document) = page::document() {
        browser::listen(&document, OPEN_FORM_EVENT, on_open);
    }
}

/// `kindling:open-form` with `detail: {form, block, variant, title}`.
fn on_open(event: Event) {
    let detail = browser::property(&event, "detail");
    let text = |key| browser::property(&detail, key).as_string().filter(|text| !text.is_empty());
    if let Some(form) = text("form") {
        to::open(form, text("block"), text("variant"), text("title"));
    }
}

#[cfg(not(feature = "split"))]
use direct as to;
#[cfg(feature = "split")]
use split as to;

#[cfg(not(feature = "split"))]
mod direct {
    use alloc::string::String;

    use kindling_core::wire::FormView;
    use wasm_bindgen::JsValue;

    use crate::codec::list;
    use crate::forms;

    pub fn apply(raw: JsValue) {
        forms::apply(list::<FormView>(&raw));
    }

    pub fn draw_new() {
        forms::draw_new();
    }

    pub fn prefetch() {}

    pub fn open(
        form: String,
        block: Option<String>,
        variant: Option<String>,
        title: Option<String>,
    ) {
        forms::open(form, block, variant, title);
    }
}

#[cfg(feature = "split")]
mod split {
    use alloc::string::String;

    use js_sys::{Array, Function, Promise, Reflect};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::Element;

    use crate::forms::HOST_ATTRIBUTE;
    use crate::{log, page};

    #[wasm_bindgen]
    extern "C" {
        /// The loader's `kindling.forms()`: the forms part's module, loaded once.
        #[wasm_bindgen(js_namespace = kindling, js_name = forms, catch)]
        fn load_part() -> Result<Promise, JsValue>;
    }

    pub fn apply(raw: JsValue) {
        if raw.is_object() && js_sys::Array::from(&raw).length() > 0 {
            call("draw_answer", [raw]);
        }
    }

    pub fn draw_new() {
        let undrawn = page::document()
            .and_then(|document| document.query_selector_all("[data-kindling-lead-form]"))
            .map(|hosts| {
                Array::from(&hosts).iter().any(|host| {
                    let host: Element = host.unchecked_into();
                    host.shadow_root().is_none()
                        && host.get_attribute(HOST_ATTRIBUTE).is_some_and(|id| !id.is_empty())
                })
            })
            .unwrap_or(false);
        if undrawn {
            call("draw_new", []);
        }
    }

    pub fn prefetch() {
        wasm_bindgen_futures::spawn_local(async {
            if let Err(error) = part().await {
                log::debug("kindling: cannot load the forms", &error);
            }
        });
    }

    pub fn open(
        form: String,
        block: Option<String>,
        variant: Option<String>,
        title: Option<String>,
    ) {
        let text = |text: Option<String>| text.map_or(JsValue::UNDEFINED, JsValue::from);
        call("open_form", [form.into(), text(block), text(variant), text(title)]);
    }

    async fn part() -> Result<JsValue, JsValue> {
        JsFuture::from(load_part()?).await
    }

    /// Calls the forms part's `export` with `args` once it is loaded.
    fn call<const N: usize>(export: &'static str, args: [JsValue; N]) {
        wasm_bindgen_futures::spawn_local(async move {
            let called = async {
                let module = part().await?;
                let function: Function = Reflect::get(&module, &export.into())?.dyn_into()?;
                function.apply(&JsValue::NULL, &args.into_iter().collect::<Array>())
            };
            if let Err(error) = called.await {
                log::debug("kindling: cannot load the forms", &error);
                if export != "open_form" {
                    show_plain_forms();
                }
            }
        });
    }

    /// The forms cannot be drawn: each undrawn container's plain form, the site's own
    /// `<noscript>` markup right after it (or in it), goes live in its place.
    fn show_plain_forms() {
        let Ok(hosts) = page::document()
            .and_then(|document| document.query_selector_all("[data-kindling-lead-form]"))
        else {
            return;
        };
        for host in Array::from(&hosts).iter() {
            let host: Element = host.unchecked_into();
            if host.shadow_root().is_some() || host.has_attribute("data-kindling-plain") {
                continue;
            }
            let after = host.next_element_sibling().filter(|next| next.tag_name() == "NOSCRIPT");
            let Some(noscript) = after.or_else(|| host.query_selector("noscript").ok().flatten())
            else {
                continue;
            };
            // The site's own markup, parsed as the page's: `<noscript>` keeps it as text
            // while scripts run.
            let markup = noscript.text_content().unwrap_or_default();
            let _ = host.set_attribute("data-kindling-plain", "");
            let _ = host.insert_adjacent_html("afterbegin", &markup);
        }
    }
}
