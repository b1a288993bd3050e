//! Automation: what the collector sends to other systems. So far the signature every
//! outgoing webhook carries ([`signature`]), so receivers can reject forgeries and
//! replays, and the check of where a webhook may go ([`target`]).

pub mod signature;
pub mod target;
