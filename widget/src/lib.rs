//! Kindling's browser widget, compiled to `wasm32-unknown-unknown` and started by
//! `loader.js` (the script tag a site pastes), through [`entry`].
//!
//! On each page it creates or reads the anonymous visitor id ([`identity`]) and the
//! visit ([`session`]), asks the collector for this page's content with one
//! `POST /v1/boot`, shows each decided block ([`blocks`]: inline in its
//! `[data-kindling-slot]`, or as a modal, slide-in or bar when its trigger fires),
//! each inside a shadow root ([`render`]), draws, checks and sends the lead forms the
//! page embeds or a block opens ([`forms`]), and tracks what the visitor does
//! ([`track`]): pageviews (single-page apps included), CTA, outbound and download
//! clicks, scroll depth, engaged time, form interactions and what they do with the
//! blocks. Events are batched, retried and kept offline by [`transport::queue`]; an
//! answer may bring new decisions for the page. [`api`] is the `kindling(...)` command
//! API; consent and browser privacy signals decide whether anything is stored or sent
//! at all.
//!
//! It never throws into the host page: every failure ends in [`log`], which prints only
//! when debugging is on.
//!
//! The crate is `no_std`: built with the `standalone` feature (as `cargo xtask bundle`
//! does) it brings a small allocator and a panic handler that traps without
//! formatting, which keeps the standard library's formatting machinery out of the wasm.

#![no_std]

extern crate alloc;

pub mod api;
pub mod begin;
pub mod blocks;
pub mod browser;
pub mod codec;
#[cfg(not(feature = "forms-part"))]
mod entry;
pub mod forms;
#[cfg(feature = "split")]
pub mod forms_bridge;
pub mod identity;
pub mod lead_forms;
pub mod log;
pub mod page;
pub mod render;
pub mod session;
pub mod state;
pub mod storage;
pub mod track;
pub mod transport;

pub use crate::begin::{Options, boot, start_tracking};
#[cfg(not(feature = "forms-part"))]
pub use crate::entry::{command, start};

#[cfg(feature = "standalone")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// Nothing in the widget is meant to panic; if something does, trap at once instead of
/// formatting a message nobody reads. The trap ends only the widget's current call.
#[cfg(feature = "standalone")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
