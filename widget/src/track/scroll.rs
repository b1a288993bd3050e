//! Scroll depth: one `scroll` event per milestone (25, 50, 75, 100 %) per page, the
//! depth being how much of the page has been in view. The depth is handed on to the
//! overlays' scroll and exit-intent triggers.

use kindling_core::wire::EventKind;

use crate::blocks::triggers;
use crate::track::engagement;
use crate::track::record::{Details, record};
use crate::{browser, page, state};

const MILESTONES: [u8; 4] = [25, 50, 75, 100];

pub fn install() {
    if let Ok(window) = page::window() {
        browser::listen(&window, "scroll", |_| on_scroll());
    }
}

fn on_scroll() {
    engagement::active();
    let Some(depth) = depth_percent() else { return };
    for (bit, milestone) in MILESTONES.iter().enumerate() {
        if depth + 0.5 < f64::from(*milestone) {
            break;
        }
        let mark = 1u8 << bit;
        let first = state::with(|widget| {
            let first = widget.scroll_marks & mark == 0;
            widget.scroll_marks |= mark;
            first
        });
        if first == Some(true) {
            record(
                EventKind::Scroll,
                Details { value: Some(f64::from(*milestone)), ..Details::default() },
            );
        }
    }
    triggers::scrolled((depth + 0.5) as u8);
}

/// The share of the page's height seen so far, in percent.
fn depth_percent() -> Option<f64> {
    let window = page::window().ok()?;
    let root = page::document().ok()?.document_element()?;
    let height = f64::from(root.scroll_height());
    if height <= 0.0 {
        return None;
    }
    let seen = window.scroll_y().ok()? + window.inner_height().ok()?.as_f64()?;
    Some((seen / height * 100.0).min(100.0))
}
