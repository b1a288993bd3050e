//! The configuration as revisions: every save is a stored revision (author, time,
//! message, the whole YAML document), a publish makes one live, a restore publishes a
//! copy of an earlier one. The served configuration follows the live revision:
//!
//! - [`document`]: checking a YAML document with the configuration's validator;
//! - [`history`]: saving, publishing and restoring revisions, and importing the
//!   configuration file given at start;
//! - [`follow`]: applying what any collector on the same database publishes;
//! - [`secrets`]: inline secrets hidden from everyone but owners;
//! - [`diff`]: what changed between two documents, line by line;
//! - [`cli`]: `kindling-collector config check | export | import`.

pub mod cli;
pub mod diff;
pub mod document;
pub mod follow;
pub mod history;
pub mod secrets;

pub use history::{Author, RevisionError};
