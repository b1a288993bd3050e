//! The group commit's SQL, written once for both backends: all events of a group in
//! multi-row inserts, all visitors in one upsert, then every profile touched by the
//! group loaded, updated and saved in bulk. The number of statements grows with the
//! number of distinct visitors' profiles, not with the number of requests or events,
//! which is what makes a durable commit cheap under load.
//!
//! A visitor whose batches reveal an email (`identify`, a lead form's `form_submit`)
//! takes the per-batch path
//! (`people::apply_batch`), which handles identity merges.

/// Rows per multi-row statement: 23 parameters an event row stays far below both
/// backends' parameter limits.
pub const ROWS_PER_STATEMENT: usize = 400;

/// Expands `commit_group` for one backend: `$db` is its sqlx database type and
/// `$connection` its connection type; the `people` module of the same backend must be
/// in scope.
macro_rules! group_commit {
    ($db:ty, $connection:ty) => {
        use std::collections::{HashMap, HashSet};

        use kindling_core::wire::VisitorSummary;
        use sqlx::Row as _;

        use crate::profiles::engine::{Changes, Person};
        use crate::store::group::ROWS_PER_STATEMENT;
        use crate::store::people::ProfileState;
        use crate::store::{Committed, InsertOutcome, StoreError, StoredEvent, WriteBatch};

        /// Stores every batch of a group; see the module docs of `store::group`.
        pub async fn commit_group(
            connection: &mut $connection,
            batches: &[WriteBatch],
        ) -> Result<Vec<Committed>, StoreError> {
            let inserted = insert_events(connection, batches).await?;
            let visitors = upsert_visitors(connection, batches, &inserted).await?;
            let profiles = update_profiles(connection, batches, &inserted, &visitors).await?;
            Ok(batches
                .iter()
                .map(|batch| {
                    let new = batch.events.iter().filter(|e| inserted.contains(&(e.site.as_str(), e.id.as_str()))).count();
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
                .collect())
        }

        /// Inserts every event, skipping ids already stored; returns the (site, id)
        /// pairs actually inserted.
        async fn insert_events<'a>(
            connection: &mut $connection,
            batches: &'a [WriteBatch],
        ) -> Result<HashSet<(&'a str, &'a str)>, StoreError> {
            let all: Vec<&StoredEvent> = batches.iter().flat_map(|batch| batch.events.iter()).collect();
            let mut by_id: HashMap<&str, Vec<&StoredEvent>> = HashMap::with_capacity(all.len());
            for event in &all {
                by_id.entry(event.id.as_str()).or_default().push(event);
            }
            let mut inserted = HashSet::with_capacity(all.len());
            for (site, id) in people::insert_events(connection, &all).await? {
                // Map back to the batch's own strings so the set borrows them.
                let event = by_id.get(id.as_str()).and_then(|events| events.iter().find(|e| e.site == site));
                if let Some(event) = event {
                    inserted.insert((event.site.as_str(), event.id.as_str()));
                }
            }
            Ok(inserted)
        }

        /// Per visitor of the group: (visits, events, person id) after the upsert.
        type VisitorRows<'a> = HashMap<(&'a str, &'a str), (u32, u32, String)>;

        async fn upsert_visitors<'a>(
            connection: &mut $connection,
            batches: &'a [WriteBatch],
            inserted: &HashSet<(&'a str, &'a str)>,
        ) -> Result<VisitorRows<'a>, StoreError> {
            // One row per visitor: a visitor may have several requests in a group.
            let mut merged: Vec<((&str, &str), i64, i32, i32, bool)> = Vec::new();
            let mut index: HashMap<(&str, &str), usize> = HashMap::new();
            for batch in batches {
                let key = (batch.site.as_str(), batch.visitor.as_str());
                let new = batch.events.iter().filter(|e| inserted.contains(&(e.site.as_str(), e.id.as_str()))).count();
                let new = i32::try_from(new).unwrap_or(i32::MAX);
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
            inserted: &HashSet<(&'a str, &'a str)>,
            visitors: &VisitorRows<'a>,
        ) -> Result<HashMap<(&'a str, &'a str), ProfileState>, StoreError> {
            let mut states = HashMap::new();
            let is_new = |event: &StoredEvent| inserted.contains(&(event.site.as_str(), event.id.as_str()));
            // Visitors revealing an email take the per-batch path (identity merges).
            let identifying: HashSet<(&str, &str)> = batches
                .iter()
                .filter(|b| !b.bot && b.events.iter().any(|e| crate::profiles::engine::reveals_email(e) && is_new(e)))
                .map(|b| (b.site.as_str(), b.visitor.as_str()))
                .collect();
            // Everyone else: load each person once, apply its batches in order, save once.
            let mut persons: Vec<(&str, String, Option<Person>, Vec<(&str, &str)>)> = Vec::new();
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
            load_persons(connection, &mut persons).await?;
            let mut saved: Vec<(&str, Person, Changes)> = Vec::with_capacity(persons.len());
            for (site, person_id, loaded, keys) in persons {
                let temperature_before = loaded.as_ref().map(|person| person.temperature);
                let mut person = loaded.unwrap_or_else(|| Person::new(person_id.clone(), now_of(batches)));
                let mut changes = Changes::default();
                for batch in batches.iter().filter(|b| !b.bot && keys.contains(&(b.site.as_str(), b.visitor.as_str()))) {
                    let events: Vec<StoredEvent> = batch.events.iter().filter(|e| is_new(e)).cloned().collect();
                    changes.extend(person.apply(&events, &batch.model, batch.seen_ms));
                }
                let state = ProfileState::after(&person, &changes, temperature_before);
                for key in &keys {
                    states.insert(*key, state.clone());
                }
                saved.push((site, person, changes));
            }
            save_persons(connection, &saved, now_of(batches)).await?;
            let lines: Vec<(&str, &str, &Changes)> =
                saved.iter().map(|(site, person, changes)| (*site, person.id.as_str(), changes)).collect();
            people::record_all(connection, &lines).await?;
            for batch in batches.iter().filter(|b| identifying.contains(&(b.site.as_str(), b.visitor.as_str()))) {
                let events: Vec<StoredEvent> = batch.events.iter().filter(|e| is_new(e)).cloned().collect();
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

        fn now_of(batches: &[WriteBatch]) -> i64 {
            batches.iter().map(|b| b.seen_ms).max().unwrap_or(0)
        }

        /// Fills in the stored document of each person that has one: one `IN` list per
        /// site, so the primary key answers each lookup.
        async fn load_persons(
            connection: &mut $connection,
            persons: &mut [(&str, String, Option<Person>, Vec<(&str, &str)>)],
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
            persons: &[(&str, Person, Changes)],
            now: i64,
        ) -> Result<(), StoreError> {
            let mut docs = Vec::with_capacity(persons.len());
            for (_, person, _) in persons {
                docs.push(serde_json::to_string(person).map_err(|error| StoreError::Corrupt(error.to_string()))?);
            }
            let rows: Vec<(&str, &Person, &String)> =
                persons.iter().zip(&docs).map(|((site, person, _), doc)| (*site, person, doc)).collect();
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO persons (site, id, email, score, temperature, stage, last_activity_ms, updated_ms, doc) ",
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
                        .push_bind(doc.as_str());
                });
                query.push(
                    " ON CONFLICT (site, id) DO UPDATE SET email = excluded.email, score = excluded.score,
                        temperature = excluded.temperature, stage = excluded.stage,
                        last_activity_ms = excluded.last_activity_ms, updated_ms = excluded.updated_ms,
                        doc = excluded.doc",
                );
                query.build().execute(&mut *connection).await?;
            }
            Ok(())
        }
    };
}

pub(crate) use group_commit;
