//! "Who would see this?": how many of a site's visitors and leads active in the last
//! [`WINDOW_DAYS`] days an audience rule matches, and why it matches one person or not.
//!
//! Each person is judged by what its profile keeps: score, temperature, stage, traits,
//! aggregates, segments, and of the visit facts those the profile remembers of its
//! latest visit — its campaign (`page.utm_*`) and channel (`page.channel`) from the
//! last touch, and its visit number (`visit`, `returning`). `page.path` is every path
//! the person has viewed, so `page.path matches "/pricing*"` counts those who saw a
//! pricing page. Device, language, the page's URL and referrer belong to a page view
//! and are unknown here: a condition on them holds only where an unknown value does
//! (`ne`, `not_in`, `missing`). The counts say so when a rule reads them.

use std::sync::Arc;

use kindling_core::rules::{Facts, Op, Rule, Value};

use crate::profiles::Person;
use crate::profiles::document::decode;
use crate::store::{Store, StoreResult};

/// How far back activity counts.
pub const WINDOW_DAYS: i64 = 30;

/// At most this many persons are read for one count, the most recently active first.
pub const MAX_SCANNED: u64 = 200_000;

/// Persons read per store call.
const PAGE: u32 = 2_000;

/// Visit facts a stored profile does not keep.
pub const UNKNOWN_HERE: &[&str] = &["device", "language", "page.url", "page.referrer"];

/// A count of who a rule matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Reach {
    /// Persons active in the window that were read, and those of them the rule matches.
    pub visitors: u64,
    pub matching_visitors: u64,
    /// The same, for persons with an email (leads).
    pub leads: u64,
    pub matching_leads: u64,
    /// The window's start, Unix milliseconds.
    pub since_ms: i64,
    /// False when more than [`MAX_SCANNED`] persons were active and only the most
    /// recent were read.
    pub complete: bool,
    /// Facts the rule reads that are unknown when counting ([`UNKNOWN_HERE`]).
    pub unknown_facts: Vec<String>,
}

/// Counts who of site `site`'s persons active in the last [`WINDOW_DAYS`] days before
/// `now_ms` `rule` matches (`None`: everyone).
pub async fn count(
    store: &Arc<dyn Store>,
    site: &str,
    rule: Option<&Rule>,
    now_ms: i64,
) -> StoreResult<Reach> {
    let since_ms = now_ms - WINDOW_DAYS * 24 * 3_600_000;
    let mut reach = Reach { since_ms, complete: true, ..Reach::default() };
    if let Some(rule) = rule {
        reach.unknown_facts = rule
            .facts()
            .into_iter()
            .filter(|fact| UNKNOWN_HERE.contains(fact))
            .map(str::to_owned)
            .collect();
    }
    let mut before = None;
    loop {
        let page = store.active_persons(site, since_ms, before.take(), PAGE).await?;
        let full = page.len() == PAGE as usize;
        for stored in &page {
            if reach.visitors == MAX_SCANNED {
                reach.complete = false;
                return Ok(reach);
            }
            let Ok(person) = decode(&stored.doc) else { continue };
            let known = person.email.is_some();
            let matches = rule.is_none_or(|rule| rule.evaluate(&profile_facts(&person, now_ms)));
            reach.visitors += 1;
            reach.matching_visitors += u64::from(matches);
            reach.leads += u64::from(known);
            reach.matching_leads += u64::from(known && matches);
        }
        match page.last() {
            Some(last) if full => before = Some((last.last_activity_ms, last.id.clone())),
            _ => return Ok(reach),
        }
    }
}

/// A stored person's facts as an audience rule reads them (see the module docs).
pub fn profile_facts(person: &Person, now_ms: i64) -> impl Facts + '_ {
    (LatestVisit { person }, person.facts(None, now_ms))
}

/// The visit facts a profile remembers.
struct LatestVisit<'a> {
    person: &'a Person,
}

