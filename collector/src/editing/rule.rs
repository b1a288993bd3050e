//! A rule (audience, segment) as the rows of a builder: groups (all of, any of, not all
//! of, none of) and conditions, in document order with their depth, so a form can
//! carry the whole tree as flat fields and a button can add or remove one row.
//!
//! Row `k`'s fields are `{prefix}.{k}.kind` (`all`, `any`, `not_all`, `none` or
//! `condition`), `.depth`, and for a condition `.fact`, `.op` and `.value`. Row 0 is the
//! root group. Values are written as in YAML: `3` is a number, `true` a boolean,
//! `"3"` text; a list (`in`, `not_in`) is its items separated by commas.

use serde_yaml_ng::{Mapping, Value};

use crate::editing::fields::Fields;

/// How a group combines its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    All,
    Any,
    /// `not: {all: …}`.
    NotAll,
    /// `not: {any: …}`, or `not` over one condition.
    None,
}

impl GroupKind {
    pub const ALL: [GroupKind; 4] =
        [GroupKind::All, GroupKind::Any, GroupKind::NotAll, GroupKind::None];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::All => "all",
            GroupKind::Any => "any",
            GroupKind::NotAll => "not_all",
            GroupKind::None => "none",
        }
    }

    /// As the builder reads it: "all of these hold".
    pub fn label(self) -> &'static str {
        match self {
            GroupKind::All => "all of these",
            GroupKind::Any => "any of these",
            GroupKind::NotAll => "not all of these",
            GroupKind::None => "none of these",
        }
    }

    fn parse(name: &str) -> Option<GroupKind> {
        GroupKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// One row of the builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Group(GroupKind),
    Condition { fact: String, op: String, value: String },
}

/// A row and how deep in the tree it is (the root group is 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub depth: usize,
    pub node: Node,
}

/// The operators, as the rule language names them, with what the builder shows.
pub const OPS: &[(&str, &str)] = &[
    ("eq", "is"),
    ("ne", "is not"),
    ("gt", "is more than"),
    ("gte", "is at least"),
    ("lt", "is less than"),
    ("lte", "is at most"),
    ("in", "is one of"),
    ("not_in", "is none of"),
    ("contains", "contains"),
    ("starts_with", "starts with"),
    ("ends_with", "ends with"),
    ("matches", "matches (glob)"),
    ("exists", "is known"),
    ("missing", "is unknown"),
];

/// The deepest nesting the builder takes.
pub const MAX_DEPTH: usize = 8;

/// A rule's builder rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRows {
    pub rows: Vec<Row>,
}

impl Default for RuleRows {
    /// An empty root group: everyone.
    fn default() -> Self {
        RuleRows { rows: vec![Row { depth: 0, node: Node::Group(GroupKind::All) }] }
    }
}

impl RuleRows {
    /// The rows of a rule as written in a document (`None`: everyone).
    pub fn of(rule: Option<&Value>) -> RuleRows {
        let Some(rule) = rule else { return RuleRows::default() };
        let mut rows = Vec::new();
        match group_of(rule) {
            Some((kind, parts)) => {
                rows.push(Row { depth: 0, node: Node::Group(kind) });
                for part in parts {
                    push_rule(&mut rows, part, 1);
                }
            }
            None => {
                rows.push(Row { depth: 0, node: Node::Group(GroupKind::All) });
                push_rule(&mut rows, rule, 1);
            }
        }
        RuleRows { rows }
    }

    /// The rows a form posted under `prefix`, in order; a row with a missing or unknown
    /// kind ends them, and depths are clamped so the tree stays well formed.
    pub fn from_fields(fields: &Fields, prefix: &str) -> RuleRows {
        let mut rows: Vec<Row> = Vec::new();
        for index in 0.. {
            let field = |name: &str| fields.get(&format!("{prefix}.{index}.{name}"));
            let Some(kind) = field("kind") else { break };
            let depth = if index == 0 {
                0
            } else {
                let wanted = field("depth").and_then(|depth| depth.parse().ok()).unwrap_or(1);
                let deepest = rows.last().map_or(1, |last| match last.node {
                    Node::Group(_) => last.depth + 1,
                    Node::Condition { .. } => last.depth,
                });
                wanted.clamp(1, deepest.min(MAX_DEPTH))
            };
            let node = match (kind, GroupKind::parse(kind)) {
                (_, Some(group)) => Node::Group(group),
                ("condition", None) if index > 0 => Node::Condition {
                    fact: field("fact").unwrap_or_default().trim().to_owned(),
                    op: field("op").unwrap_or("eq").to_owned(),
                    value: field("value").unwrap_or_default().to_owned(),
                },
                _ => break,
            };
            rows.push(Row { depth, node });
        }
        if rows.is_empty() { RuleRows::default() } else { RuleRows { rows } }
    }

