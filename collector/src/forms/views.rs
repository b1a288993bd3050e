//! Form views as the report rollups count them: each visitor's open views (one per
//! form), moved on by the visitor's form events in the order they are stored, and what
//! every change adds to the forms rollup ([`FormTally`]).
//!
//! A view is a `form_view` and the visitor's events of that form after it, until their
//! next view of it: `form_start`, `form_field` and `form_abandon` name fields reached,
//! the latest `form_abandon` where the visitor stopped, `form_submit` that the view was
//! sent. Its [`Outcome`] is counted on the day of the view; when an event moves it, the
//! old outcome is taken away and the new one added. A sent view is final and leaves
//! the open views, with its time to complete (from the first field reached, else from
//! the view, to the submission). Events before a visitor's first view of a form, and
//! after it was sent, count for no view.
//!
//! Beside the views, `form_start` events and `form_abandon` events (by the last field
//! reached) are counted on their own day. Replaying a visitor's events from no open
//! views gives the same counts, which is how an erasure takes them away.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::profiles::progress::DAY_MS;
use crate::store::records::FormRowKey;
use crate::store::{FormCount, StoredEvent};

/// How one view went: the rollup's `outcome` detail, as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The fields drawn, sorted; none when the view did not say (an older widget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown: Option<Vec<String>>,
    /// The fields reached, sorted, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reached: Vec<String>,
    /// The last field reached of the latest abandon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sent: bool,
}

impl Outcome {
    /// The rollup's detail of this outcome.
    pub fn detail(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The outcome a detail names; none when it is not one.
    pub fn parse(detail: &str) -> Option<Outcome> {
        serde_json::from_str(detail).ok()
    }

    /// Whether the visitor reached a field or sent the form.
    pub fn started(&self) -> bool {
        self.sent || !self.reached.is_empty()
    }

    /// Whether the view showed `field`.
    pub fn shows(&self, field: &str) -> bool {
        self.shown.as_ref().is_none_or(|shown| shown.iter().any(|name| name == field))
    }
}

/// One open view of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct OpenView {
    form: String,
    /// When it was shown, Unix milliseconds.
    at_ms: i64,
    /// When the visitor first reached a field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started_ms: Option<i64>,
    outcome: Outcome,
}

/// A visitor's open form views, kept beside the visitor as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OpenViews(Vec<OpenView>);

impl OpenViews {
    /// The views a stored value holds; none for no value or one that is not views.
    pub fn parse(stored: Option<&str>) -> OpenViews {
        stored.and_then(|text| serde_json::from_str(text).ok()).unwrap_or_default()
    }

    /// The value to store; none when no view is open.
    pub fn stored(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| serde_json::to_string(&self.0).unwrap_or_default())
    }

    /// Moves the views on by one of the visitor's events, counting with `sign` what it
    /// changes (1 as it is stored; -1 replaying what an erasure removes).
    pub fn observe(&mut self, site: &str, event: &StoredEvent, tally: &mut FormTally, sign: i64) {
        let Some(form) = event.name.as_deref().filter(|_| event.kind.starts_with("form_")) else {
            return;
        };
        let at_ms = event.received_ms;
        let target = event.target.as_deref().filter(|target| !target.is_empty());
        match event.kind.as_str() {
            "form_view" => {
                self.0.retain(|view| view.form != form);
                let outcome =
                    Outcome { shown: shown_fields(event.props.as_deref()), ..Outcome::default() };
                tally.add(site, at_ms, form, "outcome", outcome.detail(), sign);
                self.0.push(OpenView { form: form.to_owned(), at_ms, started_ms: None, outcome });
                return;
            }
            "form_start" => tally.add(site, at_ms, form, "start", String::new(), sign),
            "form_abandon" => {
                tally.add(site, at_ms, form, "abandon", target.unwrap_or("").to_owned(), sign);
            }
            "form_field" | "form_submit" => {}
            _ => return,
        }
        let Some(at) = self.0.iter().position(|view| view.form == form) else { return };
        let view = &mut self.0[at];
        let before = view.outcome.clone();
        if let Some(field) = target.filter(|_| event.kind != "form_submit") {
            if let Err(slot) =
                view.outcome.reached.binary_search_by(|name| name.as_str().cmp(field))
            {
                view.outcome.reached.insert(slot, field.to_owned());
            }
            view.started_ms.get_or_insert(at_ms);
        }
        match event.kind.as_str() {
            "form_abandon" => view.outcome.stopped = target.map(str::to_owned),
            "form_submit" => view.outcome.sent = true,
            _ => {}
        }
        if view.outcome == before {
            return;
        }
        let view_ms = view.at_ms;
        tally.add(site, view_ms, form, "outcome", before.detail(), -sign);
        tally.add(site, view_ms, form, "outcome", view.outcome.detail(), sign);
        if view.outcome.sent {
            let took_ms = at_ms - view.started_ms.unwrap_or(view_ms);
            tally.add(site, view_ms, form, "seconds", seconds_bucket(took_ms).to_string(), sign);
            self.0.remove(at);
        }
    }
}

