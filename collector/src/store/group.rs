//! The group commit, written once for both backends: all events of a group in
//! multi-row inserts, all visitors in one upsert, then every profile touched by the
//! group loaded, updated and saved in bulk. The number of statements grows with the
//! number of sites in the group, not with the number of requests, visitors or events,
//! which is what makes a durable commit cheap under load.
//!
//! A visitor whose batches reveal an email (`identify`, a lead form's `form_submit`)
//! takes the per-batch path (`people::apply_batch`), which handles identity merges.
//!
//! What a group commit decides apart from its SQL (which events are new, one row per
//! visitor, which persons change and how, what each request is answered) is in plain
//! functions here, shared with SQLite's group commit lane (`store::sqlite`).

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use kindling_core::wire::VisitorSummary;

use crate::automation::enroll::{Before, enroll};
use crate::profiles::engine::{Changes, Person};
use crate::store::people::ProfileState;
use crate::store::{Committed, InsertOutcome, StoredEvent, WriteBatch};

/// Rows per multi-row statement: 23 parameters an event row stays far below both
/// backends' parameter limits.
pub const ROWS_PER_STATEMENT: usize = 400;

/// The (site, id) of the group's events actually inserted, borrowing the batches'
/// own strings.
pub type Inserted<'a> = HashSet<(&'a str, &'a str)>;

/// Per visitor of the group: (visits, events, person id) after the upsert.
pub type VisitorRows<'a> = HashMap<(&'a str, &'a str), (u32, u32, String)>;

/// One visitor's row of the upsert: (site, id), last seen, visit number, new events,
/// bot.
pub type VisitorRow<'a> = ((&'a str, &'a str), i64, i32, i32, bool);

/// A person the group changes: its site and id, the stored document once loaded, and
/// the visitors of the group it has.
pub type PersonEntry<'a> = (&'a str, String, Option<Person>, Vec<(&'a str, &'a str)>);

fn is_new(inserted: &Inserted<'_>, event: &StoredEvent) -> bool {
    inserted.contains(&(event.site.as_str(), event.id.as_str()))
}

fn new_events(batch: &WriteBatch, inserted: &Inserted<'_>) -> usize {
    batch.events.iter().filter(|event| is_new(inserted, event)).count()
}

/// Maps the (site, id) pairs the insert returned back to the batches' own strings.
pub fn inserted_set<'a>(batches: &'a [WriteBatch], rows: &[(String, String)]) -> Inserted<'a> {
    let mut by_id: HashMap<&str, Vec<&StoredEvent>> = HashMap::new();
    for event in batches.iter().flat_map(|batch| batch.events.iter()) {
        by_id.entry(event.id.as_str()).or_default().push(event);
    }
    let mut inserted = HashSet::with_capacity(rows.len());
    for (site, id) in rows {
        let event =
            by_id.get(id.as_str()).and_then(|events| events.iter().find(|e| e.site == *site));
        if let Some(event) = event {
            inserted.insert((event.site.as_str(), event.id.as_str()));
        }
    }
    inserted
}

/// One upsert row per visitor: a visitor may have several requests in a group.
pub fn visitor_rows<'a>(batches: &'a [WriteBatch], inserted: &Inserted<'_>) -> Vec<VisitorRow<'a>> {
    let mut merged: Vec<VisitorRow<'a>> = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for batch in batches {
        let key = (batch.site.as_str(), batch.visitor.as_str());
        let new = i32::try_from(new_events(batch, inserted)).unwrap_or(i32::MAX);
        let visit = i32::try_from(batch.visit).unwrap_or(i32::MAX);
        match index.get(&key).and_then(|&at| merged.get_mut(at)) {
            Some(row) => {
                row.1 = row.1.max(batch.seen_ms);
                row.2 = row.2.max(visit);
                row.3 += new;
                row.4 |= batch.bot;
            }
            None => {
                index.insert(key, merged.len());
                merged.push((key, batch.seen_ms, visit, new, batch.bot));
            }
        }
    }
    merged
}

/// The visitors of the group whose new events reveal an email: they take the
/// per-batch path (identity merges).
pub fn identifying<'a>(
    batches: &'a [WriteBatch],
    inserted: &Inserted<'_>,
) -> HashSet<(&'a str, &'a str)> {
    batches
        .iter()
        .filter(|b| {
            !b.bot
                && b.events
                    .iter()
                    .any(|e| crate::profiles::engine::reveals_email(e) && is_new(inserted, e))
        })
        .map(|b| (b.site.as_str(), b.visitor.as_str()))
        .collect()
}

