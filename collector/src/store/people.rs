//! Profile persistence, written once for both backends: the SQL below is the same
//! text for SQLite and PostgreSQL (both take `$N` parameters), and
//! [`people_queries!`] expands it for each backend's connection and row types.
//!
//! Called inside the group commit's transaction: the events, the person they change
//! and the lines explaining the change are committed together.

/// The profile state returned to the widget.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileState {
    pub score: i32,
    pub temperature: String,
    pub stage: String,
    pub segments: Vec<String>,
}

impl ProfileState {
    pub fn of(person: &crate::profiles::Person) -> ProfileState {
        ProfileState {
            score: person.score,
            temperature: person.temperature.as_str().to_owned(),
            stage: person.stage.as_str().to_owned(),
            segments: person.segments.clone(),
        }
    }
}

/// Expands the profile queries for one backend: `$connection` is its connection type,
/// `$event_from_row` its row-to-[`StoredEvent`](super::StoredEvent) function.
macro_rules! people_queries {
    ($connection:ty, $event_from_row:path) => {
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
                "INSERT INTO persons (site, id, email, score, temperature, stage, last_activity_ms, updated_ms, doc)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (site, id) DO UPDATE SET email = excluded.email, score = excluded.score,
                    temperature = excluded.temperature, stage = excluded.stage,
                    last_activity_ms = excluded.last_activity_ms, updated_ms = excluded.updated_ms,
                    doc = excluded.doc",
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
            .execute(&mut *connection)
            .await?;
            Ok(())
        }

        /// Stores the lines explaining `changes` for `person`.
        pub async fn record(
            connection: &mut $connection,
            site: &str,
            person: &str,
            changes: &Changes,
        ) -> Result<(), StoreError> {
            for change in &changes.scores {
                sqlx::query(
                    "INSERT INTO score_changes (site, person, at_ms, rule, reason, points, score, event_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(site)
                .bind(person)
                .bind(change.at_ms)
                .bind(&change.rule)
                .bind(change.reason)
                .bind(change.points)
                .bind(change.score)
                .bind(&change.event_id)
                .execute(&mut *connection)
                .await?;
            }
            for change in &changes.stages {
                sqlx::query(
                    "INSERT INTO stage_changes (site, person, at_ms, from_stage, to_stage, cause)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(site)
                .bind(person)
                .bind(change.at_ms)
                .bind(change.from.as_str())
                .bind(change.to.as_str())
                .bind(&change.cause)
                .execute(&mut *connection)
                .await?;
            }
            for change in &changes.segments {
                sqlx::query(
                    "INSERT INTO segment_changes (site, person, at_ms, segment, entered) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(site)
                .bind(person)
                .bind(change.at_ms)
                .bind(&change.segment)
                .bind(change.entered)
                .execute(&mut *connection)
                .await?;
            }
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
            new_id: impl FnOnce() -> String,
        ) -> Result<ProfileState, StoreError> {
            let existing = person_of(connection, site, visitor).await?;
            let created = existing.is_none();
            let mut person = existing.unwrap_or_else(|| Person::new(new_id(), now));
            let known_before = person.email.clone();
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
                save(connection, site, &person, now).await?;
                record(connection, site, &person.id, &changes).await?;
                return Ok(ProfileState::of(&person));
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
            fold_into(connection, site, &mine.id, &twin.id).await?;
            save(connection, site, &merged, now).await?;
            record(connection, site, &merged.id, &merge_changes).await?;
            Ok(ProfileState::of(&merged))
        }

        /// The profile state of `visitor`'s person, if it has one.
        pub async fn state_of(
            connection: &mut $connection,
            site: &str,
            visitor: &str,
        ) -> Result<ProfileState, StoreError> {
            Ok(person_of(connection, site, visitor).await?.map(|p| ProfileState::of(&p)).unwrap_or_default())
        }
    };
}

pub(crate) use people_queries;
