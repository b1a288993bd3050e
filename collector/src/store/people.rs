//! Profile persistence, written once for both backends: the SQL below is the same
//! text for SQLite and PostgreSQL (both take `$N` parameters), and
//! [`people_queries!`] expands it for each backend's connection and row types.
//!
//! Called inside the group commit's transaction: the events, the person they change
//! and the lines explaining the change are committed together.

/// The profile state returned to the widget, with what the commit did to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileState {
    pub score: i32,
    pub temperature: String,
    pub stage: String,
    pub segments: Vec<String>,
    /// Events the profile refused (impressions over caps); not stored.
    pub refused: Vec<crate::profiles::exposures::Refused>,
    /// The person after the commit.
    pub person: Option<std::sync::Arc<crate::profiles::Person>>,
    /// The commit changed the temperature, stage or segments.
    pub changed: bool,
}

impl ProfileState {
    pub fn of(person: &crate::profiles::Person) -> ProfileState {
        ProfileState {
            score: person.score,
            temperature: person.temperature.as_str().to_owned(),
            stage: person.stage.as_str().to_owned(),
            segments: person.segments.clone(),
            refused: Vec::new(),
            person: None,
            changed: false,
        }
    }

    /// [`ProfileState::after`] for a person already shared.
    pub fn sharing(
        after: &std::sync::Arc<crate::profiles::Person>,
        changes: &crate::profiles::Changes,
        temperature_before: Option<kindling_core::scoring::Temperature>,
    ) -> ProfileState {
        let changed = temperature_before != Some(after.temperature)
            || !changes.stages.is_empty()
            || !changes.segments.is_empty();
        ProfileState {
            refused: changes.refused.clone(),
            person: Some(std::sync::Arc::clone(after)),
            changed,
            ..ProfileState::of(after)
        }
    }

    /// The state after a commit that applied `changes` to a person whose temperature
    /// was `temperature_before` (none: the person is new).
    pub fn after(
        after: &crate::profiles::Person,
        changes: &crate::profiles::Changes,
        temperature_before: Option<kindling_core::scoring::Temperature>,
    ) -> ProfileState {
        ProfileState::sharing(&std::sync::Arc::new(after.clone()), changes, temperature_before)
    }
}

/// Everything stored about one person: the profile, its visitors, their events and
/// the history of its score, stage and segments (oldest first).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileView {
    pub person: crate::profiles::Person,
    pub visitors: Vec<String>,
    pub events: Vec<super::StoredEvent>,
    pub score_changes: Vec<ScoreLine>,
    pub stage_changes: Vec<StageLine>,
    pub segment_changes: Vec<SegmentLine>,
}

/// A stored score change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScoreLine {
    pub at_ms: i64,
    pub rule: String,
    pub reason: String,
    pub points: i32,
    pub score: i32,
    pub event_id: Option<String>,
}

/// A stored stage change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StageLine {
    pub at_ms: i64,
    pub from: String,
    pub to: String,
    pub cause: String,
}

/// A stored segment change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentLine {
    pub at_ms: i64,
    pub segment: String,
    pub entered: bool,
}

/// How to find a person.
#[derive(Debug, Clone)]
pub enum ProfileKey {
    Id(String),
    Visitor(String),
    Email(String),
}

/// Filters of the leads list (known persons), best score first.
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

/// Persons a leads query reads at most before the segment and source filters.
pub const MAX_LEADS_SCAN: i64 = 10_000;

