//! The store's part of the forms report: the form events of a time range, one row
//! each ([`FormEventRow`]), read through [`FormReportReads`] (a part of every
//! [`Store`]). Grouping them into views and counting fields is the domain's business
//! ([`field_report`](crate::forms::field_report)).
//!
//! [`Store`]: crate::store::Store

use async_trait::async_trait;

use crate::store::error::StoreResult;

/// The event kinds the forms report reads, in the order a view goes through them.
pub const FORM_EVENT_KINDS: [&str; 5] =
    ["form_view", "form_start", "form_field", "form_abandon", "form_submit"];

/// One form event, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormEventRow {
    pub form: String,
    pub visitor: String,
    /// One of [`FORM_EVENT_KINDS`].
    pub kind: String,
    /// The field the event is about (the first one focused, completed, the last one
    /// reached), when it names one.
    pub target: Option<String>,
    /// The event's properties as a JSON object.
    pub props: Option<String>,
}

/// The reads of the forms report.
#[async_trait]
pub trait FormReportReads {
    /// The form events received in `[from_ms, until_ms)`, bot traffic left out,
    /// grouped by visitor and, within a visitor, in the order they were stored.
    async fn form_events(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<FormEventRow>>;
}
