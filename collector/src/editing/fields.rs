//! The fields an editor's form posted, by name (`variants[1].ctas[0].label`), and the
//! problems found in them, by the same names.

use std::collections::HashMap;

/// A posted form's fields; a name given twice keeps its first value.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    values: HashMap<String, String>,
}

impl Fields {
    pub fn new(pairs: Vec<(String, String)>) -> Fields {
        let mut values = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
            values.entry(name).or_insert_with(|| value.replace("\r\n", "\n"));
        }
        Fields { values }
    }

    /// The value of field `name`, if posted.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The trimmed value of `name`; `None` when missing or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned)
    }

    /// Whether a checkbox `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// How many `{prefix}[i]` items were posted, counting the items that have field
    /// `key` from 0 up to the first missing one.
    pub fn count(&self, prefix: &str, key: &str) -> usize {
        (0..)
            .take_while(|index| self.values.contains_key(&format!("{prefix}[{index}].{key}")))
            .count()
    }
}

/// A problem with one field of an editor's form, named as the form names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// The problems found in a form; empty when it can be saved.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    pub list: Vec<FieldProblem>,
}

impl Problems {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.list.push(FieldProblem { field: field.into(), message: message.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The message for `field`, if it has one.
    pub fn at(&self, field: &str) -> Option<&str> {
        self.list.iter().find(|problem| problem.field == field).map(|p| p.message.as_str())
    }

    /// Whether any problem names `field` or something inside it (`variants[0]` holds
    /// `variants[0].headline`).
    pub fn within(&self, field: &str) -> bool {
        self.list.iter().any(|problem| {
            problem.field == field
                || problem
                    .field
                    .strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_count_items_and_keep_the_first_value() {
        let fields = Fields::new(vec![
            ("variants[0].id".into(), "a".into()),
            ("variants[1].id".into(), "b".into()),
            ("variants[3].id".into(), "d".into()),
            ("name".into(), " Hero \r\n".into()),
            ("name".into(), "again".into()),
        ]);
        assert_eq!(fields.count("variants", "id"), 2);
        assert_eq!(fields.text("name").as_deref(), Some("Hero"));
        assert_eq!(fields.text("missing"), None);
        let mut problems = Problems::default();
        problems.add("variants[1].headline", "needed");
        assert!(problems.within("variants[1]"));
        assert!(!problems.within("variants[10]"));
        assert_eq!(problems.at("variants[1].headline"), Some("needed"));
    }
}