/// Expands the profile queries for one backend: `$db` is its sqlx database type,
/// `$connection` its connection type,
/// `$event_from_row` its row-to-[`StoredEvent`](super::StoredEvent) function.
macro_rules! people_queries {
    ($db:ty, $connection:ty, $event_from_row:path) => {
        use sqlx::Row as _;

        use crate::profiles::engine::{Changes, Person, rebuild};
        use crate::profiles::ProfileModel;
        use crate::store::people::ProfileState;
        use crate::store::{StoreError, StoredEvent};

        fn decode(doc: &str) -> Result<Person, StoreError> {
            serde_json::from_str(doc).map_err(|error| StoreError::Corrupt(error.to_string()))
        }

        /// The person `visitor` belongs to, if any.
        pub async fn person_of(
            connection: &mut $connection,
            site: &str,
            visitor: &str,
        ) -> Result<Option<Person>, StoreError> {
            let row = sqlx::query(
                "SELECT p.doc FROM visitors v JOIN persons p ON p.site = v.site AND p.id = v.person
                 WHERE v.site = $1 AND v.id = $2",
            )
            .bind(site)
            .bind(visitor)
            .fetch_optional(&mut *connection)
            .await?;
            row.map(|row| decode(&row.try_get::<String, _>("doc")?)).transpose()
        }

        /// A person by id.
        pub async fn load(connection: &mut $connection, site: &str, id: &str) -> Result<Option<Person>, StoreError> {
            let row = sqlx::query("SELECT doc FROM persons WHERE site = $1 AND id = $2")
                .bind(site)
                .bind(id)
                .fetch_optional(&mut *connection)
                .await?;
            row.map(|row| decode(&row.try_get::<String, _>("doc")?)).transpose()
        }

        /// Another person already known by `email`.
        async fn other_with_email(
            connection: &mut $connection,
            site: &str,
            email: &str,
            except: &str,
        ) -> Result<Option<Person>, StoreError> {
            let row = sqlx::query("SELECT doc FROM persons WHERE site = $1 AND email = $2 AND id <> $3")
                .bind(site)
                .bind(email)
                .bind(except)
                .fetch_optional(&mut *connection)
                .await?;
            row.map(|row| decode(&row.try_get::<String, _>("doc")?)).transpose()
        }

        /// Writes the person (created or updated).
        pub async fn save(connection: &mut $connection, site: &str, person: &Person, now: i64) -> Result<(), StoreError> {
            let doc = serde_json::to_string(person).map_err(|error| StoreError::Corrupt(error.to_string()))?;
            sqlx::query(
                "INSERT INTO persons (site, id, email, score, temperature, stage, last_activity_ms, updated_ms, doc, next_run_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (site, id) DO UPDATE SET email = excluded.email, score = excluded.score,
                    temperature = excluded.temperature, stage = excluded.stage,
                    last_activity_ms = excluded.last_activity_ms, updated_ms = excluded.updated_ms,
                    doc = excluded.doc, next_run_ms = excluded.next_run_ms",
            )
            .bind(site)
            .bind(&person.id)
            .bind(&person.email)
            .bind(person.score)
            .bind(person.temperature.as_str())
            .bind(person.stage.as_str())
            .bind(person.last_activity_ms)
            .bind(now)
            .bind(doc)
            .bind(person.journeys.next_due())
            .execute(&mut *connection)
            .await?;
            Ok(())
        }

        /// Inserts events in multi-row statements, skipping ids already stored; returns
        /// the (site, id) of those inserted.
        pub async fn insert_events(
            connection: &mut $connection,
            events: &[&crate::store::StoredEvent],
        ) -> Result<Vec<(String, String)>, StoreError> {
            let mut inserted = Vec::with_capacity(events.len());
            for chunk in events.chunks(crate::store::group::ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO events (site, id, visitor, kind, url, title, referrer, received_ms,
                        client_offset_ms, session, name, target, value, props, channel, utm_source,
                        utm_medium, utm_campaign, utm_term, utm_content, click_id, device, bot) ",
                );
                query.push_values(chunk.iter(), |mut row, event| {
                    row.push_bind(&event.site)
                        .push_bind(&event.id)
                        .push_bind(&event.visitor)
                        .push_bind(&event.kind)
                        .push_bind(&event.url)
                        .push_bind(&event.title)
                        .push_bind(&event.referrer)
                        .push_bind(event.received_ms)
                        .push_bind(event.client_offset_ms)
                        .push_bind(&event.session)
                        .push_bind(&event.name)
                        .push_bind(&event.target)
                        .push_bind(event.value)
                        .push_bind(&event.props)
                        .push_bind(&event.channel)
                        .push_bind(&event.utm_source)
                        .push_bind(&event.utm_medium)
                        .push_bind(&event.utm_campaign)
                        .push_bind(&event.utm_term)
                        .push_bind(&event.utm_content)
                        .push_bind(&event.click_id)
                        .push_bind(&event.device)
                        .push_bind(event.bot);
                });
                query.push(" ON CONFLICT (site, id) DO NOTHING RETURNING site, id");
                let rows = query.build().fetch_all(&mut *connection).await?;
                for row in &rows {
                    inserted.push((row.try_get("site")?, row.try_get("id")?));
                }
            }
            Ok(inserted)
        }

        /// Stores the lines explaining `changes` for `person`.
        pub async fn record(
            connection: &mut $connection,
            site: &str,
            person: &str,
            changes: &Changes,
        ) -> Result<(), StoreError> {
            record_all(connection, &[(site, person, changes)]).await
        }

        /// Stores the lines explaining each person's changes (one multi-row insert per
        /// kind of line, whatever the number of persons), the conversions they derived,
        /// and removes the impressions they refused.
        pub async fn record_all(
            connection: &mut $connection,
            persons: &[(&str, &str, &Changes)],
        ) -> Result<(), StoreError> {
            let scores: Vec<_> = persons
                .iter()
                .flat_map(|(site, person, changes)| changes.scores.iter().map(move |change| (*site, *person, change)))
                .collect();
            for chunk in scores.chunks(crate::store::group::ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO score_changes (site, person, at_ms, rule, reason, points, score, event_id) ",
                );
                query.push_values(chunk.iter(), |mut row, (site, person, change)| {
                    row.push_bind(*site)
                        .push_bind(*person)
                        .push_bind(change.at_ms)
                        .push_bind(change.rule.as_str())
                        .push_bind(change.reason)
                        .push_bind(change.points)
                        .push_bind(change.score)
                        .push_bind(change.event_id.as_deref());
                });
                query.build().execute(&mut *connection).await?;
            }
            let stages: Vec<_> = persons
                .iter()
                .flat_map(|(site, person, changes)| changes.stages.iter().map(move |change| (*site, *person, change)))
                .collect();
            for chunk in stages.chunks(crate::store::group::ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO stage_changes (site, person, at_ms, from_stage, to_stage, cause) ",
                );
                query.push_values(chunk.iter(), |mut row, (site, person, change)| {
                    row.push_bind(*site)
                        .push_bind(*person)
                        .push_bind(change.at_ms)
                        .push_bind(change.from.as_str())
                        .push_bind(change.to.as_str())
                        .push_bind(change.cause.as_str());
                });
                query.build().execute(&mut *connection).await?;
            }
            let segments: Vec<_> = persons
                .iter()
                .flat_map(|(site, person, changes)| changes.segments.iter().map(move |change| (*site, *person, change)))
                .collect();
            for chunk in segments.chunks(crate::store::group::ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO segment_changes (site, person, at_ms, segment, entered) ",
                );
                query.push_values(chunk.iter(), |mut row, (site, person, change)| {
                    row.push_bind(*site)
                        .push_bind(*person)
                        .push_bind(change.at_ms)
                        .push_bind(change.segment.as_str())
                        .push_bind(change.entered);
                });
                query.build().execute(&mut *connection).await?;
            }
            for (site, _, changes) in persons {
                for refused in &changes.refused {
                    sqlx::query("DELETE FROM events WHERE site = $1 AND id = $2").bind(*site).bind(&refused.event_id).execute(&mut *connection).await?;
                    sqlx::query("UPDATE visitors SET events = events - 1 WHERE site = $1 AND id = $2 AND events > 0")
                        .bind(*site)
                        .bind(&refused.visitor)
                        .execute(&mut *connection)
                        .await?;
                }
            }
            let derived: Vec<&crate::store::StoredEvent> =
                persons.iter().flat_map(|(_, _, changes)| changes.derived.iter()).collect();
            insert_events(connection, &derived).await?;
            Ok(())
        }

        /// Every non-bot event of the persons' visitors, oldest first.
        async fn history(
            connection: &mut $connection,
            site: &str,
            persons: [&str; 2],
        ) -> Result<Vec<StoredEvent>, StoreError> {
            let rows = sqlx::query(
                "SELECT e.id, e.site, e.visitor, e.session, e.kind, e.url, e.title, e.referrer, e.name,
                        e.target, e.value, e.props, e.channel, e.utm_source, e.utm_medium,
                        e.utm_campaign, e.utm_term, e.utm_content, e.click_id, e.device, e.bot,
                        e.received_ms, e.client_offset_ms
                 FROM events e JOIN visitors v ON v.site = e.site AND v.id = e.visitor
                 WHERE v.site = $1 AND (v.person = $2 OR v.person = $3) AND e.bot = $4
                 ORDER BY e.received_ms, e.seq",
            )
            .bind(site)
            .bind(persons[0])
            .bind(persons[1])
            .bind(false)
            .fetch_all(&mut *connection)
            .await?;
            rows.iter().map($event_from_row).collect()
        }

        /// Moves everything of person `from` to person `to` and deletes `from`.
        async fn fold_into(connection: &mut $connection, site: &str, from: &str, to: &str) -> Result<(), StoreError> {
            for sql in [
                "UPDATE visitors SET person = $1 WHERE site = $2 AND person = $3",
                "UPDATE score_changes SET person = $1 WHERE site = $2 AND person = $3",
                "UPDATE stage_changes SET person = $1 WHERE site = $2 AND person = $3",
                "UPDATE segment_changes SET person = $1 WHERE site = $2 AND person = $3",
            ] {
                sqlx::query(sql).bind(to).bind(site).bind(from).execute(&mut *connection).await?;
            }
            sqlx::query("DELETE FROM persons WHERE site = $1 AND id = $2")
                .bind(site)
                .bind(from)
                .execute(&mut *connection)
                .await?;
            Ok(())
        }

        /// Applies a batch's newly stored events to their visitor's person (created if
        /// new), merging it into another person that already has the email it just
        /// revealed. Returns the profile's state.
        pub async fn apply_batch(
            connection: &mut $connection,
            site: &str,
            visitor: &str,
            events: &[StoredEvent],
            model: &ProfileModel,
            now: i64,
        ) -> Result<ProfileState, StoreError> {
            let existing = person_of(connection, site, visitor).await?;
            let created = existing.is_none();
            let temperature_before = existing.as_ref().map(|person| person.temperature);
            let mut person = existing.unwrap_or_else(|| Person::new(visitor.to_owned(), now));
            let known_before = person.email.clone();
            let before = crate::automation::enroll::Before::of(&person);
            let changes = person.apply(events, model, now);
            if created {
                sqlx::query("UPDATE visitors SET person = $1 WHERE site = $2 AND id = $3")
                    .bind(&person.id)
                    .bind(site)
                    .bind(visitor)
                    .execute(&mut *connection)
                    .await?;
            }
            let newly_known = person.email.is_some() && person.email != known_before;
            let twin = match (&person.email, newly_known) {
                (Some(email), true) => other_with_email(connection, site, email, &person.id).await?,
                _ => None,
            };
            let Some(twin) = twin else {
                crate::automation::enroll::enroll(&mut person, &before, events, &changes, &model.workflows, now);
                save(connection, site, &person, now).await?;
                record(connection, site, &person.id, &changes).await?;
                return Ok(ProfileState::after(&person, &changes, temperature_before));
            };
            // The same person on another device: fold this one into the known one and
            // rebuild it from both histories.
            let mine = person.clone();
            let mut unsaved = person;
            unsaved.email = None;
            save(connection, site, &unsaved, now).await?;
            record(connection, site, &mine.id, &changes).await?;
            let history = history(connection, site, [&twin.id, &mine.id]).await?;
            let mut merged = rebuild(twin.id.clone(), &[&twin, &mine], &history, model, now);
            let lines_total = twin.score + mine.score;
            let mut merge_changes = Changes::default();
            if merged.score != lines_total {
                // Caps now count both histories together: one line makes the score's
                // lines add up to the rebuilt score.
                let adjustment = merged.score - lines_total;
                merge_changes.scores.push(crate::profiles::engine::ScoreChange {
                    at_ms: now,
                    rule: "identity_merge".to_owned(),
                    reason: "merge",
                    points: adjustment,
                    score: merged.score,
                    event_id: None,
                });
            }
            if merged.stage != twin.stage {
                merge_changes.stages.push(crate::profiles::engine::StageChange {
                    at_ms: now,
                    from: twin.stage,
                    to: merged.stage,
                    cause: "identity_merge".to_owned(),
                });
            }
            merged.email = twin.email.clone();
            // Triggers compare the known person before with the merged one; the events
            // are this batch's.
            let twin_before = crate::automation::enroll::Before::of(&twin);
            let mut trigger_changes = changes.clone();
            trigger_changes.extend(merge_changes.clone());
            crate::automation::enroll::enroll(&mut merged, &twin_before, events, &trigger_changes, &model.workflows, now);
            fold_into(connection, site, &mine.id, &twin.id).await?;
            save(connection, site, &merged, now).await?;
            record(connection, site, &merged.id, &merge_changes).await?;
            let mut state = ProfileState::after(&merged, &merge_changes, None);
            state.refused = changes.refused;
            Ok(state)
        }

        /// The person found by `key`.
        pub async fn find(
            connection: &mut $connection,
            site: &str,
            key: &crate::store::people::ProfileKey,
        ) -> Result<Option<Person>, StoreError> {
            use crate::store::people::ProfileKey;
            match key {
                ProfileKey::Id(id) => load(connection, site, id).await,
                ProfileKey::Visitor(visitor) => person_of(connection, site, visitor).await,
                ProfileKey::Email(email) => {
                    let email = crate::profiles::traits::normalize_email(email).unwrap_or_default();
                    other_with_email(connection, site, &email, "").await
                }
            }
        }

        /// Everything stored about the person found by `key`.
        pub async fn view(
            connection: &mut $connection,
            site: &str,
            key: &crate::store::people::ProfileKey,
        ) -> Result<Option<crate::store::people::ProfileView>, StoreError> {
            use crate::store::people::{ProfileView, ScoreLine, SegmentLine, StageLine};
            let Some(person) = find(connection, site, key).await? else { return Ok(None) };
            let visitors: Vec<String> = sqlx::query("SELECT id FROM visitors WHERE site = $1 AND person = $2 ORDER BY first_seen_ms")
                .bind(site)
                .bind(&person.id)
                .fetch_all(&mut *connection)
                .await?
                .iter()
                .map(|row| row.try_get("id"))
                .collect::<Result<_, _>>()?;
            let mut events = history(connection, site, [&person.id, &person.id]).await?;
            let bots = sqlx::query(
                "SELECT e.id, e.site, e.visitor, e.session, e.kind, e.url, e.title, e.referrer, e.name,
                        e.target, e.value, e.props, e.channel, e.utm_source, e.utm_medium,
                        e.utm_campaign, e.utm_term, e.utm_content, e.click_id, e.device, e.bot,
                        e.received_ms, e.client_offset_ms
                 FROM events e JOIN visitors v ON v.site = e.site AND v.id = e.visitor
                 WHERE v.site = $1 AND v.person = $2 AND e.bot = $3 ORDER BY e.received_ms, e.seq",
            )
            .bind(site)
            .bind(&person.id)
            .bind(true)
            .fetch_all(&mut *connection)
            .await?;
            for row in &bots {
                events.push($event_from_row(row)?);
            }
            let score_changes = sqlx::query(
                "SELECT at_ms, rule, reason, points, score, event_id FROM score_changes
                 WHERE site = $1 AND person = $2 ORDER BY seq",
            )
            .bind(site)
            .bind(&person.id)
            .fetch_all(&mut *connection)
            .await?
            .iter()
            .map(|row| {
                Ok(ScoreLine {
                    at_ms: row.try_get("at_ms")?,
                    rule: row.try_get("rule")?,
                    reason: row.try_get("reason")?,
                    points: row.try_get("points")?,
                    score: row.try_get("score")?,
                    event_id: row.try_get("event_id")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            let stage_changes = sqlx::query(
                "SELECT at_ms, from_stage, to_stage, cause FROM stage_changes WHERE site = $1 AND person = $2 ORDER BY seq",
            )
            .bind(site)
            .bind(&person.id)
            .fetch_all(&mut *connection)
            .await?
            .iter()
            .map(|row| {
                Ok(StageLine {
                    at_ms: row.try_get("at_ms")?,
                    from: row.try_get("from_stage")?,
                    to: row.try_get("to_stage")?,
                    cause: row.try_get("cause")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            let segment_changes = sqlx::query(
                "SELECT at_ms, segment, entered FROM segment_changes WHERE site = $1 AND person = $2 ORDER BY seq",
            )
            .bind(site)
            .bind(&person.id)
            .fetch_all(&mut *connection)
            .await?
            .iter()
            .map(|row| {
                Ok(SegmentLine {
                    at_ms: row.try_get("at_ms")?,
                    segment: row.try_get("segment")?,
                    entered: row.try_get("entered")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            Ok(Some(ProfileView { person, visitors, events, score_changes, stage_changes, segment_changes }))
        }

        /// Known persons matching `filter`, best score first.
        pub async fn leads(
            connection: &mut $connection,
            site: &str,
            filter: &crate::store::people::LeadFilter,
        ) -> Result<Vec<Person>, StoreError> {
            let rows = sqlx::query(
                "SELECT doc FROM persons
                 WHERE site = $1 AND email IS NOT NULL
                   AND ($2 IS NULL OR temperature = $2) AND ($3 IS NULL OR stage = $3)
                   AND ($4 IS NULL OR score >= $4) AND ($5 IS NULL OR score <= $5)
                 ORDER BY score DESC, id LIMIT $6",
            )
            .bind(site)
            .bind(&filter.temperature)
            .bind(&filter.stage)
            .bind(filter.min_score)
            .bind(filter.max_score)
            .bind(crate::store::people::MAX_LEADS_SCAN)
            .fetch_all(&mut *connection)
            .await?;
            let mut persons = Vec::new();
            for row in &rows {
                let person = decode(&row.try_get::<String, _>("doc")?)?;
                let in_segment = filter.segment.as_ref().is_none_or(|s| person.segments.contains(s));
                let from_source = filter.source.as_ref().is_none_or(|source| {
                    person.aggregates.first_touch.as_ref().is_some_and(|touch| {
                        touch.source.as_deref() == Some(source.as_str()) || touch.channel == *source
                    })
                });
                if in_segment && from_source {
                    persons.push(person);
                }
            }
            Ok(persons.into_iter().skip(filter.offset as usize).take(filter.limit as usize).collect())
        }

        /// Sets a person's stage by hand (sales accepted an SQL, a customer was won).
        pub async fn set_stage(
            connection: &mut $connection,
            site: &str,
            id: &str,
            stage: crate::profiles::Stage,
            cause: &str,
            model: &ProfileModel,
            now: i64,
        ) -> Result<Option<ProfileState>, StoreError> {
            let Some(mut person) = load(connection, site, id).await? else { return Ok(None) };
            let mut changes = Changes::default();
            let before = crate::automation::enroll::Before::of(&person);
            person.set_stage(stage, cause, now, &mut changes);
            person.settle(model, now, None, &mut changes);
            crate::automation::enroll::enroll(&mut person, &before, &[], &changes, &model.workflows, now);
            save(connection, site, &person, now).await?;
            record(connection, site, &person.id, &changes).await?;
            Ok(Some(ProfileState::of(&person)))
        }

        /// Deletes a person and everything about them: visitors, events, history.
        pub async fn delete(connection: &mut $connection, site: &str, id: &str) -> Result<bool, StoreError> {
            sqlx::query(
                "DELETE FROM events WHERE site = $1 AND visitor IN
                    (SELECT id FROM visitors WHERE site = $1 AND person = $2)",
            )
            .bind(site)
            .bind(id)
            .execute(&mut *connection)
            .await?;
            for sql in [
                "DELETE FROM visitors WHERE site = $1 AND person = $2",
                "DELETE FROM score_changes WHERE site = $1 AND person = $2",
                "DELETE FROM stage_changes WHERE site = $1 AND person = $2",
                "DELETE FROM segment_changes WHERE site = $1 AND person = $2",
            ] {
                sqlx::query(sql).bind(site).bind(id).execute(&mut *connection).await?;
            }
            let deleted = sqlx::query("DELETE FROM persons WHERE site = $1 AND id = $2")
                .bind(site)
                .bind(id)
                .execute(&mut *connection)
                .await?;
            Ok(deleted.rows_affected() > 0)
        }

        /// Applies inactivity decay due at `now` to the site's persons; returns how many
        /// changed. Reads at most `limit` candidates per call.
        pub async fn decay(
            connection: &mut $connection,
            site: &str,
            model: &ProfileModel,
            now: i64,
            limit: i64,
        ) -> Result<u32, StoreError> {
            let Some(decay) = model.scoring.decay.as_ref() else { return Ok(0) };
            let period = i64::from(decay.after_days) * kindling_core::scoring::DAY_MS as i64;
            let rows = sqlx::query(
                "SELECT doc FROM persons WHERE site = $1 AND last_activity_ms <= $2 AND score > $3
                 ORDER BY last_activity_ms LIMIT $4",
            )
            .bind(site)
            .bind(now - period)
            .bind(decay.floor)
            .bind(limit)
            .fetch_all(&mut *connection)
            .await?;
            let mut changed = 0;
            for row in &rows {
                let mut person = decode(&row.try_get::<String, _>("doc")?)?;
                let as_u64 = |ms: i64| u64::try_from(ms).unwrap_or(0);
                let awards = model.scoring.decay_due(
                    person.score,
                    as_u64(person.last_activity_ms),
                    as_u64(person.last_decay_ms),
                    as_u64(now),
                );
                if awards.is_empty() {
                    continue;
                }
                let through = model.scoring.decayed_through(
                    as_u64(person.last_activity_ms),
                    as_u64(person.last_decay_ms),
                    as_u64(now),
                );
                let mut changes = Changes::default();
                let before = crate::automation::enroll::Before::of(&person);
                person.award(&awards, now, None, &mut changes);
                person.last_decay_ms = through.map_or(now, |t| i64::try_from(t).unwrap_or(now));
                person.settle(model, now, None, &mut changes);
                crate::automation::enroll::enroll(&mut person, &before, &[], &changes, &model.workflows, now);
                save(connection, site, &person, now).await?;
                record(connection, site, &person.id, &changes).await?;
                changed += 1;
            }
            Ok(changed)
        }

        /// Makes `visitor` one of `person`'s visitors (created if new).
        pub async fn attach(
            connection: &mut $connection,
            site: &str,
            visitor: &str,
            person: &str,
            now: i64,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms, person) VALUES ($1, $2, $3, $3, $4)
                 ON CONFLICT (site, id) DO UPDATE SET person = excluded.person",
            )
            .bind(site)
            .bind(visitor)
            .bind(now)
            .bind(person)
            .execute(&mut *connection)
            .await?;
            Ok(())
        }
    };
}

pub(crate) use people_queries;
