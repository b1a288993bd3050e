//! The [`Store`](super::Store) implementation, written once for both backends: the SQL
//! is the same text for SQLite and PostgreSQL (`$N` parameters, `CASE` instead of
//! `max`/`GREATEST`), and [`store_impl!`] expands it for each backend's types. What
//! differs between them — connecting, migrations, pool sizes — stays in `sqlite.rs`
//! and `postgres.rs`.

/// Stored events, newest first, with optional visitor and kind filters.
pub const SELECT_EVENTS: &str = "SELECT id, site, visitor, session, kind, url, title, referrer,
        name, target, value, props, channel, utm_source, utm_medium, utm_campaign, utm_term,
        utm_content, click_id, device, bot, received_ms, client_offset_ms
     FROM events
     WHERE site = $1 AND ($2 IS NULL OR visitor = $2) AND ($3 IS NULL OR kind = $3)
     ORDER BY seq DESC LIMIT $4";

/// Block events per block and variant in a time range (partial index `events_blocks`).
pub const BLOCK_COUNTS: &str = "SELECT name AS block, COALESCE(target, '') AS variant,
        SUM(CASE WHEN kind = 'block_impression' THEN 1 ELSE 0 END) AS impressions,
        COUNT(DISTINCT CASE WHEN kind = 'block_impression' THEN visitor END) AS visitors,
        SUM(CASE WHEN kind = 'block_click' THEN 1 ELSE 0 END) AS clicks,
        SUM(CASE WHEN kind = 'block_dismiss' THEN 1 ELSE 0 END) AS dismissals,
        COUNT(DISTINCT CASE WHEN kind = 'block_conversion' THEN visitor END) AS conversions
     FROM events
     WHERE site = $1 AND kind IN ('block_impression', 'block_click', 'block_dismiss', 'block_conversion')
       AND received_ms >= $2 AND received_ms < $3 AND bot = $4 AND name IS NOT NULL
     GROUP BY name, COALESCE(target, '')";

