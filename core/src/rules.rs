//! Rules: the targeting and segment language, a small tree of `all` / `any` / `not`
//! over conditions on named facts, written in JSON or YAML, and its evaluator.
//!
//! ```json
//! {"all": [{"fact": "visits", "op": "gte", "value": 3},
//!          {"not": {"fact": "first_touch.channel", "op": "in", "value": ["paid_search", "paid_social"]}},
//!          {"any": [{"fact": "pages", "op": "matches", "value": "/pricing*"},
//!                   {"fact": "trait.role", "op": "exists"}]}]}
//! ```
//!
//! The same rule decides in the widget (wasm) and in the collector, so this module
//! stays free of `core::fmt`: nothing here formats numbers or debug output.
//!
//! A rule is one of `{"all": [..]}` (true when every part holds; empty: true),
//! `{"any": [..]}` (true when one part holds; empty: false), `{"not": {..}}`, or a
//! condition `{"fact", "op", "value"}`. A map mixing these keys, or with any other
//! key, is refused when parsing.
//!
//! Facts come from a [`Facts`] source (a profile, a page, a test map); an unknown fact
//! is [`Value::Null`]. Operators, with `fact op value`:
//!
//! - `eq` / `ne`: text compares ASCII case-insensitively, numbers numerically, booleans
//!   as such; values of different types are never equal (no `"3"` = `3` coercion). A
//!   list fact is `eq` when it contains an equal element (or equals the whole list).
//!   `ne` is exactly "not `eq`".
//! - `gt`, `gte`, `lt`, `lte`: numbers only; false for anything else (lists included).
//! - `in` / `not_in`: the value is a list; true when the fact equals (as `eq`) one of
//!   its elements; a list fact needs one element in common. A single value is taken as
//!   a list of one. `not_in` is exactly "not `in`".
//! - `contains`: a text fact contains the text value (case-insensitive), or a list fact
//!   contains an element equal to the value.
//! - `starts_with`, `ends_with`: text, case-insensitive.
//! - `matches`: a glob on text, case-insensitive: `*` is any run of characters
//!   (possibly empty), `?` exactly one character, everything else itself; no escapes
//!   ([`glob_match`]). `"/blog/*"` matches `"/blog/post"`.
//! - `exists` / `missing`: the fact is not / is null; these take no value.
//!
//! The text operators (`contains` on text, `starts_with`, `ends_with`, `matches`) on a
//! list fact hold when any text element satisfies them: `pages matches "/pricing*"`
//! means "saw a pricing page".
//!
//! A null (unknown) fact makes every operator false except `ne`, `not_in` and
//! `missing`, which are then true.
//!
//! [`Rule::validate`] checks a rule against the fact names a caller knows and that each
//! value suits its operator, so configuration typos are refused when loaded.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
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

impl Op {
    /// The snake_case name, the same as its serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::In => "in",
            Op::NotIn => "not_in",
            Op::Contains => "contains",
            Op::StartsWith => "starts_with",
            Op::EndsWith => "ends_with",
            Op::Matches => "matches",
            Op::Exists => "exists",
            Op::Missing => "missing",
        }
    }

    /// Whether `fact self operand` holds, with the semantics of the module docs.
    pub fn holds(self, fact: &Value, operand: &Value) -> bool {
        match self {
            Op::Eq => is_equal(fact, operand),
            Op::Ne => !is_equal(fact, operand),
            Op::Gt => compare_numbers(fact, operand, |fact, operand| fact > operand),
            Op::Gte => compare_numbers(fact, operand, |fact, operand| fact >= operand),
            Op::Lt => compare_numbers(fact, operand, |fact, operand| fact < operand),
            Op::Lte => compare_numbers(fact, operand, |fact, operand| fact <= operand),
            Op::In => is_in(fact, operand),
            Op::NotIn => !is_in(fact, operand),
            Op::Contains => contains(fact, operand),
            Op::StartsWith => any_text(fact, operand, starts_with_ignore_case),
            Op::EndsWith => any_text(fact, operand, ends_with_ignore_case),
            Op::Matches => any_text(fact, operand, |text, pattern| glob_match(pattern, text)),
            Op::Exists => !fact.is_null(),
            Op::Missing => fact.is_null(),
        }
    }

    /// Whether `operand` is a value this operator can work with.
    fn accepts(self, operand: &Value) -> bool {
        match self {
            Op::Eq | Op::Ne => !operand.is_null(),
            Op::Gt | Op::Gte | Op::Lt | Op::Lte => matches!(operand, Value::Number(_)),
            Op::In | Op::NotIn => matches!(operand, Value::List(_)),
            Op::Contains => matches!(operand, Value::Bool(_) | Value::Number(_) | Value::Text(_)),
            Op::StartsWith | Op::EndsWith | Op::Matches => matches!(operand, Value::Text(_)),
            Op::Exists | Op::Missing => operand.is_null(),
        }
    }
}

