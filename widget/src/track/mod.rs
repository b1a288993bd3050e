//! Behaviour tracking: every event goes through [`record`](record::record), which
//! drops it unless tracking is allowed, stamps it with ids, session, page and time, and
//! queues it. The automatic trackers live in the other submodules; each installs its
//! listeners once.

pub mod clicks;
pub mod engagement;
pub mod forms;
pub mod navigation;
pub mod record;
pub mod scroll;

pub use record::{Details, record};

/// Installs every automatic tracker (once per page).
pub fn install() {
    navigation::install();
    clicks::install();
    scroll::install();
    engagement::install();
    forms::install();
}
