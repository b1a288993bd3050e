//! The leads list: known persons (with an email), filtered by temperature, stage,
//! score and last activity in the database and by search text, segment, first-touch
//! source and first seen here, on the documents; sorted by score, last activity or
//! email in the database, by first seen here.

use std::sync::Arc;

use crate::profiles::document::decode;
use crate::profiles::engine::Person;
use crate::store::{KnownOrder, KnownQuery, Store, StoreResult};

/// Persons a leads query reads at most before the filters applied here.
pub const MAX_LEADS_SCAN: u32 = 10_000;

/// Traits the search text is looked for in, besides the email.
const NAME_TRAITS: [&str; 3] = ["name", "first_name", "last_name"];

/// Filters and order of the leads list.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// Text the email or the name contains, whatever its case.
    pub search: Option<String>,
    pub temperature: Option<String>,
    pub stage: Option<String>,
    pub segment: Option<String>,
    /// First-touch source (`utm_source`) or channel.
    pub source: Option<String>,
    pub min_score: Option<i32>,
    pub max_score: Option<i32>,
    /// First seen in `[from, until)`, Unix milliseconds.
    pub first_seen_from_ms: Option<i64>,
    pub first_seen_until_ms: Option<i64>,
    /// Last seen in `[from, until)`, Unix milliseconds.
    pub last_seen_from_ms: Option<i64>,
    pub last_seen_until_ms: Option<i64>,
    pub sort: LeadSort,
    pub limit: u32,
    pub offset: u32,
}

/// The order of the leads list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadSort {
    /// Best score first.
    #[default]
    Score,
    /// Most recently seen first.
    LastSeen,
    /// Most recently first seen first.
    FirstSeen,
    /// By email, A to Z.
    Email,
}

impl LeadSort {
    /// Every order, as offered to choose from.
    pub const ALL: [LeadSort; 4] =
        [LeadSort::Score, LeadSort::LastSeen, LeadSort::FirstSeen, LeadSort::Email];

    /// The name in queries: `score`, `last_seen`, `first_seen` or `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadSort::Score => "score",
            LeadSort::LastSeen => "last_seen",
            LeadSort::FirstSeen => "first_seen",
            LeadSort::Email => "email",
        }
    }

    /// The order named `name` in queries.
    pub fn parse(name: &str) -> Option<LeadSort> {
        LeadSort::ALL.into_iter().find(|sort| sort.as_str() == name)
    }

    /// The order the store reads in: first seen is sorted here.
    fn stored(self) -> KnownOrder {
        match self {
            LeadSort::Score | LeadSort::FirstSeen => KnownOrder::Score,
            LeadSort::LastSeen => KnownOrder::LastActivity,
            LeadSort::Email => KnownOrder::Email,
        }
    }
}

impl LeadFilter {
    /// Whether `person` passes the filters the database does not apply.
    fn admits(&self, person: &Person) -> bool {
        let in_segment = self.segment.as_ref().is_none_or(|s| person.segments.contains(s));
        let from_source = self.source.as_ref().is_none_or(|source| {
            person.aggregates.first_touch.as_ref().is_some_and(|touch| {
                touch.source.as_deref() == Some(source.as_str()) || touch.channel == *source
            })
        });
        let first_seen = self.first_seen_from_ms.is_none_or(|from| person.created_ms >= from)
            && self.first_seen_until_ms.is_none_or(|until| person.created_ms < until);
        in_segment
            && from_source
            && first_seen
            && self.search.as_deref().is_none_or(|text| matches(person, &text.to_lowercase()))
    }
}

/// Whether `person`'s email or name contains `text` (lowercase).
fn matches(person: &Person, text: &str) -> bool {
    let email = person.email.as_deref().is_some_and(|email| email.to_lowercase().contains(text));
    email
        || NAME_TRAITS.iter().any(|name| {
            person.traits.get(*name).is_some_and(|found| match &found.value {
                kindling_core::wire::PropValue::Text(value) => value.to_lowercase().contains(text),
                _ => false,
            })
        })
}

/// Known persons of `site` matching `filter`, in its order.
pub async fn leads(
    store: &Arc<dyn Store>,
    site: &str,
    filter: &LeadFilter,
) -> StoreResult<Vec<Person>> {
    let query = KnownQuery {
        temperature: filter.temperature.clone(),
        stage: filter.stage.clone(),
        min_score: filter.min_score,
        max_score: filter.max_score,
        active_from_ms: filter.last_seen_from_ms,
        active_until_ms: filter.last_seen_until_ms,
        order: filter.sort.stored(),
        limit: MAX_LEADS_SCAN,
    };
    let mut persons = Vec::new();
    for doc in store.known_persons(site, &query).await? {
        let person = decode(&doc)?;
        if filter.admits(&person) {
            persons.push(person);
        }
    }
    if filter.sort == LeadSort::FirstSeen {
        // Stable: equal times stay best score first.
        persons.sort_by_key(|person| std::cmp::Reverse(person.created_ms));
    }
    Ok(persons.into_iter().skip(filter.offset as usize).take(filter.limit as usize).collect())
}
