//! Profiles: every visitor belongs to a person, anonymous until an email (from
//! `identify` or a form) makes it a lead; several visitors with the same email are one
//! person. The pure part: how a person changes when events arrive ([`engine`]), its
//! history with blocks ([`exposures`]), its place in workflows ([`journeys`]), its
//! lifecycle [`stage`]s, its [`traits`] and the site's [`model`] (scoring, segments,
//! stage policy). Beside it: the person as the store keeps it ([`document`]), the
//! state answers carry ([`state`]), the admin's views of profiles ([`view`], [`leads`])
//! and the boot [`cache`].

pub mod cache;
pub mod document;
pub mod engine;
pub mod exposures;
pub mod facts;
pub mod journeys;
pub mod leads;
pub mod model;
pub mod progress;
pub mod stage;
pub mod state;
pub mod tally;
pub mod traits;
pub mod verification;
pub mod view;

pub use engine::{Changes, Person};
pub use model::ProfileModel;
pub use stage::Stage;
