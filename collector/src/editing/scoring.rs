//! A site's `scoring` and `stages` sections as the scoring editor's form holds them:
//! thresholds, decay, behaviour rules, fit rules (each rule as builder rows, [`RuleRows`])
//! and the stage policy, every value as the text of its field.
//!
//! Writing the form back overwrites only the keys the editor owns, on top of what the
//! document holds: a matcher's `props` and anything else the editor does not show are
//! kept (each rule row carries its document value in its `kept` field), and a key left
//! at its default is only written when the document wrote it.
//!
//! Field names: `thresholds.warm|hot`, `decay.after_days|points|floor`, per behaviour rule
//! `rules[i].id|points|type|name|path|url|cap|cap_count|kept`, per fit rule
//! `fit[i].id|points|kept` with the builder's rows under `fit[i].rule`, the fit rule
//! whose builder is open in `fit_open`, and `stages.mql_score|sql_score` with the ticked
//! SQL forms in `stages.sql_forms[k]` (`stages.choices` of them offered).

use serde_yaml_ng::{Mapping, Value};

use crate::editing::fields::{Fields, Problems};
use crate::editing::rule::RuleRows;
use crate::editing::scoring_rows::{BehaviourForm, FitForm, own, text_of, whole};

pub use crate::editing::scoring_rows::CAP_KINDS;

/// Behaviour rules the editor takes.
pub const MAX_RULES: usize = 200;
/// Fit rules the editor takes.
pub const MAX_FIT: usize = 50;
/// SQL forms offered.
pub const MAX_CHOICES: usize = 200;

/// The scoring editor's form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoringForm {
    pub warm: String,
    pub hot: String,
    pub decay_after_days: String,
    pub decay_points: String,
    pub decay_floor: String,
    pub rules: Vec<BehaviourForm>,
    pub fit: Vec<FitForm>,
    /// The fit rule whose builder is shown (the others are carried as hidden rows).
    pub fit_open: usize,
    pub mql_score: String,
    pub sql_score: String,
    pub sql_forms: Vec<String>,
}

impl ScoringForm {
    /// The form of the `scoring` and `stages` sections as a document holds them (each
    /// `None` when not written: the defaults).
    pub fn of(scoring: Option<&Value>, stages: Option<&Value>) -> ScoringForm {
        let at = |value: Option<&Value>, path: &[&str], default: &str| {
            value
                .and_then(|value| path.iter().try_fold(value, |value, key| value.get(key)))
                .map_or(default.to_owned(), text_of)
        };
        let list = |key: &str| scoring.and_then(|s| s.get(key)).and_then(Value::as_sequence);
        let sql_forms = match stages.and_then(|s| s.get("sql_forms")) {
            Some(forms) => forms.as_sequence().into_iter().flatten().map(text_of).collect(),
            None => vec!["demo-request".to_owned()],
        };
        ScoringForm {
            warm: at(scoring, &["thresholds", "warm"], "30"),
            hot: at(scoring, &["thresholds", "hot"], "70"),
            decay_after_days: at(scoring, &["decay", "after_days"], ""),
            decay_points: at(scoring, &["decay", "points"], ""),
            decay_floor: at(scoring, &["decay", "floor"], ""),
            rules: list("rules").into_iter().flatten().map(BehaviourForm::of).collect(),
            fit: list("fit").into_iter().flatten().map(FitForm::of).collect(),
            fit_open: 0,
            mql_score: at(stages, &["mql_score"], "50"),
            sql_score: at(stages, &["sql_score"], "90"),
            sql_forms,
        }
    }

    /// The form as posted.
    pub fn from_fields(fields: &Fields) -> ScoringForm {
        let text = |name: &str| fields.text(name).unwrap_or_default();
        let choices = fields.text("stages.choices").and_then(|n| n.parse().ok()).unwrap_or(0);
        let sql_forms = (0..usize::min(choices, MAX_CHOICES))
            .filter_map(|k| fields.text(&format!("stages.sql_forms[{k}]")))
            .collect();
        ScoringForm {
            warm: text("thresholds.warm"),
            hot: text("thresholds.hot"),
            decay_after_days: text("decay.after_days"),
            decay_points: text("decay.points"),
            decay_floor: text("decay.floor"),
            rules: (0..fields.count("rules", "id").min(MAX_RULES))
                .map(|index| BehaviourForm::from_fields(fields, index))
                .collect(),
            fit: (0..fields.count("fit", "id").min(MAX_FIT))
                .map(|index| FitForm::from_fields(fields, index))
                .collect(),
            fit_open: fields.text("fit_open").and_then(|n| n.parse().ok()).unwrap_or(0),
            mql_score: text("stages.mql_score"),
            sql_score: text("stages.sql_score"),
            sql_forms,
        }
    }