/// Everyone else's persons, each once with the group's visitors it has.
pub fn persons_to_update<'a>(
    batches: &'a [WriteBatch],
    visitors: &VisitorRows<'a>,
    identifying: &HashSet<(&'a str, &'a str)>,
) -> Vec<PersonEntry<'a>> {
    let mut persons: Vec<PersonEntry<'a>> = Vec::new();
    let mut person_index: HashMap<(&str, &str), usize> = HashMap::new();
    for batch in batches.iter().filter(|b| !b.bot) {
        let key = (batch.site.as_str(), batch.visitor.as_str());
        if identifying.contains(&key) {
            continue;
        }
        let Some((_, _, person_id)) = visitors.get(&key) else { continue };
        match person_index.get(&(key.0, person_id.as_str())).and_then(|&at| persons.get_mut(at)) {
            Some(entry) => {
                if !entry.3.contains(&key) {
                    entry.3.push(key);
                }
            }
            None => {
                person_index.insert((key.0, person_id.as_str()), persons.len());
                persons.push((key.0, person_id.clone(), None, vec![key]));
            }
        }
    }
    persons
}

/// The group's clock: its latest request.
pub fn now_of(batches: &[WriteBatch]) -> i64 {
    batches.iter().map(|b| b.seen_ms).max().unwrap_or(0)
}

/// Applies each loaded person's batches in order; returns the persons to save with
/// their changes, and each visitor's profile state.
pub fn apply_to_persons<'a>(
    batches: &'a [WriteBatch],
    inserted: &Inserted<'_>,
    persons: Vec<PersonEntry<'a>>,
    states: &mut HashMap<(&'a str, &'a str), ProfileState>,
) -> Vec<(&'a str, std::sync::Arc<Person>, Changes)> {
    let mut saved = Vec::with_capacity(persons.len());
    for (site, person_id, loaded, keys) in persons {
        let temperature_before = loaded.as_ref().map(|person| person.temperature);
        let mut person = loaded.unwrap_or_else(|| Person::new(person_id, now_of(batches)));
        let mut changes = Changes::default();
        for batch in batches
            .iter()
            .filter(|b| !b.bot && keys.contains(&(b.site.as_str(), b.visitor.as_str())))
        {
            // As a rule every event of a batch is new: only resends need a copy.
            let events: std::borrow::Cow<'_, [StoredEvent]> =
                if batch.events.iter().all(|e| is_new(inserted, e)) {
                    std::borrow::Cow::Borrowed(&batch.events)
                } else {
                    batch.events.iter().filter(|e| is_new(inserted, e)).cloned().collect()
                };
            let before = Before::of(&person);
            let batch_changes = person.apply(&events, &batch.model, batch.seen_ms);
            if !batch.model.workflows.is_empty() {
                let workflows = &batch.model.workflows;
                enroll(&mut person, &before, &events, &batch_changes, workflows, batch.seen_ms);
            }
            changes.extend(batch_changes);
        }
        // One copy of the person, shared by the answer, the cache and the save.
        let person = std::sync::Arc::new(person);
        let state = ProfileState::sharing(&person, &changes, temperature_before);
        for key in &keys {
            states.insert(*key, state.clone());
        }
        saved.push((site, person, changes));
    }
    saved
}

/// What each batch of the group did, in order.
pub fn results(
    batches: &[WriteBatch],
    inserted: &Inserted<'_>,
    visitors: &VisitorRows<'_>,
    profiles: &HashMap<(&str, &str), ProfileState>,
) -> Vec<Committed> {
    batches
        .iter()
        .map(|batch| {
            let new = new_events(batch, inserted);
            let outcome = InsertOutcome {
                inserted: new as u32,
                duplicates: (batch.events.len() - new) as u32,
            };
            let key = (batch.site.as_str(), batch.visitor.as_str());
            let (visits, events, _) = visitors.get(&key).cloned().unwrap_or_default();
            let profile = profiles.get(&key).cloned().unwrap_or_default();
            let refused: Vec<_> = profile
                .refused
                .iter()
                .filter(|refused| batch.events.iter().any(|event| event.id == refused.event_id))
                .cloned()
                .collect();
            let refused_count = refused.len() as u32;
            let outcome = InsertOutcome { inserted: outcome.inserted - refused_count, ..outcome };
            Committed {
                repeat_of: None,
                refused,
                person: profile.person,
                changed: profile.changed,
                outcome,
                visitor: VisitorSummary {
                    visits,
                    events: events.saturating_sub(refused_count),
                    score: profile.score,
                    temperature: profile.temperature,
                    stage: profile.stage,
                    segments: profile.segments,
                },
            }
        })
        .collect()
}

