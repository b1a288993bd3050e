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
//! through [`from_forms`]. If it cannot be loaded, nothing is thrown: an embedded
//! container keeps what it shows (its `<noscript>` form, say), a call to action keeps
//! its block open, and the failure is logged in debug mode.

use core::sync::atomic::{AtomicBool, Ordering};

use alloc::string::String;
use alloc::vec::Vec;

use kindling_core::wire::{CtaAction, Decision};
use wasm_bindgen::JsValue;
use web_sys::Event;

use crate::blocks::controls::OPEN_FORM_EVENT;
use crate::{browser, page};

#[cfg(feature = "split")]
pub use split::from_forms;

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

/// Fetches the forms code now when the block `decision`, being shown, opens a form.
pub fn prefetch_for(decision: &Decision) {
    if decision.content.ctas.iter().any(|cta| cta.action == CtaAction::Form) {
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
        // Escape and Tab in the modal are handled with the blocks'.
        crate::blocks::controls::install();
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
    use kindling_core::wire::EventKind;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::Element;

    use crate::codec::{list, props_of};
    use crate::forms::HOST_ATTRIBUTE;
    use crate::track::forms as tracked;
    use crate::track::record::{Details, record};
    use crate::{log, page, session, state};

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
            }
        });
    }

    /// The forms part's calls back (`kindling.main`, set by the loader): `[what, ...]`.
    ///
    /// - `["visit"]`: `[site, api, debug, visitor, session]`, the visitor and the
    ///   stored visit as this module has them (`undefined` when not tracked);
    /// - `["record", type, form, props]`: a form event (`form_*` types only);
    /// - `["started", form, field]`, `["completed", form, field]`, `["sent", form]`: the
    ///   form tracking's steps;
    /// - `["decisions", decisions]`: a submission's new decisions, as received;
    /// - `["close", host]`: closes a form's modal.
    #[wasm_bindgen]
    pub fn from_forms(call: Array) -> JsValue {
        let what = call.get(0).as_string().unwrap_or_default();
        let text = |index| call.get(index).as_string();
        match what.as_str() {
            "visit" => {
                let visit = state::with(|widget| {
                    let visitor = widget.visitor.clone().filter(|_| widget.tracking());
                    [
                        JsValue::from(widget.site.as_str()),
                        JsValue::from(widget.api.as_str()),
                        JsValue::from(log::debugging()),
                        visitor.map_or(JsValue::UNDEFINED, JsValue::from),
                    ]
                });
                let Some(visit) = visit else { return JsValue::UNDEFINED };
                let session = session::touch().map_or(JsValue::UNDEFINED, |s| s.encode().into());
                visit.into_iter().chain([session]).collect::<Array>().into()
            }
            "record" => {
                let kind = text(1).as_deref().and_then(EventKind::parse);
                if let (Some(kind), Some(form)) = (kind, text(2))
                    && kind.as_str().starts_with("form_")
                    && kind != EventKind::FormSubmit
                {
                    let props = props_of(&call.get(3));
                    record(kind, Details { name: Some(form), props, ..Details::default() });
                }
                JsValue::UNDEFINED
            }
            "started" => {
                if let Some(form) = text(1) {
                    tracked::started(form, text(2));
                }
                JsValue::UNDEFINED
            }
            "completed" => {
                if let (Some(form), Some(field)) = (text(1), text(2)) {
                    tracked::completed(form, field);
                }
                JsValue::UNDEFINED
            }
            "sent" => {
                if let Some(form) = text(1) {
                    tracked::sent(&form);
                }
                JsValue::UNDEFINED
            }
            "decisions" => {
                let decisions = call.get(1);
                if decisions.is_object() {
                    crate::blocks::apply(list(&decisions));
                }
                JsValue::UNDEFINED
            }
            "close" => {
                if let Ok(host) = call.get(1).dyn_into::<Element>() {
                    crate::blocks::controls::close(&host);
                }
                JsValue::UNDEFINED
            }
            _ => JsValue::UNDEFINED,
        }
    }
}
