//! Personalization: which blocks a visitor sees on a page.
//!
//! - [`blocks`]: blocks compiled from the configuration (placement, audience, trigger,
//!   caps, schedule, goal, weighted variants).
//! - [`facts`]: what audience rules can read of the visit and page.
//! - [`decide`]: the choice for one page: per slot the highest-priority block whose
//!   schedule, audience and caps allow it, and one overlay of each kind; the variant
//!   from the person's id, so it is stable across visits and merged devices.
//! - [`reach`]: who of the last 30 days' visitors and leads an audience rule matches,
//!   and why it matches one person or not.
//! - [`report`]: impressions, clicks and conversions per block and variant, with the
//!   probability that each variant beats the control.

pub mod blocks;
pub mod decide;
pub mod facts;
pub mod reach;
pub mod report;
