//! A lead form as the form editor's form holds it: every setting as the text of its
//! field, read from a document's form, from a posted form, and written back as the
//! form's YAML value. Keys at their default are left out. A field's keys the editor
//! does not show (`min_length`, `max_length`, `pattern`, `message`, …) travel with it as
//! a hidden `fields[i].kept` value and are written back unchanged.
//!
//! Field names: `id`, `name`, `submit`, `prefill`, `double_opt_in`, `steps` (one line
//! per step, its field names separated by commas), `progressive.ask_at_most`,
//! `progressive.queue` (field names separated by commas), `success.message|redirect|
//! download`, `spam.min_seconds|dedupe_minutes`, and per field [`FieldForm`]'s
//! `fields[i].name|kind|label|placeholder|help|required|options|consent.text|
//! consent.version|source|kept`. Options are one per line, `value|Label` (a line
//! without `|` is both).

use serde_yaml_ng::{Mapping, Value};

use crate::editing::fields::{Fields, Problems};
use crate::editing::yaml::{lookup, put, put_text, scalar_text};

mod field;

pub use field::{FIELD_KEYS, FieldForm};

/// Fields a form may have (as the validator allows).
pub const MAX_FIELDS: usize = 40;

/// Spam defences' defaults: seconds before a submission counts as human, and minutes
/// within which the same person's same form is one lead.
const SPAM_DEFAULTS: [(&str, &str); 2] = [("min_seconds", "3"), ("dedupe_minutes", "10")];

/// The form editor's form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormForm {
    pub id: String,
    pub name: String,
    pub submit: String,
    pub prefill: bool,
    pub double_opt_in: bool,
    pub fields: Vec<FieldForm>,
    /// One line per step.
    pub steps: String,
    pub ask_at_most: String,
    pub queue: String,
    pub success_message: String,
    pub success_redirect: String,
    pub success_download: String,
    pub min_seconds: String,
    pub dedupe_minutes: String,
}

impl FormForm {
    /// A new form's form: one required email field.
    pub fn new_form() -> FormForm {
        let email = FieldForm {
            name: "email".to_owned(),
            kind: "email".to_owned(),
            label: "Email".to_owned(),
            required: true,
            ..FieldForm::default()
        };
        FormForm { fields: vec![email], ..FormForm::with_defaults() }
    }

    fn with_defaults() -> FormForm {
        FormForm {
            min_seconds: SPAM_DEFAULTS[0].1.to_owned(),
            dedupe_minutes: SPAM_DEFAULTS[1].1.to_owned(),
            ..FormForm::default()
        }
    }

