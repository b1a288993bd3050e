//! Form interactions on the host page's own forms, for forms that opt in with
//! `data-kindling-form="name"`: `form_start` on the first interaction, `form_field`
//! when a named field is completed (its name only, never its value), `form_submit`,
//! and `form_abandon` (with the last field reached) when the page is left or the
//! route changes after a start without a submit.
//!
//! Kindling's own lead forms (`crate::forms`) record the same events through
//! [`started`], [`completed`] and [`sent`], except `form_submit`, which the collector
//! records from the submission itself. Their events reach `document` retargeted to the
//! element hosting them; those are ignored here, so a lead form placed inside a
//! tracked page form is not counted twice.

use alloc::string::String;

use kindling_core::wire::EventKind;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

use crate::forms::page_forms::HOST_ATTRIBUTE;
use crate::track::record::{Details, record};
use crate::{browser, page, state};

pub fn install() {
    let Ok(document) = page::document() else { return };
    browser::listen(&document, "focusin", on_focus);
    browser::listen(&document, "change", on_change);
    browser::listen(&document, "submit", on_submit);
}

/// The tracked form around the event's target and the target's field name.
fn form_of(event: &Event) -> Option<(String, Option<String>)> {
    let element = event.target()?.dyn_into::<Element>().ok()?;
    if element.has_attribute(HOST_ATTRIBUTE) {
        return None;
    }
    let form = element.closest("form[data-kindling-form]").ok()??;
    let name = form.get_attribute("data-kindling-form").filter(|name| !name.is_empty())?;
    let field = element.get_attribute("name").filter(|name| !name.is_empty());
    Some((name, field))
}

fn on_focus(event: Event) {
    if let Some((form, field)) = form_of(&event) {
        started(form, field);
    }
}

/// The visitor is in `field` of `form`: a `form_start` the first time on this page.
pub fn started(form: String, field: Option<String>) {
    let first = state::with(|widget| {
        match widget.forms_started.iter_mut().find(|(started, _)| *started == form) {
            Some((_, last_field)) => {
                if field.is_some() {
                    last_field.clone_from(&field);
                }
                false
            }
            None => {
                widget.forms_started.push((form.clone(), field.clone()));
                true
            }
        }
    });
    if first == Some(true) {
        record(
            EventKind::FormStart,
            Details { name: Some(form), target: field, ..Details::default() },
        );
    }
}

fn on_change(event: Event) {
    if let Some((form, Some(field))) = form_of(&event) {
        completed(form, field);
    }
}

/// The visitor completed `field` of `form`: a `form_field` (the name, never the value).
pub fn completed(form: String, field: String) {
    record(
        EventKind::FormField,
        Details { name: Some(form), target: Some(field), ..Details::default() },
    );
}

fn on_submit(event: Event) {
    let Some((form, _)) = form_of(&event) else { return };
    sent(&form);
    record(EventKind::FormSubmit, Details { name: Some(form), ..Details::default() });
}

/// `form` was sent: it is no longer abandoned when the page is left.
pub fn sent(form: &str) {
    state::with(|widget| widget.forms_started.retain(|(started, _)| started != form));
}

/// Reports every started, unsent form as abandoned.
pub fn abandon_started() {
    let abandoned = state::with(|widget| core::mem::take(&mut widget.forms_started));
    for (form, last_field) in abandoned.unwrap_or_default() {
        record(
            EventKind::FormAbandon,
            Details { name: Some(form), target: last_field, ..Details::default() },
        );
    }
}
