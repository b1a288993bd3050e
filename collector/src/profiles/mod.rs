//! Profiles: every visitor belongs to a person, anonymous until an email (from
//! `identify` or a form) makes it a lead; several visitors with the same email are one
//! person. This module is the pure part: how a person changes when events arrive
//! ([`engine`]), its history with blocks ([`exposures`]), its lifecycle [`stage`]s,
//! its [`traits`] and the site's
//! [`model`] (scoring, segments, stage policy). Storage backends load and save
//! persons around it, inside the same transaction as the events.

pub mod cache;
pub mod decay;
pub mod engine;
pub mod exposures;
pub mod model;
pub mod stage;
pub mod traits;

pub use engine::{Changes, Person};
pub use model::ProfileModel;
pub use stage::Stage;