    /// The form of a lead form as a document holds it.
    pub fn of(form: &Value) -> FormForm {
        let at = |path: &[&str]| lookup(form, path).map(scalar_text).unwrap_or_default();
        let list = |value: Option<&Value>| {
            value.and_then(Value::as_sequence).map(|items| words(items)).unwrap_or_default()
        };
        let steps = form
            .get("steps")
            .and_then(Value::as_sequence)
            .map(|steps| steps.iter().map(|step| list(Some(step))).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default();
        let spam = |name: &str, default: &str| {
            lookup(form, &["spam", name]).map_or(default.to_owned(), scalar_text)
        };
        FormForm {
            id: at(&["id"]),
            name: at(&["name"]),
            submit: at(&["submit"]),
            prefill: form.get("prefill").and_then(Value::as_bool).unwrap_or(false),
            double_opt_in: form.get("double_opt_in").and_then(Value::as_bool).unwrap_or(false),
            fields: form
                .get("fields")
                .and_then(Value::as_sequence)
                .map(|fields| fields.iter().map(FieldForm::of).collect())
                .unwrap_or_default(),
            steps,
            ask_at_most: at(&["progressive", "ask_at_most"]),
            queue: list(lookup(form, &["progressive", "queue"])),
            success_message: at(&["success", "message"]),
            success_redirect: at(&["success", "redirect"]),
            success_download: at(&["success", "download"]),
            min_seconds: spam(SPAM_DEFAULTS[0].0, SPAM_DEFAULTS[0].1),
            dedupe_minutes: spam(SPAM_DEFAULTS[1].0, SPAM_DEFAULTS[1].1),
        }
    }

    /// The form as posted.
    pub fn from_fields(fields: &Fields) -> FormForm {
        let text = |name: &str| fields.text(name).unwrap_or_default();
        let block = |name: &str| fields.get(name).unwrap_or_default().trim().to_owned();
        FormForm {
            id: text("id"),
            name: text("name"),
            submit: text("submit"),
            prefill: fields.checked("prefill"),
            double_opt_in: fields.checked("double_opt_in"),
            fields: (0..fields.count("fields", "kind").min(MAX_FIELDS))
                .map(|index| FieldForm::from_fields(fields, index))
                .collect(),
            steps: block("steps"),
            ask_at_most: text("progressive.ask_at_most"),
            queue: text("progressive.queue"),
            success_message: block("success.message"),
            success_redirect: text("success.redirect"),
            success_download: text("success.download"),
            min_seconds: text("spam.min_seconds"),
            dedupe_minutes: text("spam.dedupe_minutes"),
        }
    }

    /// The form's document value, or the fields that cannot be written.
    pub fn to_value(&self) -> Result<Value, Problems> {
        let mut problems = Problems::default();
        let mut form = Mapping::new();
        put(&mut form, "id", Value::from(self.id.as_str()));
        put_text(&mut form, "name", &self.name);
        let fields = self
            .fields
            .iter()
            .enumerate()
            .map(|(index, field)| field.to_value(index, &mut problems))
            .collect();
        put(&mut form, "fields", Value::Sequence(fields));
        let steps: Vec<Value> = self
            .steps
            .lines()
            .map(names)
            .filter(|step| !step.is_empty())
            .map(|step| names_value(&step))
            .collect();
        if !steps.is_empty() {
            put(&mut form, "steps", Value::Sequence(steps));
        }
        if let Some(progressive) = self.progressive(&mut problems) {
            put(&mut form, "progressive", progressive);
        }
        if self.prefill {
            put(&mut form, "prefill", Value::from(true));
        }
        if self.double_opt_in {
            put(&mut form, "double_opt_in", Value::from(true));
        }
        put_text(&mut form, "submit", &self.submit);
        let mut success = Mapping::new();
        put_text(&mut success, "message", &self.success_message);
        put_text(&mut success, "redirect", &self.success_redirect);
        put_text(&mut success, "download", &self.success_download);
        if !success.is_empty() {
            put(&mut form, "success", Value::Mapping(success));
        }
        let mut spam = Mapping::new();
        for ((name, default), text) in
            SPAM_DEFAULTS.iter().zip([&self.min_seconds, &self.dedupe_minutes])
        {
            match whole(text, &format!("spam.{name}"), &mut problems) {
                Some(number) if number.to_string() != *default => {
                    put(&mut spam, name, Value::from(number));
                }
                _ => {}
            }
        }
        if !spam.is_empty() {
            put(&mut form, "spam", Value::Mapping(spam));
        }
        if problems.is_empty() { Ok(Value::Mapping(form)) } else { Err(problems) }
    }

    fn progressive(&self, problems: &mut Problems) -> Option<Value> {
        let queue = names(&self.queue);
        if self.ask_at_most.is_empty() && queue.is_empty() {
            return None;
        }
        let field = "progressive.ask_at_most";
        if self.ask_at_most.is_empty() {
            problems.add(field, "how many questions to ask at a time, with a queue");
            return None;
        }
        let ask = whole(&self.ask_at_most, field, problems)?;
        let mut progressive = Mapping::new();
        put(&mut progressive, "ask_at_most", Value::from(ask));
        put(&mut progressive, "queue", names_value(&queue));
        Some(Value::Mapping(progressive))
    }

    /// Applies an editor button (`add-field`, `remove-field:1`, `field-up:2`,
    /// `field-down:0`); an unknown action (`refresh`) changes nothing.
    pub fn apply(&mut self, action: &str) {
        let (name, index) = action.split_once(':').unwrap_or((action, ""));
        let index = index.parse::<usize>().ok();
        let count = self.fields.len();
        match (name, index) {
            ("add-field", None) if count < MAX_FIELDS => {
                self.fields.push(FieldForm { kind: "text".to_owned(), ..FieldForm::default() });
            }
            ("remove-field", Some(at)) if at < count => {
                self.fields.remove(at);
            }
            ("field-up", Some(at)) if at > 0 && at < count => self.fields.swap(at - 1, at),
            ("field-down", Some(at)) if at + 1 < count => self.fields.swap(at, at + 1),
            _ => {}
        }
    }
}

/// The editor field a validator's path inside a form names (`.fields[2].consent` is the
/// consent text's field, `.steps[1][0]` the steps).
pub fn field_of(path: &str) -> String {
    let path = path.trim_start_matches('.');
    for (start, field) in [
        ("steps", "steps"),
        ("progressive.queue", "progressive.queue"),
        ("progressive", "progressive.ask_at_most"),
    ] {
        if path.starts_with(start) {
            return field.to_owned();
        }
    }
    if path == "success" {
        return "success.redirect".to_owned();
    }
    if let Some(rest) = path.strip_prefix("fields[")
        && let Some((index, key)) = rest.split_once("].")
    {
        let key = key.split(['.', '[']).next().unwrap_or_default();
        let field = match key {
            "consent" => "consent.text",
            key if FIELD_KEYS.contains(&key) => key,
            _ => "kept",
        };
        return format!("fields[{index}].{field}");
    }
    path.to_owned()
}

/// Names separated by commas or spaces.
fn names(text: &str) -> Vec<String> {
    text.split([',', ' ', '\t']).filter(|name| !name.is_empty()).map(str::to_owned).collect()
}

fn names_value(names: &[String]) -> Value {
    Value::Sequence(names.iter().map(|name| Value::from(name.as_str())).collect())
}

fn words(items: &[Value]) -> String {
    items.iter().map(scalar_text).collect::<Vec<_>>().join(", ")
}

/// `text` as a whole number, 0 or more (blank: none); a problem at `field` when not one.
fn whole(text: &str, field: &str, problems: &mut Problems) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    let number = text.parse::<u64>().ok();
    if number.is_none() {
        problems.add(field, "a whole number, 0 or more");
    }
    number
}

#[cfg(test)]
mod tests;