/// `eq`: the same value, or (for a list fact) an element that is.
fn is_equal(fact: &Value, operand: &Value) -> bool {
    match fact {
        Value::Null => false,
        Value::List(items) => same(fact, operand) || items.iter().any(|item| same(item, operand)),
        scalar => same(scalar, operand),
    }
}

/// Equality of two values: text ASCII case-insensitive, lists element by element.
fn same(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(left), Value::Bool(right)) => left == right,
        (Value::Number(left), Value::Number(right)) => left == right,
        (Value::Text(left), Value::Text(right)) => left.eq_ignore_ascii_case(right),
        (Value::List(left), Value::List(right)) => {
            left.len() == right.len()
                && left.iter().zip(right).all(|(left, right)| same(left, right))
        }
        _ => false,
    }
}

fn compare_numbers(fact: &Value, operand: &Value, test: impl Fn(f64, f64) -> bool) -> bool {
    match (fact, operand) {
        (Value::Number(fact), Value::Number(operand)) => test(*fact, *operand),
        _ => false,
    }
}

/// `in`: the fact (or one of its elements) equals one of the operand's elements.
fn is_in(fact: &Value, operand: &Value) -> bool {
    let options = match operand {
        Value::List(options) => options.as_slice(),
        single => core::slice::from_ref(single),
    };
    match fact {
        Value::Null => false,
        Value::List(items) => {
            items.iter().any(|item| options.iter().any(|option| same(item, option)))
        }
        scalar => options.iter().any(|option| same(scalar, option)),
    }
}

/// `contains`: text in text, or an equal element in a list.
fn contains(fact: &Value, operand: &Value) -> bool {
    match (fact, operand) {
        (Value::Text(text), Value::Text(needle)) => contains_ignore_case(text, needle),
        (Value::List(items), _) => items.iter().any(|item| match (item, operand) {
            (Value::Text(text), Value::Text(needle)) => contains_ignore_case(text, needle),
            _ => same(item, operand),
        }),
        _ => false,
    }
}

/// A text test of a text fact, or of any text element of a list fact.
fn any_text(fact: &Value, operand: &Value, test: impl Fn(&str, &str) -> bool) -> bool {
    let Value::Text(operand) = operand else {
        return false;
    };
    match fact {
        Value::Text(text) => test(text, operand),
        Value::List(items) => {
            items.iter().any(|item| matches!(item, Value::Text(text) if test(text, operand)))
        }
        _ => false,
    }
}

fn contains_ignore_case(text: &str, needle: &str) -> bool {
    needle.is_empty()
        || text
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    let start = text.len().checked_sub(suffix.len());
    start
        .and_then(|start| text.as_bytes().get(start..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
}

/// Whether `text` matches the glob `pattern`, ASCII case-insensitively: `*` matches
/// any run of characters (possibly empty), `?` exactly one character (not byte);
/// every other character matches itself. There are no escapes.
///
/// Iterative with single-star backtracking: O(pattern × text) at worst, no recursion.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (mut at_pattern, mut at_text) = (0, 0);
    // After the latest `*`: where the pattern resumes and where the text was when the
    // star last tried to stop.
    let mut star: Option<(usize, usize)> = None;
    loop {
        let wanted = pattern.get(at_pattern..).and_then(|rest| rest.chars().next());
        let seen = text.get(at_text..).and_then(|rest| rest.chars().next());
        match (wanted, seen) {
            (None, None) => return true,
            (Some('*'), _) => {
                at_pattern += 1;
                star = Some((at_pattern, at_text));
            }
            (Some(wanted), Some(seen)) if wanted == '?' || wanted.eq_ignore_ascii_case(&seen) => {
                at_pattern += wanted.len_utf8();
                at_text += seen.len_utf8();
            }
            _ => {
                // Mismatch: let the latest star swallow one more character and retry.
                let Some((resume_pattern, star_text)) = star else {
                    return false;
                };
                let Some(swallowed) = text.get(star_text..).and_then(|rest| rest.chars().next())
                else {
                    return false;
                };
                at_pattern = resume_pattern;
                at_text = star_text + swallowed.len_utf8();
                star = Some((resume_pattern, at_text));
            }
        }
    }
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

/// Values are read by hand (not `untagged`) so that integers become numbers without
/// buffering and maps are refused with a clear message.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("null, a boolean, a number, text or a list of these")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value as f64))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value as f64))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Value::Number(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::Text(String::from(value)))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::Text(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
}

/// Rules are read by hand (not `untagged`) to refuse maps that mix shapes or carry
/// unknown keys, with errors that name the key.
impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RuleVisitor)
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum RuleKey {
    All,
    Any,
    Not,
    Fact,
    Op,
    Value,
}

