//! What happens to a person, each change computed by the domain and saved by the store
//! in one transaction with what caused it:
//!
//! - [`update`]: how a batch of new events changes its person (the profile engine,
//!   then the workflows it starts) — pure;
//! - [`group`]: the group commit of the event writer, storing every waiting request's
//!   events, visitors, persons and lead form submissions together;
//! - [`identify`]: a batch revealing an email, with identity merges; [`device`]: what
//!   the browser of a visitor that has not proved its identity is shown instead;
//! - [`erase`]: a person erased on request;
//! - [`stage`]: a stage set by hand; [`decay`]: the inactivity decay and its scheduler;
//! - [`traffic`]: the traffic the report rollups count, stored or erased;
//!   [`form_views`]: the form views they count.

pub mod decay;
pub mod device;
pub mod erase;
pub mod form_views;
pub mod group;
pub mod identify;
pub mod stage;
pub mod traffic;
pub mod update;
