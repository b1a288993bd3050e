//! Automation: nurturing workflows and what the collector sends to other systems.
//!
//! - Workflows: their definitions ([`workflow`]), what starts them ([`enroll`]), taking
//!   their steps ([`steps`]) and the task
//!   that does it when due ([`runner`]); the bodies they send ([`handoff`]); their
//!   results ([`report`]).
//! - Delivery: the signature every outgoing webhook carries ([`signature`]), so
//!   receivers can reject forgeries and replays; the check of where a webhook may go
//!   ([`target`]); the persistent [`outbox`] messages wait in and the [`dispatch`]er
//!   that delivers them (the outbox's admin API is in [`admin::outbox`](crate::admin::outbox));
//!   how deliveries went and the speed to lead ([`deliveries`]).

pub mod deliveries;
pub mod dispatch;
pub mod enroll;
pub mod handoff;
pub mod outbox;
pub mod report;
pub mod runner;
pub mod signature;
pub mod steps;
pub mod target;
pub mod workflow;
