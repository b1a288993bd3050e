//! The rows of the scoring editor ([`scoring`](super::scoring)): a behaviour rule and a
//! fit rule as their fields hold them, each with its document value in `kept` so that
//! writing it back changes only the keys the editor shows.

use serde_yaml_ng::{Mapping, Value};

use crate::editing::fields::{Fields, Problems};
use crate::editing::rule::RuleRows;

/// The caps a behaviour rule may have: the form's value and label (`""`: none).
pub const CAP_KINDS: [(&str, &str); 3] =
    [("", "No limit"), ("per_day", "Times per day"), ("ever", "Times ever")];

/// A behaviour rule: points for events that match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BehaviourForm {
    pub id: String,
    pub points: String,
    /// The event kind's wire name; empty for every kind.
    pub kind: String,
    pub name: String,
    pub path: String,
    pub url: String,
    /// One of [`CAP_KINDS`].
    pub cap: String,
    pub cap_count: String,
    /// The rule as the document held it, as JSON; empty for a new rule.
    pub kept: String,
}

/// A fit rule: points while a rule holds on the profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FitForm {
    pub id: String,
    pub points: String,
    pub rule: RuleRows,
    /// The rule as the document held it, as JSON; empty for a new rule.
    pub kept: String,
}

impl BehaviourForm {
    /// A new rule, the `n`th.
    pub fn new(n: usize) -> BehaviourForm {
        BehaviourForm {
            id: format!("rule_{n}"),
            points: "10".to_owned(),
            kind: "pageview".to_owned(),
            ..BehaviourForm::default()
        }
    }

    /// The form of a rule as a document holds it.
    pub fn of(rule: &Value) -> BehaviourForm {
        let at = |value: Option<&Value>| value.map(text_of).unwrap_or_default();
        let when = rule.get("when");
        let matcher = |key: &str| at(when.and_then(|when| when.get(key)));
        let cap = rule.get("cap");
        let (cap_kind, cap_count) = ["per_day", "ever"]
            .into_iter()
            .find_map(|kind| cap?.get(kind).map(|count| (kind.to_owned(), text_of(count))))
            .unwrap_or_default();
        BehaviourForm {
            id: at(rule.get("id")),
            points: at(rule.get("points")),
            kind: matcher("type"),
            name: matcher("name"),
            path: matcher("path"),
            url: matcher("url"),
            cap: cap_kind,
            cap_count,
            kept: serde_json::to_string(rule).unwrap_or_default(),
        }
    }

    /// Rule `index` as posted.
    pub fn from_fields(fields: &Fields, index: usize) -> BehaviourForm {
        let text = |key: &str| fields.text(&format!("rules[{index}].{key}")).unwrap_or_default();
        BehaviourForm {
            id: text("id"),
            points: text("points"),
            kind: text("type"),
            name: text("name"),
            path: text("path"),
            url: text("url"),
            cap: text("cap"),
            cap_count: text("cap_count"),
            kept: text("kept"),
        }
    }

    /// Rule `index`'s document value; `None` with its problems added when it cannot be
    /// written.
    pub fn to_value(&self, index: usize, problems: &mut Problems) -> Option<Value> {
        let field = |key: &str| format!("rules[{index}].{key}");
        let mut rule = kept(&self.kept);
        let points = whole(&self.points, &field("points"), problems);
        let mut when = rule.get("when").and_then(Value::as_mapping).cloned().unwrap_or_default();
        for (key, value) in
            [("type", &self.kind), ("name", &self.name), ("path", &self.path), ("url", &self.url)]
        {
            own(&mut when, key, (!value.is_empty()).then(|| Value::from(value.as_str())), None);
        }
        let cap = match self.cap.as_str() {
            "" => None,
            kind @ ("per_day" | "ever") => {
                let count = whole(&self.cap_count, &field("cap_count"), problems);
                if count.is_some_and(|count| count < 1) {
                    problems.add(field("cap_count"), "at least once");
                }
                count.map(|count| {
                    let mut cap = Mapping::new();
                    cap.insert(Value::from(kind), Value::from(count));
                    Value::Mapping(cap)
                })
            }
            _ => {
                problems.add(field("cap"), "choose a limit");
                None
            }
        };
        own(&mut rule, "id", Some(Value::from(self.id.as_str())), None);
        own(&mut rule, "points", Some(Value::from(points?)), None);
        own(&mut rule, "when", Some(Value::Mapping(when)), None);
        own(&mut rule, "cap", cap, None);
        Some(Value::Mapping(rule))
    }
}

impl FitForm {
    /// A new fit rule, the `n`th, with one empty condition.
    pub fn new(n: usize) -> FitForm {
        let mut rule = RuleRows::default();
        rule.add_condition(0);
        FitForm { id: format!("fit_{n}"), points: "10".to_owned(), rule, kept: String::new() }
    }

    /// The form of a fit rule as a document holds it.
    pub fn of(rule: &Value) -> FitForm {
        FitForm {
            id: rule.get("id").map(text_of).unwrap_or_default(),
            points: rule.get("points").map(text_of).unwrap_or_default(),
            rule: RuleRows::of(rule.get("rule")),
            kept: serde_json::to_string(rule).unwrap_or_default(),
        }
    }

    /// Fit rule `index` as posted.
    pub fn from_fields(fields: &Fields, index: usize) -> FitForm {
        let text = |key: &str| fields.text(&format!("fit[{index}].{key}")).unwrap_or_default();
        FitForm {
            id: text("id"),
            points: text("points"),
            rule: RuleRows::from_fields(fields, &format!("fit[{index}].rule")),
            kept: text("kept"),
        }
    }

    /// Fit rule `index`'s document value; `None` with its problems added when it cannot
    /// be written (an empty rule would pay everyone).
    pub fn to_value(&self, index: usize, problems: &mut Problems) -> Option<Value> {
        let mut fit = kept(&self.kept);
        let points = whole(&self.points, &format!("fit[{index}].points"), problems);
        let rule = self.rule.to_value();
        if rule.is_none() {
            problems.add(format!("fit[{index}].rule"), "add a condition: a fit rule of everyone");
        }
        own(&mut fit, "id", Some(Value::from(self.id.as_str())), None);
        own(&mut fit, "points", Some(Value::from(points?)), None);
        own(&mut fit, "rule", Some(rule?), None);
        Some(Value::Mapping(fit))
    }
}

/// The map a row's `kept` field carries; empty when it is not one.
fn kept(text: &str) -> Mapping {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|value| value.as_mapping().cloned())
        .unwrap_or_default()
}

/// `text` as a whole number that fits the configuration (32 bits), or a problem at
/// `field`.
pub(crate) fn whole(text: &str, field: &str, problems: &mut Problems) -> Option<i64> {
    match text.trim().parse::<i32>() {
        Ok(number) => Some(i64::from(number)),
        Err(_) => {
            problems.add(field, "a whole number");
            None
        }
    }
}

/// Sets or removes `key` of `map`: `None` removes it; a value equal to `default` is only
/// written when `map` already has the key.
pub(crate) fn own(map: &mut Mapping, key: &str, value: Option<Value>, default: Option<Value>) {
    match value {
        None => {
            map.remove(key);
        }
        Some(value) if !map.contains_key(key) && Some(&value) == default.as_ref() => {}
        Some(value) => {
            map.insert(Value::from(key), value);
        }
    }
}

/// A scalar as its field shows it.
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        _ => String::new(),
    }
}
