//! Sending a drawn form: `POST /v1/forms/{form}/submissions` with a `FormSubmission`
//! (as `text/plain` JSON like every send, so no preflight), and showing the answer.
//!
//! - The submission carries every field by name: visible ones as the browser has them
//!   (boxes `true` or empty), hidden ones filled from their source (`utm_*` from the
//!   query of the visit's landing page, its referrer, the landing page, this page, the block and
//!   variant the form was opened from); the honeypot's value; the time since the form
//!   was drawn; the page's language, the visit and its slots.
//! - Its id is made for the attempt and kept when the send fails without an answer
//!   that settles it (no answer, 5xx, 429), so a retry the collector already stored is
//!   stored once; a refusal (422, 403) or a success starts a new attempt.
//! - The Send button is disabled while a send is under way: one at a time.
//! - 200: the form makes way for the success message (`role="status"`, focused), a
//!   download link for a lead magnet, or the redirect; new decisions in the answer are
//!   shown like an events answer's. 422: each field's message shown on it, the first
//!   focused (on its step). 403, 429 and the rest: a message above the buttons; the
//!   values stay.

use alloc::collections::BTreeMap;
use alloc::string::String;

use kindling_core::forms::{FieldKind, HiddenSource};
use kindling_core::wire::{FormRejected, FormSubmission, SubmissionAccepted};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlElement, ShadowRoot};

use crate::codec::{Decode, Encode, get};
use crate::forms::fields;
use crate::forms::hosts::push_encoded;
use crate::forms::outside as tracked;
use crate::forms::page_forms::HOST_ATTRIBUTE;
use crate::forms::steps::go;
use crate::render::content::{self, put};
use crate::render::overlay::first;
use crate::render::texts::{self, texts};
use crate::transport;
use crate::{browser, identity, log, page, session, state};

/// The collector's answer to a submission.
enum Outcome {
    /// With the answer's new decisions, as received.
    Accepted(SubmissionAccepted, JsValue),
    Rejected(FormRejected),
    /// Any other status; 0 when there was no answer.
    Failed(u16),
}

/// Sends the form `key` drawn in `root`, unless a send is under way.
pub fn send(root: &ShadowRoot, key: usize) {
    let fresh = identity::new_id().unwrap_or_default();
    let ready = state::with(|widget| {
        widget.visitor.as_ref()?;
        let drawn = widget.forms.drawn.get_mut(key)?;
        if core::mem::replace(&mut drawn.sending, true) {
            return None;
        }
        drawn.submission.get_or_insert(fresh);
        Some(widget.api.clone())
    });
    let Some(Some(api)) = ready else { return };
    let Some(submission) = submission(root, key) else { return };
    let mut path = String::from("/v1/forms/");
    push_encoded(&mut path, &root.host().get_attribute(HOST_ATTRIBUTE).unwrap_or_default());
    path.push_str("/submissions");
    busy(root, true);
    message(root, None);
    let root = root.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = match transport::exchange(&api, &path, Some(&submission.encode())).await {
            Err(_) => Outcome::Failed(0),
            Ok(answer) => match answer.status {
                200..=299 => SubmissionAccepted::decode(&answer.json)
                    .map_or(Outcome::Failed(0), |accepted| {
                        Outcome::Accepted(accepted, get(&answer.json, "decisions"))
                    }),
                422 => FormRejected::decode(&answer.json)
                    .map_or(Outcome::Failed(422), Outcome::Rejected),
                status => Outcome::Failed(status),
            },
        };
        settle(&root, key, outcome);
    });
}

/// The submission of the form `key` drawn in `root` as it stands: every field by name
/// (hidden ones filled from their source), the honeypot, the time since it was drawn,
/// the page, the visit and the attempt's id (empty before a send).
pub fn submission(root: &ShadowRoot, key: usize) -> Option<FormSubmission> {
    let (site, visitor, drawn) = state::with(|widget| {
        Some((widget.site.clone(), widget.visitor.clone()?, widget.forms.drawn.get(key)?.clone()))
    })??;
    let view = &drawn.view;
    let url = page::url().unwrap_or_default();
    let (landing, referrer) = session::landing();
    let landed = landing.as_deref().unwrap_or(&url);
    let mut values = BTreeMap::new();
    for field in &view.fields {
        let value = if field.kind != FieldKind::Hidden {
            fields::value(root, field)
        } else {
            let filled = match field.source {
                Some(HiddenSource::UtmSource) => parameter(landed, "utm_source"),
                Some(HiddenSource::UtmMedium) => parameter(landed, "utm_medium"),
                Some(HiddenSource::UtmCampaign) => parameter(landed, "utm_campaign"),
                Some(HiddenSource::UtmTerm) => parameter(landed, "utm_term"),
                Some(HiddenSource::UtmContent) => parameter(landed, "utm_content"),
                Some(HiddenSource::Referrer) => referrer.clone(),
                Some(HiddenSource::Landing) => landing.clone(),
                Some(HiddenSource::Page) => Some(url.clone()),
                Some(HiddenSource::Block) => drawn.block.clone(),
                Some(HiddenSource::Variant) => drawn.variant.clone(),
                None => None,
            };
            filled.unwrap_or_default()
        };
        values.insert(field.name.clone(), value);
    }
    let honeypot = first(root, "#kd-hp")
        .and_then(|input| browser::property(&input, "value").as_string())
        .unwrap_or_default();
    Some(FormSubmission {
        site,
        visitor,
        id: drawn.submission.unwrap_or_default(),
        session: session::touch().map(|session| session.id).unwrap_or_default(),
        url,
        values,
        elapsed_ms: browser::now().saturating_sub(drawn.shown_ms),
        honeypot,
        block: drawn.block,
        variant: drawn.variant,
        lang: texts::language(),
        context: session::context(),
        slots: page::slot_names().unwrap_or_default(),
    })
}

