//! Lead forms: their definitions, compiled from the configuration ([`definition`]).
//! Every value is checked with `kindling_core::forms`, the same function the widget
//! runs in the browser.

pub mod definition;
