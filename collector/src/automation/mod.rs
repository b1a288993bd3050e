//! Automation: what the collector sends to other systems. The signature every outgoing
//! webhook carries ([`signature`]), so receivers can reject forgeries and replays; the
//! check of where a webhook may go ([`target`]); the persistent [`outbox`] messages
//! wait in and the [`dispatch`]er that delivers them; and the outbox's admin API
//! ([`admin`]).

pub mod admin;
pub mod dispatch;
pub mod outbox;
pub mod signature;
pub mod target;
