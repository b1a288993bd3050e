//! Kindling's domain model, shared by the browser widget (wasm32) and the collector.
//!
//! Everything here is pure: no I/O, no async runtime, no formatting machinery on the
//! hot path, so the same code decides on the server and in the browser without
//! bloating the widget. It is `no_std` (with `alloc`) so the widget can leave the
//! standard library's panic and formatting machinery out; its one dependency is
//! `serde` (derive only).
//!
//! - [`wire`]: the JSON protocol between widget and collector (boot, events, errors).
//! - [`ids`]: time-ordered identifiers (UUIDv7) made from a clock and random bytes.
//! - [`limits`]: the documented size limits both sides enforce.

#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod ids;
pub mod limits;
pub mod wire;
