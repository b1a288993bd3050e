//! The leads list: known persons (with an email), best score first, filtered by
//! temperature, stage and score in the database and by segment and first-touch source
//! here, on the documents.

use std::sync::Arc;

use crate::profiles::document::decode;
use crate::profiles::engine::Person;
use crate::store::{KnownQuery, Store, StoreResult};

/// Persons a leads query reads at most before the segment and source filters.
pub const MAX_LEADS_SCAN: u32 = 10_000;

/// Filters of the leads list.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub temperature: Option<String>,
    pub stage: Option<String>,
    pub segment: Option<String>,
    /// First-touch source (`utm_source`) or channel.
    pub source: Option<String>,
    pub min_score: Option<i32>,
    pub max_score: Option<i32>,
    pub limit: u32,
    pub offset: u32,
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
        in_segment && from_source
    }
}

/// Known persons of `site` matching `filter`, best score first.
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
        limit: MAX_LEADS_SCAN,
    };
    let mut persons = Vec::new();
    for doc in store.known_persons(site, &query).await? {
        let person = decode(&doc)?;
        if filter.admits(&person) {
            persons.push(person);
        }
    }
    Ok(persons.into_iter().skip(filter.offset as usize).take(filter.limit as usize).collect())
}
