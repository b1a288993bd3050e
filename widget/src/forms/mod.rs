//! Lead forms the widget draws, sends and tracks itself.
//!
//! - Where: a site embeds a form with `<div data-kindling-lead-form="FORM_ID">`; the
//!   ids of those on the page go in the boot request ([`embedded`]) and the answer
//!   brings each as this visitor is to see it (a `FormView`: progressive profiling and
//!   prefilled values already applied), drawn into the element's shadow root
//!   ([`apply`]); containers a single-page app adds on a new route are drawn then
//!   ([`draw_new`]). A block's call to action opens a form as a modal: it dispatches
//!   `kindling:open-form` (`crate::blocks::controls`, heard by `crate::lead_forms`),
//!   the widget shows the form from the boot answer or, for one it did not bring,
//!   `GET /v1/forms/{form}` ([`open`]).
//!   The modal is an overlay like a modal block: focus moves in and back, Tab stays
//!   inside, Escape closes it.
//! - What: [`markup`] draws the fields by kind, steps and buttons; [`fields`] reads and
//!   checks values with `kindling_core::forms::check_with` (the collector's own rule) and
//!   shows errors; [`controls`] handles the visitor's focus, keys and clicks: steps,
//!   checking on leaving a field, Enter moving on; [`submit`] sends the submission and
//!   shows the collector's answer.
//! - Events, through `crate::track::record` (so only with consent; [`outside`] holds
//!   every call leaving the forms code, which may run as a part loaded apart): `form_view` when a
//!   form is drawn (once per form per page view; its `fields` property names the fields
//!   drawn, comma-separated, for the drop-off per field), `form_start`, `form_field` (the
//!   field's name, never its value) and `form_abandon` as for the page's own forms
//!   (`crate::track::forms`). No `form_submit`: the collector records it from the
//!   submission.
//!
//! A form is drawn only once the page is booted, so only while the visitor may be
//! tracked: a submission is tied to the visitor id.

pub mod controls;
pub mod fields;
pub mod hosts;
pub mod markup;
pub mod outside;
pub mod page_forms;
#[cfg(feature = "forms-part")]
pub mod part;
pub mod steps;
pub mod submit;
#[cfg(feature = "forms-part")]
pub mod to_main;

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use js_sys::Array;
use kindling_core::blocks::Placement;
use kindling_core::wire::{EventKind, FormView, PropValue};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::forms::page_forms::Drawn;
use crate::render::style::STYLE;
use crate::render::{content, overlay, sheet, texts};
use crate::transport::{self, Failure};
use crate::{browser, log, page, state};

pub use page_forms::HOST_ATTRIBUTE;
/// The site's own form containers (overlays are the widget's).
const EMBEDDED: &str = "[data-kindling-lead-form]:not(kindling-overlay)";

/// The ids of the forms the page embeds, in document order, each once.
pub fn embedded() -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for host in hosts().iter() {
        if let Some(id) = host.unchecked_ref::<Element>().get_attribute(HOST_ATTRIBUTE)
            && !id.is_empty()
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
}

fn hosts() -> Array {
    let found = page::document().and_then(|document| document.query_selector_all(EMBEDDED));
    found.map_or_else(|_| Array::new(), |nodes| Array::from(&nodes))
}

/// Keeps the forms of a boot answer and draws the embedded ones; a container whose
/// form the answer does not have keeps what it shows.
pub fn apply(views: Vec<FormView>) {
    state::with(|widget| widget.forms.views = views.into_iter().map(Arc::new).collect());
    for host in hosts().iter() {
        let host: Element = host.unchecked_into();
        let id = host.get_attribute(HOST_ATTRIBUTE).unwrap_or_default();
        if let Some(view) = known(&id)
            && let Err(error) = draw(&host, view, None, None, None)
        {
            log::debug("kindling: cannot draw a form", &error);
        }
    }
}

/// Shows `form` in a modal named `title`, unless a modal is open; `block` and
/// `variant` name what it was opened from.
pub fn open(form: String, block: Option<String>, variant: Option<String>, title: Option<String>) {
    match known(&form) {
        Some(view) => show_modal(view, block, variant, title),
        None => load(form, Then::Modal(block, variant, title)),
    }
}

/// Draws the page's form containers not drawn yet (a single-page app's new route),
/// asking the collector for forms the page has not got.
pub fn draw_new() {
    for host in hosts().iter() {
        let host: Element = host.unchecked_into();
        let id = host.get_attribute(HOST_ATTRIBUTE).unwrap_or_default();
        if host.shadow_root().is_none() && !id.is_empty() {
            load(id, Then::Draw(host));
        }
    }
}

