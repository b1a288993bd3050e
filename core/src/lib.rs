//! Kindling's domain model, shared by the browser widget (wasm32) and the collector.
//!
//! Everything here is pure: no I/O, no async runtime, no formatting machinery on the
//! hot path, so the same code decides on the server and in the browser without
//! bloating the widget. It is `no_std` (with `alloc`) so the widget can leave the
//! standard library's panic and formatting machinery out; its one dependency is
//! `serde` (derive only). The `openapi` feature, which only the collector enables, adds
//! OpenAPI schemas of the wire types (`utoipa`) for the collector's `/openapi.json`.
//!
//! - [`wire`]: the JSON protocol between widget and collector (boot, events, errors).
//! - [`ids`]: time-ordered identifiers (UUIDv7) made from a clock and random bytes.
//! - [`limits`]: the documented size limits both sides enforce.
//! - [`attribution`]: campaign parameters (`utm_*`) and ad click ids from a page URL.
//! - [`channel`]: the one marketing channel a visit is credited to (GA4-like rules).
//! - [`session`]: when a visit ends (30 minutes idle, local midnight) and its storage form.
//! - [`bots`]: user agents of crawlers, monitors and HTTP libraries.
//! - [`device`]: desktop, tablet or mobile from the user agent and the screen.
//! - [`privacy`]: consent modes and browser privacy signals: may the widget track?
//! - [`rules`]: the targeting and segment rule language (all/any/not over facts) and its evaluator.
//! - [`scoring`]: explainable lead scoring: behaviour points with caps, fit, decay, temperature.
//! - [`blocks`]: personalization blocks: placements, triggers, frequency caps, A/B
//!   variant assignment and content recommendations.
//! - [`profile`]: a person's behaviour aggregates, kept incrementally and mergeable, as facts.
//! - [`units`]: the day and the path of a page URL, shared by the above.
//! - [`forms`]: lead form fields and the one validation of their values, with messages in
//!   English and Polish.

// The schemas of the `openapi` feature need the standard library; only the collector,
// which has it anyway, enables that feature.
#![cfg_attr(not(feature = "openapi"), no_std)]

extern crate alloc;
#[cfg(all(test, not(feature = "openapi")))]
extern crate std;

pub mod attribution;
pub mod blocks;
pub mod bots;
pub mod channel;
pub mod device;
pub mod forms;
pub mod ids;
pub mod limits;
pub mod privacy;
pub mod profile;
pub mod rules;
pub mod scoring;
pub mod session;
pub mod units;
pub mod wire;
