//! SQLite backend: one file in WAL mode, `synchronous=FULL`, so a committed event
//! survives a crash of the process or the machine.
//!
//! Group commits of ordinary traffic (no lead form submission, no event revealing an
//! email) run on the group commit lane ([`Lane`]): a connection of its own, used by
//! the event writer's thread itself, so the whole transaction is plain calls into
//! SQLite with cached prepared statements, where sqlx would hand every statement to
//! its connection's thread and back. The SQL is the group commit's (`store::group`), a
//! row per statement. Everything else, and the groups needing identity merges or
//! submissions, goes through sqlx like PostgreSQL. Both take the same writer lock, so
//! one writes at a time.
//!
//! Copying the WAL back into the database file (checkpointing) is done by a thread of
//! its own with its own connection ([`lane::Checkpointer`]), beside the commits rather
//! than between them.
//!
//! The lane's connections open the file through the `kindling-wal-gather` VFS: a
//! commit's WAL frames reach the file system as one write instead of two per page.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use self::lane::Lane;
use super::StoreError;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The group commit's own sqlx connection (see `Store::commit`), opened on first
    /// use; its lock is also the lane's.
    writer: Arc<tokio::sync::Mutex<Option<sqlx::SqliteConnection>>>,
    /// The group commit lane; none for an in-memory database.
    lane: Option<Arc<Lane>>,
}

impl SqliteStore {
    /// Opens `url` (`sqlite://PATH`), creating the file if missing, and migrates it.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let file = options.get_filename().to_path_buf();
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        MIGRATIONS.run(&pool).await?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let lane =
            if in_memory || !file.is_file() { None } else { Some(Arc::new(Lane::open(&file)?)) };
        Ok(SqliteStore { pool, writer: Default::default(), lane })
    }

    /// The lane, when it takes `batches`: none of them needs the general path.
    fn lane_for(&self, batches: &[WriteBatch]) -> Option<&Arc<Lane>> {
        let lane = self.lane.as_ref()?;
        let ordinary = batches.iter().all(|batch| {
            batch.submission.is_none()
                && !batch.events.iter().any(crate::profiles::engine::reveals_email)
        });
        ordinary.then_some(lane)
    }

    /// Commits `batches` on the lane, on a blocking thread of the runtime, when the lane
    /// takes them; the caller holds the writer lock.
    async fn commit_on_lane(
        &self,
        batches: &[WriteBatch],
    ) -> Option<Result<Vec<Committed>, StoreError>> {
        let lane = Arc::clone(self.lane_for(batches)?);
        let batches = batches.to_vec();
        let committed = tokio::task::spawn_blocking(move || lane.commit(&batches)).await;
        Some(committed.unwrap_or(Err(StoreError::LaneStopped)))
    }

    /// Commits `batches` on the lane, on the calling thread, under the writer lock,
    /// when the lane takes them.
    fn commit_on_lane_blocking(
        &self,
        batches: &[WriteBatch],
    ) -> Option<Result<Vec<Committed>, StoreError>> {
        let lane = self.lane_for(batches)?;
        let _writer = self.writer.blocking_lock();
        Some(lane.commit(batches))
    }
}

