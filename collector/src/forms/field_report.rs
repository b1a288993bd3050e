//! The forms report page's figures: per form, the form report's counts
//! ([`report`](crate::forms::report)), the drop-off per field and the median time to
//! complete, from the views the rollup counted ([`views`](crate::forms::views)).
//!
//! A field counts in a view only when the view showed it: the view's `fields` property
//! lists the fields drawn (progressive profiling leaves some out; a view without the
//! property, from an older widget, counts every field of the form), and a field of a
//! later step counts only once the visitor reached that step. Of the views that
//! showed a field, it was passed when the visitor reached a later field or sent the
//! form, and it is where they stopped when it was the last field reached of a view
//! abandoned; the drop-off is the share of the views showing it that stopped there.
//! The fields' order is the form's as configured now.

use serde::Serialize;

use crate::forms::definition::Form;
use crate::forms::report::{FormReport, FormsReport};
use crate::forms::views::Outcome;
use crate::sites::Site;
use crate::store::FormCounts;

/// Every configured form's figures, the busiest (most views) first.
#[derive(Debug, Clone, Serialize)]
pub struct FormSections {
    pub from_ms: i64,
    pub until_ms: i64,
    pub forms: Vec<FormSection>,
}

/// One form's figures.
#[derive(Debug, Clone, Serialize)]
pub struct FormSection {
    #[serde(flatten)]
    pub counts: FormReport,
    /// Views in which the visitor reached a field or sent the form.
    pub started_views: u64,
    /// The median time to complete of the views sent, in seconds (to the second under
    /// a minute, to the minute under an hour); none without one.
    pub median_seconds: Option<i64>,
    /// The fields in the form's order (step by step), hidden fields left out.
    pub fields: Vec<FieldLine>,
    /// The field with the highest drop-off (the earliest of equals); none when no
    /// visitor stopped at a field.
    pub biggest_drop_off: Option<String>,
}

/// How the views that showed one field went on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldLine {
    pub field: String,
    pub label: String,
    /// The step the field is on, from 1.
    pub step: usize,
    /// Views that showed the field.
    pub shown: u64,
    /// Of those, views whose visitor reached a later field or sent the form.
    pub passed: u64,
    /// Of those, abandoned views whose last field reached was this one.
    pub stopped: u64,
    /// `stopped` per `shown`; none without views showing it.
    pub drop_off: Option<f64>,
}

/// The page's figures from the form report and the counts it was built from.
pub fn sections(site: &Site, report: FormsReport, counts: &FormCounts) -> FormSections {
    let mut forms: Vec<FormSection> = report
        .forms
        .into_iter()
        .map(|report| {
            let views = views_of(&report.form, counts);
            let form = site.forms.iter().find(|form| form.id == report.form);
            let fields = form.map(|form| field_lines(form, &views)).unwrap_or_default();
            let started_views = views.iter().filter(|(v, _)| v.started()).map(|(_, n)| n).sum();
            FormSection {
                median_seconds: median_seconds(&report.form, counts),
                counts: report,
                started_views,
                biggest_drop_off: biggest(&fields),
                fields,
            }
        })
        .collect();
    forms.sort_by(|a, b| {
        b.counts.views.cmp(&a.counts.views).then(a.counts.name.cmp(&b.counts.name))
    });
    FormSections { from_ms: report.from_ms, until_ms: report.until_ms, forms }
}

/// The views of `form`, by outcome, with how many went that way.
fn views_of(form: &str, counts: &FormCounts) -> Vec<(Outcome, u64)> {
    counts
        .outcomes
        .iter()
        .filter(|(name, ..)| name == form)
        .filter_map(|(_, detail, views)| Some((Outcome::parse(detail)?, *views)))
        .collect()
}

/// The median of `form`'s times to complete.
fn median_seconds(form: &str, counts: &FormCounts) -> Option<i64> {
    let mut times: Vec<(i64, u64)> = counts
        .durations
        .iter()
        .filter(|(name, ..)| name == form)
        .map(|(_, seconds, views)| (*seconds, *views))
        .collect();
    times.sort_unstable();
    let total: u64 = times.iter().map(|(_, views)| views).sum();
    let mut below = 0;
    for (seconds, views) in times {
        below += views;
        if below * 2 >= total {
            return Some(seconds);
        }
    }
    None
}