    /// The rule as a document value: `None` when the root group is empty "all of"
    /// (everyone). A root "all of" with one condition is written as that condition.
    pub fn to_value(&self) -> Option<Value> {
        let (value, _) = self.value_at(0);
        match self.rows.first().map(|row| &row.node) {
            Some(Node::Group(GroupKind::All)) => {
                let parts = self.children(0);
                match parts.as_slice() {
                    [] => None,
                    [only] if matches!(self.rows[*only].node, Node::Condition { .. }) => {
                        Some(self.value_at(*only).0)
                    }
                    _ => Some(value),
                }
            }
            _ => Some(value),
        }
    }

    /// The indexes of row `index`'s direct children.
    pub fn children(&self, index: usize) -> Vec<usize> {
        let depth = self.rows[index].depth;
        let mut children = Vec::new();
        for (at, row) in self.rows.iter().enumerate().skip(index + 1) {
            if row.depth <= depth {
                break;
            }
            if row.depth == depth + 1 {
                children.push(at);
            }
        }
        children
    }

    /// The end (exclusive) of row `index`'s subtree.
    fn subtree_end(&self, index: usize) -> usize {
        let depth = self.rows[index].depth;
        self.rows
            .iter()
            .enumerate()
            .skip(index + 1)
            .find(|(_, row)| row.depth <= depth)
            .map_or(self.rows.len(), |(at, _)| at)
    }

    /// Row `index`'s value, and the end of its subtree.
    fn value_at(&self, index: usize) -> (Value, usize) {
        let end = self.subtree_end(index);
        let value = match &self.rows[index].node {
            Node::Condition { fact, op, value } => condition_value(fact, op, value),
            Node::Group(kind) => {
                let parts: Vec<Value> =
                    self.children(index).into_iter().map(|at| self.value_at(at).0).collect();
                group_value(*kind, parts)
            }
        };
        (value, end)
    }

    /// Adds an empty condition at the end of group `group`.
    pub fn add_condition(&mut self, group: usize) {
        self.insert_in(
            group,
            Node::Condition { fact: String::new(), op: "eq".to_owned(), value: String::new() },
        );
    }

    /// Adds an "any of" group holding one empty condition at the end of group `group`.
    pub fn add_group(&mut self, group: usize) {
        if let Some(at) = self.insert_in(group, Node::Group(GroupKind::Any)) {
            self.insert_in(
                at,
                Node::Condition { fact: String::new(), op: "eq".to_owned(), value: String::new() },
            );
        }
    }

    /// Inserts `node` as the last child of group `group`; returns where.
    fn insert_in(&mut self, group: usize, node: Node) -> Option<usize> {
        let row = self.rows.get(group)?;
        if !matches!(row.node, Node::Group(_)) || row.depth >= MAX_DEPTH {
            return None;
        }
        let depth = row.depth + 1;
        let at = self.subtree_end(group);
        self.rows.insert(at, Row { depth, node });
        Some(at)
    }

    /// Removes row `index` with everything under it (never the root).
    pub fn remove(&mut self, index: usize) {
        if index == 0 || index >= self.rows.len() {
            return;
        }
        let end = self.subtree_end(index);
        self.rows.drain(index..end);
    }
}

fn parts(value: &Value) -> Option<Vec<&Value>> {
    value.as_sequence().map(|parts| parts.iter().collect())
}

