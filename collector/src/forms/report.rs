//! The form report (`GET /admin/api/reports/forms`): per form, views, starts, stored
//! submissions (repeats and spam excluded) and how many are confirmed, the conversion
//! rate (submissions per view), abandonment (abandons per start), drop-off per field
//! (where abandoning visitors stopped, in the form's field order), consents per field
//! and text version, and refused spam per reason. Spam is counted per UTC day, so its
//! counts cover the whole days the range touches.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::sites::Site;
use crate::store::FormCounts;

/// Every configured form's figures for a time range.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FormsReport {
    pub from_ms: i64,
    pub until_ms: i64,
    pub forms: Vec<FormReport>,
}

/// One form's figures.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct FormReport {
    pub form: String,
    pub name: String,
    pub views: u64,
    pub starts: u64,
    pub submissions: u64,
    pub confirmed: u64,
    /// Submissions per view; none without views.
    pub conversion_rate: Option<f64>,
    pub abandons: u64,
    /// Abandons per start; none without starts.
    pub abandonment_rate: Option<f64>,
    pub drop_off: Vec<FieldDropOff>,
    pub consents: Vec<ConsentCount>,
    /// Refused submissions by reason (`honeypot`, `too_fast`, `bot`, `rate_limited`,
    /// `disposable_email`).
    pub spam: BTreeMap<String, u64>,
}

/// How many abandoning visitors stopped at a field.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldDropOff {
    /// The last field reached; empty when none was.
    pub field: String,
    pub abandons: u64,
    /// Of all the form's abandons.
    pub share: f64,
}

/// Consents given with one text version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ConsentCount {
    pub field: String,
    pub version: String,
    pub given: u64,
    pub confirmed: u64,
}

/// The report of `site`'s forms from `counts`.
pub fn build(site: &Site, counts: &FormCounts, from_ms: i64, until_ms: i64) -> FormsReport {
    let forms = site
        .forms
        .iter()
        .map(|form| {
            let events = |kind: &str| {
                counts
                    .events
                    .iter()
                    .find(|(name, k, ..)| *name == form.id && k == kind)
                    .map_or(0, |(_, _, count)| *count)
            };
            let (submissions, confirmed) = counts
                .submissions
                .iter()
                .find(|(name, ..)| *name == form.id)
                .map_or((0, 0), |(_, stored, confirmed)| (*stored, *confirmed));
            let views = events("form_view");
            let starts = events("form_start");
            let abandoned_at: Vec<&(String, String, u64)> =
                counts.abandoned_at.iter().filter(|(name, ..)| *name == form.id).collect();
            let abandons = abandoned_at.iter().map(|(_, _, count)| count).sum();
            let mut drop_off: Vec<FieldDropOff> = abandoned_at
                .into_iter()
                .map(|(_, field, count)| FieldDropOff {
                    field: field.clone(),
                    abandons: *count,
                    share: ratio(*count, abandons).unwrap_or(0.0),
                })
                .collect();
            let position = |field: &str| {
                form.fields.iter().position(|f| f.name == field).unwrap_or(usize::MAX)
            };
            drop_off.sort_by_key(|line| position(&line.field));
            FormReport {
                form: form.id.clone(),
                name: form.name.clone(),
                views,
                starts,
                submissions,
                confirmed,
                conversion_rate: ratio(submissions, views),
                abandons,
                abandonment_rate: ratio(abandons, starts),
                drop_off,
                consents: counts
                    .consents
                    .iter()
                    .filter(|(name, ..)| *name == form.id)
                    .map(|(_, field, version, given, confirmed)| ConsentCount {
                        field: field.clone(),
                        version: version.clone(),
                        given: *given,
                        confirmed: *confirmed,
                    })
                    .collect(),
                spam: counts
                    .spam
                    .iter()
                    .filter(|(name, ..)| *name == form.id)
                    .map(|(_, reason, count)| (reason.clone(), *count))
                    .collect(),
            }
        })
        .collect();
    FormsReport { from_ms, until_ms, forms }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
