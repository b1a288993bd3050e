//! A configuration document opened for a structured edit: parsed YAML in which one
//! site's list item (a block, a segment) is read, replaced, added or removed, then
//! written back as YAML. Comments and formatting are not kept by such an edit (the
//! YAML editor keeps the text as typed); the values are.

use serde_yaml_ng::Value;

/// Why a document cannot be edited this way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the document is not YAML: {0}")]
    NotYaml(String),
    #[error("no site {0} in the document")]
    NoSite(String),
    #[error("no {0} with that id")]
    NoItem(&'static str),
    #[error("another {0} has that id")]
    Taken(&'static str),
}

/// A parsed document.
#[derive(Debug, Clone)]
pub struct Working {
    root: Value,
}

impl Working {
    pub fn parse(text: &str) -> Result<Working, EditError> {
        let root: Value =
            serde_yaml_ng::from_str(text).map_err(|error| EditError::NotYaml(error.to_string()))?;
        Ok(Working { root })
    }

    /// The document as YAML text.
    pub fn text(&self) -> String {
        serde_yaml_ng::to_string(&self.root).unwrap_or_default()
    }

    /// The index of site `key` in `sites`.
    pub fn site_index(&self, key: &str) -> Result<usize, EditError> {
        self.sites()
            .iter()
            .position(|site| site.get("key").and_then(Value::as_str) == Some(key))
            .ok_or_else(|| EditError::NoSite(key.to_owned()))
    }

    fn sites(&self) -> &[Value] {
        self.root.get("sites").and_then(Value::as_sequence).map_or(&[], Vec::as_slice)
    }

    /// The items of list `list` (`blocks`, `segments`) of site `key`.
    pub fn items(&self, key: &str, list: &str) -> Result<Vec<Value>, EditError> {
        let site = &self.sites()[self.site_index(key)?];
        Ok(site.get(list).and_then(Value::as_sequence).cloned().unwrap_or_default())
    }

    /// The index and value of the item of `list` whose `id` is `id`.
    pub fn item(&self, key: &str, list: &str, id: &str) -> Result<(usize, Value), EditError> {
        self.items(key, list)?
            .into_iter()
            .enumerate()
            .find(|(_, item)| id_of(item) == Some(id))
            .ok_or(EditError::NoItem(singular(list)))
    }

    /// Puts `item` into `list` of site `key`: in place of the item whose id is
    /// `replacing`, or at the end when `replacing` is `None`. Returns the item's index.
    /// Refused when another item already has the new item's id.
    pub fn put(
        &mut self,
        key: &str,
        list: &str,
        replacing: Option<&str>,
        item: Value,
    ) -> Result<usize, EditError> {
        let items = self.items(key, list)?;
        let new_id = id_of(&item).map(str::to_owned);
        let at = match replacing {
            Some(old) => Some(
                items
                    .iter()
                    .position(|item| id_of(item) == Some(old))
                    .ok_or(EditError::NoItem(singular(list)))?,
            ),
            None => None,
        };
        let taken = items
            .iter()
            .enumerate()
            .any(|(index, other)| Some(index) != at && id_of(other) == new_id.as_deref());
        if taken {
            return Err(EditError::Taken(singular(list)));
        }
        let list_value = self.list_mut(key, list)?;
        match at {
            Some(at) => {
                list_value[at] = item;
                Ok(at)
            }
            None => {
                list_value.push(item);
                Ok(list_value.len() - 1)
            }
        }
    }

    /// Removes the item of `list` whose id is `id`.
    pub fn remove(&mut self, key: &str, list: &str, id: &str) -> Result<(), EditError> {
        let (at, _) = self.item(key, list, id)?;
        self.list_mut(key, list)?.remove(at);
        Ok(())
    }

    /// Section `name` (`scoring`, `workflows`) of site `key`, if written.
    pub fn section(&self, key: &str, name: &str) -> Result<Option<Value>, EditError> {
        let site = &self.sites()[self.site_index(key)?];
        Ok(site.get(name).cloned())
    }

    /// Sets section `name` of site `key` (`None` removes it).
    pub fn set_section(
        &mut self,
        key: &str,
        name: &str,
        value: Option<Value>,
    ) -> Result<(), EditError> {
        let site = self.site_mut(key)?;
        match value {
            Some(value) => {
                site.insert(Value::from(name), value);
            }
            None => {
                site.remove(name);
            }
        }
        Ok(())
    }

    /// Site `key`'s map, to change.
    fn site_mut(&mut self, key: &str) -> Result<&mut serde_yaml_ng::Mapping, EditError> {
        let index = self.site_index(key)?;
        self.root
            .get_mut("sites")
            .and_then(Value::as_sequence_mut)
            .and_then(|sites| sites.get_mut(index))
            .and_then(Value::as_mapping_mut)
            .ok_or_else(|| EditError::NoSite(key.to_owned()))
    }

    fn list_mut(&mut self, key: &str, list: &str) -> Result<&mut Vec<Value>, EditError> {
        let entry = self
            .site_mut(key)?
            .entry(Value::from(list))
            .or_insert_with(|| Value::Sequence(Vec::new()));
        if !entry.is_sequence() {
            *entry = Value::Sequence(Vec::new());
        }
        Ok(entry.as_sequence_mut().expect("a sequence was just put there"))
    }
}

fn id_of(item: &Value) -> Option<&str> {
    item.get("id").and_then(Value::as_str)
}

fn singular(list: &str) -> &'static str {
    match list {
        "blocks" => "block",
        "segments" => "segment",
        "forms" => "form",
        _ => "item",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# a comment\nsites:\n  - key: pk_a\n    name: A\n    origins: ['*']\n    blocks:\n      - {id: one, slot: s, variants: [{id: a, headline: H}]}\n";

    fn block(id: &str) -> Value {
        serde_yaml_ng::from_str(&format!(
            "{{id: {id}, slot: s, variants: [{{id: a, headline: X}}]}}"
        ))
        .expect("yaml")
    }

    #[test]
    fn items_are_replaced_added_and_removed_by_id() {
        let mut doc = Working::parse(DOC).expect("parsed");
        assert_eq!(doc.put("pk_a", "blocks", Some("one"), block("uno")), Ok(0));
        assert_eq!(doc.put("pk_a", "blocks", None, block("two")), Ok(1));
        assert_eq!(doc.put("pk_a", "blocks", None, block("two")), Err(EditError::Taken("block")));
        assert_eq!(
            doc.put("pk_a", "blocks", Some("uno"), block("two")),
            Err(EditError::Taken("block"))
        );
        assert_eq!(
            doc.put("pk_b", "blocks", None, block("x")),
            Err(EditError::NoSite("pk_b".into()))
        );
        doc.remove("pk_a", "blocks", "uno").expect("removed");
        let again = Working::parse(&doc.text()).expect("written YAML parses");
        assert_eq!(again.items("pk_a", "blocks").expect("items"), vec![block("two")]);
        assert_eq!(doc.put("pk_a", "segments", None, block("s1")), Ok(0));
        let scoring: Value = serde_yaml_ng::from_str("{thresholds: {warm: 20}}").expect("yaml");
        doc.set_section("pk_a", "scoring", Some(scoring.clone())).expect("set");
        assert_eq!(doc.section("pk_a", "scoring"), Ok(Some(scoring)));
        doc.set_section("pk_a", "scoring", None).expect("removed");
        assert_eq!(doc.section("pk_a", "scoring"), Ok(None));
    }
}
