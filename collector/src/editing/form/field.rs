//! One field of a lead form as the form editor holds it (see [`super`] for its
//! field names): the keys the editor shows as texts, the others kept as a JSON map.

use serde_yaml_ng::{Mapping, Value};

use crate::editing::fields::{Fields, Problems};
use crate::editing::yaml::{lookup, put, put_text, scalar_text};

/// The keys of a field the editor shows; any other is kept as it was.
pub const FIELD_KEYS: [&str; 9] =
    ["name", "kind", "label", "placeholder", "help", "required", "options", "consent", "source"];

/// One field of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldForm {
    pub name: String,
    pub kind: String,
    pub label: String,
    pub placeholder: String,
    pub help: String,
    pub required: bool,
    /// One option per line, `value|Label`.
    pub options: String,
    pub consent_text: String,
    pub consent_version: String,
    pub source: String,
    /// The field's other keys, as JSON (a map; empty when none).
    pub kept: String,
}

impl FieldForm {
    pub(super) fn of(field: &Value) -> FieldForm {
        let at = |path: &[&str]| lookup(field, path).map(scalar_text).unwrap_or_default();
        let options = field
            .get("options")
            .and_then(Value::as_sequence)
            .map(|options| {
                options
                    .iter()
                    .map(|option| format!("{}|{}", at_of(option, "value"), at_of(option, "label")))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        let kept: Mapping = field
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(|(key, _)| !key.as_str().is_some_and(|key| FIELD_KEYS.contains(&key)))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        FieldForm {
            name: at(&["name"]),
            kind: field.get("kind").map_or("text".to_owned(), scalar_text),
            label: at(&["label"]),
            placeholder: at(&["placeholder"]),
            help: at(&["help"]),
            required: field.get("required").and_then(Value::as_bool).unwrap_or(false),
            options,
            consent_text: at(&["consent", "text"]),
            consent_version: at(&["consent", "version"]),
            source: at(&["source"]),
            kept: if kept.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&kept).unwrap_or_default()
            },
        }
    }

    pub(super) fn from_fields(fields: &Fields, index: usize) -> FieldForm {
        let name = |key: &str| format!("fields[{index}].{key}");
        let text = |key: &str| fields.text(&name(key)).unwrap_or_default();
        FieldForm {
            name: text("name"),
            kind: text("kind"),
            label: text("label"),
            placeholder: text("placeholder"),
            help: text("help"),
            required: fields.checked(&name("required")),
            options: fields.get(&name("options")).unwrap_or_default().trim().to_owned(),
            consent_text: text("consent.text"),
            consent_version: text("consent.version"),
            source: text("source"),
            kept: text("kept"),
        }
    }

    /// Whether the field's kind is a choice of options.
    pub fn has_options(&self) -> bool {
        matches!(self.kind.as_str(), "select" | "radio") || !self.options.is_empty()
    }

    /// The keys kept as they were, by name, for the page to list.
    pub fn kept_keys(&self) -> Vec<String> {
        kept_map(&self.kept)
            .ok()
            .map(|map| map.keys().map(scalar_text).collect())
            .unwrap_or_default()
    }

    pub(super) fn to_value(&self, index: usize, problems: &mut Problems) -> Value {
        let mut field = Mapping::new();
        put(&mut field, "name", Value::from(self.name.as_str()));
        if !self.kind.is_empty() && self.kind != "text" {
            put(&mut field, "kind", Value::from(self.kind.as_str()));
        }
        put_text(&mut field, "label", &self.label);
        put_text(&mut field, "placeholder", &self.placeholder);
        put_text(&mut field, "help", &self.help);
        if self.required {
            put(&mut field, "required", Value::from(true));
        }
        let options: Vec<Value> = self.options.lines().filter_map(option_value).collect();
        if !options.is_empty() {
            put(&mut field, "options", Value::Sequence(options));
        }
        if !self.consent_text.is_empty() || !self.consent_version.is_empty() {
            let mut consent = Mapping::new();
            put(&mut consent, "text", Value::from(self.consent_text.as_str()));
            put(&mut consent, "version", Value::from(self.consent_version.as_str()));
            put(&mut field, "consent", Value::Mapping(consent));
        }
        put_text(&mut field, "source", &self.source);
        match kept_map(&self.kept) {
            Ok(kept) => {
                for (key, value) in kept {
                    if !key.as_str().is_some_and(|key| FIELD_KEYS.contains(&key)) {
                        field.insert(key, value);
                    }
                }
            }
            Err(()) => problems.add(format!("fields[{index}].kept"), "not a map of settings"),
        }
        Value::Mapping(field)
    }
}

fn kept_map(kept: &str) -> Result<Mapping, ()> {
    if kept.is_empty() {
        return Ok(Mapping::new());
    }
    match serde_yaml_ng::from_str::<Value>(kept) {
        Ok(Value::Mapping(map)) => Ok(map),
        _ => Err(()),
    }
}

/// An option from its line, `value|Label`; a blank line is none.
fn option_value(line: &str) -> Option<Value> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (value, label) = line.split_once('|').unwrap_or((line, line));
    let mut option = Mapping::new();
    put(&mut option, "value", Value::from(value.trim()));
    put(&mut option, "label", Value::from(label.trim()));
    Some(Value::Mapping(option))
}

fn at_of(value: &Value, key: &str) -> String {
    value.get(key).map(scalar_text).unwrap_or_default()
}
