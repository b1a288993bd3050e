//! The rule language's types: a [`Rule`] (all/any/not over conditions), a
//! [`Condition`] on one fact, its [`Op`], the [`Value`]s facts and operands take, where
//! facts come from ([`Facts`]), and how a rule is evaluated and validated.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::wire::PropValue;

/// A rule: a tree of all/any/not over conditions on named facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Rule {
    /// `{"all": [..]}`: every part holds (empty: true).
    All { all: Vec<Rule> },
    /// `{"any": [..]}`: at least one part holds (empty: false).
    Any { any: Vec<Rule> },
    /// `{"not": {..}}`: the part does not hold.
    Not { not: Box<Rule> },
    /// `{"fact": "visits", "op": "gte", "value": 3}`.
    Condition(Condition),
}

/// One test on one fact: `fact op value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub fact: String,
    pub op: Op,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub value: Value,
}

/// The comparison a condition makes; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    Matches,
    Exists,
    Missing,
}

/// A fact's value or a rule's operand.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(untagged)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Value>),
}

/// Where facts come from: a profile, a page, a test map.
pub trait Facts {
    /// The fact's current value; [`Value::Null`] when unknown.
    fn fact(&self, name: &str) -> Value;
}

/// A test map of facts.
impl Facts for BTreeMap<String, Value> {
    fn fact(&self, name: &str) -> Value {
        self.get(name).cloned().unwrap_or_default()
    }
}

/// Two sources layered: the first's value, or the second's where the first has none
/// (e.g. a profile's aggregates, then its traits).
impl<A: Facts, B: Facts> Facts for (A, B) {
    fn fact(&self, name: &str) -> Value {
        match self.0.fact(name) {
            Value::Null => self.1.fact(name),
            known => known,
        }
    }
}

/// Why a rule was refused by [`Rule::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// A condition reads a fact nobody provides (probably a typo).
    UnknownFact(String),
    /// A condition's value does not suit its operator (`gte` with text, `in` without a
    /// list, `exists` with a value, `eq` without one); carries the fact's name.
    BadValue { fact: String, op: Op },
}

impl RuleError {
    /// The name of the fact whose condition is at fault.
    pub fn fact(&self) -> &str {
        match self {
            RuleError::UnknownFact(fact) | RuleError::BadValue { fact, .. } => fact,
        }
    }

    /// A fixed, human-readable description (to be shown next to [`RuleError::fact`]).
    pub fn message(&self) -> &'static str {
        match self {
            RuleError::UnknownFact(_) => "unknown fact",
            RuleError::BadValue { .. } => "the value does not suit the operator",
        }
    }
}

impl Rule {
    /// Whether the rule holds for `facts`.
    pub fn evaluate(&self, facts: &impl Facts) -> bool {
        match self {
            Rule::All { all } => all.iter().all(|rule| rule.evaluate(facts)),
            Rule::Any { any } => any.iter().any(|rule| rule.evaluate(facts)),
            Rule::Not { not } => !not.evaluate(facts),
            Rule::Condition(condition) => condition.evaluate(facts),
        }
    }

    /// Every fact name the rule reads, once each, in the order they first appear; for
    /// validation and dependency tracking.
    pub fn facts(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.collect_facts(&mut names);
        names
    }

    fn collect_facts<'a>(&'a self, names: &mut Vec<&'a str>) {
        match self {
            Rule::All { all: parts } | Rule::Any { any: parts } => {
                for part in parts {
                    part.collect_facts(names);
                }
            }
            Rule::Not { not } => not.collect_facts(names),
            Rule::Condition(condition) => {
                if !names.contains(&condition.fact.as_str()) {
                    names.push(&condition.fact);
                }
            }
        }
    }

    /// Checks that every fact the rule reads is `known` and that every condition's
    /// value suits its operator; the first problem found is returned.
    ///
    /// A known name ending in `.` stands for a family: with `"trait."` known,
    /// `"trait.role"` is known (but `"trait."` alone is not).
    pub fn validate(&self, known: &[&str]) -> Result<(), RuleError> {
        match self {
            Rule::All { all: parts } | Rule::Any { any: parts } => {
                parts.iter().try_for_each(|part| part.validate(known))
            }
            Rule::Not { not } => not.validate(known),
            Rule::Condition(condition) => condition.validate(known),
        }
    }
}

impl Condition {
    /// Whether `fact op value` holds for `facts`.
    pub fn evaluate(&self, facts: &impl Facts) -> bool {
        self.op.holds(&facts.fact(&self.fact), &self.value)
    }

    fn validate(&self, known: &[&str]) -> Result<(), RuleError> {
        if !is_known_fact(&self.fact, known) {
            return Err(RuleError::UnknownFact(self.fact.clone()));
        }
        if !self.op.accepts(&self.value) {
            return Err(RuleError::BadValue { fact: self.fact.clone(), op: self.op });
        }
        Ok(())
    }
}

/// True when `name` is one of `known`, or belongs to a family in it (`"trait."`).
fn is_known_fact(name: &str, known: &[&str]) -> bool {
    known.iter().any(|&known| {
        if known.ends_with('.') {
            name.len() > known.len() && name.starts_with(known)
        } else {
            name == known
        }
    })
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text, when this is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The number, when this is a number.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(number) => Some(*number),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<f64> for Value {
    fn from(value: f64) -> Self {
        Value::Number(value)
    }
}

impl From<u32> for Value {
    fn from(value: u32) -> Self {
        Value::Number(f64::from(value))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(String::from(value))
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}

impl From<Vec<Value>> for Value {
    fn from(value: Vec<Value>) -> Self {
        Value::List(value)
    }
}

/// Event properties and traits as facts.
impl From<&PropValue> for Value {
    fn from(value: &PropValue) -> Self {
        match value {
            PropValue::Bool(flag) => Value::Bool(*flag),
            PropValue::Number(number) => Value::Number(*number),
            PropValue::Text(text) => Value::Text(text.clone()),
        }
    }
}
