//! The widget's state for this page: who is tracked, under which consent, the events
//! waiting to be sent, the overlays waiting to be shown and the lead forms drawn. One
//! instance per page, reached through [`with`].

use alloc::string::String;
use alloc::vec::Vec;

use kindling_core::privacy::{Choice, ConsentMode, Signals, may_track};
use kindling_core::session::Session;
use kindling_core::wire::ClientEvent;

use crate::blocks::page_view::Blocks;
use crate::browser;
use crate::forms::page_forms::Forms;

/// Everything the widget keeps between events.
pub struct Widget {
    pub site: String,
    pub api: String,
    pub consent_mode: ConsentMode,
    pub choice: Choice,
    pub signals: Signals,
    /// The anonymous visitor id, once tracking is allowed.
    pub visitor: Option<String>,
    pub session: Option<Session>,
    /// Events recorded and not yet acknowledged by the collector, oldest first.
    pub queue: Vec<ClientEvent>,
    /// Events dropped from a full queue and not yet reported.
    pub dropped: u32,
    /// The automatic trackers are installed (once per page).
    pub installed: bool,
    pub flush_scheduled: bool,
    pub in_flight: bool,
    pub failures: u32,
    /// The URL of the last pageview (for single-page apps).
    pub page_url: String,
    /// Scroll milestones already reached on this page (bits for 25/50/75/100 %).
    pub scroll_marks: u8,
    pub engaged_ms: u64,
    pub last_activity_ms: u64,
    /// Tracked forms started on this page and not sent: (form, last field reached).
    pub forms_started: Vec<(String, Option<String>)>,
    /// The page's overlays and their triggers' signals.
    pub blocks: Blocks,
    /// The page's lead forms.
    pub forms: Forms,
}

impl Widget {
    pub fn new(site: String, api: String, consent_mode: ConsentMode, signals: Signals) -> Self {
        Widget {
            site,
            api,
            consent_mode,
            choice: Choice::NotAsked,
            signals,
            visitor: None,
            session: None,
            queue: Vec::new(),
            dropped: 0,
            installed: false,
            flush_scheduled: false,
            in_flight: false,
            failures: 0,
            page_url: String::new(),
            scroll_marks: 0,
            engaged_ms: 0,
            last_activity_ms: 0,
            forms_started: Vec::new(),
            blocks: Blocks::new(browser::now()),
            forms: Forms::default(),
        }
    }

    /// True when events may be recorded, stored and sent.
    pub fn tracking(&self) -> bool {
        may_track(self.consent_mode, self.choice, self.signals)
    }
}

/// The page's one widget. The browser runs the widget on one thread, so the lock is
/// never contended; `try_lock` turns an accidental re-entry into a no-op instead of a
/// deadlock.
static WIDGET: spin::Mutex<Option<Widget>> = spin::Mutex::new(None);

/// Installs the page's widget state.
pub fn install(widget: Widget) {
    if let Some(mut slot) = WIDGET.try_lock() {
        *slot = Some(widget);
    }
}

/// Runs `f` on the widget state, if installed and not already in use. Never call back
/// into the widget from inside `f`.
pub fn with<R>(f: impl FnOnce(&mut Widget) -> R) -> Option<R> {
    WIDGET.try_lock()?.as_mut().map(f)
}
