//! Reading rules and values from configuration by hand (not `untagged`), so that
//! integers become numbers without buffering and a map that mixes shapes or carries
//! unknown keys is refused with an error naming the key.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::rules::types::{Condition, Op, Rule, Value};

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