/// Expands the `Store` implementation for `$store` (which has a `pool` field), with
/// `$db`, `$connection` and `$row` its sqlx database, connection and row types. The
/// calling module has `StoreError` in scope.
macro_rules! store_impl {
    ($store:ty, $db:ty, $connection:ty, $row:ty) => {
        use sqlx::Row as _;

        use crate::profiles::{Person, ProfileModel, Stage};
        use crate::store::people::ProfileState;
        use crate::store::{
            Committed, DECAY_BATCH, EventQuery, LeadFilter, ProfileKey, ProfileView, StoredEvent,
            WriteBatch,
        };

        impl $store {
            /// Runs `work` on the group commit's connection, between two group commits.
            /// The workflow runner's and the dispatcher's writes go this way: a second
            /// writer would wait on the database's lock (on SQLite, by sleeping and
            /// polling) while the writer commits back to back. After a failure the
            /// connection is replaced.
            async fn on_writer<'s, T: Send>(
                &'s self,
                work: impl for<'c> FnOnce(
                        &'c mut $connection,
                    ) -> std::pin::Pin<
                        Box<dyn std::future::Future<Output = Result<T, StoreError>> + Send + 'c>,
                    > + Send
                    + 's,
            ) -> Result<T, StoreError> {
                let mut writer = self.writer.lock().await;
                let connection = match &mut *writer {
                    Some(connection) => connection,
                    None => writer.insert(self.pool.acquire().await?.detach()),
                };
                let result = work(connection).await;
                if result.is_err() {
                    *writer = None;
                }
                result
            }
        }

        #[async_trait::async_trait]
        impl crate::store::Store for $store {
            async fn person_of_visitor(
                &self,
                site: &str,
                visitor: &str,
            ) -> Result<Option<Person>, StoreError> {
                let mut connection = self.pool.acquire().await?;
                people::person_of(&mut connection, site, visitor).await
            }

            async fn block_counts(
                &self,
                site: &str,
                from_ms: i64,
                until_ms: i64,
            ) -> Result<Vec<crate::personalize::report::VariantCounts>, StoreError> {
                let rows = sqlx::query(crate::store::backend::BLOCK_COUNTS)
                    .bind(site)
                    .bind(from_ms)
                    .bind(until_ms)
                    .bind(false)
                    .fetch_all(&self.pool)
                    .await?;
                let count = |row: &$row, column: &str| -> Result<u64, StoreError> {
                    Ok(u64::try_from(row.try_get::<i64, _>(column)?).unwrap_or(0))
                };
                rows.iter()
                    .map(|row| {
                        Ok(crate::personalize::report::VariantCounts {
                            block: row.try_get("block")?,
                            variant: row.try_get("variant")?,
                            impressions: count(row, "impressions")?,
                            visitors: count(row, "visitors")?,
                            clicks: count(row, "clicks")?,
                            dismissals: count(row, "dismissals")?,
                            conversions: count(row, "conversions")?,
                        })
                    })
                    .collect()
            }

            async fn commit(&self, batches: &[WriteBatch]) -> Result<Vec<Committed>, StoreError> {
                // Group commits run one at a time on a connection of their own, kept
                // out of the pool: no health check on each acquire and release, and
                // its page cache stays warm. After a failure it is replaced.
                let mut writer = self.writer.lock().await;
                if let Some(committed) = self.commit_on_lane(batches).await {
                    return committed;
                }
                let connection = match &mut *writer {
                    Some(connection) => connection,
                    None => writer.insert(self.pool.acquire().await?.detach()),
                };
                let committed = commit_on(connection, batches).await;
                if committed.is_err() {
                    *writer = None;
                }
                committed
            }

            fn commit_blocking(
                &self,
                batches: &[WriteBatch],
            ) -> Option<Result<Vec<Committed>, StoreError>> {
                self.commit_on_lane_blocking(batches)
            }

            async fn count_spam(
                &self,
                site: &str,
                form: &str,
                reason: &str,
                now_ms: i64,
            ) -> Result<(), StoreError> {
                let mut connection = self.pool.acquire().await?;
                submissions::count_spam(&mut connection, site, form, reason, now_ms).await
            }

            async fn confirm(
                &self,
                token: &str,
                now_ms: i64,
            ) -> Result<crate::store::Confirmed, StoreError> {
                let mut transaction = self.pool.begin().await?;
                let confirmed = submissions::confirm(&mut transaction, token, now_ms).await?;
                transaction.commit().await?;
                Ok(confirmed)
            }

            async fn confirmations(
                &self,
                site: &str,
                pending: bool,
                limit: u32,
            ) -> Result<Vec<crate::store::Confirmation>, StoreError> {
                let mut connection = self.pool.acquire().await?;
                submissions::confirmations(&mut connection, site, pending, limit).await
            }

            async fn form_counts(
                &self,
                site: &str,
                from_ms: i64,
                until_ms: i64,
            ) -> Result<crate::store::FormCounts, StoreError> {
                let mut connection = self.pool.acquire().await?;
                submissions::counts(&mut connection, site, from_ms, until_ms).await
            }

            async fn profile(
                &self,
                site: &str,
                key: &ProfileKey,
            ) -> Result<Option<ProfileView>, StoreError> {
                let mut connection = self.pool.acquire().await?;
                people::view(&mut connection, site, key).await
            }

            async fn leads(
                &self,
                site: &str,
                filter: &LeadFilter,
            ) -> Result<Vec<Person>, StoreError> {
                let mut connection = self.pool.acquire().await?;
                people::leads(&mut connection, site, filter).await
            }

            async fn set_stage(
                &self,
                site: &str,
                id: &str,
                stage: Stage,
                cause: &str,
                model: &ProfileModel,
                now_ms: i64,
            ) -> Result<Option<ProfileState>, StoreError> {
                let mut transaction = self.pool.begin().await?;
                let state =
                    people::set_stage(&mut transaction, site, id, stage, cause, model, now_ms)
                        .await?;
                transaction.commit().await?;
                Ok(state)
            }

            async fn attach_visitor(
                &self,
                site: &str,
                visitor: &str,
                person: &str,
                now_ms: i64,
            ) -> Result<(), StoreError> {
                let mut connection = self.pool.acquire().await?;
                people::attach(&mut connection, site, visitor, person, now_ms).await
            }

            async fn delete_person(&self, site: &str, id: &str) -> Result<bool, StoreError> {
                let mut transaction = self.pool.begin().await?;
                let deleted = people::delete(&mut transaction, site, id).await?;
                transaction.commit().await?;
                Ok(deleted)
            }

            async fn decay(
                &self,
                site: &str,
                model: &ProfileModel,
                now_ms: i64,
            ) -> Result<u32, StoreError> {
                let mut transaction = self.pool.begin().await?;
                let changed =
                    people::decay(&mut transaction, site, model, now_ms, DECAY_BATCH).await?;
                transaction.commit().await?;
                Ok(changed)
            }

            async fn enqueue(
                &self,
                message: &crate::store::OutboxMessage,
            ) -> Result<(), StoreError> {
                let mut connection = self.pool.acquire().await?;
                outbox::insert(&mut connection, message).await
            }

            async fn claim_due(
                &self,
                now_ms: i64,
                limit: u32,
                lease_until_ms: i64,
            ) -> Result<Vec<crate::store::OutboxMessage>, StoreError> {
                self.on_writer(|connection| {
                    Box::pin(outbox::claim_due(connection, now_ms, limit, lease_until_ms))
                })
                .await
            }

            async fn mark_delivered(&self, id: &str, now_ms: i64) -> Result<(), StoreError> {
                let state = crate::store::OutboxState::Delivered;
                let id = id.to_owned();
                self.on_writer(move |connection| {
                    Box::pin(async move {
                        outbox::record_attempt(connection, &id, state, now_ms, None, now_ms).await
                    })
                })
                .await
            }

            async fn reschedule(
                &self,
                id: &str,
                next_attempt_ms: i64,
                error: &str,
            ) -> Result<(), StoreError> {
                let state = crate::store::OutboxState::Pending;
                let (id, error) = (id.to_owned(), error.to_owned());
                self.on_writer(move |connection| {
                    Box::pin(async move {
                        let next = next_attempt_ms;
                        outbox::record_attempt(connection, &id, state, next, Some(&error), next)
                            .await
                    })
                })
                .await
            }

            async fn mark_dead(
                &self,
                id: &str,
                error: &str,
                now_ms: i64,
            ) -> Result<(), StoreError> {
                let state = crate::store::OutboxState::Dead;
                let (id, error) = (id.to_owned(), error.to_owned());
                self.on_writer(move |connection| {
                    Box::pin(async move {
                        outbox::record_attempt(connection, &id, state, now_ms, Some(&error), now_ms)
                            .await
                    })
                })
                .await
            }

            async fn dead_letters(
                &self,
                site: &str,
                limit: u32,
            ) -> Result<Vec<crate::store::OutboxMessage>, StoreError> {
                let mut connection = self.pool.acquire().await?;
                outbox::in_state(&mut connection, site, crate::store::OutboxState::Dead, limit)
                    .await
            }

            async fn replay(&self, site: &str, id: &str, now_ms: i64) -> Result<bool, StoreError> {
                let mut connection = self.pool.acquire().await?;
                outbox::replay(&mut connection, site, id, now_ms).await
            }

            async fn due_runs(
                &self,
                now_ms: i64,
                limit: u32,
            ) -> Result<Vec<(String, String)>, StoreError> {
                let rows = sqlx::query(
                    "SELECT site, id FROM persons WHERE next_run_ms IS NOT NULL AND next_run_ms <= $1
                     ORDER BY next_run_ms LIMIT $2",
                )
                .bind(now_ms)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|row| Ok((row.try_get("site")?, row.try_get("id")?))).collect()
            }

            async fn quiet_persons(
                &self,
                site: &str,
                after_ms: i64,
                until_ms: i64,
                limit: u32,
            ) -> Result<Vec<(String, i64)>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, last_activity_ms FROM persons
                     WHERE site = $1 AND last_activity_ms > $2 AND last_activity_ms <= $3
                     ORDER BY last_activity_ms LIMIT $4",
                )
                .bind(site)
                .bind(after_ms)
                .bind(until_ms)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| Ok((row.try_get("id")?, row.try_get("last_activity_ms")?)))
                    .collect()
            }

            async fn workflow_counts(
                &self,
                site: &str,
                from_ms: i64,
                until_ms: i64,
            ) -> Result<Vec<crate::automation::report::StepCount>, StoreError> {
                let rows = sqlx::query(
                    "SELECT workflow, step, outcome, COUNT(*) AS taken FROM workflow_steps
                     WHERE site = $1 AND at_ms >= $2 AND at_ms < $3
                     GROUP BY workflow, step, outcome",
                )
                .bind(site)
                .bind(from_ms)
                .bind(until_ms)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        let outcome: String = row.try_get("outcome")?;
                        Ok(crate::automation::report::StepCount {
                            workflow: row.try_get("workflow")?,
                            step: u32::try_from(row.try_get::<i64, _>("step")?).unwrap_or(0),
                            outcome: crate::automation::steps::Outcome::parse(&outcome).ok_or_else(
                                || StoreError::Corrupt(format!("workflow step outcome {outcome:?}")),
                            )?,
                            taken: u64::try_from(row.try_get::<i64, _>("taken")?).unwrap_or(0),
                        })
                    })
                    .collect()
            }

            async fn quiet_cursor(
                &self,
                site: &str,
                workflow: &str,
            ) -> Result<Option<i64>, StoreError> {
                let row = sqlx::query(
                    "SELECT through_ms FROM workflow_cursors WHERE site = $1 AND workflow = $2",
                )
                .bind(site)
                .bind(workflow)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|row| row.try_get("through_ms")).transpose().map_err(StoreError::from)
            }

            async fn advance_quiet_cursor(
                &self,
                site: &str,
                workflow: &str,
                through_ms: i64,
            ) -> Result<(), StoreError> {
                let (site, workflow) = (site.to_owned(), workflow.to_owned());
                self.on_writer(move |connection| {
                    Box::pin(async move {
                        sqlx::query(
                            "INSERT INTO workflow_cursors (site, workflow, through_ms) VALUES ($1, $2, $3)
                             ON CONFLICT (site, workflow) DO UPDATE SET through_ms =
                                CASE WHEN excluded.through_ms > workflow_cursors.through_ms
                                THEN excluded.through_ms ELSE workflow_cursors.through_ms END",
                        )
                        .bind(&site)
                        .bind(&workflow)
                        .bind(through_ms)
                        .execute(&mut *connection)
                        .await?;
                        Ok(())
                    })
                })
                .await
            }

            async fn automate(
                &self,
                site: &str,
                id: &str,
                now_ms: i64,
                steps: std::sync::Arc<dyn crate::automation::runner::StepTaker>,
            ) -> Result<crate::automation::steps::Advanced, StoreError> {
                let (site, id) = (site.to_owned(), id.to_owned());
                self.on_writer(move |connection| {
                    Box::pin(async move {
                        automate_on(connection, &site, &id, now_ms, steps.as_ref()).await
                    })
                })
                .await
            }

            async fn events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, StoreError> {
                let rows = sqlx::query(crate::store::backend::SELECT_EVENTS)
                    .bind(&query.site)
                    .bind(&query.visitor)
                    .bind(&query.kind)
                    .bind(i64::from(query.limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(event_from_row).collect()
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }
        }

        /// `Store::automate` on `connection`, in one transaction.
        async fn automate_on(
            connection: &mut $connection,
            site: &str,
            id: &str,
            now_ms: i64,
            steps: &dyn crate::automation::runner::StepTaker,
        ) -> Result<crate::automation::steps::Advanced, StoreError> {
            let mut transaction = sqlx::Connection::begin(&mut *connection).await?;
            // A write first: SQLite takes its write lock now (waiting its turn, not
            // failing to upgrade later) and PostgreSQL locks the row, so two runners
            // never take the same step.
            let held = sqlx::query("UPDATE persons SET updated_ms = updated_ms WHERE site = $1 AND id = $2")
                .bind(site)
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            if held.rows_affected() == 0 {
                return Ok(crate::automation::steps::Advanced::default());
            }
            let Some(mut person) = people::load(&mut transaction, site, id).await? else {
                return Ok(crate::automation::steps::Advanced::default());
            };
            let history = if steps.wants_history(&person, now_ms) {
                let key = crate::store::people::ProfileKey::Id(id.to_owned());
                people::view(&mut transaction, site, &key).await?
            } else {
                None
            };
            let advanced = steps.take(&mut person, history.as_ref(), now_ms);
            if advanced.steps == 0 && advanced.started == 0 {
                return Ok(advanced);
            }
            people::save(&mut transaction, site, &person, now_ms).await?;
            people::record(&mut transaction, site, &person.id, &advanced.changes).await?;
            for message in &advanced.messages {
                outbox::insert(&mut transaction, message).await?;
            }
            for taken in &advanced.taken {
                sqlx::query(
                    "INSERT INTO workflow_steps (run, step, site, workflow, outcome, at_ms)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (run, step) DO NOTHING",
                )
                .bind(&taken.run)
                .bind(i64::from(taken.step))
                .bind(site)
                .bind(&taken.workflow)
                .bind(taken.outcome.as_str())
                .bind(now_ms)
                .execute(&mut *transaction)
                .await?;
            }
            transaction.commit().await?;
            Ok(advanced)
        }

        /// One group commit on `connection`, in one transaction; see `Store::commit`.
        async fn commit_on(
            connection: &mut $connection,
            batches: &[WriteBatch],
        ) -> Result<Vec<Committed>, StoreError> {
            let mut transaction = sqlx::Connection::begin(&mut *connection).await?;
            let mut repeats: Vec<Option<String>> = Vec::with_capacity(batches.len());
            for (at, batch) in batches.iter().enumerate() {
                let Some(record) = &batch.submission else {
                    repeats.push(None);
                    continue;
                };
                // An earlier batch of this very group may carry the same lead.
                let in_group = batches[..at].iter().zip(&repeats).find_map(|(earlier, repeat)| {
                    let other = earlier.submission.as_ref()?;
                    (repeat.is_none()
                        && earlier.site == batch.site
                        && other.form == record.form
                        && other.email == record.email
                        && other.id != record.id)
                        .then(|| other.id.clone())
                });
                let repeat = match in_group {
                    Some(earlier) => Some(earlier),
                    None => submissions::repeat_of(&mut transaction, &batch.site, record)
                        .await?
                        .filter(|earlier| *earlier != record.id),
                };
                repeats.push(repeat);
            }
            let mut results = if repeats.iter().any(Option::is_some) {
                // A repeated submission stores nothing: not its events either.
                let kept: Vec<WriteBatch> = batches
                    .iter()
                    .zip(&repeats)
                    .map(|(batch, repeat)| match repeat {
                        Some(_) => {
                            WriteBatch { events: Vec::new(), submission: None, ..batch.clone() }
                        }
                        None => batch.clone(),
                    })
                    .collect();
                group::commit_group(&mut transaction, &kept).await?
            } else {
                group::commit_group(&mut transaction, batches).await?
            };
            for ((batch, committed), repeat) in batches.iter().zip(&mut results).zip(repeats) {
                if let (Some(record), None, Some(person)) =
                    (&batch.submission, &repeat, &committed.person)
                {
                    submissions::insert(
                        &mut transaction,
                        &batch.site,
                        record,
                        &person.id,
                        &batch.visitor,
                        batch.seen_ms,
                    )
                    .await?;
                }
                committed.repeat_of = repeat;
            }
            transaction.commit().await?;
            Ok(results)
        }

        pub(super) fn event_from_row(row: &$row) -> Result<StoredEvent, StoreError> {
            Ok(StoredEvent {
                id: row.try_get("id")?,
                site: row.try_get("site")?,
                visitor: row.try_get("visitor")?,
                session: row.try_get("session")?,
                kind: row.try_get("kind")?,
                url: row.try_get("url")?,
                title: row.try_get("title")?,
                referrer: row.try_get("referrer")?,
                name: row.try_get("name")?,
                target: row.try_get("target")?,
                value: row.try_get("value")?,
                props: row.try_get("props")?,
                channel: row.try_get("channel")?,
                utm_source: row.try_get("utm_source")?,
                utm_medium: row.try_get("utm_medium")?,
                utm_campaign: row.try_get("utm_campaign")?,
                utm_term: row.try_get("utm_term")?,
                utm_content: row.try_get("utm_content")?,
                click_id: row.try_get("click_id")?,
                device: row.try_get("device")?,
                bot: row.try_get("bot")?,
                received_ms: row.try_get("received_ms")?,
                client_offset_ms: row.try_get("client_offset_ms")?,
            })
        }

        mod people {
            crate::store::people::people_queries!($db, $connection, super::event_from_row);
        }

        mod submissions {
            crate::store::submissions::submission_queries!($db, $connection);
        }

        pub(crate) mod outbox {
            crate::store::outbox::outbox_queries!($db, $connection);
        }

        mod group {
            use super::people;

            crate::store::group::group_commit!($db, $connection);
        }
    };
}

pub(crate) use store_impl;