/// What to do with a form once loaded.
enum Then {
    /// Show it in a modal: block, variant, title.
    Modal(Option<String>, Option<String>, Option<String>),
    /// Draw it into this container.
    Draw(Element),
}

/// Gets `form` (the page's copy, or the collector's, then kept) and does `then` with
/// it. One future for every case keeps the wasm small.
fn load(form: String, then: Then) {
    wasm_bindgen_futures::spawn_local(async move {
        let view = match known(&form) {
            Some(view) => view,
            None => match fetch(&form).await {
                Ok(view) => {
                    let view = Arc::new(view);
                    state::with(|widget| widget.forms.views.push(view.clone()));
                    view
                }
                Err(failure) => {
                    return log::debug("kindling: cannot load the form", &failure.as_js());
                }
            },
        };
        match then {
            Then::Modal(block, variant, title) => show_modal(view, block, variant, title),
            Then::Draw(host) => {
                if let Err(error) = draw(&host, view, None, None, None) {
                    log::debug("kindling: cannot draw a form", &error);
                }
            }
        }
    });
}

/// `GET /v1/forms/{form}?site=SITE&visitor=VISITOR`: the form as this visitor is to
/// see it.
async fn fetch(form: &str) -> Result<FormView, Failure> {
    let Some((api, site, Some(visitor))) =
        state::with(|widget| (widget.api.clone(), widget.site.clone(), widget.visitor.clone()))
    else {
        return Err(Failure::Shape);
    };
    let mut path = String::from("/v1/forms/");
    hosts::push_encoded(&mut path, form);
    path.push_str("?site=");
    hosts::push_encoded(&mut path, &site);
    path.push_str("&visitor=");
    hosts::push_encoded(&mut path, &visitor);
    transport::get(&api, &path).await
}

fn known(form: &str) -> Option<Arc<FormView>> {
    state::with(|widget| widget.forms.views.iter().find(|view| view.id == form).cloned()).flatten()
}

fn show_modal(
    view: Arc<FormView>,
    block: Option<String>,
    variant: Option<String>,
    title: Option<String>,
) {
    if overlay::open_modal().is_some() {
        return;
    }
    outside::modal_controls();
    let shown = page::document().and_then(|document| {
        let host = overlay::host(&document, &view.id, Placement::Modal)?;
        host.set_attribute(HOST_ATTRIBUTE, &view.id)?;
        let title = title.unwrap_or_else(|| String::from(texts::texts().form));
        let root = draw(&host, view, block, variant, Some(&title))?;
        overlay::open(&document, &host, &root)
    });
    if let Err(error) = shown {
        log::debug("kindling: cannot open the form", &error);
    }
}

/// Draws `view` into `host`'s shadow root (in a dialog named `title`, if given) and
/// records its `form_view`.
fn draw(
    host: &Element,
    view: Arc<FormView>,
    block: Option<String>,
    variant: Option<String>,
    title: Option<&str>,
) -> Result<ShadowRoot, JsValue> {
    let document = page::document()?;
    let root = match host.shadow_root() {
        Some(root) => root,
        None => {
            let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
            controls::listen(&root);
            root
        }
    };
    root.set_inner_html("");
    root.append_child(&content::parse(&document, &markup::form(&view, title))?)?;
    sheet::apply(&document, &root, &[STYLE, markup::FORM_STYLE])?;
    let form = view.id.clone();
    let mut shown = String::new();
    for field in &view.fields {
        shown.push_str(&field.name);
        shown.push(',');
    }
    let drawn = Drawn {
        view,
        step: 0,
        shown_ms: browser::now(),
        block,
        variant,
        submission: None,
        sending: false,
    };
    let Some((key, first)) = state::with(|widget| {
        let forms = &mut widget.forms;
        forms.drawn.push(drawn);
        let first = !forms.viewed.contains(&form);
        if first {
            forms.viewed.push(form.clone());
        }
        (forms.drawn.len() - 1, first)
    }) else {
        return Ok(root);
    };
    hosts::set_key(host, key)?;
    if first {
        // Longer than a property may be: the collector then counts every field shown.
        let mut props = Vec::new();
        if shown.len() <= 512 {
            props.push((String::from("fields"), PropValue::Text(shown)));
        }
        outside::record_form(EventKind::FormView, form, props);
    }
    Ok(root)
}
