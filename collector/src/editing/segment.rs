//! A segment as its editor's form holds it: `id`, `name` and the rule's builder rows
//! under `rule` ([`RuleRows`]).

use serde_yaml_ng::{Mapping, Value};

use crate::editing::fields::{Fields, Problems};
use crate::editing::rule::{Node, RuleRows};

/// The segment editor's form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentForm {
    pub id: String,
    pub name: String,
    pub rule: RuleRows,
}

impl SegmentForm {
    /// The form of a segment as a document holds it.
    pub fn of(segment: &Value) -> SegmentForm {
        let text =
            |key: &str| segment.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        SegmentForm { id: text("id"), name: text("name"), rule: RuleRows::of(segment.get("rule")) }
    }

    /// The form as posted.
    pub fn from_fields(fields: &Fields) -> SegmentForm {
        SegmentForm {
            id: fields.text("id").unwrap_or_default(),
            name: fields.text("name").unwrap_or_default(),
            rule: RuleRows::from_fields(fields, "rule"),
        }
    }

    /// The segment's document value; an empty rule cannot be written (a segment of
    /// everyone is no segment).
    pub fn to_value(&self) -> Result<Value, Problems> {
        let mut problems = Problems::default();
        let conditions =
            self.rule.rows.iter().filter(|row| matches!(row.node, Node::Condition { .. }));
        let Some(rule) = self.rule.to_value().filter(|_| conditions.count() > 0) else {
            problems.add("rule", "add a condition: a segment of everyone is no segment");
            return Err(problems);
        };
        let mut segment = Mapping::new();
        segment.insert(Value::from("id"), Value::from(self.id.as_str()));
        if !self.name.is_empty() {
            segment.insert(Value::from("name"), Value::from(self.name.as_str()));
        }
        segment.insert(Value::from("rule"), rule);
        Ok(Value::Mapping(segment))
    }

    /// Applies a builder button (`rule-add-condition:0`, `rule-add-group:0`,
    /// `rule-remove:2`); an unknown action changes nothing.
    pub fn apply(&mut self, action: &str) {
        let (name, row) = action.split_once(':').unwrap_or((action, ""));
        let Ok(row) = row.parse::<usize>() else { return };
        match name {
            "rule-add-condition" => self.rule.add_condition(row),
            "rule-add-group" => self.rule.add_group(row),
            "rule-remove" => self.rule.remove(row),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_comes_back_as_written_and_needs_a_rule() {
        let segment: Value = serde_yaml_ng::from_str(
            "{id: pricing_interest, name: Interested in pricing, rule: {any: [{fact: pages, op: matches, value: '/pricing*'}, {fact: score, op: gte, value: 40}]}}",
        )
        .expect("yaml");
        assert_eq!(SegmentForm::of(&segment).to_value().expect("writable"), segment);
        let mut empty = SegmentForm { id: "x".into(), ..SegmentForm::default() };
        assert!(empty.to_value().expect_err("no rule").at("rule").is_some());
        empty.apply("rule-add-condition:0");
        assert_eq!(empty.rule.rows.len(), 2);
    }
}