/// The kind and parts of a group written in a document, if `rule` is one.
fn group_of(rule: &Value) -> Option<(GroupKind, Vec<&Value>)> {
    if let Some(all) = rule.get("all") {
        return Some((GroupKind::All, parts(all).unwrap_or_default()));
    }
    if let Some(any) = rule.get("any") {
        return Some((GroupKind::Any, parts(any).unwrap_or_default()));
    }
    let not = rule.get("not")?;
    if let Some(all) = not.get("all") {
        return Some((GroupKind::NotAll, parts(all).unwrap_or_default()));
    }
    if let Some(any) = not.get("any") {
        return Some((GroupKind::None, parts(any).unwrap_or_default()));
    }
    Some((GroupKind::None, vec![not]))
}

fn push_rule(rows: &mut Vec<Row>, rule: &Value, depth: usize) {
    match group_of(rule) {
        Some((kind, parts)) => {
            rows.push(Row { depth, node: Node::Group(kind) });
            for part in parts {
                push_rule(rows, part, depth + 1);
            }
        }
        None => rows.push(Row {
            depth,
            node: Node::Condition {
                fact: text_of(rule.get("fact")),
                op: rule.get("op").and_then(Value::as_str).unwrap_or("eq").to_owned(),
                value: rule.get("value").map(written).unwrap_or_default(),
            },
        }),
    }
}

fn text_of(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn group_value(kind: GroupKind, parts: Vec<Value>) -> Value {
    let keyed = |key: &str, value: Value| {
        let mut map = Mapping::new();
        map.insert(Value::from(key), value);
        Value::Mapping(map)
    };
    match kind {
        GroupKind::All => keyed("all", Value::Sequence(parts)),
        GroupKind::Any => keyed("any", Value::Sequence(parts)),
        GroupKind::NotAll => keyed("not", keyed("all", Value::Sequence(parts))),
        GroupKind::None => match <[Value; 1]>::try_from(parts) {
            Ok([only]) => keyed("not", only),
            Err(parts) => keyed("not", keyed("any", Value::Sequence(parts))),
        },
    }
}

fn condition_value(fact: &str, op: &str, value: &str) -> Value {
    let mut map = Mapping::new();
    map.insert(Value::from("fact"), Value::from(fact));
    map.insert(Value::from("op"), Value::from(op));
    let value = value.trim();
    if !value.is_empty() {
        let parsed = if op == "in" || op == "not_in" { list(value) } else { scalar(value) };
        map.insert(Value::from("value"), parsed);
    }
    Value::Mapping(map)
}

/// `text` read as one YAML scalar; anything else (a map, a list, not YAML) is the text.
fn scalar(text: &str) -> Value {
    match serde_yaml_ng::from_str::<Value>(text) {
        Ok(value @ (Value::Bool(_) | Value::Number(_) | Value::String(_))) => value,
        _ => Value::from(text),
    }
}

/// `text` read as comma-separated YAML scalars (`a, "b, c", 3`).
fn list(text: &str) -> Value {
    match serde_yaml_ng::from_str::<Value>(&format!("[{text}]")) {
        Ok(Value::Sequence(items)) if items.iter().all(is_scalar) => Value::Sequence(items),
        _ => Value::Sequence(text.split(',').map(|item| scalar(item.trim())).collect()),
    }
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::Bool(_) | Value::Number(_) | Value::String(_))
}

/// A value as the builder's text field shows it, so that reading it back gives it again.
fn written(value: &Value) -> String {
    match value {
        Value::Sequence(items) => items.iter().map(written_item).collect::<Vec<_>>().join(", "),
        other => written_scalar(other, false),
    }
}

fn written_item(value: &Value) -> String {
    written_scalar(value, true)
}

fn written_scalar(value: &Value, in_list: bool) -> String {
    match value {
        Value::String(text) => {
            let ambiguous = text.is_empty()
                || (in_list && text.contains(','))
                || text.trim() != text
                || scalar(text).as_str() != Some(text.as_str())
                || text.starts_with(['"', '\'', '[', '{']);
            let plain = !ambiguous;
            if plain { text.clone() } else { quoted(text) }
        }
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::Null => String::new(),
        other => serde_yaml_ng::to_string(other).unwrap_or_default().trim().to_owned(),
    }
}