/// A time to complete as the rollup keeps it, in seconds: to the second under a
/// minute, to the minute under an hour, to the hour above.
pub fn seconds_bucket(took_ms: i64) -> i64 {
    let seconds = took_ms.max(0) / 1000;
    match seconds {
        0..60 => seconds,
        60..3600 => seconds / 60 * 60,
        _ => seconds / 3600 * 3600,
    }
}

/// The field names a `form_view`'s `fields` property lists (comma-separated), sorted.
fn shown_fields(props: Option<&str>) -> Option<Vec<String>> {
    let props: serde_json::Value = serde_json::from_str(props?).ok()?;
    let listed = props.get("fields")?.as_str()?;
    let mut names: Vec<String> =
        listed.split(',').filter(|name| !name.is_empty()).map(str::to_owned).collect();
    names.sort();
    names.dedup();
    Some(names)
}

/// What a transaction adds to the forms rollup, summed per row.
#[derive(Debug, Default)]
pub struct FormTally {
    rows: BTreeMap<FormRowKey, i64>,
}

impl FormTally {
    fn add(
        &mut self,
        site: &str,
        at_ms: i64,
        form: &str,
        measure: &'static str,
        detail: String,
        count: i64,
    ) {
        let key = (site.to_owned(), at_ms.div_euclid(DAY_MS), form.to_owned(), measure, detail);
        *self.rows.entry(key).or_default() += count;
    }

    /// The rows to add to, in key order, none left at zero.
    pub fn into_counts(self) -> Vec<FormCount> {
        FormCount::rows(self.rows)
    }
}

/// What a visitor's `events` (oldest first) added to the forms rollup, replayed from
/// no open views, with `sign`.
pub fn replay(site: &str, events: &[&StoredEvent], tally: &mut FormTally, sign: i64) {
    let mut views = OpenViews::default();
    for event in events {
        views.observe(site, event, tally, sign);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, target: Option<&str>, props: Option<&str>, at_ms: i64) -> StoredEvent {
        StoredEvent {
            kind: kind.to_owned(),
            name: Some("demo".to_owned()),
            target: target.map(str::to_owned),
            props: props.map(str::to_owned),
            received_ms: at_ms,
            ..StoredEvent::default()
        }
    }

    #[test]
    fn counting_a_view_event_by_event_leaves_only_its_last_outcome() {
        let events = [
            event("form_view", None, Some(r#"{"fields":"phone,email"}"#), 1_000),
            event("form_start", Some("email"), None, 5_000),
            event("form_abandon", Some("email"), None, 9_000),
            event("form_field", Some("phone"), None, 20_000),
            event("form_submit", None, None, 65_000),
            event("form_abandon", Some("phone"), None, 70_000),
        ];
        let mut views = OpenViews::default();
        let mut tally = FormTally::default();
        for event in &events {
            views.observe("s", event, &mut tally, 1);
        }
        assert_eq!(views.stored(), None, "a sent view is closed");
        let counts = tally.into_counts();
        let outcome = Outcome {
            shown: Some(vec!["email".to_owned(), "phone".to_owned()]),
            reached: vec!["email".to_owned(), "phone".to_owned()],
            stopped: Some("email".to_owned()),
            sent: true,
        };
        let lines: Vec<(&str, &str, i64)> =
            counts.iter().map(|c| (c.measure, c.detail.as_str(), c.count)).collect();
        assert_eq!(
            lines,
            [
                ("abandon", "email", 1),
                ("abandon", "phone", 1),
                ("outcome", outcome.detail().as_str(), 1),
                ("seconds", "60", 1),
                ("start", "", 1),
            ]
        );
    }

    #[test]
    fn a_new_view_closes_the_open_one_and_stored_views_go_on_where_they_were() {
        let events = [
            event("form_abandon", Some("email"), None, 500),
            event("form_view", None, None, 1_000),
            event("form_abandon", Some("email"), None, 2_000),
            event("form_view", None, None, DAY_MS + 1),
            event("form_start", Some("email"), None, DAY_MS + 2),
        ];
        let mut at_once = FormTally::default();
        replay("s", &events.iter().collect::<Vec<_>>(), &mut at_once, 1);
        let mut in_two = FormTally::default();
        let mut views = OpenViews::default();
        for event in &events[..3] {
            views.observe("s", event, &mut in_two, 1);
        }
        let mut views = OpenViews::parse(views.stored().as_deref());
        for event in &events[3..] {
            views.observe("s", event, &mut in_two, 1);
        }
        let counts = at_once.into_counts();
        assert_eq!(counts, in_two.into_counts());
        let lines: Vec<(i64, &str, &str, i64)> =
            counts.iter().map(|c| (c.day, c.measure, c.detail.as_str(), c.count)).collect();
        assert_eq!(
            lines,
            [
                (0, "abandon", "email", 2),
                (0, "outcome", r#"{"reached":["email"],"stopped":"email"}"#, 1),
                (1, "outcome", r#"{"reached":["email"]}"#, 1),
                (1, "start", "", 1),
            ],
            "the abandon before any view counts as an event only"
        );
    }

    #[test]
    fn times_to_complete_lose_precision_as_they_grow() {
        assert_eq!(seconds_bucket(59_999), 59);
        assert_eq!(seconds_bucket(119_000), 60);
        assert_eq!(seconds_bucket(7_300_000), 7_200);
        assert_eq!(seconds_bucket(-5), 0);
    }
}