    /// The `scoring` section: `original` with the editor's keys set from the form.
    pub fn to_scoring(&self, original: Option<&Value>) -> Result<Option<Value>, Problems> {
        let mut problems = Problems::default();
        let mut section = original.and_then(Value::as_mapping).cloned().unwrap_or_default();
        let rules: Vec<Value> = self
            .rules
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| rule.to_value(index, &mut problems))
            .collect();
        let fit: Vec<Value> = self
            .fit
            .iter()
            .enumerate()
            .filter_map(|(index, rule)| rule.to_value(index, &mut problems))
            .collect();
        check_ids(self.rules.iter().map(|rule| rule.id.as_str()), "rules", &mut problems);
        check_ids(self.fit.iter().map(|rule| rule.id.as_str()), "fit", &mut problems);
        own(&mut section, "rules", Some(Value::Sequence(rules)), Some(Value::Sequence(vec![])));
        own(&mut section, "fit", Some(Value::Sequence(fit)), Some(Value::Sequence(vec![])));
        let decay = self.decay(section.get("decay"), &mut problems);
        own(&mut section, "decay", decay, None);
        let thresholds = self.thresholds(section.get("thresholds"), &mut problems);
        own(&mut section, "thresholds", Some(thresholds), Some(Value::Mapping(Mapping::new())));
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok((original.is_some() || !section.is_empty()).then_some(Value::Mapping(section)))
    }

    fn thresholds(&self, original: Option<&Value>, problems: &mut Problems) -> Value {
        let mut map = original.and_then(Value::as_mapping).cloned().unwrap_or_default();
        let warm = whole(&self.warm, "thresholds.warm", problems);
        let hot = whole(&self.hot, "thresholds.hot", problems);
        if let (Some(warm), Some(hot)) = (warm, hot)
            && hot < warm
        {
            problems.add("thresholds.hot", "hot must be at least warm");
        }
        own(&mut map, "warm", warm.map(Value::from), Some(Value::from(30)));
        own(&mut map, "hot", hot.map(Value::from), Some(Value::from(70)));
        Value::Mapping(map)
    }

    fn decay(&self, original: Option<&Value>, problems: &mut Problems) -> Option<Value> {
        let blank = [&self.decay_after_days, &self.decay_points, &self.decay_floor]
            .iter()
            .all(|text| text.is_empty());
        if blank {
            return None;
        }
        let mut map = original.and_then(Value::as_mapping).cloned().unwrap_or_default();
        let after = whole(&self.decay_after_days, "decay.after_days", problems);
        if after.is_some_and(|days| days < 1) {
            problems.add("decay.after_days", "at least one day");
        }
        let points = whole(&self.decay_points, "decay.points", problems);
        if points.is_some_and(|points| points >= 0) {
            problems.add("decay.points", "decay takes points: a negative number");
        }
        let floor = if self.decay_floor.is_empty() {
            Some(0)
        } else {
            whole(&self.decay_floor, "decay.floor", problems)
        };
        own(&mut map, "after_days", after.map(Value::from), None);
        own(&mut map, "points", points.map(Value::from), None);
        own(&mut map, "floor", floor.map(Value::from), Some(Value::from(0)));
        Some(Value::Mapping(map))
    }

    /// The `stages` section: `original` with the editor's keys set; a ticked form must be
    /// one of `known` (the site's forms and those the section already names).
    pub fn to_stages(
        &self,
        original: Option<&Value>,
        known: &[String],
    ) -> Result<Option<Value>, Problems> {
        let mut problems = Problems::default();
        let mut stages = original.and_then(Value::as_mapping).cloned().unwrap_or_default();
        let mql = whole(&self.mql_score, "stages.mql_score", &mut problems);
        let sql = whole(&self.sql_score, "stages.sql_score", &mut problems);
        if let Some(unknown) = self.sql_forms.iter().find(|form| !known.contains(form)) {
            problems.add("stages.sql_forms", format!("no form {unknown} on this site"));
        }
        own(&mut stages, "mql_score", mql.map(Value::from), Some(Value::from(50)));
        own(&mut stages, "sql_score", sql.map(Value::from), Some(Value::from(90)));
        let forms = self.sql_forms.iter().map(|form| Value::from(form.as_str())).collect();
        own(
            &mut stages,
            "sql_forms",
            Some(Value::Sequence(forms)),
            Some(Value::Sequence(vec![Value::from("demo-request")])),
        );
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok((original.is_some() || !stages.is_empty()).then_some(Value::Mapping(stages)))
    }

    /// Applies a button: `behaviour-add`, `behaviour-remove:i`, `behaviour-up:i`,
    /// `behaviour-down:i`, `fit-add`, `fit-remove:i`, `fit-edit:i`, and the open fit rule's
    /// builder buttons (`rule-add-condition:k`, `rule-add-group:k`, `rule-remove:k`); an
    /// unknown action changes nothing.
    pub fn apply(&mut self, action: &str) {
        let (name, at) = action.split_once(':').unwrap_or((action, ""));
        let at = at.parse::<usize>().ok();
        match (name, at) {
            ("behaviour-add", _) if self.rules.len() < MAX_RULES => {
                self.rules.push(BehaviourForm::new(self.rules.len() + 1));
            }
            ("behaviour-remove", Some(at)) if at < self.rules.len() => {
                self.rules.remove(at);
            }
            ("behaviour-up", Some(at)) if at > 0 && at < self.rules.len() => {
                self.rules.swap(at - 1, at);
            }
            ("behaviour-down", Some(at)) if at + 1 < self.rules.len() => {
                self.rules.swap(at, at + 1);
            }
            ("fit-add", _) if self.fit.len() < MAX_FIT => {
                self.fit.push(FitForm::new(self.fit.len() + 1));
                self.fit_open = self.fit.len() - 1;
            }
            ("fit-remove", Some(at)) if at < self.fit.len() => {
                self.fit.remove(at);
                self.fit_open = self.fit_open.min(self.fit.len().saturating_sub(1));
            }
            ("fit-edit", Some(at)) if at < self.fit.len() => self.fit_open = at,
            (builder, Some(row)) => {
                let Some(open) = self.fit.get_mut(self.fit_open) else { return };
                apply_builder(&mut open.rule, builder, row);
            }
            _ => {}
        }
    }
}