/// The keys of one rule map, as read.
#[derive(Default)]
struct RuleParts {
    all: Option<Vec<Rule>>,
    any: Option<Vec<Rule>>,
    not: Option<Box<Rule>>,
    fact: Option<String>,
    op: Option<Op>,
    value: Option<Value>,
}

const MIXED_SHAPES: &str =
    "a rule has exactly one of `all`, `any`, `not`, or a condition (`fact`, `op`, `value`)";

impl RuleParts {
    fn into_rule<E: de::Error>(self) -> Result<Rule, E> {
        let has_condition_keys = self.fact.is_some() || self.op.is_some() || self.value.is_some();
        match (self.all, self.any, self.not, has_condition_keys) {
            (Some(all), None, None, false) => Ok(Rule::All { all }),
            (None, Some(any), None, false) => Ok(Rule::Any { any }),
            (None, None, Some(not), false) => Ok(Rule::Not { not }),
            (None, None, None, _) => Ok(Rule::Condition(Condition {
                fact: self.fact.ok_or_else(|| E::missing_field("fact"))?,
                op: self.op.ok_or_else(|| E::missing_field("op"))?,
                value: self.value.unwrap_or_default(),
            })),
            _ => Err(E::custom(MIXED_SHAPES)),
        }
    }
}

/// Stores a key's value, refusing a key given twice.
fn set_once<T, E: de::Error>(slot: &mut Option<T>, key: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(key));
    }
    *slot = Some(value);
    Ok(())
}

struct RuleVisitor;

impl<'de> Visitor<'de> for RuleVisitor {
    type Value = Rule;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a rule: {all: [..]}, {any: [..]}, {not: {..}} or {fact, op, value}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Rule, A::Error> {
        let mut parts = RuleParts::default();
        while let Some(key) = map.next_key::<RuleKey>()? {
            match key {
                RuleKey::All => set_once(&mut parts.all, "all", map.next_value()?)?,
                RuleKey::Any => set_once(&mut parts.any, "any", map.next_value()?)?,
                RuleKey::Not => set_once(&mut parts.not, "not", map.next_value()?)?,
                RuleKey::Fact => set_once(&mut parts.fact, "fact", map.next_value()?)?,
                RuleKey::Op => set_once(&mut parts.op, "op", map.next_value()?)?,
                RuleKey::Value => set_once(&mut parts.value, "value", map.next_value()?)?,
            }
        }
        parts.into_rule()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use std::vec;

    fn facts(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(name, value)| (name.to_string(), value.clone())).collect()
    }

    fn text(value: &str) -> Value {
        Value::Text(value.to_string())
    }

    fn list(values: &[Value]) -> Value {
        Value::List(values.to_vec())
    }

    fn texts(values: &[&str]) -> Value {
        Value::List(values.iter().map(|value| text(value)).collect())
    }

    fn condition(fact: &str, op: Op, value: Value) -> Rule {
        Rule::Condition(Condition { fact: fact.to_string(), op, value })
    }

    fn parse(json: &str) -> Rule {
        serde_json::from_str(json).expect("rule parses")
    }

    fn holds(op: Op, fact: &Value, operand: &Value) -> bool {
        op.holds(fact, operand)
    }

    #[test]
    fn eq_and_ne_compare_by_type() {
        assert!(holds(Op::Eq, &text("Growth"), &text("gROWTH")));
        assert!(holds(Op::Eq, &Value::Number(3.0), &Value::Number(3.0)));
        assert!(holds(Op::Eq, &Value::Bool(true), &Value::Bool(true)));
        assert!(!holds(Op::Eq, &Value::Bool(true), &Value::Bool(false)));
        assert!(!holds(Op::Eq, &text("3"), &Value::Number(3.0)), "no coercion");
        assert!(!holds(Op::Eq, &Value::Number(1.0), &Value::Bool(true)));
        assert!(!holds(Op::Eq, &Value::Number(f64::NAN), &Value::Number(f64::NAN)));
        assert!(!holds(Op::Eq, &text("growth"), &text("growth ")));
        assert!(holds(Op::Ne, &text("a"), &text("b")));
        assert!(!holds(Op::Ne, &text("A"), &text("a")));
        assert!(holds(Op::Ne, &text("3"), &Value::Number(3.0)));
    }

