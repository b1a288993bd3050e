//! What the page's lead forms keep between events: the forms the collector sent, each
//! form drawn and the step it is at, and which were seen in this page view.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use kindling_core::wire::FormView;

/// Marks an element showing a lead form, its value the form's id: the site's
/// `<div data-kindling-lead-form="FORM_ID">`, or the overlay a form opens in.
pub const HOST_ATTRIBUTE: &str = "data-kindling-lead-form";

/// The page's lead forms.
#[derive(Default)]
pub struct Forms {
    /// The forms the collector sent for this page (shared, not copied: a copy of a
    /// form's fields costs wasm).
    pub views: Vec<Arc<FormView>>,
    /// Every form drawn on this page; a host's key is its index.
    pub drawn: Vec<Drawn>,
    /// Forms whose `form_view` is recorded in this page view.
    pub viewed: Vec<String>,
}

/// One drawn form and where the visitor is in it.
#[derive(Clone)]
pub struct Drawn {
    pub view: Arc<FormView>,
    /// The step shown, from 0.
    pub step: usize,
    /// When it was drawn (Unix ms).
    pub shown_ms: u64,
    /// The block and variant it was opened from.
    pub block: Option<String>,
    pub variant: Option<String>,
    /// The id of the submission being sent, kept for a retry after a failed send.
    pub submission: Option<String>,
    pub sending: bool,
}