/// `text` as a YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml_ng::from_str(text).expect("yaml")
    }

    fn round_trip(text: &str) -> Option<Value> {
        RuleRows::of(Some(&yaml(text))).to_value()
    }

    #[test]
    fn rules_come_back_as_written() {
        for rule in [
            "{fact: page.utm_source, op: eq, value: linkedin}",
            "{all: [{fact: visits, op: gte, value: 3}, {fact: known, op: eq, value: true}]}",
            "{any: [{fact: stage, op: in, value: [lead, mql]}, {not: {fact: trait.role, op: exists}}]}",
            "{not: {all: [{fact: score, op: gt, value: 10}, {fact: device, op: eq, value: mobile}]}}",
            "{not: {any: [{fact: language, op: starts_with, value: pl}, {fact: visit, op: eq, value: 1}]}}",
            "{fact: trait.plan, op: in, value: ['3', 'a, b', true]}",
        ] {
            assert_eq!(round_trip(rule), Some(yaml(rule)), "{rule}");
        }
    }

    #[test]
    fn an_empty_root_is_everyone() {
        assert_eq!(RuleRows::of(None).to_value(), None);
        assert_eq!(round_trip("{all: []}"), None);
    }

    #[test]
    fn rows_survive_a_form_and_buttons_change_them() {
        let mut rows = RuleRows::of(Some(&yaml(
            "{all: [{fact: visits, op: gte, value: 3}, {any: [{fact: tags, op: contains, value: vip}]}]}",
        )));
        rows.add_condition(2);
        rows.add_group(0);
        let pairs: Vec<(String, String)> = rows
            .rows
            .iter()
            .enumerate()
            .flat_map(|(k, row)| {
                let (kind, fact, op, value) = match &row.node {
                    Node::Group(kind) => (kind.as_str().to_owned(), "", "", ""),
                    Node::Condition { fact, op, value } => {
                        ("condition".to_owned(), fact.as_str(), op.as_str(), value.as_str())
                    }
                };
                [
                    (format!("r.{k}.kind"), kind),
                    (format!("r.{k}.depth"), row.depth.to_string()),
                    (format!("r.{k}.fact"), fact.to_owned()),
                    (format!("r.{k}.op"), op.to_owned()),
                    (format!("r.{k}.value"), value.to_owned()),
                ]
            })
            .collect();
        let posted = RuleRows::from_fields(&Fields::new(pairs), "r");
        assert_eq!(posted, rows);
        assert_eq!(posted.rows.len(), 7);
        assert_eq!(posted.children(0), vec![1, 2, 5]);
        let mut fewer = posted.clone();
        fewer.remove(2);
        assert_eq!(fewer.rows.len(), 4);
        fewer.remove(0);
        assert_eq!(fewer.rows.len(), 4, "the root stays");
    }

    #[test]
    fn typed_values_read_as_yaml() {
        let rows = |value: &str, op: &str| RuleRows {
            rows: vec![
                Row { depth: 0, node: Node::Group(GroupKind::Any) },
                Row {
                    depth: 1,
                    node: Node::Condition { fact: "f".into(), op: op.into(), value: value.into() },
                },
            ],
        };
        let value_of = |value: &str, op: &str| {
            rows(value, op).to_value().and_then(|rule| rule["any"][0].get("value").cloned())
        };
        assert_eq!(value_of("3", "gte"), Some(yaml("3")));
        assert_eq!(value_of("\"3\"", "eq"), Some(Value::from("3")));
        assert_eq!(value_of("/pricing*", "matches"), Some(Value::from("/pricing*")));
        assert_eq!(value_of("a: b", "eq"), Some(Value::from("a: b")));
        assert_eq!(value_of("lead, mql", "in"), Some(yaml("[lead, mql]")));
        assert_eq!(value_of("", "exists"), None);
    }

    #[test]
    fn hostile_depths_stay_a_tree() {
        let pairs = vec![
            ("r.0.kind".to_owned(), "all".to_owned()),
            ("r.1.kind".to_owned(), "condition".to_owned()),
            ("r.1.depth".to_owned(), "40".to_owned()),
            ("r.1.fact".to_owned(), "score".to_owned()),
            ("r.2.kind".to_owned(), "condition".to_owned()),
            ("r.2.depth".to_owned(), "0".to_owned()),
        ];
        let rows = RuleRows::from_fields(&Fields::new(pairs), "r");
        assert!(rows.rows[1..].iter().all(|row| row.depth == 1));
    }
}