impl Facts for LatestVisit<'_> {
    fn fact(&self, name: &str) -> Value {
        let aggregates = &self.person.aggregates;
        let touch = aggregates.last_touch.as_ref();
        let text = |value: Option<&String>| value.map_or(Value::Null, |v| Value::Text(v.clone()));
        match name {
            "page.utm_source" => text(touch.and_then(|touch| touch.source.as_ref())),
            "page.utm_medium" => text(touch.and_then(|touch| touch.medium.as_ref())),
            "page.utm_campaign" => text(touch.and_then(|touch| touch.campaign.as_ref())),
            "page.channel" => text(touch.map(|touch| &touch.channel)),
            "page.path" => Value::List(aggregates.pages.iter().cloned().map(Value::Text).collect()),
            "segments" => {
                Value::List(self.person.segments.iter().cloned().map(Value::Text).collect())
            }
            "visit" if aggregates.visits > 0 => Value::Number(f64::from(aggregates.visits)),
            "returning" if aggregates.visits > 0 => Value::Bool(aggregates.visits > 1),
            _ => Value::Null,
        }
    }
}

/// A rule judged against one person, part by part.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Explained {
    /// `all`, `any` or `not`, whether it held, and its parts.
    Group {
        group: String,
        holds: bool,
        #[schema(no_recursion)]
        parts: Vec<Explained>,
    },
    /// A condition, the person's value of its fact (JSON), and whether it held.
    Condition {
        fact: String,
        op: String,
        #[schema(value_type = Object)]
        value: serde_json::Value,
        #[schema(value_type = Object)]
        actual: serde_json::Value,
        holds: bool,
    },
}

impl Explained {
    pub fn holds(&self) -> bool {
        match self {
            Explained::Group { holds, .. } | Explained::Condition { holds, .. } => *holds,
        }
    }
}

/// Why `rule` holds for `facts` or not, part by part.
pub fn explain(rule: &Rule, facts: &impl Facts) -> Explained {
    let group = |group: &str, parts: Vec<Explained>, holds: bool| Explained::Group {
        group: group.to_owned(),
        holds,
        parts,
    };
    match rule {
        Rule::All { all } => {
            let parts: Vec<Explained> = all.iter().map(|part| explain(part, facts)).collect();
            let holds = parts.iter().all(Explained::holds);
            group("all", parts, holds)
        }
        Rule::Any { any } => {
            let parts: Vec<Explained> = any.iter().map(|part| explain(part, facts)).collect();
            let holds = parts.iter().any(Explained::holds);
            group("any", parts, holds)
        }
        Rule::Not { not } => {
            let part = explain(not, facts);
            let holds = !part.holds();
            group("not", vec![part], holds)
        }
        Rule::Condition(condition) => Explained::Condition {
            fact: condition.fact.clone(),
            op: op_name(condition.op),
            value: json_of(&condition.value),
            actual: json_of(&facts.fact(&condition.fact)),
            holds: condition.evaluate(facts),
        },
    }
}

/// The operator's name as the rule language writes it (`not_in`).
fn op_name(op: Op) -> String {
    match serde_json::to_value(op) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

fn json_of(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(flag) => serde_json::Value::Bool(*flag),
        Value::Number(number) => serde_json::json!(number),
        Value::Text(text) => serde_json::Value::String(text.clone()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(json_of).collect()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn rule(text: &str) -> Rule {
        serde_json::from_str(text).expect("rule")
    }

    #[test]
    fn explanations_follow_the_evaluator() {
        let facts: BTreeMap<String, Value> = [
            ("score".to_owned(), Value::Number(42.0)),
            ("stage".to_owned(), Value::Text("lead".to_owned())),
        ]
        .into_iter()
        .collect();
        let rule = rule(
            r#"{"all": [{"fact": "score", "op": "gte", "value": 40},
                        {"not": {"fact": "stage", "op": "in", "value": ["lead", "mql"]}}]}"#,
        );
        let explained = explain(&rule, &facts);
        assert_eq!(explained.holds(), rule.evaluate(&facts));
        let Explained::Group { parts, .. } = &explained else { panic!("a group") };
        assert!(parts[0].holds());
        let Explained::Group { parts: inner, holds, .. } = &parts[1] else { panic!("not") };
        assert!(!holds);
        let Explained::Condition { actual, .. } = &inner[0] else { panic!("condition") };
        assert_eq!(actual, &serde_json::json!("lead"));
    }
}
