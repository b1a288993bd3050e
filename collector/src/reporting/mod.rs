//! The analytics reports, built from the report rollups the transactions keep
//! ([`profiles::tally`](crate::profiles::tally), [`lifecycle::traffic`]
//! (crate::lifecycle::traffic)), never from scans of the events:
//!
//! - [`funnel`]: persons first seen in a range of days (a cohort) → leads → MQLs →
//!   SQLs → customers, with conversions, median times between stages and a breakdown
//!   by first- or last-touch channel, source, campaign or landing page;
//! - [`traffic`]: visitors, visits, pageviews, leads and MQLs per day or hour, and per
//!   channel, source, campaign, referrer, landing page and page;
//! - [`experiments`]: blocks and their variants, with the pipeline each produced,
//!   compared with the control ([`stats`]);
//! - [`quality`]: the leads' scores, temperatures and segments, and the rules that
//!   made MQLs.
//!
//! Each compares the range with the one just before it, of the same length ([`Range`]).

pub mod experiments;
pub mod funnel;
pub mod quality;
pub mod range;
pub mod stats;
pub mod traffic;

pub use range::Range;
