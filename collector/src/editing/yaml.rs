//! Small reads and writes of YAML values the editors' forms share: a nested value by
//! path, a scalar as a field's text, and putting a value (or a non-empty text) under a
//! key.

use serde_yaml_ng::{Mapping, Value};

/// The value at `path` of nested maps.
pub fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(key))
}

/// A scalar's text as a field shows it; empty for anything else.
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        _ => String::new(),
    }
}

pub fn put(map: &mut Mapping, key: &str, value: Value) {
    map.insert(Value::from(key), value);
}

/// Puts `text` under `key` unless it is empty.
pub fn put_text(map: &mut Mapping, key: &str, text: &str) {
    if !text.is_empty() {
        put(map, key, Value::from(text));
    }
}

/// `{key: value}`.
pub fn keyed(key: &str, value: Value) -> Value {
    let mut map = Mapping::new();
    put(&mut map, key, value);
    Value::Mapping(map)
}
