//! Automation: what the collector sends to other systems. So far the signature every
//! outgoing webhook carries ([`signature`]), so receivers can reject forgeries and
//! replays.

pub mod signature;