    #[test]
    fn eq_on_a_list_fact_means_contains_an_equal_element() {
        let topics = texts(&["blog", "Docs"]);
        assert!(holds(Op::Eq, &topics, &text("docs")));
        assert!(!holds(Op::Eq, &topics, &text("pricing")));
        assert!(holds(Op::Ne, &topics, &text("pricing")));
        assert!(holds(Op::Eq, &topics, &texts(&["BLOG", "docs"])), "the whole list");
        assert!(!holds(Op::Eq, &topics, &texts(&["blog"])));
        assert!(!holds(Op::Eq, &list(&[]), &text("x")));
    }

    #[test]
    fn ordering_ops_compare_numbers_only() {
        let three = Value::Number(3.0);
        for (op, operand, expected) in [
            (Op::Gt, 2.0, true),
            (Op::Gt, 3.0, false),
            (Op::Gte, 3.0, true),
            (Op::Gte, 3.5, false),
            (Op::Lt, 4.0, true),
            (Op::Lt, 3.0, false),
            (Op::Lte, 3.0, true),
            (Op::Lte, 2.5, false),
        ] {
            assert_eq!(holds(op, &three, &Value::Number(operand)), expected, "{op:?} {operand}");
        }
        for op in [Op::Gt, Op::Gte, Op::Lt, Op::Lte] {
            assert!(!holds(op, &text("5"), &Value::Number(1.0)), "{op:?} on text");
            assert!(!holds(op, &Value::Number(5.0), &text("1")), "{op:?} with text");
            assert!(!holds(op, &list(&[Value::Number(5.0)]), &Value::Number(1.0)), "{op:?} list");
            assert!(!holds(op, &Value::Bool(true), &Value::Bool(false)), "{op:?} bools");
            assert!(!holds(op, &Value::Number(f64::NAN), &Value::Number(1.0)), "{op:?} NaN");
        }
        assert!(holds(Op::Gte, &Value::Number(-0.0), &Value::Number(0.0)));
    }

    #[test]
    fn in_and_not_in_use_eq_on_each_element() {
        let channels = texts(&["paid_search", "Paid_Social"]);
        assert!(holds(Op::In, &text("PAID_SEARCH"), &channels));
        assert!(holds(Op::In, &text("paid_social"), &channels));
        assert!(!holds(Op::In, &text("email"), &channels));
        assert!(holds(Op::NotIn, &text("email"), &channels));
        assert!(!holds(Op::NotIn, &text("paid_search"), &channels));
        let sizes = list(&[Value::Number(1.0), Value::Number(2.0)]);
        assert!(holds(Op::In, &Value::Number(2.0), &sizes));
        assert!(!holds(Op::In, &text("2"), &sizes));
        // A list fact needs one element in common.
        assert!(holds(Op::In, &texts(&["x", "paid_social"]), &channels));
        assert!(!holds(Op::In, &texts(&["x", "y"]), &channels));
        assert!(holds(Op::NotIn, &texts(&["x", "y"]), &channels));
        assert!(!holds(Op::In, &list(&[]), &channels));
        // An empty list holds nothing; a single value is a list of one.
        assert!(!holds(Op::In, &text("a"), &list(&[])));
        assert!(holds(Op::NotIn, &text("a"), &list(&[])));
        assert!(holds(Op::In, &text("a"), &text("A")));
    }

    #[test]
    fn contains_searches_text_or_lists() {
        assert!(holds(Op::Contains, &text("Head of Marketing"), &text("MARKET")));
        assert!(holds(Op::Contains, &text("abc"), &text("")));
        assert!(!holds(Op::Contains, &text("abc"), &text("abcd")));
        assert!(!holds(Op::Contains, &text(""), &text("a")));
        assert!(holds(Op::Contains, &texts(&["blog", "docs"]), &text("DOCS")));
        assert!(!holds(Op::Contains, &texts(&["blog", "docs"]), &text("pricing")));
        assert!(holds(Op::Contains, &list(&[Value::Number(7.0)]), &Value::Number(7.0)));
        assert!(!holds(Op::Contains, &Value::Number(17.0), &Value::Number(7.0)));
        assert!(!holds(Op::Contains, &text("17"), &Value::Number(7.0)));
        // Text elements of a list are searched too.
        assert!(holds(Op::Contains, &texts(&["/blog/rust"]), &text("rust")));
    }