/// Shows the outcome of a send.
fn settle(root: &ShadowRoot, key: usize, outcome: Outcome) {
    // No answer, a server error or too many sends: the same attempt may be retried.
    let retry = matches!(outcome, Outcome::Failed(status) if status != 403 && status != 422);
    let Some(Some(drawn)) = state::with(|widget| {
        let drawn = widget.forms.drawn.get_mut(key)?;
        drawn.sending = false;
        if !retry {
            drawn.submission = None;
        }
        Some(drawn.clone())
    }) else {
        return;
    };
    busy(root, false);
    let texts = texts();
    match outcome {
        Outcome::Accepted(answer, decisions) => {
            tracked::sent(&drawn.view.id);
            if let Err(error) = success(root, &answer) {
                log::debug("kindling: cannot show the form's success", &error);
            }
            tracked::decisions(&decisions);
            if let Some(redirect) = answer.success.redirect
                && let Ok(window) = page::window()
            {
                let _ = window.location().assign(&redirect);
            }
        }
        Outcome::Rejected(answer) => {
            let mut failed = None;
            for error in &answer.fields {
                if let Some(field) = fields::field(&drawn.view, &error.field) {
                    fields::show_error(root, field, Some(&error.message));
                    failed.get_or_insert(error.field.as_str());
                }
            }
            match failed {
                Some(name) => {
                    let step = fields::step_of(&drawn.view, name);
                    if step != drawn.step {
                        go(root, key, step);
                    }
                    fields::focus(root, name);
                }
                None => refused(root, texts.refused),
            }
        }
        Outcome::Failed(403) => refused(root, texts.refused),
        Outcome::Failed(429) => refused(root, texts.too_many),
        Outcome::Failed(_) => refused(root, texts.failed),
    }
}

/// Shows `text` above the buttons and gives the Send button focus back.
fn refused(root: &ShadowRoot, text: &str) {
    message(root, Some(text));
    if let Some(button) = first(root, "[type=submit]") {
        let _ = button.unchecked_ref::<HtmlElement>().focus();
    }
}

/// Shows or clears the form's own message (`#kd-form-error`, an alert).
fn message(root: &ShadowRoot, text: Option<&str>) {
    if let Some(element) = first(root, "#kd-form-error") {
        element.set_text_content(text);
    }
}

/// Disables the Send button while a send is under way, and enables it again.
fn busy(root: &ShadowRoot, busy: bool) {
    if let Some(button) = first(root, "[type=submit]") {
        let _ = button.toggle_attribute_with_force("disabled", busy);
    }
}

/// Replaces the form with its success message, focused.
fn success(root: &ShadowRoot, answer: &SubmissionAccepted) -> Result<(), wasm_bindgen::JsValue> {
    let texts = texts();
    let success = &answer.success;
    let text = if success.message.is_empty() { texts.thanks } else { &success.message };
    let mut html = String::with_capacity(256);
    put(
        &mut html,
        &[
            "<div id=\"kd-success\" class=\"kd-success\" role=\"status\" tabindex=\"-1\"><p>",
            text,
            "</p>",
        ],
    );
    if answer.confirmation_pending {
        put(&mut html, &["<p>", texts.confirm, "</p>"]);
    }
    if let Some(download) = &success.download {
        put(&mut html, &["<a class=\"kd-cta\" part=\"cta\" download href=\"", download, "\">"]);
        put(&mut html, &["", texts.download, "</a>"]);
    }
    html.push_str("</div>");
    let form = first(root, "form").ok_or_else(|| wasm_bindgen::JsValue::from_str("no form"))?;
    form.replace_with_with_node_1(&content::parse(&page::document()?, &html)?)?;
    if let Some(shown) = first(root, "#kd-success") {
        shown.unchecked_ref::<HtmlElement>().focus()?;
    }
    Ok(())
}

/// The value of the query parameter `name` of `url`, if not empty; the browser
/// parses and decodes it (no URL decoder of our own in the wasm).
fn parameter(url: &str, name: &str) -> Option<String> {
    let value = web_sys::Url::new(url).ok()?.search_params().get(name)?;
    let value = value.trim();
    (!value.is_empty()).then(|| String::from(value))
}
