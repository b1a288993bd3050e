//! What the blocks of the current page view keep between events: the overlays waiting
//! for their trigger, those already shown, and what triggers are checked against.

use alloc::string::String;
use alloc::vec::Vec;

use kindling_core::blocks::ExitIntent;
use kindling_core::wire::Decision;

/// The overlays of the current page view and what their triggers are checked against.
pub struct Blocks {
    /// Overlays waiting for their trigger, in the collector's order.
    pub pending: Vec<Decision>,
    /// Overlay blocks shown in this page view.
    pub shown: Vec<String>,
    /// When the page view began (Unix ms).
    pub started_ms: u64,
    /// The deepest scroll of this page view, in percent.
    pub scroll_percent: u8,
    pub exit_intent: ExitIntent,
    /// A clock re-checks time-based triggers.
    pub ticking: bool,
}

impl Blocks {
    pub fn new(now_ms: u64) -> Self {
        Blocks {
            pending: Vec::new(),
            shown: Vec::new(),
            started_ms: now_ms,
            scroll_percent: 0,
            exit_intent: ExitIntent::default(),
            ticking: false,
        }
    }

    /// A new page view (a single-page app's route change): the clock, the scroll depth
    /// and the once-per-page-view record start afresh; waiting overlays keep waiting.
    pub fn new_page_view(&mut self, now_ms: u64) {
        self.started_ms = now_ms;
        self.scroll_percent = 0;
        self.exit_intent = ExitIntent::default();
        self.shown.clear();
    }
}
