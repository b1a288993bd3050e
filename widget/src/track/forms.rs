//! Form interactions on the host page's own forms, for forms that opt in with
//! `data-kindling-form="name"`: `form_start` on the first interaction, `form_field`
//! when a named field is completed (its name only, never its value), `form_submit`,
//! and `form_abandon` (with the last field reached) when the page is left or the
//! route changes after a start without a submit.

use alloc::string::String;

use kindling_core::wire::EventKind;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

use crate::track::{Details, record};
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
    let form = element.closest("form[data-kindling-form]").ok()??;
    let name = form.get_attribute("data-kindling-form").filter(|name| !name.is_empty())?;
    let field = element.get_attribute("name").filter(|name| !name.is_empty());
    Some((name, field))
}

fn on_focus(event: Event) {
    let Some((form, field)) = form_of(&event) else { return };
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
    let Some((form, Some(field))) = form_of(&event) else { return };
    record(
        EventKind::FormField,
        Details { name: Some(form), target: Some(field), ..Details::default() },
    );
}

fn on_submit(event: Event) {
    let Some((form, _)) = form_of(&event) else { return };
    state::with(|widget| widget.forms_started.retain(|(started, _)| *started != form));
    record(EventKind::FormSubmit, Details { name: Some(form), ..Details::default() });
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