/// The group commit lane ([`Lane`]), its checkpointer and its SQL.
mod lane {
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex, PoisonError, mpsc};

    use foldhash::{HashMap, HashMapExt, HashSetExt};
    use rusqlite::{
        CachedStatement, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
    };

    use super::BUSY_TIMEOUT;
    use crate::profiles::Person;
    use crate::profiles::engine::Changes;
    use crate::store::group::{self as shared, Inserted, PersonEntry, VisitorRows};
    use crate::store::{Committed, StoreError, StoredEvent, WriteBatch};

    /// When the checkpointer is asked to copy the WAL back: after this many groups or
    /// events since it was last asked, whichever comes first. Checkpointing less often
    /// copies a page rewritten by many commits once; events bound the WAL under large
    /// batches.
    const CHECKPOINT_EVERY: Progress = Progress { groups: 128, events: 8_192 };
    /// When the lane catches up. Under steady load the checkpointer never reaches the
    /// WAL's end (commits keep adding to it), and the WAL starts over only once all of
    /// it is copied. So the lane asks the checkpointer for a pass, and as soon as a
    /// pass has ended, checkpoints itself between two groups: it copies only what was
    /// committed during that pass, and the WAL stays at tens of megabytes. When that
    /// checkpoint cannot finish (a reader still needs frames), the lane asks again.
    const CATCH_UP_EVERY: Progress = Progress { groups: 512, events: 32_768 };

    /// Groups and events committed since some point.
    #[derive(Debug, Default, Clone, Copy)]
    struct Progress {
        groups: u32,
        events: u32,
    }

    impl Progress {
        fn add(&mut self, batches: &[WriteBatch]) {
            let events = batches.iter().map(|batch| batch.events.len()).sum::<usize>();
            self.groups = self.groups.saturating_add(1);
            self.events = self.events.saturating_add(u32::try_from(events).unwrap_or(u32::MAX));
        }

        fn reached(self, limit: Progress) -> bool {
            self.groups >= limit.groups || self.events >= limit.events
        }
    }

    /// The lane's connection and its checkpointer.
    #[derive(Debug)]
    pub(super) struct Lane {
        connection: Mutex<Connection>,
        checkpointer: Checkpointer,
    }

    /// The lane's connection and what it committed since it last asked for a
    /// checkpoint and since it last caught up.
    #[derive(Debug)]
    struct Connection {
        sqlite: rusqlite::Connection,
        since_asked: Progress,
        since_caught_up: Progress,
        /// Waiting for a pass of the checkpointer to catch up after it.
        catching_up: bool,
    }

    impl Lane {
        pub(super) fn open(file: &Path) -> Result<Lane, StoreError> {
            let sqlite = open_connection(file)?;
            let checkpointer = Checkpointer::start(open_connection(file)?)?;
            let connection = Mutex::new(Connection {
                sqlite,
                since_asked: Progress::default(),
                since_caught_up: Progress::default(),
                catching_up: false,
            });
            Ok(Lane { connection, checkpointer })
        }

        /// Commits one group on the calling thread. The caller holds the writer lock.
        pub(super) fn commit(&self, batches: &[WriteBatch]) -> Result<Vec<Committed>, StoreError> {
            let mut connection = self.connection.lock().unwrap_or_else(PoisonError::into_inner);
            let committed = commit_group(&mut connection.sqlite, batches);
            connection.since_asked.add(batches);
            connection.since_caught_up.add(batches);
            if connection.catching_up {
                if self.checkpointer.passed() {
                    if checkpoint(&connection.sqlite) == Checkpoint::Complete {
                        connection.catching_up = false;
                        connection.since_caught_up = Progress::default();
                    } else {
                        self.checkpointer.ask();
                    }
                }
            } else if connection.since_caught_up.reached(CATCH_UP_EVERY) {
                connection.catching_up = true;
                connection.since_asked = Progress::default();
                self.checkpointer.forget_passes();
                self.checkpointer.ask();
            } else if connection.since_asked.reached(CHECKPOINT_EVERY) {
                connection.since_asked = Progress::default();
                self.checkpointer.ask();
            }
            committed
        }
    }

    /// A thread copying the WAL back into the database file when asked, with a
    /// connection of its own. It ends, with a last checkpoint, when the lane is dropped.
    #[derive(Debug)]
    struct Checkpointer {
        ask: mpsc::SyncSender<()>,
        /// Set at the end of each pass.
        passed: Arc<AtomicBool>,
    }

    impl Checkpointer {
        fn start(connection: rusqlite::Connection) -> Result<Checkpointer, StoreError> {
            let (ask, asked) = mpsc::sync_channel::<()>(1);
            let passed = Arc::new(AtomicBool::new(false));
            let pass_ended = Arc::clone(&passed);
            std::thread::Builder::new()
                .name("sqlite-checkpoint".to_owned())
                .spawn(move || {
                    while asked.recv().is_ok() {
                        checkpoint(&connection);
                        pass_ended.store(true, Ordering::Release);
                    }
                    checkpoint(&connection);
                })
                .map_err(StoreError::Checkpointer)?;
            Ok(Checkpointer { ask, passed })
        }

        /// Whether a pass ended since the last call (or [`Checkpointer::forget_passes`]).
        fn passed(&self) -> bool {
            self.passed.swap(false, Ordering::AcqRel)
        }

        /// Forgets the passes ended so far.
        fn forget_passes(&self) {
            self.passed.store(false, Ordering::Release);
        }

        /// Asks for a checkpoint, unless one is asked for already (it copies these
        /// frames too).
        fn ask(&self) {
            let _ = self.ask.try_send(());
        }
    }

    /// How far a checkpoint got.
    #[derive(Debug, PartialEq, Eq)]
    enum Checkpoint {
        /// The whole WAL is in the database file: the next commit starts it over.
        Complete,
        /// Another checkpoint was running, or a reader still needs frames.
        Partial,
    }

    /// Copies what it can of the WAL into the database, waiting for no one.
    fn checkpoint(connection: &rusqlite::Connection) -> Checkpoint {
        let done = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            let (busy, frames, copied): (i64, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            Ok(busy == 0 && frames == copied)
        });
        match done {
            Ok(true) => Checkpoint::Complete,
            Ok(false) => Checkpoint::Partial,
            Err(error) => {
                tracing::warn!(%error, "WAL checkpoint failed; the next one retries");
                Checkpoint::Partial
            }
        }
    }

    /// A connection to `file`, set up as the pool's are, that never checkpoints by
    /// itself (the checkpointer does). It writes each commit's WAL frames with one
    /// system call (`kindling_wal_gather`, which needs `synchronous=FULL`).
    fn open_connection(file: &Path) -> Result<rusqlite::Connection, StoreError> {
        let vfs = kindling_wal_gather::register()?;
        let connection =
            rusqlite::Connection::open_with_flags_and_vfs(file, OpenFlags::default(), vfs)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.set_prepared_statement_cache_capacity(32);
        connection.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(connection)
    }

    const INSERT_EVENT: &str = "INSERT INTO events (site, id, visitor, kind, url, title, referrer,
            received_ms, client_offset_ms, session, name, target, value, props, channel, utm_source,
            utm_medium, utm_campaign, utm_term, utm_content, click_id, device, bot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23)
         ON CONFLICT (site, id) DO NOTHING";

    const UPSERT_VISITOR: &str = "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms,
            visits, events, bot, person)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?2)
         ON CONFLICT (site, id) DO UPDATE SET
            last_seen_ms = CASE WHEN visitors.last_seen_ms > excluded.last_seen_ms
                           THEN visitors.last_seen_ms ELSE excluded.last_seen_ms END,
            visits = CASE WHEN visitors.visits > excluded.visits
                     THEN visitors.visits ELSE excluded.visits END,
            events = visitors.events + excluded.events,
            bot = visitors.bot OR excluded.bot,
            person = COALESCE(visitors.person, excluded.person)
         RETURNING visits, events, person";

    const LOAD_PERSON: &str = "SELECT doc FROM persons WHERE site = ?1 AND id = ?2";

    const SAVE_PERSON: &str = "INSERT INTO persons (site, id, email, score, temperature, stage,
            last_activity_ms, updated_ms, doc, next_run_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (site, id) DO UPDATE SET email = excluded.email, score = excluded.score,
            temperature = excluded.temperature, stage = excluded.stage,
            last_activity_ms = excluded.last_activity_ms, updated_ms = excluded.updated_ms,
            doc = excluded.doc, next_run_ms = excluded.next_run_ms";

    const INSERT_SCORE: &str = "INSERT INTO score_changes (site, person, at_ms, rule, reason,
            points, score, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

    const INSERT_STAGE: &str = "INSERT INTO stage_changes (site, person, at_ms, from_stage,
            to_stage, cause) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

    const INSERT_SEGMENT: &str = "INSERT INTO segment_changes (site, person, at_ms, segment,
            entered) VALUES (?1, ?2, ?3, ?4, ?5)";

    const DELETE_EVENT: &str = "DELETE FROM events WHERE site = ?1 AND id = ?2";

    const UNCOUNT_EVENT: &str =
        "UPDATE visitors SET events = events - 1 WHERE site = ?1 AND id = ?2 AND events > 0";

    /// The group commit of `store::group` for groups without identity merges or
    /// submissions, in one transaction on `connection`.
    fn commit_group(
        connection: &mut rusqlite::Connection,
        batches: &[WriteBatch],
    ) -> Result<Vec<Committed>, StoreError> {
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut inserted: Inserted<'_> = Inserted::with_capacity(batches.len());
        {
            let mut insert = transaction.prepare_cached(INSERT_EVENT)?;
            for event in batches.iter().flat_map(|batch| batch.events.iter()) {
                if insert_event(&mut insert, event)? {
                    inserted.insert((event.site.as_str(), event.id.as_str()));
                }
            }
        }
        let visitors = upsert_visitors(&transaction, batches, &inserted)?;
        let mut states = HashMap::new();
        let mut persons = shared::persons_to_update(batches, &visitors, &Default::default());
        load_persons(&transaction, &mut persons)?;
        let saved = shared::apply_to_persons(batches, &inserted, persons, &mut states);
        save_persons(&transaction, &saved, shared::now_of(batches))?;
        record_all(&transaction, &saved)?;
        transaction.commit()?;
        Ok(shared::results(batches, &inserted, &visitors, &states))
    }

    /// Inserts one event unless its id is stored; true if it was inserted.
    fn insert_event(
        insert: &mut CachedStatement<'_>,
        event: &StoredEvent,
    ) -> Result<bool, StoreError> {
        let changed = insert.execute(params![
            event.site,
            event.id,
            event.visitor,
            event.kind,
            event.url,
            event.title,
            event.referrer,
            event.received_ms,
            event.client_offset_ms,
            event.session,
            event.name,
            event.target,
            event.value,
            event.props,
            event.channel,
            event.utm_source,
            event.utm_medium,
            event.utm_campaign,
            event.utm_term,
            event.utm_content,
            event.click_id,
            event.device,
            event.bot,
        ])?;
        Ok(changed > 0)
    }

    fn upsert_visitors<'a>(
        transaction: &Transaction<'_>,
        batches: &'a [WriteBatch],
        inserted: &Inserted<'_>,
    ) -> Result<VisitorRows<'a>, StoreError> {
        let merged = shared::visitor_rows(batches, inserted);
        let mut upsert = transaction.prepare_cached(UPSERT_VISITOR)?;
        let mut visitors = HashMap::with_capacity(merged.len());
        for (key, seen, visit, new, bot) in merged {
            let (visits, events, person) = upsert
                .query_row(params![key.0, key.1, seen, visit, new, bot], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?))
                })?;
            visitors.insert(
                key,
                (u32::try_from(visits).unwrap_or(0), u32::try_from(events).unwrap_or(0), person),
            );
        }
        Ok(visitors)
    }

    fn load_persons(
        transaction: &Transaction<'_>,
        persons: &mut [PersonEntry<'_>],
    ) -> Result<(), StoreError> {
        let mut load = transaction.prepare_cached(LOAD_PERSON)?;
        for (site, id, loaded, _) in persons {
            let doc: Option<String> =
                load.query_row(params![*site, id.as_str()], |row| row.get(0)).optional()?;
            if let Some(doc) = doc {
                *loaded = Some(
                    serde_json::from_str(&doc)
                        .map_err(|error| StoreError::Corrupt(error.to_string()))?,
                );
            }
        }
        Ok(())
    }

    fn save_persons(
        transaction: &Transaction<'_>,
        persons: &[(&str, std::sync::Arc<Person>, Changes)],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut save = transaction.prepare_cached(SAVE_PERSON)?;
        for (site, person, _) in persons {
            let doc = serde_json::to_string(person.as_ref())
                .map_err(|error| StoreError::Corrupt(error.to_string()))?;
            save.execute(params![
                *site,
                person.id,
                person.email,
                person.score,
                person.temperature.as_str(),
                person.stage.as_str(),
                person.last_activity_ms,
                now,
                doc,
                person.journeys.next_due(),
            ])?;
        }
        Ok(())
    }

    /// `people::record_all` for this connection: the lines explaining each person's
    /// changes, the impressions they refused removed, the conversions they derived stored.
    fn record_all(
        transaction: &Transaction<'_>,
        persons: &[(&str, std::sync::Arc<Person>, Changes)],
    ) -> Result<(), StoreError> {
        let lines =
            |kind: fn(&Changes) -> bool| persons.iter().any(|(_, _, changes)| kind(changes));
        if lines(|changes| !changes.scores.is_empty()) {
            let mut insert = transaction.prepare_cached(INSERT_SCORE)?;
            for (site, person, changes) in persons {
                for change in &changes.scores {
                    insert.execute(params![
                        *site,
                        person.id,
                        change.at_ms,
                        change.rule,
                        change.reason,
                        change.points,
                        change.score,
                        change.event_id,
                    ])?;
                }
            }
        }
        if lines(|changes| !changes.stages.is_empty()) {
            let mut insert = transaction.prepare_cached(INSERT_STAGE)?;
            for (site, person, changes) in persons {
                for change in &changes.stages {
                    insert.execute(params![
                        *site,
                        person.id,
                        change.at_ms,
                        change.from.as_str(),
                        change.to.as_str(),
                        change.cause,
                    ])?;
                }
            }
        }
        if lines(|changes| !changes.segments.is_empty()) {
            let mut insert = transaction.prepare_cached(INSERT_SEGMENT)?;
            for (site, person, changes) in persons {
                for change in &changes.segments {
                    insert.execute(params![
                        *site,
                        person.id,
                        change.at_ms,
                        change.segment,
                        change.entered
                    ])?;
                }
            }
        }
        if lines(|changes| !changes.refused.is_empty()) {
            let mut delete = transaction.prepare_cached(DELETE_EVENT)?;
            let mut uncount = transaction.prepare_cached(UNCOUNT_EVENT)?;
            for (site, _, changes) in persons {
                for refused in &changes.refused {
                    delete.execute(params![*site, refused.event_id])?;
                    uncount.execute(params![*site, refused.visitor])?;
                }
            }
        }
        if lines(|changes| !changes.derived.is_empty()) {
            let mut insert = transaction.prepare_cached(INSERT_EVENT)?;
            for event in persons.iter().flat_map(|(_, _, changes)| changes.derived.iter()) {
                insert_event(&mut insert, event)?;
            }
        }
        Ok(())
    }
}

crate::store::backend::store_impl!(
    SqliteStore,
    sqlx::Sqlite,
    sqlx::SqliteConnection,
    sqlx::sqlite::SqliteRow
);