    #[test]
    fn starts_and_ends_with_ignore_ascii_case() {
        assert!(holds(Op::StartsWith, &text("/Blog/post"), &text("/blog")));
        assert!(!holds(Op::StartsWith, &text("/blo"), &text("/blog")));
        assert!(holds(Op::StartsWith, &text("x"), &text("")));
        assert!(holds(Op::EndsWith, &text("report.PDF"), &text(".pdf")));
        assert!(!holds(Op::EndsWith, &text("pdf"), &text(".pdf")));
        assert!(holds(Op::EndsWith, &texts(&["/a", "/b.pdf"]), &text(".pdf")));
        assert!(!holds(Op::StartsWith, &Value::Number(12.0), &text("1")));
        assert!(!holds(Op::StartsWith, &text("1"), &Value::Number(1.0)));
        // Multi-byte text: slicing at a non-boundary must not panic.
        assert!(!holds(Op::StartsWith, &text("żółw"), &text("z")));
        assert!(holds(Op::StartsWith, &text("żółw"), &text("żó")));
        assert!(!holds(Op::EndsWith, &text("żółw"), &text("xw")));
    }

    #[test]
    fn matches_is_a_case_insensitive_glob() {
        assert!(holds(Op::Matches, &text("/Blog/Post-1"), &text("/blog/*")));
        assert!(!holds(Op::Matches, &text("/blogs"), &text("/blog/*")));
        assert!(holds(Op::Matches, &texts(&["/", "/pricing/teams"]), &text("/pricing*")));
        assert!(!holds(Op::Matches, &texts(&["/", "/about"]), &text("/pricing*")));
        assert!(!holds(Op::Matches, &Value::Number(1.0), &text("*")));
    }

    #[test]
    fn exists_and_missing_look_at_null_only() {
        for present in [text(""), Value::Bool(false), Value::Number(0.0), list(&[])] {
            assert!(holds(Op::Exists, &present, &Value::Null), "{present:?}");
            assert!(!holds(Op::Missing, &present, &Value::Null), "{present:?}");
        }
        assert!(!holds(Op::Exists, &Value::Null, &Value::Null));
        assert!(holds(Op::Missing, &Value::Null, &Value::Null));
    }

    #[test]
    fn a_null_fact_is_false_except_for_ne_not_in_and_missing() {
        let operand_for = |op: Op| match op {
            Op::In | Op::NotIn => texts(&["a"]),
            Op::Gt | Op::Gte | Op::Lt | Op::Lte => Value::Number(0.0),
            Op::Exists | Op::Missing => Value::Null,
            _ => text(""),
        };
        for op in [
            Op::Eq,
            Op::Ne,
            Op::Gt,
            Op::Gte,
            Op::Lt,
            Op::Lte,
            Op::In,
            Op::NotIn,
            Op::Contains,
            Op::StartsWith,
            Op::EndsWith,
            Op::Matches,
            Op::Exists,
            Op::Missing,
        ] {
            let expected = matches!(op, Op::Ne | Op::NotIn | Op::Missing);
            assert_eq!(holds(op, &Value::Null, &operand_for(op)), expected, "{op:?}");
            // Even a null operand does not make a null fact equal.
            if op == Op::Eq {
                assert!(!holds(op, &Value::Null, &Value::Null));
            }
        }
        let rule = condition("unknown", Op::Ne, text("x"));
        assert!(rule.evaluate(&facts(&[])));
    }

