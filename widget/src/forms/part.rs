//! The lead forms as the second module of a split bundle (feature `forms-part`): the
//! exports the first-load module calls (`crate::lead_forms`). The calls the forms code
//! makes outside itself go back to that module through
//! [`to_main`](crate::forms::to_main).
//!
//! This module has its own memory, so its own widget state: before each call it
//! takes the site, the collector, the visitor and the visit from the first-load
//! module ([`sync`]), which alone decides whether the visitor may be tracked.

use alloc::string::String;

use js_sys::Array;
use kindling_core::privacy::{Choice, ConsentMode, Signals};
use kindling_core::session::Session;
use kindling_core::wire::FormView;
use wasm_bindgen::prelude::*;

use crate::codec::list;
use crate::forms::to_main;
use crate::state::{self, Widget};
use crate::{forms, log};

/// Draws the embedded forms of a boot answer's `forms` (as received).
#[wasm_bindgen]
pub fn draw_answer(raw: JsValue) {
    sync();
    forms::apply(list::<FormView>(&raw));
}

/// Opens `form` in a modal (see `crate::forms::open`).
#[wasm_bindgen]
pub fn open_form(
    form: String,
    block: Option<String>,
    variant: Option<String>,
    title: Option<String>,
) {
    sync();
    forms::open(form, block, variant, title);
}

/// Draws the form containers of a single-page app's new route.
#[wasm_bindgen]
pub fn draw_new() {
    sync();
    forms::draw_new();
}

/// Takes the site, collector, debugging, visitor and visit from the first-load module.
pub fn sync() {
    let visit = Array::from(&to_main::call(&["visit".into()]));
    let text = |index| visit.get(index).as_string();
    let (Some(site), Some(api)) = (text(0), text(1)) else { return };
    log::set_debug(visit.get(2).is_truthy());
    let visitor = text(3);
    let session = text(4).as_deref().and_then(Session::decode);
    if state::with(|_| ()).is_none() {
        state::install(Widget::new(site, api, ConsentMode::Implied, Signals::default()));
    }
    state::with(|widget| {
        widget.choice = if visitor.is_some() { Choice::Granted } else { Choice::Declined };
        widget.visitor = visitor;
        widget.session = session;
    });
}
