//! The store's part of the forms report: the counts of a range of days, from the forms
//! rollup (`report_forms`, kept by the transactions that store form events) and the
//! submission, consent and spam tables, read through [`FormReportReads`] (a part of
//! every [`Store`]). What the rollup's rows mean is the domain's business
//! ([`views`](crate::forms::views)); [`FormCounts::add_rollup_row`] sorts them.
//!
//! [`Store`]: crate::store::Store

use async_trait::async_trait;

use crate::store::error::StoreResult;
use crate::store::records::FormCounts;

/// The reads of the forms report.
#[async_trait]
pub trait FormReportReads {
    /// The counts form reports are built from, for the days `[from, until)` since the
    /// Unix epoch (UTC), bot traffic left out.
    async fn form_counts(&self, site: &str, days: (i64, i64)) -> StoreResult<FormCounts>;
}

impl FormCounts {
    /// Adds a summed row of the forms rollup: `count` of `form`'s `measure` in `detail`.
    pub fn add_rollup_row(&mut self, form: String, measure: &str, detail: String, count: i64) {
        let count = u64::try_from(count).unwrap_or(0);
        if count == 0 {
            return;
        }
        match measure {
            "start" => self.events.push((form, "form_start".to_owned(), count)),
            "abandon" => self.abandoned_at.push((form, detail, count)),
            "outcome" => {
                match self.events.iter_mut().find(|(f, kind, _)| *f == form && kind == "form_view")
                {
                    Some(views) => views.2 += count,
                    None => self.events.push((form.clone(), "form_view".to_owned(), count)),
                }
                self.outcomes.push((form, detail, count));
            }
            "seconds" => {
                if let Ok(seconds) = detail.parse() {
                    self.durations.push((form, seconds, count));
                }
            }
            _ => {}
        }
    }
}
