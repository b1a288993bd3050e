//! Recording one event: dropped unless tracking is allowed, stamped with its id,
//! session, page and time, and queued for the collector.

use alloc::string::String;
use alloc::vec::Vec;

use kindling_core::wire::{ClientEvent, EventKind, PropValue};

use crate::transport::queue;
use crate::{browser, identity, page, session, state};

/// The optional parts of an event.
#[derive(Default)]
pub struct Details {
    pub title: Option<String>,
    pub referrer: Option<String>,
    pub name: Option<String>,
    pub target: Option<String>,
    pub value: Option<f64>,
    pub props: Vec<(String, PropValue)>,
}

/// Records one event, if the visitor may be tracked.
pub fn record(kind: EventKind, details: Details) {
    if state::with(|widget| widget.tracking() && widget.visitor.is_some()) != Some(true) {
        return;
    }
    let Some(session) = session::touch() else { return };
    let Ok(id) = identity::new_id() else { return };
    queue::enqueue(ClientEvent {
        id,
        kind,
        session: session.id,
        url: page::url().unwrap_or_default(),
        title: details.title,
        referrer: details.referrer,
        name: details.name,
        target: details.target,
        value: details.value,
        props: details.props,
        ts: browser::now(),
    });
}