/// Expands `commit_group` for one backend: `$db` is its sqlx database type and
/// `$connection` its connection type; the `people` module of the same backend must be
/// in scope.
macro_rules! group_commit {
    ($db:ty, $connection:ty) => {
        use foldhash::{HashMap, HashMapExt};
        use sqlx::Row as _;

        use crate::profiles::engine::{Changes, Person};
        use crate::store::group::{self as shared, Inserted, PersonEntry, ROWS_PER_STATEMENT, VisitorRows};
        use crate::store::people::ProfileState;
        use crate::store::{Committed, StoreError, StoredEvent, WriteBatch};

        /// Stores every batch of a group; see the module docs of `store::group`.
        pub async fn commit_group(
            connection: &mut $connection,
            batches: &[WriteBatch],
        ) -> Result<Vec<Committed>, StoreError> {
            let all: Vec<&StoredEvent> = batches.iter().flat_map(|batch| batch.events.iter()).collect();
            let rows = people::insert_events(connection, &all).await?;
            let inserted = shared::inserted_set(batches, &rows);
            let visitors = upsert_visitors(connection, batches, &inserted).await?;
            let profiles = update_profiles(connection, batches, &inserted, &visitors).await?;
            Ok(shared::results(batches, &inserted, &visitors, &profiles))
        }

        async fn upsert_visitors<'a>(
            connection: &mut $connection,
            batches: &'a [WriteBatch],
            inserted: &Inserted<'_>,
        ) -> Result<VisitorRows<'a>, StoreError> {
            let merged = shared::visitor_rows(batches, inserted);
            let index: HashMap<(&str, &str), usize> =
                merged.iter().enumerate().map(|(at, row)| (row.0, at)).collect();
            let mut visitors = HashMap::with_capacity(merged.len());
            for chunk in merged.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms, visits, events, bot, person) ",
                );
                query.push_values(chunk.iter(), |mut row, (key, seen, visit, new, bot)| {
                    row.push_bind(key.0)
                        .push_bind(key.1)
                        .push_bind(*seen)
                        .push_bind(*seen)
                        .push_bind(*visit)
                        .push_bind(*new)
                        .push_bind(*bot)
                        // A visitor's first person takes its id (see `Person::id`).
                        .push_bind(key.1);
                });
                query.push(
                    " ON CONFLICT (site, id) DO UPDATE SET
                        last_seen_ms = CASE WHEN visitors.last_seen_ms > excluded.last_seen_ms
                                       THEN visitors.last_seen_ms ELSE excluded.last_seen_ms END,
                        visits = CASE WHEN visitors.visits > excluded.visits
                                 THEN visitors.visits ELSE excluded.visits END,
                        events = visitors.events + excluded.events,
                        bot = visitors.bot OR excluded.bot,
                        person = COALESCE(visitors.person, excluded.person)
                     RETURNING site, id, visits, events, person",
                );
                let rows = query.build().fetch_all(&mut *connection).await?;
                for row in &rows {
                    let site: String = row.try_get("site")?;
                    let id: String = row.try_get("id")?;
                    let visits: i32 = row.try_get("visits")?;
                    let events: i32 = row.try_get("events")?;
                    let person: String = row.try_get("person")?;
                    let row = index.get(&(site.as_str(), id.as_str())).and_then(|&at| merged.get(at));
                    if let Some((key, ..)) = row {
                        visitors.insert(
                            *key,
                            (u32::try_from(visits).unwrap_or(0), u32::try_from(events).unwrap_or(0), person),
                        );
                    }
                }
            }
            Ok(visitors)
        }

        /// Applies the group's new events to their persons; returns each visitor's
        /// profile state.
        async fn update_profiles<'a>(
            connection: &mut $connection,
            batches: &'a [WriteBatch],
            inserted: &Inserted<'_>,
            visitors: &VisitorRows<'a>,
        ) -> Result<HashMap<(&'a str, &'a str), ProfileState>, StoreError> {
            let mut states = HashMap::new();
            let identifying = shared::identifying(batches, inserted);
            // Everyone else: load each person once, apply its batches in order, save once.
            let mut persons = shared::persons_to_update(batches, visitors, &identifying);
            load_persons(connection, &mut persons).await?;
            let saved = shared::apply_to_persons(batches, inserted, persons, &mut states);
            save_persons(connection, &saved, shared::now_of(batches)).await?;
            let lines: Vec<(&str, &str, &Changes)> =
                saved.iter().map(|(site, person, changes)| (*site, person.id.as_str(), changes)).collect();
            people::record_all(connection, &lines).await?;
            for batch in batches.iter().filter(|b| identifying.contains(&(b.site.as_str(), b.visitor.as_str()))) {
                let events: Vec<StoredEvent> = batch.events.iter().filter(|e| inserted.contains(&(e.site.as_str(), e.id.as_str()))).cloned().collect();
                let state = people::apply_batch(
                    connection,
                    &batch.site,
                    &batch.visitor,
                    &events,
                    &batch.model,
                    batch.seen_ms,
                )
                .await?;
                states.insert((batch.site.as_str(), batch.visitor.as_str()), state);
            }
            Ok(states)
        }

        /// Fills in the stored document of each person that has one: one `IN` list per
        /// site, so the primary key answers each lookup.
        async fn load_persons(
            connection: &mut $connection,
            persons: &mut [PersonEntry<'_>],
        ) -> Result<(), StoreError> {
            let index: HashMap<(String, String), usize> =
                persons.iter().enumerate().map(|(at, p)| ((p.0.to_owned(), p.1.clone()), at)).collect();
            let mut sites: Vec<&str> = persons.iter().map(|p| p.0).collect();
            sites.sort_unstable();
            sites.dedup();
            for site in sites {
                let ids: Vec<String> = persons.iter().filter(|p| p.0 == site).map(|p| p.1.clone()).collect();
                for chunk in ids.chunks(ROWS_PER_STATEMENT) {
                    let mut query = sqlx::QueryBuilder::<$db>::new("SELECT site, id, doc FROM persons WHERE site = ");
                    query.push_bind(site).push(" AND id IN (");
                    let mut separated = query.separated(", ");
                    for id in chunk {
                        separated.push_bind(id.as_str());
                    }
                    query.push(")");
                    let rows = query.build().fetch_all(&mut *connection).await?;
                    for row in &rows {
                        let site: String = row.try_get("site")?;
                        let id: String = row.try_get("id")?;
                        let doc: String = row.try_get("doc")?;
                        let person: Person =
                            serde_json::from_str(&doc).map_err(|error| StoreError::Corrupt(error.to_string()))?;
                        if let Some(entry) = index.get(&(site, id)).and_then(|&at| persons.get_mut(at)) {
                            entry.2 = Some(person);
                        }
                    }
                }
            }
            Ok(())
        }

        async fn save_persons(
            connection: &mut $connection,
            persons: &[(&str, std::sync::Arc<Person>, Changes)],
            now: i64,
        ) -> Result<(), StoreError> {
            let mut docs = Vec::with_capacity(persons.len());
            for (_, person, _) in persons {
                docs.push(serde_json::to_string(person.as_ref()).map_err(|error| StoreError::Corrupt(error.to_string()))?);
            }
            let rows: Vec<(&str, &Person, &String)> =
                persons.iter().zip(&docs).map(|((site, person, _), doc)| (*site, person.as_ref(), doc)).collect();
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO persons (site, id, email, score, temperature, stage, last_activity_ms, updated_ms, doc, next_run_ms) ",
                );
                query.push_values(chunk.iter(), |mut row, (site, person, doc)| {
                    row.push_bind(*site)
                        .push_bind(&person.id)
                        .push_bind(&person.email)
                        .push_bind(person.score)
                        .push_bind(person.temperature.as_str())
                        .push_bind(person.stage.as_str())
                        .push_bind(person.last_activity_ms)
                        .push_bind(now)
                        .push_bind(doc.as_str())
                        .push_bind(person.journeys.next_due());
                });
                query.push(
                    " ON CONFLICT (site, id) DO UPDATE SET email = excluded.email, score = excluded.score,
                        temperature = excluded.temperature, stage = excluded.stage,
                        last_activity_ms = excluded.last_activity_ms, updated_ms = excluded.updated_ms,
                        doc = excluded.doc, next_run_ms = excluded.next_run_ms",
                );
                query.build().execute(&mut *connection).await?;
            }
            Ok(())
        }
    };
}

pub(crate) use group_commit;