fn apply_builder(rows: &mut RuleRows, name: &str, row: usize) {
    match name {
        "rule-add-condition" => rows.add_condition(row),
        "rule-add-group" => rows.add_group(row),
        "rule-remove" => rows.remove(row),
        _ => {}
    }
}

/// Problems for a blank or repeated id in `list`.
fn check_ids<'a>(ids: impl Iterator<Item = &'a str>, list: &str, problems: &mut Problems) {
    let mut seen = Vec::new();
    for (index, id) in ids.enumerate() {
        let field = format!("{list}[{index}].id");
        if id.is_empty() {
            problems.add(field, "give the rule an id");
        } else if seen.contains(&id) {
            problems.add(field, "another rule has this id");
        }
        seen.push(id);
    }
}

/// The field a validator's path inside a site's `scoring` section names
/// (`.rules[2].when.name` → `rules[2].name`; `.fit[0].rule.any[1]` → `fit[0].rule`).
pub fn scoring_field(path: &str) -> String {
    let parts: Vec<&str> = path.trim_start_matches('.').split('.').collect();
    match parts.as_slice() {
        [item, "when", key, ..] if item.starts_with("rules[") && SHOWN.contains(key) => {
            format!("{item}.{key}")
        }
        [item, key, ..] if item.starts_with("rules[") && ["id", "points", "cap"].contains(key) => {
            format!("{item}.{key}")
        }
        [item, key, ..] if item.starts_with("fit[") && ["id", "points", "rule"].contains(key) => {
            format!("{item}.{key}")
        }
        [item, ..] if item.starts_with("rules[") || item.starts_with("fit[") => (*item).to_owned(),
        [section @ ("thresholds" | "decay"), key, ..] => format!("{section}.{key}"),
        _ => "scoring".to_owned(),
    }
}

/// The field a validator's path inside a site's `stages` section names.
pub fn stages_field(path: &str) -> String {
    let key = path.trim_start_matches('.').split(['.', '[']).next().unwrap_or_default();
    match key {
        "mql_score" | "sql_score" | "sql_forms" => format!("stages.{key}"),
        _ => "stages".to_owned(),
    }
}

/// The matcher keys the editor shows.
const SHOWN: [&str; 4] = ["type", "name", "path", "url"];

#[cfg(test)]
#[path = "scoring_tests.rs"]
mod tests;
