//! The forms report page's figures: per form, the form report's counts
//! ([`report`](crate::forms::report)) and the drop-off per field, counted view by view.
//!
//! A view is one `form_view` and the visitor's form events after it until their next
//! view of that form: `form_start`, `form_field` and `form_abandon` name fields the
//! visitor reached, `form_abandon` the last one, `form_submit` that it was sent. A
//! field counts in a view only when the view showed it: the view's `fields` property
//! lists the fields drawn (progressive profiling leaves some out; a view without the
//! property, from an older widget, counts every field of the form), and a field of a
//! later step counts only once the visitor reached that step. Of the views that
//! showed a field, it was passed when the visitor reached a later field or sent the
//! form, and it is where they stopped when it was the last field reached of a view
//! abandoned; the drop-off is the share of the views showing it that stopped there.

use serde::Serialize;

use crate::forms::definition::Form;
use crate::forms::report::{FormReport, FormsReport};
use crate::sites::Site;
use crate::store::FormEventRow;

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

/// The page's figures from the form report and the range's form events.
pub fn sections(site: &Site, report: FormsReport, events: &[FormEventRow]) -> FormSections {
    let mut forms: Vec<FormSection> = report
        .forms
        .into_iter()
        .map(|counts| {
            let views = site
                .forms
                .iter()
                .find(|form| form.id == counts.form)
                .map(|form| (form, views_of(form, events)));
            let (fields, started_views) = match views {
                Some((form, views)) => {
                    (field_lines(form, &views), views.iter().filter(|v| v.started()).count())
                }
                None => (Vec::new(), 0),
            };
            FormSection {
                counts,
                started_views: started_views as u64,
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

/// What one view of a form showed and how far its visitor went.
#[derive(Debug, Default)]
struct View {
    /// The fields drawn; none when the view did not say.
    shown: Option<Vec<String>>,
    reached: Vec<String>,
    last_reached: Option<String>,
    sent: bool,
}

impl View {
    fn started(&self) -> bool {
        self.sent || !self.reached.is_empty()
    }

    fn shows(&self, field: &str) -> bool {
        self.shown.as_ref().is_none_or(|shown| shown.iter().any(|name| name == field))
    }
}

/// The views of `form` in `events` (grouped by visitor, in stored order). Events of a
/// visitor before their first view in the range belong to a view outside it.
fn views_of(form: &Form, events: &[FormEventRow]) -> Vec<View> {
    let mut views: Vec<View> = Vec::new();
    let mut open: Option<(&str, usize)> = None;
    for event in events.iter().filter(|event| event.form == form.id) {
        if event.kind == "form_view" {
            views.push(View { shown: shown_fields(event.props.as_deref()), ..View::default() });
            open = Some((event.visitor.as_str(), views.len() - 1));
            continue;
        }
        let Some((visitor, at)) = open else { continue };
        if visitor != event.visitor {
            open = None;
            continue;
        }
        let view = &mut views[at];
        let target = event.target.as_deref().filter(|target| !target.is_empty());
        match (event.kind.as_str(), target) {
            ("form_submit", _) => view.sent = true,
            ("form_abandon", field) => {
                view.last_reached = field.map(str::to_owned);
                view.reached.extend(field.map(str::to_owned));
            }
            (_, Some(field)) => view.reached.push(field.to_owned()),
            _ => {}
        }
    }
    views
}

/// The field names a `form_view`'s `fields` property lists (comma-separated).
fn shown_fields(props: Option<&str>) -> Option<Vec<String>> {
    let props: serde_json::Value = serde_json::from_str(props?).ok()?;
    let listed = props.get("fields")?.as_str()?;
    Some(listed.split(',').filter(|name| !name.is_empty()).map(str::to_owned).collect())
}

/// The drop-off of each of `form`'s fields over `views`.
fn field_lines(form: &Form, views: &[View]) -> Vec<FieldLine> {
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
    for view in views {
        let furthest = view.reached.iter().filter_map(|name| position(name)).max();
        let furthest_step = furthest.map_or(0, |at| order[at].0);
        let stopped_at = if view.sent { None } else { view.last_reached.as_deref() };
        for (at, line) in lines.iter_mut().enumerate() {
            let on_reached_step = view.sent || order[at].0 <= furthest_step;
            if !view.shows(&line.field) || !on_reached_step {
                continue;
            }
            line.shown += 1;
            if stopped_at == Some(line.field.as_str()) {
                line.stopped += 1;
            } else if view.sent || furthest.is_some_and(|furthest| furthest > at) {
                line.passed += 1;
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

    fn row(visitor: &str, kind: &str, target: Option<&str>, props: Option<&str>) -> FormEventRow {
        FormEventRow {
            form: "demo".to_owned(),
            visitor: visitor.to_owned(),
            kind: kind.to_owned(),
            target: target.map(str::to_owned),
            props: props.map(str::to_owned),
        }
    }

    #[test]
    fn fields_count_only_in_the_views_that_showed_them() {
        let events = [
            // Before the range's first view of `a`: part of a view outside it.
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
        let lines = field_lines(&form(), &views_of(&form(), &events));
        let counts: Vec<(&str, usize, u64, u64, u64)> = lines
            .iter()
            .map(|line| (line.field.as_str(), line.step, line.shown, line.passed, line.stopped))
            .collect();
        assert_eq!(
            counts,
            [("email", 1, 3, 2, 1), ("phone", 2, 2, 1, 1), ("role", 2, 1, 1, 0)],
            "hidden fields are not listed"
        );
        assert_eq!(biggest(&lines).as_deref(), Some("phone"), "1 of 2 beats 1 of 3");
    }
}