    #[test]
    fn groups_nest_and_empty_groups_have_fixed_values() {
        let visitor = facts(&[
            ("visits", Value::Number(4.0)),
            ("first_touch.channel", text("email")),
            ("pages", texts(&["/", "/pricing"])),
        ]);
        let rule = parse(
            r#"{"all": [
                {"fact": "visits", "op": "gte", "value": 3},
                {"not": {"fact": "first_touch.channel", "op": "in", "value": ["paid_search", "paid_social"]}},
                {"any": [{"fact": "pages", "op": "matches", "value": "/pricing*"},
                         {"fact": "trait.role", "op": "exists"}]}
            ]}"#,
        );
        assert!(rule.evaluate(&visitor));
        let paid = facts(&[
            ("visits", Value::Number(4.0)),
            ("first_touch.channel", text("Paid_Search")),
            ("pages", texts(&["/pricing"])),
        ]);
        assert!(!rule.evaluate(&paid));
        let no_pricing = facts(&[("visits", Value::Number(9.0)), ("pages", texts(&["/"]))]);
        assert!(!rule.evaluate(&no_pricing));
        let with_role = facts(&[("visits", Value::Number(9.0)), ("trait.role", text("cto"))]);
        assert!(rule.evaluate(&with_role));

        assert!(Rule::All { all: vec![] }.evaluate(&visitor));
        assert!(!Rule::Any { any: vec![] }.evaluate(&visitor));
        assert!(!Rule::Not { not: Box::new(Rule::All { all: vec![] }) }.evaluate(&visitor));
        let double_not = Rule::Not { not: Box::new(Rule::Not { not: Box::new(rule.clone()) }) };
        assert_eq!(double_not.evaluate(&visitor), rule.evaluate(&visitor));
        assert_eq!(double_not.evaluate(&paid), rule.evaluate(&paid));
    }

    #[test]
    fn layered_facts_fall_back_to_the_second_source() {
        let aggregates = facts(&[("visits", Value::Number(2.0))]);
        let traits = facts(&[("visits", Value::Number(99.0)), ("trait.role", text("cto"))]);
        let both = (aggregates, traits);
        assert_eq!(both.fact("visits"), Value::Number(2.0));
        assert_eq!(both.fact("trait.role"), text("cto"));
        assert_eq!(both.fact("nothing"), Value::Null);
    }

    #[test]
    fn facts_lists_each_name_once_in_order() {
        let rule = parse(
            r#"{"any": [{"fact": "b", "op": "exists"},
                        {"all": [{"fact": "a", "op": "eq", "value": 1}, {"not": {"fact": "b", "op": "missing"}}]},
                        {"fact": "c", "op": "eq", "value": true}]}"#,
        );
        assert_eq!(rule.facts(), vec!["b", "a", "c"]);
        assert!(Rule::All { all: vec![] }.facts().is_empty());
    }

    #[test]
    fn validate_refuses_unknown_facts_and_accepts_families() {
        let known = ["visits", "pages", "trait."];
        assert_eq!(parse(r#"{"fact": "visits", "op": "gt", "value": 1}"#).validate(&known), Ok(()));
        assert_eq!(parse(r#"{"fact": "trait.role", "op": "exists"}"#).validate(&known), Ok(()));
        let typo = parse(
            r#"{"all": [{"fact": "pages", "op": "exists"}, {"not": {"fact": "vists", "op": "gt", "value": 1}}]}"#,
        );
        let error = typo.validate(&known).expect_err("typo");
        assert_eq!(error, RuleError::UnknownFact("vists".to_string()));
        assert_eq!(error.fact(), "vists");
        assert_eq!(error.message(), "unknown fact");
        for unknown in ["trait.", "trait", "traits.role", "Visits", "visits.x"] {
            let rule = condition(unknown, Op::Exists, Value::Null);
            assert_eq!(rule.validate(&known), Err(RuleError::UnknownFact(unknown.to_string())));
        }
    }

    #[test]
    fn validate_refuses_values_that_do_not_suit_the_operator() {
        let known = ["x"];
        for (op, value) in [
            (Op::Eq, Value::Null),
            (Op::Ne, Value::Null),
            (Op::Gte, text("3")),
            (Op::Lt, Value::Null),
            (Op::In, text("a")),
            (Op::NotIn, Value::Number(1.0)),
            (Op::Contains, texts(&["a"])),
            (Op::Contains, Value::Null),
            (Op::StartsWith, Value::Number(1.0)),
            (Op::EndsWith, Value::Null),
            (Op::Matches, texts(&["*"])),
            (Op::Exists, Value::Bool(false)),
            (Op::Missing, text("")),
        ] {
            let error = condition("x", op, value.clone()).validate(&known).expect_err("refused");
            assert_eq!(
                error,
                RuleError::BadValue { fact: "x".to_string(), op },
                "{op:?} {value:?}"
            );
            assert_eq!(error.message(), "the value does not suit the operator");
        }
        for (op, value) in [
            (Op::Eq, texts(&["a"])),
            (Op::Ne, Value::Bool(false)),
            (Op::Gt, Value::Number(1.0)),
            (Op::In, list(&[])),
            (Op::Contains, Value::Number(1.0)),
            (Op::Matches, text("/a/*")),
            (Op::Exists, Value::Null),
        ] {
            assert_eq!(
                condition("x", op, value.clone()).validate(&known),
                Ok(()),
                "{op:?} {value:?}"
            );
        }
    }

    #[test]
    fn parses_every_shape_and_operator_name() {
        assert_eq!(parse(r#"{"all": []}"#), Rule::All { all: vec![] });
        assert_eq!(parse(r#"{"any": []}"#), Rule::Any { any: vec![] });
        assert_eq!(
            parse(r#"{"not": {"fact": "a", "op": "missing"}}"#),
            Rule::Not { not: Box::new(condition("a", Op::Missing, Value::Null)) }
        );
        assert_eq!(
            parse(r#"{"value": [1, "x", true, null, [2.5]], "op": "in", "fact": "a"}"#),
            condition(
                "a",
                Op::In,
                list(&[
                    Value::Number(1.0),
                    text("x"),
                    Value::Bool(true),
                    Value::Null,
                    list(&[Value::Number(2.5)])
                ])
            )
        );
        assert_eq!(
            parse(r#"{"fact": "a", "op": "exists", "value": null}"#),
            condition("a", Op::Exists, Value::Null)
        );
        assert_eq!(
            parse(r#"{"fact": "a", "op": "gte", "value": -3}"#),
            condition("a", Op::Gte, Value::Number(-3.0))
        );
        for (name, op) in [
            ("eq", Op::Eq),
            ("ne", Op::Ne),
            ("gt", Op::Gt),
            ("gte", Op::Gte),
            ("lt", Op::Lt),
            ("lte", Op::Lte),
            ("in", Op::In),
            ("not_in", Op::NotIn),
            ("contains", Op::Contains),
            ("starts_with", Op::StartsWith),
            ("ends_with", Op::EndsWith),
            ("matches", Op::Matches),
            ("exists", Op::Exists),
            ("missing", Op::Missing),
        ] {
            assert_eq!(op.as_str(), name);
            let json = std::format!(r#"{{"fact": "a", "op": "{name}"}}"#);
            assert_eq!(parse(&json), condition("a", op, Value::Null), "{name}");
            assert_eq!(serde_json::to_value(op).expect("serializes"), name);
        }
    }

    #[test]
    fn refuses_malformed_rules_with_a_useful_message() {
        for (json, expected) in [
            (r#"{"all": [], "any": []}"#, "exactly one of"),
            (r#"{"all": [], "fact": "a"}"#, "exactly one of"),
            (r#"{"not": {"all": []}, "value": 1}"#, "exactly one of"),
            (r#"{"fact": "a", "op": "eq", "vaule": 1}"#, "unknown field `vaule`"),
            (r#"{"fact": "a", "value": 1}"#, "missing field `op`"),
            (r#"{"op": "eq", "value": 1}"#, "missing field `fact`"),
            (r#"{}"#, "missing field `fact`"),
            (r#"{"fact": "a", "op": "equals", "value": 1}"#, "unknown variant `equals`"),
            (r#"{"fact": "a", "fact": "b", "op": "exists"}"#, "duplicate field `fact`"),
            (
                r#"{"fact": "a", "op": "eq", "value": {"x": 1}}"#,
                "null, a boolean, a number, text or a list",
            ),
            (r#"{"all": {"fact": "a", "op": "exists"}}"#, "invalid type"),
            (r#"{"all": [{"fact": "a", "op": "exists", "extra": 1}]}"#, "unknown field `extra`"),
            (r#"["fact", "a"]"#, "a rule"),
            (r#""visits > 3""#, "a rule"),
        ] {
            let error = serde_json::from_str::<Rule>(json).expect_err(json).to_string();
            assert!(error.contains(expected), "{json}: {error}");
        }
    }

    #[test]
    fn round_trips_through_json() {
        let json = r#"{"all": [
            {"fact": "visits", "op": "gte", "value": 3},
            {"any": [{"fact": "pages", "op": "matches", "value": "/pricing*"},
                     {"not": {"fact": "trait.role", "op": "missing"}},
                     {"fact": "topics", "op": "in", "value": ["blog", 2, false, null, []]}]},
            {"fact": "trait.beta", "op": "eq", "value": true}
        ]}"#;
        let rule = parse(json);
        let written = serde_json::to_string(&rule).expect("serializes");
        assert_eq!(serde_json::from_str::<Rule>(&written).expect("parses again"), rule);
        // The written form is the documented shape; no value for exists/missing.
        let value = serde_json::to_value(&rule).expect("serializes");
        assert_eq!(
            value["all"][0],
            serde_json::json!({"fact": "visits", "op": "gte", "value": 3.0})
        );
        assert_eq!(
            value["all"][1]["any"][1],
            serde_json::json!({"not": {"fact": "trait.role", "op": "missing"}})
        );
        // A YAML-like document (via serde_json's value model) parses the same way.
        let from_value: Rule = serde_json::from_value(serde_json::json!({
            "any": [{"fact": "visits", "op": "gt", "value": 1u8}, {"all": []}]
        }))
        .expect("parses");
        assert_eq!(
            from_value,
            Rule::Any {
                any: vec![
                    condition("visits", Op::Gt, Value::Number(1.0)),
                    Rule::All { all: vec![] }
                ]
            }
        );
    }

    #[test]
    fn conditions_parse_alone_and_refuse_unknown_fields() {
        let parsed: Condition =
            serde_json::from_str(r#"{"fact": "a", "op": "exists"}"#).expect("parses");
        assert_eq!(parsed, Condition { fact: "a".to_string(), op: Op::Exists, value: Value::Null });
        assert!(
            serde_json::from_str::<Condition>(r#"{"fact": "a", "op": "exists", "x": 1}"#).is_err()
        );
    }

    #[test]
    fn values_convert_from_props_and_primitives() {
        assert_eq!(Value::from(&PropValue::Text("a".to_string())), text("a"));
        assert_eq!(Value::from(&PropValue::Number(2.5)), Value::Number(2.5));
        assert_eq!(Value::from(&PropValue::Bool(true)), Value::Bool(true));
        assert_eq!(Value::from(7u32), Value::Number(7.0));
        assert_eq!(Value::from("x"), text("x"));
        assert_eq!(Value::from(vec![Value::Null]).as_text(), None);
        assert_eq!(text("x").as_text(), Some("x"));
        assert_eq!(Value::Number(1.5).as_number(), Some(1.5));
        assert_eq!(Value::default(), Value::Null);
    }

    #[test]
    fn glob_basics() {
        for (pattern, text, expected) in [
            ("", "", true),
            ("", "a", false),
            ("*", "", true),
            ("*", "anything at all", true),
            ("**", "", true),
            ("?", "", false),
            ("?", "a", true),
            ("?", "ab", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("/blog/*", "/blog/", true),
            ("/blog/*", "/blog/a/b", true),
            ("/blog/*", "/blog", false),
            ("/pricing*", "/pricing", true),
            ("/pricing*", "/pricing/teams", true),
            ("*pricing", "/en/pricing", true),
            ("*pricing", "/en/pricing/x", false),
            ("a*b*c", "abc", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXcYYb", false),
            ("a*b*c", "abcabc", true),
            ("*a", "aaaa", true),
            ("*ab", "aaab", true),
            ("*ab", "aaba", false),
            ("a**b", "ab", true),
            ("*?", "", false),
            ("*?", "x", true),
            ("?*?", "x", false),
            ("/A/*.PDF", "/a/Report.pdf", true),
            ("/docs/v1.0", "/docs/v1x0", false),
            ("[a]", "[a]", true),
            ("[a]", "a", false),
        ] {
            assert_eq!(glob_match(pattern, text), expected, "{pattern:?} on {text:?}");
        }
    }

    #[test]
    fn glob_question_mark_is_one_character_not_one_byte() {
        assert!(glob_match("/?ółw", "/żółw"));
        assert!(glob_match("/????", "/żółw"));
        assert!(!glob_match("/?????", "/żółw"));
        assert!(glob_match("*ł*", "żółw"));
        assert!(glob_match("ŻÓŁW", "ŻÓŁW"));
        // Non-ASCII letters are not case-folded.
        assert!(!glob_match("żółw", "ŻÓŁW"));
        assert!(glob_match("🦀*", "🦀 rust"));
    }

    #[test]
    fn glob_worst_cases_stay_fast() {
        let text = "a".repeat(10_000);
        let pattern = std::format!("{}b", "a*".repeat(50));
        let started = std::time::Instant::now();
        assert!(!glob_match(&pattern, &text));
        assert!(glob_match(&std::format!("{}a", "*a".repeat(50)), &text));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