/// The drop-off of each of `form`'s fields over `views`.
fn field_lines(form: &Form, views: &[(Outcome, u64)]) -> Vec<FieldLine> {
    let order: Vec<(usize, &str)> = form
        .steps
        .iter()
        .enumerate()
        .flat_map(|(step, names)| names.iter().map(move |name| (step, name.as_str())))
        .collect();
    let position = |name: &str| order.iter().position(|(_, field)| *field == name);
    let mut lines: Vec<FieldLine> = order
        .iter()
        .map(|(step, name)| FieldLine {
            field: (*name).to_owned(),
            label: form.field(name).map(|field| field.label.clone()).unwrap_or_default(),
            step: step + 1,
            shown: 0,
            passed: 0,
            stopped: 0,
            drop_off: None,
        })
        .collect();
    for (view, count) in views {
        let furthest = view.reached.iter().filter_map(|name| position(name)).max();
        let furthest_step = furthest.map_or(0, |at| order[at].0);
        let stopped_at = if view.sent { None } else { view.stopped.as_deref() };
        for (at, line) in lines.iter_mut().enumerate() {
            let on_reached_step = view.sent || order[at].0 <= furthest_step;
            if !view.shows(&line.field) || !on_reached_step {
                continue;
            }
            line.shown += count;
            if stopped_at == Some(line.field.as_str()) {
                line.stopped += count;
            } else if view.sent || furthest.is_some_and(|furthest| furthest > at) {
                line.passed += count;
            }
        }
    }
    for line in &mut lines {
        line.drop_off = (line.shown > 0).then(|| line.stopped as f64 / line.shown as f64);
    }
    lines
}

/// The field with the highest drop-off among those someone stopped at.
fn biggest(lines: &[FieldLine]) -> Option<String> {
    let mut best: Option<&FieldLine> = None;
    for line in lines.iter().filter(|line| line.stopped > 0) {
        if best.is_none_or(|best| line.drop_off > best.drop_off) {
            best = Some(line);
        }
    }
    best.map(|line| line.field.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;
    use crate::forms::views::{FormTally, replay};
    use crate::store::StoredEvent;

    fn form() -> Form {
        let yaml = "sites:
  - key: pk_t
    name: T
    origins: ['*']
    forms:
      - id: demo
        fields:
          - { name: email, kind: email, label: Email }
          - { name: phone, label: Phone }
          - { name: role, label: Role }
          - { name: campaign, kind: hidden, source: utm_campaign }
        steps: [ [email], [phone, role] ]
        progressive: { ask_at_most: 1, queue: [phone, role] }
";
        let catalog = ConfigFile::from_yaml(yaml).expect("parses").compile().expect("compiles");
        catalog.site("pk_t").expect("site").forms[0].clone()
    }

    fn row(visitor: &str, kind: &str, target: Option<&str>, props: Option<&str>) -> StoredEvent {
        StoredEvent {
            name: Some("demo".to_owned()),
            visitor: visitor.to_owned(),
            kind: kind.to_owned(),
            target: target.map(str::to_owned),
            props: props.map(str::to_owned),
            ..StoredEvent::default()
        }
    }

    /// The counts of the rollup after `events`, visitor by visitor.
    fn counted(events: &[StoredEvent]) -> FormCounts {
        let mut tally = FormTally::default();
        for visitor in ["a", "b", "c"] {
            let theirs: Vec<&StoredEvent> =
                events.iter().filter(|e| e.visitor == visitor).collect();
            replay("pk_t", &theirs, &mut tally, 1);
        }
        let mut counts = FormCounts::default();
        for row in tally.into_counts() {
            counts.add_rollup_row(row.form, row.measure, row.detail, row.count);
        }
        counts
    }

    #[test]
    fn fields_count_only_in_the_views_that_showed_them() {
        let events = [
            // Before `a`'s first view: part of no view.
            row("a", "form_abandon", Some("email"), None),
            row("a", "form_view", None, Some(r#"{"fields":"email,phone,campaign,"}"#)),
            row("a", "form_start", Some("email"), None),
            row("a", "form_abandon", Some("phone"), None),
            // An older widget: no `fields`, every field counts once step 2 is reached.
            row("b", "form_view", None, None),
            row("b", "form_start", Some("email"), None),
            row("b", "form_submit", None, None),
            // Never reached step 2.
            row("c", "form_view", None, Some(r#"{"fields":"email,role"}"#)),
            row("c", "form_abandon", Some("email"), None),
        ];
        let counts = counted(&events);
        let lines = field_lines(&form(), &views_of("demo", &counts));
        let figures: Vec<(&str, usize, u64, u64, u64)> = lines
            .iter()
            .map(|line| (line.field.as_str(), line.step, line.shown, line.passed, line.stopped))
            .collect();
        assert_eq!(
            figures,
            [("email", 1, 3, 2, 1), ("phone", 2, 2, 1, 1), ("role", 2, 1, 1, 0)],
            "hidden fields are not listed"
        );
        assert_eq!(biggest(&lines).as_deref(), Some("phone"), "1 of 2 beats 1 of 3");
        assert_eq!(median_seconds("demo", &counts), Some(0));
    }

    #[test]
    fn the_median_time_is_the_middle_view_sent() {
        let counts = FormCounts {
            durations: vec![
                ("demo".to_owned(), 40, 2),
                ("demo".to_owned(), 12, 1),
                ("demo".to_owned(), 600, 1),
                ("other".to_owned(), 1, 9),
            ],
            ..FormCounts::default()
        };
        assert_eq!(median_seconds("demo", &counts), Some(40));
        assert_eq!(median_seconds("none", &counts), None);
    }
}
