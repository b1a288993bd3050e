//! The store's contract (`store::Store` and `store::WriteTx`, whose doc comments are the
//! specification), run against both backends through `store::open`: every test below
//! runs once on a temporary SQLite file (`sqlite::NAME`) and once on a fresh PostgreSQL
//! database (`postgres::NAME`), so the two backends cannot drift apart.
//!
//! The tests read back through the contract's own reads. Where the contract has no read
//! for what a write stores (a visitor's last seen time, a submission's confirmation
//! time, a message's delivery time), they look at the schema's column with one SQL
//! statement both databases run alike ([`Db::number`]).
//!
//! Person documents are opaque text to the store: any JSON-looking string does.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kindling_collector::store::{
    self, Attempt, Confirmation, ConsentGiven, ConsentLine, EventQuery, FormCount, FormCounts,
    KnownOrder, KnownQuery, OutboxMessage, OutboxState, PersonKey, PersonLines, PersonRow,
    RemovedEvent, ScoreLine, SegmentLine, StageLine, StepCountRow, StepRecord, Store, StoreError,
    StoreResult, StoredEvent, StoredProfile, SubmissionRecord, VariantCounts, VisitorCounts,
    VisitorSeen, WriteTx,
};

use kindling_collector::store::records::ReportCounts;

#[path = "support/postgres.rs"]
mod pg;

/// Every test below runs once per backend, as `sqlite::NAME` and `postgres::NAME`, on a
/// store of its own.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::Db::open(super::Backend::Sqlite).await).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::Db::open(super::Backend::Postgres).await).await
            })*
        }
    };
}

on_both_backends!(
    insert_events_stores_each_id_once,
    stored_events_keep_every_field,
    remove_events_deletes_and_uncounts,
    upsert_visitors_creates_then_grows,
    attach_visitor_gives_a_visitor_its_person,
    person_docs_reads_in_order_across_sites,
    person_docs_answers_a_repeated_key,
    save_persons_inserts_then_replaces,
    save_persons_given_one_person_twice_keeps_the_last,
    lock_person_tells_whether_the_person_exists,
    lock_person_holds_the_person_until_the_transaction_ends,
    profile_holds_everything_about_a_person,
    history_leaves_out_bot_traffic,
    fold_person_moves_visitors_and_lines,
    delete_person_erases_everything,
    decay_candidates_filters_and_orders,
    decay_candidates_are_held_for_one_pass,
    known_persons_lists_leads_best_first,
    events_query_filters_newest_first,
    block_counts_per_block_and_variant,
    form_counts_for_a_range,
    open_form_views_are_kept_per_visitor,
    submission_since_finds_the_earliest,
    a_resent_submission_is_stored_once,
    a_submission_without_token_is_confirmed_at_once,
    confirm_marks_token_submission_and_consents,
    confirmations_newest_first,
    enqueue_keeps_a_stored_id,
    claim_due_takes_the_oldest_pending_message_of_each_lead,
    a_claimed_message_belongs_to_one_transaction,
    record_attempt_delivers_retries_or_kills,
    dead_letters_oldest_first,
    replay_revives_a_dead_message_once,
    due_runs_earliest_first,
    quiet_persons_in_the_window,
    workflow_steps_are_counted_once,
    quiet_cursor_only_moves_forward,
    ping_answers,
    a_failed_write_saves_nothing,
    a_committed_write_is_read_at_once,
    a_transaction_reads_its_own_writes,
    large_calls_keep_their_order,
);

const SITE: &str = "pk_test";
const OTHER: &str = "pk_other";
const URL: &str = "https://www.example.com/";
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Where [`Db::number`] reads the tables directly.
enum Raw {
    Sqlite(PathBuf),
    Postgres(String),
}

/// A store opened on a database of its own, removed when this is dropped.
struct Db {
    store: Arc<dyn Store>,
    raw: Raw,
    _folder: Option<tempfile::TempDir>,
    _database: Option<pg::TestDatabase>,
}

impl Db {
    async fn open(backend: Backend) -> Db {
        match backend {
            Backend::Sqlite => {
                let folder = tempfile::tempdir().expect("temporary folder");
                let file = folder.path().join("k.db");
                let url = format!("sqlite://{}", file.display());
                let store = store::open(&url).await.expect("SQLite store opens");
                Db { store, raw: Raw::Sqlite(file), _folder: Some(folder), _database: None }
            }
            Backend::Postgres => {
                let database = pg::TestDatabase::create().await;
                let store = store::open(&database.url).await.expect("PostgreSQL store opens");
                let raw = Raw::Postgres(database.url.clone());
                Db { store, raw, _folder: None, _database: Some(database) }
            }
        }
    }

    /// Runs `work` in one write transaction; it must succeed.
    async fn write<T, F>(&self, work: F) -> T
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn WriteTx) -> StoreResult<T> + Send + 'static,
    {
        store::write(&self.store, work).await.expect("write committed")
    }

    /// Stored events of `site`, newest first.
    async fn events(&self, site: &str, visitor: Option<&str>, kind: Option<&str>) -> Vec<String> {
        let query = EventQuery {
            site: site.to_owned(),
            visitor: visitor.map(str::to_owned),
            kind: kind.map(str::to_owned),
            limit: 100,
        };
        let events = self.store.events(&query).await.expect("events read");
        events.into_iter().map(|event| event.id).collect()
    }

    async fn profile(&self, key: PersonKey) -> Option<StoredProfile> {
        self.store.profile(SITE, &key).await.expect("profile read")
    }

    /// Claims due messages (see `WriteTx::claim_due`), by id.
    async fn claim(&self, now_ms: i64, limit: u32, lease_until_ms: i64) -> Vec<OutboxMessage> {
        let mut claimed = self.write(move |tx| tx.claim_due(now_ms, limit, lease_until_ms)).await;
        claimed.sort_by(|a, b| a.id.cmp(&b.id));
        claimed
    }

    async fn claimed_ids(&self, now_ms: i64, lease_until_ms: i64) -> Vec<String> {
        let claimed = self.claim(now_ms, 100, lease_until_ms).await;
        claimed.into_iter().map(|message| message.id).collect()
    }

    async fn record(&self, id: &'static str, state: OutboxState, next_ms: i64, now_ms: i64) {
        let error = (state != OutboxState::Delivered).then_some("503 Service Unavailable");
        self.write(move |tx| {
            tx.record_attempt(&Attempt { id, state, next_attempt_ms: next_ms, error, now_ms })
        })
        .await;
    }

    /// One number (or none: no row, or NULL) read with `sql` straight from the tables,
    /// for what the contract stores but has no read for. `sql` must run alike on both
    /// databases and yield a 64-bit integer.
    async fn number(&self, sql: &str) -> Option<i64> {
        match &self.raw {
            Raw::Sqlite(file) => {
                let (file, sql) = (file.clone(), sql.to_owned());
                tokio::task::spawn_blocking(move || {
                    use rusqlite::OptionalExtension;
                    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
                    let connection =
                        rusqlite::Connection::open_with_flags(&file, flags).expect("file opens");
                    connection
                        .query_row(&sql, [], |row| row.get::<_, Option<i64>>(0))
                        .optional()
                        .unwrap_or_else(|error| panic!("{sql}: {error}"))
                        .flatten()
                })
                .await
                .expect("read on a blocking thread")
            }
            Raw::Postgres(url) => {
                use sqlx::Connection;
                let mut connection =
                    sqlx::PgConnection::connect(url).await.expect("PostgreSQL connects");
                sqlx::query_scalar::<_, Option<i64>>(sql)
                    .fetch_optional(&mut connection)
                    .await
                    .unwrap_or_else(|error| panic!("{sql}: {error}"))
                    .flatten()
            }
        }
    }
}

/// Runs `first` and, once it has called its `ready` (holding what it read), `second`
/// beside it in another transaction; returns what each returned. `first` then waits a
/// while before it commits, so that `second` runs while `first` is still open wherever
/// the backend lets two transactions run at once.
async fn side_by_side<A, B, F, G>(db: &Db, first: F, second: G) -> (A, B)
where
    A: Send + 'static,
    B: Send + 'static,
    F: FnOnce(&mut dyn WriteTx, &mut dyn FnMut()) -> StoreResult<A> + Send + 'static,
    G: FnOnce(&mut dyn WriteTx) -> StoreResult<B> + Send + 'static,
{
    let (ready, started) = tokio::sync::oneshot::channel::<()>();
    let store = Arc::clone(&db.store);
    let first = tokio::spawn(async move {
        store::write(&store, move |tx| {
            let mut ready = Some(ready);
            let done = first(tx, &mut || {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(());
                }
            })?;
            std::thread::sleep(Duration::from_millis(300));
            Ok(done)
        })
        .await
    });
    started.await.expect("the first transaction got ready");
    let second = db.write(second).await;
    let first = first.await.expect("first transaction's task").expect("first committed");
    (first, second)
}

// ---- Records ---------------------------------------------------------------------------

/// A pageview-like event of `SITE` with nothing derived.
fn event(id: &str, visitor: &str, kind: &str, at_ms: i64) -> StoredEvent {
    StoredEvent::new(id, SITE, visitor, "session-1", kind, URL, at_ms)
}

fn bot(mut event: StoredEvent) -> StoredEvent {
    event.bot = true;
    event
}

/// An event naming a block (or a form) in `name` and its variant (or field) in `target`,
/// as the collector stores block and form events.
fn about(mut event: StoredEvent, name: &str, target: Option<&str>) -> StoredEvent {
    event.name = Some(name.to_owned());
    event.target = target.map(str::to_owned);
    event
}

fn insert(tx: &mut dyn WriteTx, events: &[StoredEvent]) -> StoreResult<Vec<bool>> {
    let events: Vec<&StoredEvent> = events.iter().collect();
    tx.insert_events(&events)
}

fn seen(id: &str, seen_ms: i64, visit: i32, new_events: i32, bot: bool) -> VisitorSeen<'_> {
    VisitorSeen { site: SITE, id, seen_ms, visit, new_events, bot }
}

fn counts(visits: u32, events: u32, person: &str) -> VisitorCounts {
    VisitorCounts {
        visits,
        events,
        person: person.to_owned(),
        device_view: None,
        prior_seen_ms: None,
        prior_visits: 0,
    }
}

/// The counters without what they say of the visitor before (checked in
/// `upsert_visitors_creates_then_grows`).
fn plain(counted: &[VisitorCounts]) -> Vec<VisitorCounts> {
    counted
        .iter()
        .map(|c| VisitorCounts { prior_seen_ms: None, prior_visits: 0, ..c.clone() })
        .collect()
}

fn doc(id: &str) -> String {
    format!(r#"{{"id":"{id}"}}"#)
}

fn other_doc(id: &str) -> String {
    format!(r#"{{"id":"{id}","site":"{OTHER}"}}"#)
}

/// An anonymous person of `SITE` whose document is [`doc`].
fn person(id: &'static str) -> PersonRow<'static> {
    PersonRow {
        site: SITE,
        id,
        email: None,
        score: 0,
        temperature: "cold",
        stage: "anonymous",
        last_activity_ms: 0,
        next_run_ms: None,
        doc: doc(id),
    }
}

fn score(at_ms: i64, rule: &str, points: i32, total: i32) -> ScoreLine {
    ScoreLine {
        at_ms,
        rule: rule.to_owned(),
        reason: format!("{rule} matched"),
        points,
        score: total,
        event_id: Some(format!("event-{at_ms}")),
    }
}

fn stage(at_ms: i64, from: &str, to: &str) -> StageLine {
    StageLine { at_ms, from: from.to_owned(), to: to.to_owned(), cause: "score".to_owned() }
}

fn segment(at_ms: i64, name: &str, entered: bool) -> SegmentLine {
    SegmentLine { at_ms, segment: name.to_owned(), entered }
}

fn lines(person: &'static str) -> PersonLines<'static> {
    PersonLines { site: SITE, person, ..PersonLines::default() }
}

fn consent(field: &str, version: &str) -> ConsentGiven {
    ConsentGiven {
        field: field.to_owned(),
        text: format!("I agree ({field})."),
        version: version.to_owned(),
    }
}

fn submission(id: &str, form: &str, email: &str, token: Option<&str>) -> SubmissionRecord {
    SubmissionRecord {
        id: id.to_owned(),
        form: form.to_owned(),
        email: email.to_owned(),
        page: "https://www.example.com/ebook".to_owned(),
        block: Some("hero".to_owned()),
        variant: Some("a".to_owned()),
        fields_json: format!(r#"{{"email":"{email}"}}"#),
        consents: vec![consent("marketing", "1")],
        confirmation: token.map(str::to_owned),
        repeat_since_ms: 0,
    }
}

fn message(id: &str, lead: &str, created_ms: i64, due_ms: i64) -> OutboxMessage {
    OutboxMessage {
        id: id.to_owned(),
        site: SITE.to_owned(),
        lead: lead.to_owned(),
        endpoint: "crm".to_owned(),
        url: "https://hooks.example.com/crm".to_owned(),
        secret: "s3cret".to_owned(),
        body: format!(r#"{{"message":"{id}"}}"#),
        created_ms,
        window_start_ms: created_ms,
        attempts: 0,
        next_attempt_ms: due_ms,
        state: OutboxState::Pending,
        last_error: None,
        delivered_ms: None,
        caused_ms: Some(created_ms - 10),
    }
}

fn enqueue_all(tx: &mut dyn WriteTx, messages: &[OutboxMessage]) -> StoreResult<()> {
    messages.iter().try_for_each(|message| tx.enqueue(message))
}

fn ids(events: &[StoredEvent]) -> Vec<&str> {
    events.iter().map(|event| event.id.as_str()).collect()
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

// ---- Events and visitors ---------------------------------------------------------------

async fn insert_events_stores_each_id_once(db: Db) {
    let first = db
        .write(|tx| {
            insert(
                tx,
                &[event("e1", "v1", "pageview", 1_000), event("e2", "v1", "pageview", 1_001)],
            )
        })
        .await;
    assert_eq!(first, [true, true], "new events are inserted");

    let mut resent = event("e2", "v1", "click", 1_002);
    resent.url = "https://www.example.com/changed".to_owned();
    let second = db
        .write(move |tx| {
            insert(
                tx,
                &[
                    resent,
                    event("e3", "v1", "pageview", 1_003),
                    event("e3", "v1", "click", 1_004),
                    event("e4", "v1", "pageview", 1_005),
                ],
            )
        })
        .await;
    assert_eq!(second, [false, true, false, true], "a stored id and a repeat are skipped");

    let elsewhere = db
        .write(|tx| {
            insert(tx, &[StoredEvent::new("e1", OTHER, "v1", "session-1", "pageview", URL, 1_006)])
        })
        .await;
    assert_eq!(elsewhere, [true], "ids are per site");

    let query = EventQuery { site: SITE.to_owned(), limit: 100, ..EventQuery::default() };
    let stored = db.store.events(&query).await.expect("events read");
    assert_eq!(ids(&stored), ["e4", "e3", "e2", "e1"]);
    let e2 = &stored[2];
    assert_eq!((e2.kind.as_str(), e2.url.as_str(), e2.received_ms), ("pageview", URL, 1_001));
    let e3 = &stored[1];
    assert_eq!((e3.kind.as_str(), e3.received_ms), ("pageview", 1_003), "the first e3 is kept");
    assert_eq!(db.events(OTHER, None, None).await, ["e1"]);
}

async fn stored_events_keep_every_field(db: Db) {
    let full = StoredEvent {
        id: "e-full".to_owned(),
        site: SITE.to_owned(),
        visitor: "v1".to_owned(),
        session: "session-9".to_owned(),
        kind: "custom".to_owned(),
        url: "https://www.example.com/pricing?plan=pro".to_owned(),
        title: Some("Pricing".to_owned()),
        referrer: Some("https://search.example.org/".to_owned()),
        name: Some("signup".to_owned()),
        target: Some("#cta".to_owned()),
        value: Some(12.5),
        props: Some(r#"{"plan":"pro","seats":3}"#.to_owned()),
        channel: Some("paid_search".to_owned()),
        utm_source: Some("google".to_owned()),
        utm_medium: Some("cpc".to_owned()),
        utm_campaign: Some("spring".to_owned()),
        utm_term: Some("lead capture".to_owned()),
        utm_content: Some("ad-2".to_owned()),
        click_id: Some("gclid:abc123".to_owned()),
        device: Some("desktop".to_owned()),
        bot: true,
        received_ms: 1_764_000_000_123,
        client_offset_ms: -1_500,
    };
    let bare = event("e-bare", "v1", "pageview", 1_764_000_000_456);
    let written = vec![full.clone(), bare.clone()];
    db.write(move |tx| insert(tx, &written)).await;

    let query = EventQuery { site: SITE.to_owned(), limit: 10, ..EventQuery::default() };
    let stored = db.store.events(&query).await.expect("events read");
    assert_eq!(stored, [bare, full], "every field reads back as written");
}

async fn remove_events_deletes_and_uncounts(db: Db) {
    let during = db
        .write(|tx| {
            insert(
                tx,
                &[
                    event("e1", "v1", "pageview", 1_000),
                    event("e2", "v1", "pageview", 1_001),
                    event("e3", "v2", "pageview", 1_002),
                ],
            )?;
            let counted = tx.upsert_visitors(&[
                seen("v1", 1_000, 1, 2, false),
                seen("v2", 1_000, 1, 1, false),
            ])?;
            tx.remove_events(&[RemovedEvent { site: SITE, id: "e1", visitor: "v1" }])?;
            Ok(counted)
        })
        .await;
    assert_eq!(plain(&during), [counts(1, 2, "v1"), counts(1, 1, "v2")]);
    assert_eq!(db.events(SITE, None, None).await, ["e3", "e2"], "e1 is gone");

    let after = db
        .write(|tx| {
            tx.upsert_visitors(&[seen("v1", 1_100, 1, 0, false), seen("v2", 1_100, 1, 0, false)])
        })
        .await;
    assert_eq!(plain(&after), [counts(1, 1, "v1"), counts(1, 1, "v2")], "v1 counts one event less");
}

async fn upsert_visitors_creates_then_grows(db: Db) {
    let created = db
        .write(|tx| {
            tx.upsert_visitors(&[seen("v1", 1_000, 1, 2, false), seen("v2", 1_000, 3, 1, true)])
        })
        .await;
    assert_eq!(
        plain(&created),
        [counts(1, 2, "v1"), counts(3, 1, "v2")],
        "a new visitor is its person"
    );

    let updated = db
        .write(|tx| {
            tx.upsert_visitors(&[
                seen("v2", 500, 1, 4, false),
                seen("v1", 2_000, 2, 1, false),
                seen("v3", 1_500, 1, 0, false),
            ])
        })
        .await;
    let before = |c: VisitorCounts, seen_ms, visits| VisitorCounts {
        prior_seen_ms: Some(seen_ms),
        prior_visits: visits,
        ..c
    };
    assert_eq!(
        updated,
        [
            before(counts(3, 5, "v2"), 1_000, 3),
            before(counts(2, 3, "v1"), 1_000, 1),
            counts(1, 0, "v3")
        ],
        "visits never go down, events add up, in the order given; each notes what was before"
    );

    let visitor = |column: &str, id: &str| {
        format!(
            "SELECT CAST({column} AS BIGINT) FROM visitors WHERE site = '{SITE}' AND id = '{id}'"
        )
    };
    assert_eq!(db.number(&visitor("last_seen_ms", "v1")).await, Some(2_000), "last seen grows");
    assert_eq!(db.number(&visitor("last_seen_ms", "v2")).await, Some(1_000), "never goes back");
    assert_eq!(db.number(&visitor("first_seen_ms", "v1")).await, Some(1_000));
    let is_bot = |id: &str| {
        format!(
            "SELECT CAST(CASE WHEN bot THEN 1 ELSE 0 END AS BIGINT) FROM visitors
             WHERE site = '{SITE}' AND id = '{id}'"
        )
    };
    assert_eq!(db.number(&is_bot("v2")).await, Some(1), "bot is sticky");
    assert_eq!(db.number(&is_bot("v1")).await, Some(0));

    let elsewhere = db
        .write(|tx| {
            tx.upsert_visitors(&[VisitorSeen {
                site: OTHER,
                id: "v1",
                seen_ms: 3_000,
                visit: 1,
                new_events: 1,
                bot: false,
            }])
        })
        .await;
    assert_eq!(plain(&elsewhere), [counts(1, 1, "v1")], "visitors are per site");
}

async fn attach_visitor_gives_a_visitor_its_person(db: Db) {
    db.write(|tx| {
        tx.save_persons(&[person("p1")], 500)?;
        tx.upsert_visitors(&[seen("v1", 1_000, 1, 1, false)])?;
        tx.attach_visitor(SITE, "v1", "p1", 2_000)?;
        tx.attach_visitor(SITE, "v9", "p1", 3_000)
    })
    .await;

    for visitor in ["v1", "v9"] {
        let found = db.store.person_of_visitor(SITE, visitor).await.expect("read");
        assert_eq!(found, Some(doc("p1")), "{visitor} belongs to p1");
    }
    assert_eq!(db.store.person_of_visitor(SITE, "never").await.expect("read"), None);
    assert_eq!(db.store.person_of_visitor(OTHER, "v1").await.expect("read"), None);
    let profile = db.profile(PersonKey::Id("p1".to_owned())).await.expect("p1");
    assert_eq!(profile.visitors, ["v1", "v9"]);

    let later = db
        .write(|tx| {
            tx.upsert_visitors(&[seen("v9", 4_000, 1, 1, false), seen("v1", 4_000, 2, 1, false)])
        })
        .await;
    assert_eq!(plain(&later), [counts(1, 1, "p1"), counts(2, 2, "p1")], "the person stays");
}

// ---- Persons ---------------------------------------------------------------------------

async fn person_docs_reads_in_order_across_sites(db: Db) {
    let docs = db
        .write(|tx| {
            tx.save_persons(&[person("p1"), person("p2")], 1_000)?;
            tx.save_persons(
                &[PersonRow { site: OTHER, doc: other_doc("p1"), ..person("p1") }],
                1_000,
            )?;
            let none = tx.person_docs(&[])?;
            let docs = tx.person_docs(&[
                (SITE, "p2"),
                (SITE, "nobody"),
                (SITE, "p1"),
                (OTHER, "p1"),
                (OTHER, "p2"),
            ])?;
            Ok((none, docs))
        })
        .await;
    assert_eq!(docs.0, Vec::<Option<String>>::new());
    assert_eq!(docs.1, [Some(doc("p2")), None, Some(doc("p1")), Some(other_doc("p1")), None]);

    let committed = db.write(|tx| tx.person_docs(&[(SITE, "p1"), (OTHER, "p1")])).await;
    assert_eq!(committed, [Some(doc("p1")), Some(other_doc("p1"))]);
}

async fn person_docs_answers_a_repeated_key(db: Db) {
    let docs = db
        .write(|tx| {
            tx.save_persons(&[person("p1")], 1_000)?;
            tx.person_docs(&[(SITE, "p1"), (SITE, "nobody"), (SITE, "p1")])
        })
        .await;
    assert_eq!(docs, [Some(doc("p1")), None, Some(doc("p1"))], "p1 exists, both times");
}

async fn save_persons_given_one_person_twice_keeps_the_last(db: Db) {
    let saved = store::write(&db.store, |tx| {
        let last =
            PersonRow { score: 7, doc: r#"{"id":"p1","version":2}"#.to_owned(), ..person("p1") };
        tx.save_persons(&[person("p1"), last], 1_000)
    })
    .await;
    assert!(saved.is_ok(), "saved: {saved:?}");
    let docs = db.write(|tx| tx.person_docs(&[(SITE, "p1")])).await;
    assert_eq!(docs, [Some(r#"{"id":"p1","version":2}"#.to_owned())], "created, then replaced");
}

async fn save_persons_inserts_then_replaces(db: Db) {
    const REPLACED: &str = r#"{"id":"p1","version":2}"#;
    let find = |key: PersonKey| {
        let store = Arc::clone(&db.store);
        async move { store::write(&store, move |tx| tx.find_person(SITE, &key)).await.expect("find") }
    };

    db.write(|tx| {
        let row = PersonRow {
            email: Some("ann@example.com"),
            score: 10,
            temperature: "warm",
            stage: "lead",
            ..person("p1")
        };
        tx.save_persons(&[row], 1_000)?;
        tx.attach_visitor(SITE, "v1", "p1", 1_000)
    })
    .await;
    assert_eq!(find(PersonKey::Id("p1".to_owned())).await, Some(doc("p1")));
    assert_eq!(find(PersonKey::Visitor("v1".to_owned())).await, Some(doc("p1")));
    assert_eq!(find(PersonKey::Email("ann@example.com".to_owned())).await, Some(doc("p1")));
    assert_eq!(find(PersonKey::Email("bob@example.com".to_owned())).await, None);
    assert_eq!(find(PersonKey::Id("nobody".to_owned())).await, None);
    assert_eq!(find(PersonKey::Visitor("nobody".to_owned())).await, None);
    let updated = format!("SELECT updated_ms FROM persons WHERE site = '{SITE}' AND id = 'p1'");
    assert_eq!(db.number(&updated).await, Some(1_000), "now_ms is the updated time");

    db.write(move |tx| {
        let row = PersonRow {
            email: Some("bob@example.com"),
            score: 20,
            temperature: "hot",
            stage: "customer",
            doc: REPLACED.to_owned(),
            ..person("p1")
        };
        tx.save_persons(&[row], 2_000)
    })
    .await;
    let replaced = Some(REPLACED.to_owned());
    assert_eq!(find(PersonKey::Id("p1".to_owned())).await, replaced);
    assert_eq!(find(PersonKey::Visitor("v1".to_owned())).await, replaced);
    assert_eq!(find(PersonKey::Email("bob@example.com".to_owned())).await, replaced);
    assert_eq!(find(PersonKey::Email("ann@example.com".to_owned())).await, None, "old email");
    assert_eq!(db.number(&updated).await, Some(2_000));
    let rows = format!("SELECT COUNT(*) FROM persons WHERE site = '{SITE}' AND id = 'p1'");
    assert_eq!(db.number(&rows).await, Some(1), "replaced, not added");

    let hot =
        KnownQuery { temperature: Some("hot".to_owned()), limit: 10, ..KnownQuery::default() };
    let warm = KnownQuery { temperature: Some("warm".to_owned()), ..hot.clone() };
    assert_eq!(db.store.known_persons(SITE, &hot).await.expect("read"), [REPLACED]);
    assert!(
        db.store.known_persons(SITE, &warm).await.expect("read").is_empty(),
        "columns replaced"
    );

    db.write(|tx| tx.save_persons(&[person("p1")], 3_000)).await;
    assert_eq!(find(PersonKey::Email("bob@example.com".to_owned())).await, None, "email cleared");
    let all = KnownQuery { limit: 10, ..KnownQuery::default() };
    assert!(db.store.known_persons(SITE, &all).await.expect("read").is_empty());
}

async fn lock_person_tells_whether_the_person_exists(db: Db) {
    let locked = db
        .write(|tx| {
            tx.save_persons(&[person("p1")], 1_000)?;
            Ok((
                tx.lock_person(SITE, "p1")?,
                tx.lock_person(SITE, "nobody")?,
                tx.lock_person(OTHER, "p1")?,
            ))
        })
        .await;
    assert_eq!(locked, (true, false, false));
    let again = db.write(|tx| tx.lock_person(SITE, "p1")).await;
    assert!(again, "a committed person is found");
}

async fn lock_person_holds_the_person_until_the_transaction_ends(db: Db) {
    db.write(|tx| tx.save_persons(&[person("p1")], 1_000)).await;
    let changed = r#"{"id":"p1","changed_by":"first"}"#;
    let (first, second) = side_by_side(
        &db,
        move |tx, ready| {
            let locked = tx.lock_person(SITE, "p1")?;
            ready();
            std::thread::sleep(Duration::from_millis(200));
            tx.save_persons(&[PersonRow { doc: changed.to_owned(), ..person("p1") }], 2_000)?;
            Ok(locked)
        },
        |tx| {
            let locked = tx.lock_person(SITE, "p1")?;
            Ok((locked, tx.person_docs(&[(SITE, "p1")])?))
        },
    )
    .await;
    assert!(first, "the first transaction locked p1");
    assert_eq!(
        second,
        (true, vec![Some(changed.to_owned())]),
        "the second one got p1 only once the first had saved it"
    );
}

async fn profile_holds_everything_about_a_person(db: Db) {
    // v-a is created first but seen later than v-b; their events are inserted out of
    // time order.
    let events = vec![
        event("e1", "v-a", "pageview", 3_100),
        bot(event("e2", "v-a", "pageview", 3_200)),
        event("e3", "v-b", "click", 1_100),
        bot(event("e4", "v-b", "pageview", 1_050)),
        event("e5", "v-c", "pageview", 2_000),
    ];
    let by_id = |id: &str| events.iter().find(|event| event.id == id).cloned().expect("event");
    let expected = StoredProfile {
        doc: doc("p1"),
        visitors: vec!["v-b".to_owned(), "v-a".to_owned()],
        events: vec![by_id("e3"), by_id("e1"), by_id("e4"), by_id("e2")],
        score_changes: vec![
            score(100, "pricing", 5, 5),
            score(200, "demo", 10, 15),
            score(300, "decay", -3, 12),
        ],
        stage_changes: vec![stage(150, "anonymous", "lead"), stage(320, "lead", "mql")],
        segment_changes: vec![
            segment(160, "pricing_fans", true),
            segment(330, "pricing_fans", false),
        ],
        consents: vec![ConsentLine {
            submission: "s1".to_owned(),
            form: "ebook".to_owned(),
            field: "marketing".to_owned(),
            text: "I agree (marketing).".to_owned(),
            version: "1".to_owned(),
            page: "https://www.example.com/ebook".to_owned(),
            given_ms: 2_500,
            confirmed_ms: Some(2_500),
        }],
    };

    let written = events.clone();
    let in_tx = db
        .write(move |tx| {
            let row = PersonRow { email: Some("ann@example.com"), ..person("p1") };
            tx.save_persons(&[row, person("p2")], 1_000)?;
            tx.upsert_visitors(&[
                seen("v-a", 3_000, 1, 2, false),
                seen("v-b", 1_000, 1, 2, false),
                seen("v-c", 2_000, 1, 1, false),
            ])?;
            tx.attach_visitor(SITE, "v-a", "p1", 3_000)?;
            tx.attach_visitor(SITE, "v-b", "p1", 3_000)?;
            tx.attach_visitor(SITE, "v-c", "p2", 3_000)?;
            insert(tx, &written)?;
            let ann = "ann@example.com";
            tx.insert_submission(SITE, &submission("s1", "ebook", ann, None), "p1", "v-a", 2_500)?;
            tx.insert_submission(SITE, &submission("s2", "ebook", ann, None), "p2", "v-c", 2_600)?;
            tx.insert_lines(&[
                PersonLines {
                    scores: vec![score(100, "pricing", 5, 5), score(200, "demo", 10, 15)],
                    stages: vec![stage(150, "anonymous", "lead")],
                    segments: vec![segment(160, "pricing_fans", true)],
                    ..lines("p1")
                },
                PersonLines { scores: vec![score(110, "other", 1, 1)], ..lines("p2") },
            ])?;
            tx.insert_lines(&[PersonLines {
                scores: vec![score(300, "decay", -3, 12)],
                stages: vec![stage(320, "lead", "mql")],
                segments: vec![segment(330, "pricing_fans", false)],
                ..lines("p1")
            }])?;
            let by_visitor = tx.profile(SITE, &PersonKey::Visitor("v-a".to_owned()))?;
            let unknown = tx.profile(SITE, &PersonKey::Id("nobody".to_owned()))?;
            Ok((by_visitor, unknown))
        })
        .await;
    assert_eq!(in_tx.0.as_ref(), Some(&expected), "the transaction's profile");
    assert_eq!(in_tx.1, None);

    for key in [
        PersonKey::Id("p1".to_owned()),
        PersonKey::Visitor("v-b".to_owned()),
        PersonKey::Email("ann@example.com".to_owned()),
    ] {
        assert_eq!(db.profile(key.clone()).await.as_ref(), Some(&expected), "profile by {key:?}");
    }
    assert_eq!(db.profile(PersonKey::Id("nobody".to_owned())).await, None);
    assert_eq!(db.profile(PersonKey::Visitor("nobody".to_owned())).await, None);
    assert_eq!(db.profile(PersonKey::Email("nobody@example.com".to_owned())).await, None);
    let elsewhere = db.store.profile(OTHER, &PersonKey::Id("p1".to_owned())).await.expect("read");
    assert_eq!(elsewhere, None, "persons are per site");

    let p2 = db.profile(PersonKey::Id("p2".to_owned())).await.expect("p2");
    assert_eq!((p2.visitors, ids(&p2.events)), (vec!["v-c".to_owned()], vec!["e5"]));
    assert_eq!(p2.score_changes, [score(110, "other", 1, 1)]);
    assert!(p2.stage_changes.is_empty() && p2.segment_changes.is_empty());
}

async fn history_leaves_out_bot_traffic(db: Db) {
    let history = db
        .write(|tx| {
            tx.save_persons(&[person("p1"), person("p2"), person("p3")], 1_000)?;
            tx.attach_visitor(SITE, "v1", "p1", 50)?;
            tx.attach_visitor(SITE, "v2", "p1", 60)?;
            tx.attach_visitor(SITE, "v3", "p2", 70)?;
            tx.attach_visitor(SITE, "v4", "p3", 80)?;
            insert(
                tx,
                &[
                    event("a", "v1", "pageview", 100),
                    event("b", "v1", "click", 400),
                    event("c", "v2", "pageview", 300),
                    event("d", "v3", "pageview", 200),
                    bot(event("e", "v1", "pageview", 250)),
                    event("f", "v4", "pageview", 150),
                ],
            )?;
            Ok((
                tx.history(SITE, &["p1", "p2"])?,
                tx.history(SITE, &["p3"])?,
                tx.history(SITE, &[])?,
                tx.history(SITE, &["nobody"])?,
                tx.history(OTHER, &["p1"])?,
            ))
        })
        .await;
    assert_eq!(ids(&history.0), ["a", "d", "c", "b"], "both persons, oldest first, no bot");
    assert_eq!(ids(&history.1), ["f"]);
    assert!(history.2.is_empty() && history.3.is_empty() && history.4.is_empty());
    assert_eq!(history.0[0], event("a", "v1", "pageview", 100), "whole events");

    let committed = db.write(|tx| tx.history(SITE, &["p2", "p1"])).await;
    assert_eq!(ids(&committed), ["a", "d", "c", "b"]);
}

async fn fold_person_moves_visitors_and_lines(db: Db) {
    let folded = db
        .write(|tx| {
            tx.save_persons(&[person("p1"), person("p2"), person("p3")], 1_000)?;
            tx.attach_visitor(SITE, "v1", "p1", 1_000)?;
            tx.attach_visitor(SITE, "v2", "p2", 2_000)?;
            tx.attach_visitor(SITE, "v3", "p3", 3_000)?;
            insert(
                tx,
                &[
                    event("e1", "v1", "pageview", 1_100),
                    event("e2", "v2", "pageview", 2_100),
                    event("e3", "v3", "pageview", 3_100),
                ],
            )?;
            tx.insert_lines(&[PersonLines {
                scores: vec![score(100, "pricing", 5, 5)],
                stages: vec![stage(110, "anonymous", "lead")],
                ..lines("p1")
            }])?;
            tx.insert_lines(&[PersonLines {
                scores: vec![score(200, "demo", 10, 10)],
                segments: vec![segment(210, "demo_seekers", true)],
                ..lines("p2")
            }])?;
            tx.insert_submission(
                SITE,
                &submission("s2", "ebook", "p2@example.com", None),
                "p2",
                "v2",
                2_200,
            )?;
            tx.fold_person(SITE, "p2", "p1")?;
            Ok((
                tx.find_person(SITE, &PersonKey::Id("p2".to_owned()))?,
                tx.person_docs(&[(SITE, "p2"), (SITE, "p1")])?,
            ))
        })
        .await;
    assert_eq!(folded, (None, vec![None, Some(doc("p1"))]), "p2 is deleted");

    let p1 = db.profile(PersonKey::Id("p1".to_owned())).await.expect("p1");
    assert_eq!(p1.visitors, ["v1", "v2"]);
    assert_eq!(ids(&p1.events), ["e1", "e2"]);
    assert_eq!(p1.score_changes, [score(100, "pricing", 5, 5), score(200, "demo", 10, 10)]);
    assert_eq!(p1.stage_changes, [stage(110, "anonymous", "lead")]);
    assert_eq!(p1.segment_changes, [segment(210, "demo_seekers", true)]);
    let consents: Vec<&str> = p1.consents.iter().map(|line| line.submission.as_str()).collect();
    assert_eq!(consents, ["s2"], "the consent given as p2 is p1's");
    assert_eq!(db.store.person_of_visitor(SITE, "v2").await.expect("read"), Some(doc("p1")));
    assert_eq!(db.profile(PersonKey::Id("p2".to_owned())).await, None);
    let p3 = db.profile(PersonKey::Id("p3".to_owned())).await.expect("p3");
    assert_eq!((p3.visitors, ids(&p3.events)), (vec!["v3".to_owned()], vec!["e3"]), "p3 untouched");
}

async fn delete_person_erases_everything(db: Db) {
    let deleted = db
        .write(|tx| {
            tx.save_persons(&[person("p1"), person("p2")], 1_000)?;
            tx.upsert_visitors(&[
                seen("v1", 1_000, 1, 1, false),
                seen("v2", 1_000, 1, 1, false),
                seen("v3", 1_000, 1, 1, false),
            ])?;
            tx.attach_visitor(SITE, "v1", "p1", 1_000)?;
            tx.attach_visitor(SITE, "v2", "p1", 1_000)?;
            tx.attach_visitor(SITE, "v3", "p2", 1_000)?;
            insert(
                tx,
                &[
                    event("e1", "v1", "pageview", 1_100),
                    bot(event("e2", "v2", "pageview", 1_200)),
                    event("e3", "v3", "pageview", 1_300),
                ],
            )?;
            tx.insert_lines(&[
                PersonLines {
                    scores: vec![score(100, "pricing", 5, 5)],
                    stages: vec![stage(110, "anonymous", "lead")],
                    segments: vec![segment(120, "fans", true)],
                    ..lines("p1")
                },
                PersonLines { scores: vec![score(130, "demo", 1, 1)], ..lines("p2") },
            ])?;
            tx.insert_submission(
                SITE,
                &submission("s1", "ebook", "p1@example.com", Some("t1")),
                "p1",
                "v1",
                1_400,
            )?;
            tx.insert_submission(
                SITE,
                &submission("s3", "ebook", "p2@example.com", None),
                "p2",
                "v3",
                1_500,
            )?;
            tx.delete_person(SITE, "p1")
        })
        .await;
    assert!(deleted, "p1 existed");
    let forms = db
        .write(|tx| {
            Ok((
                tx.submission_since(SITE, "ebook", "p1@example.com", 0)?,
                tx.confirmation("t1")?.is_some(),
                tx.submission_since(SITE, "ebook", "p2@example.com", 0)?,
            ))
        })
        .await;
    assert_eq!(forms, (None, false, Some("s3".to_owned())), "p1's submissions and token are gone");
    let again = db
        .write(|tx| {
            Ok((
                tx.delete_person(SITE, "p1")?,
                tx.delete_person(SITE, "nobody")?,
                tx.delete_person(OTHER, "p2")?,
            ))
        })
        .await;
    assert_eq!(again, (false, false, false), "unknown persons");

    assert_eq!(db.profile(PersonKey::Id("p1".to_owned())).await, None);
    assert_eq!(db.store.person_of_visitor(SITE, "v1").await.expect("read"), None);
    assert_eq!(db.store.person_of_visitor(SITE, "v2").await.expect("read"), None);
    assert_eq!(db.events(SITE, None, None).await, ["e3"], "the visitors' events are gone");
    let p2 = db.profile(PersonKey::Id("p2".to_owned())).await.expect("p2 kept");
    assert_eq!((p2.visitors, ids(&p2.events)), (vec!["v3".to_owned()], vec!["e3"]));
    assert_eq!(p2.score_changes, [score(130, "demo", 1, 1)]);

    // A new person under the old id inherits nothing, and v1 is a new visitor again.
    let fresh = db
        .write(|tx| {
            tx.save_persons(&[person("p1")], 2_000)?;
            tx.upsert_visitors(&[seen("v1", 2_000, 1, 1, false)])
        })
        .await;
    assert_eq!(plain(&fresh), [counts(1, 1, "v1")], "the visitor was deleted");
    let p1 = db.profile(PersonKey::Id("p1".to_owned())).await.expect("new p1");
    let empty = StoredProfile {
        doc: doc("p1"),
        visitors: vec![],
        events: vec![],
        score_changes: vec![],
        stage_changes: vec![],
        segment_changes: vec![],
        consents: vec![],
    };
    assert_eq!(p1, empty, "the lines are gone");
}

async fn decay_candidates_filters_and_orders(db: Db) {
    let candidates = db
        .write(|tx| {
            let at =
                |id, last_activity_ms, score| PersonRow { last_activity_ms, score, ..person(id) };
            tx.save_persons(
                &[
                    at("a", 1_000, 10),
                    at("b", 500, 20),
                    at("c", 3_000, 30),
                    at("d", 800, 0),
                    at("e", 2_000, 5),
                ],
                4_000,
            )?;
            let elsewhere = PersonRow { site: OTHER, doc: other_doc("f"), ..at("f", 100, 50) };
            tx.save_persons(&[elsewhere], 4_000)?;
            Ok((
                tx.decay_candidates(SITE, 2_000, 0, 10)?,
                tx.decay_candidates(SITE, 2_000, 0, 2)?,
                tx.decay_candidates(SITE, 2_000, 10, 10)?,
                tx.decay_candidates(SITE, 499, 0, 10)?,
            ))
        })
        .await;
    assert_eq!(candidates.0, [doc("b"), doc("a"), doc("e")], "quiet through 2000, score above 0");
    assert_eq!(candidates.1, [doc("b"), doc("a")], "limit");
    assert_eq!(candidates.2, [doc("b")], "score above 10");
    assert!(candidates.3.is_empty());
}

async fn decay_candidates_are_held_for_one_pass(db: Db) {
    db.write(|tx| {
        let quiet = |id| PersonRow { score: 10, last_activity_ms: 100, ..person(id) };
        tx.save_persons(&[quiet("a"), quiet("b")], 1_000)
    })
    .await;
    // Each pass decays what it got to score 0, as the decay pass does.
    let decay = |tx: &mut dyn WriteTx, docs: &[String]| -> StoreResult<()> {
        for doc in docs {
            let id = if doc.contains("\"a\"") { "a" } else { "b" };
            tx.save_persons(&[PersonRow { score: 0, last_activity_ms: 100, ..person(id) }], 2_000)?;
        }
        Ok(())
    };
    let (first, second) = side_by_side(
        &db,
        move |tx, ready| {
            let docs = tx.decay_candidates(SITE, 1_000, 0, 10)?;
            ready();
            decay(tx, &docs)?;
            Ok(docs)
        },
        move |tx| {
            let docs = tx.decay_candidates(SITE, 1_000, 0, 10)?;
            decay(tx, &docs)?;
            Ok(docs)
        },
    )
    .await;
    assert_eq!(first, [doc("a"), doc("b")]);
    assert!(second.is_empty(), "the second pass got persons the first held: {second:?}");
}

async fn known_persons_lists_leads_best_first(db: Db) {
    db.write(|tx| {
        let lead = |id, email, score, temperature, stage| PersonRow {
            email: Some(email),
            score,
            temperature,
            stage,
            ..person(id)
        };
        let active = |at, row: PersonRow<'static>| PersonRow { last_activity_ms: at, ..row };
        tx.save_persons(
            &[
                active(200, lead("k-b", "b@example.com", 50, "hot", "customer")),
                active(400, lead("k-a", "a@example.com", 50, "hot", "lead")),
                active(100, lead("k-c", "c@example.com", 70, "warm", "lead")),
                active(300, lead("k-d", "d@example.com", 10, "cold", "lead")),
                PersonRow { score: 99, temperature: "hot", stage: "lead", ..person("anon") },
                PersonRow {
                    site: OTHER,
                    doc: other_doc("k-z"),
                    ..lead("k-z", "z@example.com", 80, "hot", "lead")
                },
            ],
            1_000,
        )
    })
    .await;

    let known = |query: KnownQuery| {
        let store = Arc::clone(&db.store);
        async move { store.known_persons(SITE, &query).await.expect("known persons read") }
    };
    let query = KnownQuery { limit: 10, ..KnownQuery::default() };
    let docs = |ids: &[&str]| ids.iter().map(|id| doc(id)).collect::<Vec<_>>();
    assert_eq!(known(query.clone()).await, docs(&["k-c", "k-a", "k-b", "k-d"]), "score, then id");
    let hot = KnownQuery { temperature: Some("hot".to_owned()), ..query.clone() };
    assert_eq!(known(hot.clone()).await, docs(&["k-a", "k-b"]));
    let hot_customers = KnownQuery { stage: Some("customer".to_owned()), ..hot };
    assert_eq!(known(hot_customers).await, docs(&["k-b"]));
    let leads = KnownQuery { stage: Some("lead".to_owned()), ..query.clone() };
    assert_eq!(known(leads).await, docs(&["k-c", "k-a", "k-d"]));
    let from_50 = KnownQuery { min_score: Some(50), ..query.clone() };
    assert_eq!(known(from_50).await, docs(&["k-c", "k-a", "k-b"]), "the minimum is included");
    let to_50 = KnownQuery { max_score: Some(50), ..query.clone() };
    assert_eq!(known(to_50).await, docs(&["k-a", "k-b", "k-d"]), "the maximum is included");
    let between = KnownQuery { min_score: Some(20), max_score: Some(60), ..query.clone() };
    assert_eq!(known(between).await, docs(&["k-a", "k-b"]));
    let two = KnownQuery { limit: 2, ..query.clone() };
    assert_eq!(known(two).await, docs(&["k-c", "k-a"]));
    let frozen = KnownQuery { temperature: Some("frozen".to_owned()), ..query.clone() };
    assert!(known(frozen).await.is_empty());
    let other = db.store.known_persons(OTHER, &query).await.expect("read");
    assert_eq!(other, [other_doc("k-z")]);

    let recent = KnownQuery { order: KnownOrder::LastActivity, ..query.clone() };
    assert_eq!(known(recent.clone()).await, docs(&["k-a", "k-d", "k-b", "k-c"]), "latest first");
    let by_email = KnownQuery { order: KnownOrder::Email, ..query.clone() };
    assert_eq!(known(by_email).await, docs(&["k-a", "k-b", "k-c", "k-d"]), "A to Z");
    let window =
        KnownQuery { active_from_ms: Some(200), active_until_ms: Some(400), ..recent.clone() };
    assert_eq!(known(window).await, docs(&["k-d", "k-b"]), "from included, until excluded");
    let since = KnownQuery { active_from_ms: Some(301), ..recent };
    assert_eq!(known(since).await, docs(&["k-a"]));
}

async fn events_query_filters_newest_first(db: Db) {
    db.write(|tx| {
        insert(
            tx,
            &[
                event("e1", "v1", "pageview", 1_000),
                event("e2", "v2", "click", 1_001),
                event("e3", "v1", "click", 1_002),
                event("e4", "v1", "pageview", 1_003),
                StoredEvent::new("e5", OTHER, "v1", "session-1", "pageview", URL, 1_004),
            ],
        )
    })
    .await;
    assert_eq!(db.events(SITE, None, None).await, ["e4", "e3", "e2", "e1"]);
    assert_eq!(db.events(SITE, Some("v1"), None).await, ["e4", "e3", "e1"]);
    assert_eq!(db.events(SITE, None, Some("click")).await, ["e3", "e2"]);
    assert_eq!(db.events(SITE, Some("v1"), Some("pageview")).await, ["e4", "e1"]);
    assert!(db.events(SITE, Some("nobody"), None).await.is_empty());
    assert_eq!(db.events(OTHER, None, None).await, ["e5"]);
    let two = EventQuery { site: SITE.to_owned(), limit: 2, ..EventQuery::default() };
    assert_eq!(ids(&db.store.events(&two).await.expect("read")), ["e4", "e3"], "limit");
}

// ---- Reports ---------------------------------------------------------------------------

async fn block_counts_per_block_and_variant(db: Db) {
    let block = |id: &str, visitor: &str, kind: &str, name: &str, variant: &str, at: i64| {
        about(event(id, visitor, kind, at), name, Some(variant))
    };
    let events = vec![
        block("i1", "v1", "block_impression", "hero", "a", 1_000),
        block("i2", "v1", "block_impression", "hero", "a", 1_100),
        block("i3", "v2", "block_impression", "hero", "a", 1_200),
        block("c1", "v1", "block_click", "hero", "a", 1_300),
        block("d1", "v2", "block_dismiss", "hero", "a", 1_400),
        block("k1", "v1", "block_conversion", "hero", "a", 1_500),
        block("k2", "v1", "block_conversion", "hero", "a", 1_600),
        block("k3", "v2", "block_conversion", "hero", "a", 1_700),
        bot(block("bot1", "v3", "block_impression", "hero", "a", 1_500)),
        bot(block("bot2", "v3", "block_click", "hero", "a", 1_500)),
        block("late", "v4", "block_impression", "hero", "a", 2_000),
        block("early", "v5", "block_impression", "hero", "a", 999),
        block("i4", "v3", "block_impression", "hero", "b", 1_100),
        block("c2", "v3", "block_click", "hero", "b", 1_200),
        block("c3", "v3", "block_click", "hero", "b", 1_300),
        block("d2", "v1", "block_dismiss", "popup", "a", 1_800),
        about(event("pv", "v1", "pageview", 1_500), "hero", Some("a")),
        StoredEvent {
            name: Some("hero".to_owned()),
            target: Some("a".to_owned()),
            ..StoredEvent::new("o1", OTHER, "v1", "s", "block_impression", URL, 1_500)
        },
    ];
    db.write(move |tx| insert(tx, &events)).await;

    let mut counted = db.store.block_counts(SITE, 1_000, 2_000).await.expect("block counts");
    counted.sort_by(|a, b| (&a.block, &a.variant).cmp(&(&b.block, &b.variant)));
    let row = |block: &str, variant: &str, counts: [u64; 5]| VariantCounts {
        block: block.to_owned(),
        variant: variant.to_owned(),
        impressions: counts[0],
        visitors: counts[1],
        clicks: counts[2],
        dismissals: counts[3],
        conversions: counts[4],
    };
    assert_eq!(
        counted,
        [
            row("hero", "a", [3, 2, 1, 1, 2]),
            row("hero", "b", [1, 1, 2, 0, 0]),
            row("popup", "a", [0, 0, 0, 1, 0])
        ]
    );
    assert!(db.store.block_counts(SITE, 3_000, 4_000).await.expect("read").is_empty());
    let other = db.store.block_counts(OTHER, 1_000, 2_000).await.expect("read");
    assert_eq!(other, [row("hero", "a", [1, 1, 0, 0, 0])]);
}

async fn form_counts_for_a_range(db: Db) {
    const D: i64 = 20_000;
    let from = D * DAY_MS;
    let until = (D + 2) * DAY_MS;
    let row =
        |site: &str, day: i64, form: &str, measure: &'static str, detail: &str, count| FormCount {
            site: site.to_owned(),
            day,
            form: form.to_owned(),
            measure,
            detail: detail.to_owned(),
            count,
        };
    let first = ReportCounts {
        forms: vec![
            row(SITE, D, "demo", "outcome", "{}", 1),
            row(SITE, D, "ebook", "abandon", "email", 2),
            row(SITE, D, "ebook", "outcome", r#"{"reached":["email"]}"#, 3),
            row(SITE, D, "ebook", "seconds", "40", 1),
            row(SITE, D, "ebook", "start", "", 1),
            row(SITE, D + 1, "ebook", "abandon", "name", 1),
            row(SITE, D + 1, "ebook", "outcome", "{}", 1),
            row(SITE, D + 2, "ebook", "outcome", "{}", 7),
            row(OTHER, D, "ebook", "outcome", "{}", 5),
        ],
        ..ReportCounts::default()
    };
    let second = ReportCounts {
        forms: vec![
            row(SITE, D, "ebook", "outcome", r#"{"reached":["email"]}"#, -1),
            row(SITE, D, "ebook", "outcome", r#"{"reached":["email"],"sent":true}"#, 1),
            row(SITE, D - 1, "ebook", "start", "", 4),
        ],
        ..ReportCounts::default()
    };
    db.write(move |tx| {
        tx.add_report_counts(&first)?;
        tx.add_report_counts(&second)?;
        let mut second = submission("s2", "ebook", "bob@example.com", Some("t2"));
        second.consents.push(consent("terms", "3"));
        tx.insert_submission(
            SITE,
            &submission("s0", "ebook", "old@example.com", None),
            "p0",
            "v0",
            from - 1,
        )?;
        tx.insert_submission(
            SITE,
            &submission("s1", "ebook", "ann@example.com", None),
            "p1",
            "v1",
            from + 10,
        )?;
        tx.insert_submission(SITE, &second, "p2", "v2", from + 11)?;
        tx.insert_submission(
            SITE,
            &submission("s3", "demo", "cy@example.com", None),
            "p3",
            "v3",
            until,
        )?;
        for (form, reason, day) in [
            ("ebook", "honeypot", D),
            ("ebook", "honeypot", D),
            ("ebook", "too_fast", D + 1),
            ("ebook", "honeypot", D - 1),
            ("ebook", "honeypot", D + 2),
            ("demo", "honeypot", D + 1),
        ] {
            tx.count_spam(SITE, form, reason, day)?;
        }
        tx.count_spam(OTHER, "ebook", "honeypot", D)
    })
    .await;

    let counted = db.store.form_counts(SITE, (D, D + 2)).await.expect("form counts");
    let text = |s: &str| s.to_owned();
    assert_eq!(
        sorted(counted.events),
        [
            (text("demo"), text("form_view"), 1),
            (text("ebook"), text("form_start"), 1),
            (text("ebook"), text("form_view"), 4)
        ],
        "views (the outcomes' sum) and starts of the days, rows added up"
    );
    assert_eq!(
        sorted(counted.outcomes),
        [
            (text("demo"), text("{}"), 1),
            (text("ebook"), text(r#"{"reached":["email"],"sent":true}"#), 1),
            (text("ebook"), text(r#"{"reached":["email"]}"#), 2),
            (text("ebook"), text("{}"), 1),
        ]
    );
    assert_eq!(counted.durations, [(text("ebook"), 40, 1)]);
    assert_eq!(
        sorted(counted.abandoned_at),
        [(text("ebook"), text("email"), 2), (text("ebook"), text("name"), 1)]
    );
    assert_eq!(sorted(counted.submissions), [(text("ebook"), 2, 1)], "stored and confirmed");
    assert_eq!(
        sorted(counted.consents),
        [
            (text("ebook"), text("marketing"), text("1"), 2, 1),
            (text("ebook"), text("terms"), text("3"), 1, 0)
        ]
    );
    assert_eq!(
        sorted(counted.spam),
        [
            (text("demo"), text("honeypot"), 1),
            (text("ebook"), text("honeypot"), 2),
            (text("ebook"), text("too_fast"), 1)
        ],
        "spam of the range's days"
    );

    let one_day = db.store.form_counts(SITE, (D, D + 1)).await.expect("read");
    assert_eq!(sorted(one_day.spam), [(text("ebook"), text("honeypot"), 2)]);
    let other = db.store.form_counts(OTHER, (D, D + 2)).await.expect("read");
    assert_eq!(other.spam, [(text("ebook"), text("honeypot"), 1)]);
    assert_eq!(other.outcomes, [(text("ebook"), text("{}"), 5)]);
}

async fn open_form_views_are_kept_per_visitor(db: Db) {
    let read = db
        .write(|tx| {
            tx.upsert_visitors(&[seen("v1", 1_000, 1, 1, false), seen("v2", 1_000, 1, 1, false)])?;
            let before = tx.open_form_views(SITE, "v1")?;
            tx.save_open_form_views(SITE, "v1", Some("[1]"))?;
            tx.save_open_form_views(SITE, "v2", Some("[2]"))?;
            tx.save_open_form_views(SITE, "v2", None)?;
            tx.upsert_visitors(&[seen("v1", 2_000, 1, 1, false)])?;
            Ok((
                before,
                tx.open_form_views(SITE, "v1")?,
                tx.open_form_views(SITE, "v2")?,
                tx.open_form_views(OTHER, "v1")?,
                tx.open_form_views(SITE, "nobody")?,
            ))
        })
        .await;
    assert_eq!(read, (None, Some("[1]".to_owned()), None, None, None));
}

// ---- Forms -----------------------------------------------------------------------------

async fn submission_since_finds_the_earliest(db: Db) {
    let found = db
        .write(|tx| {
            let ann = "ann@example.com";
            tx.insert_submission(SITE, &submission("s2", "ebook", ann, None), "p1", "v1", 2_000)?;
            tx.insert_submission(SITE, &submission("s1", "ebook", ann, None), "p1", "v1", 1_000)?;
            tx.insert_submission(SITE, &submission("s3", "demo", ann, None), "p1", "v1", 1_500)?;
            Ok([
                tx.submission_since(SITE, "ebook", ann, 0)?,
                tx.submission_since(SITE, "ebook", ann, 1_000)?,
                tx.submission_since(SITE, "ebook", ann, 1_001)?,
                tx.submission_since(SITE, "ebook", ann, 2_001)?,
                tx.submission_since(SITE, "ebook", "bob@example.com", 0)?,
                tx.submission_since(SITE, "demo", ann, 0)?,
                tx.submission_since(OTHER, "ebook", ann, 0)?,
            ])
        })
        .await;
    let some = |id: &str| Some(id.to_owned());
    assert_eq!(found, [some("s1"), some("s1"), some("s2"), None, None, some("s3"), None]);
}

async fn a_resent_submission_is_stored_once(db: Db) {
    let record = submission("s1", "ebook", "ann@example.com", Some("t1"));
    let first = record.clone();
    db.write(move |tx| tx.insert_submission(SITE, &first, "p1", "v1", 1_000)).await;
    let resent = record.clone();
    db.write(move |tx| tx.insert_submission(SITE, &resent, "p1", "v1", 2_000)).await;
    let with_new_token = SubmissionRecord { confirmation: Some("t2".to_owned()), ..record };
    db.write(move |tx| tx.insert_submission(SITE, &with_new_token, "p1", "v1", 3_000)).await;

    let counted = db.store.form_counts(SITE, (0, 1)).await.expect("form counts");
    assert_eq!(counted.submissions, [("ebook".to_owned(), 1, 0)]);
    assert_eq!(
        counted.consents,
        [("ebook".to_owned(), "marketing".to_owned(), "1".to_owned(), 1, 0)]
    );
    let tokens = db.store.confirmations(SITE, false, 10).await.expect("confirmations");
    assert_eq!(tokens.iter().map(|c| c.token.as_str()).collect::<Vec<_>>(), ["t1"]);
    assert_eq!(tokens[0].created_ms, 1_000);
    let later = db
        .write(|tx| {
            Ok((
                tx.confirmation("t2")?,
                tx.submission_since(SITE, "ebook", "ann@example.com", 1_001)?,
            ))
        })
        .await;
    assert_eq!(later, (None, None), "the resends stored no token and no later submission");
}

async fn a_submission_without_token_is_confirmed_at_once(db: Db) {
    db.write(|tx| {
        let record = submission("s1", "demo", "ann@example.com", None);
        tx.insert_submission(SITE, &record, "p1", "v1", 1_000)
    })
    .await;
    let counted = db.store.form_counts(SITE, (0, 1)).await.expect("form counts");
    assert_eq!(counted.submissions, [("demo".to_owned(), 1, 1)]);
    assert_eq!(
        counted.consents,
        [("demo".to_owned(), "marketing".to_owned(), "1".to_owned(), 1, 1)]
    );
    assert!(db.store.confirmations(SITE, false, 10).await.expect("read").is_empty());
    let submitted = "SELECT confirmed_ms FROM submissions WHERE id = 's1'";
    assert_eq!(db.number(submitted).await, Some(1_000));
    let consented = "SELECT confirmed_ms FROM consents WHERE submission = 's1'";
    assert_eq!(db.number(consented).await, Some(1_000));
}

async fn confirm_marks_token_submission_and_consents(db: Db) {
    let token = db
        .write(|tx| {
            let record = submission("s1", "ebook", "ann@example.com", Some("t1"));
            tx.insert_submission(SITE, &record, "p1", "v1", 1_000)?;
            let other = submission("s2", "ebook", "bob@example.com", Some("t2"));
            tx.insert_submission(SITE, &other, "p2", "v2", 1_100)?;
            Ok((tx.confirmation("t1")?, tx.confirmation("nope")?))
        })
        .await;
    let expected = Confirmation {
        token: "t1".to_owned(),
        site: SITE.to_owned(),
        submission: "s1".to_owned(),
        person: "p1".to_owned(),
        visitor: "v1".to_owned(),
        email: "ann@example.com".to_owned(),
        form: "ebook".to_owned(),
        created_ms: 1_000,
        confirmed_ms: None,
    };
    assert_eq!(token, (Some(expected.clone()), None));
    let submitted = "SELECT confirmed_ms FROM submissions WHERE id = 's1'";
    let consented = "SELECT confirmed_ms FROM consents WHERE submission = 's1'";
    assert_eq!((db.number(submitted).await, db.number(consented).await), (None, None));

    let pending = expected.clone();
    let confirmed = db
        .write(move |tx| {
            tx.confirm(&pending, 5_000)?;
            tx.confirmation("t1")
        })
        .await;
    assert_eq!(confirmed, Some(Confirmation { confirmed_ms: Some(5_000), ..expected.clone() }));
    assert_eq!(
        (db.number(submitted).await, db.number(consented).await),
        (Some(5_000), Some(5_000))
    );
    let counted = db.store.form_counts(SITE, (0, 1)).await.expect("form counts");
    assert_eq!(counted.submissions, [("ebook".to_owned(), 2, 1)]);

    let again = confirmed.clone().expect("confirmation");
    let twice = db
        .write(move |tx| {
            tx.confirm(&again, 9_000)?;
            tx.confirmation("t1")
        })
        .await;
    assert_eq!(twice, confirmed, "a confirmed token keeps its time");
    assert_eq!(
        (db.number(submitted).await, db.number(consented).await),
        (Some(5_000), Some(5_000))
    );
    let untouched = "SELECT confirmed_ms FROM submissions WHERE id = 's2'";
    assert_eq!(db.number(untouched).await, None, "the other submission waits");
    let pending = db.store.confirmations(SITE, true, 10).await.expect("read");
    assert_eq!(pending.iter().map(|c| c.token.as_str()).collect::<Vec<_>>(), ["t2"]);
}

async fn confirmations_newest_first(db: Db) {
    db.write(|tx| {
        let token =
            |id: &str, t: &str| submission(id, "ebook", &format!("{id}@example.com"), Some(t));
        tx.insert_submission(SITE, &token("s1", "t1"), "p1", "v1", 1_000)?;
        tx.insert_submission(SITE, &token("s3", "t3"), "p3", "v3", 3_000)?;
        tx.insert_submission(SITE, &token("s2", "t2"), "p2", "v2", 2_000)?;
        tx.insert_submission(OTHER, &token("s4", "t4"), "p4", "v4", 4_000)?;
        let first = tx.confirmation("t1")?.expect("t1");
        tx.confirm(&first, 5_000)
    })
    .await;
    let tokens = |pending: bool, limit: u32| {
        let store = Arc::clone(&db.store);
        async move {
            let read = store.confirmations(SITE, pending, limit).await.expect("confirmations");
            read.into_iter().map(|c| c.token).collect::<Vec<_>>()
        }
    };
    assert_eq!(tokens(false, 10).await, ["t3", "t2", "t1"]);
    assert_eq!(tokens(true, 10).await, ["t3", "t2"], "unconfirmed only");
    assert_eq!(tokens(false, 1).await, ["t3"], "limit");
    let all = db.store.confirmations(SITE, false, 10).await.expect("read");
    assert_eq!(all[2].confirmed_ms, Some(5_000));
    assert_eq!((all[0].site.as_str(), all[0].submission.as_str()), (SITE, "s3"));
    let other = db.store.confirmations(OTHER, false, 10).await.expect("read");
    assert_eq!(other.iter().map(|c| c.token.as_str()).collect::<Vec<_>>(), ["t4"]);
}

// ---- Outbox ----------------------------------------------------------------------------

async fn enqueue_keeps_a_stored_id(db: Db) {
    let original = message("m1", "lead-1", 100, 100);
    let first = original.clone();
    db.write(move |tx| {
        tx.enqueue(&first)?;
        tx.enqueue(&OutboxMessage { body: "{\"changed\":1}".to_owned(), ..first.clone() })
    })
    .await;
    let later = OutboxMessage {
        body: "{\"changed\":2}".to_owned(),
        next_attempt_ms: 50,
        ..original.clone()
    };
    db.write(move |tx| tx.enqueue(&later)).await;

    let claimed = db.claim(1_000, 10, 20_000).await;
    assert_eq!(
        claimed,
        [OutboxMessage { next_attempt_ms: 20_000, ..original }],
        "stored once, as first"
    );
    let rows = "SELECT COUNT(*) FROM outbox WHERE id = 'm1'";
    assert_eq!(db.number(rows).await, Some(1));
}

async fn claim_due_takes_the_oldest_pending_message_of_each_lead(db: Db) {
    db.write(|tx| {
        enqueue_all(
            tx,
            &[
                message("m1", "lead-1", 100, 100),
                message("m2", "lead-1", 101, 50),
                message("m3", "lead-2", 102, 200),
                message("m4", "lead-3", 103, 10_000),
            ],
        )
    })
    .await;
    let claimed = db.claim(1_000, 10, 5_000).await;
    assert_eq!(claimed.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m1", "m3"]);
    assert!(claimed.iter().all(|m| m.next_attempt_ms == 5_000), "the lease is the next attempt");
    assert_eq!(
        claimed[0],
        OutboxMessage { next_attempt_ms: 5_000, ..message("m1", "lead-1", 100, 100) }
    );

    assert!(db.claimed_ids(1_000, 6_000).await.is_empty(), "leased messages are not claimed again");
    assert!(db.claimed_ids(4_999, 6_000).await.is_empty());
    assert_eq!(db.claimed_ids(5_000, 9_000).await, ["m1", "m3"], "due again once the lease ends");
    assert_eq!(db.claim(9_000, 1, 12_000).await.len(), 1, "limit");
}

async fn a_claimed_message_belongs_to_one_transaction(db: Db) {
    db.write(|tx| {
        enqueue_all(tx, &[message("m1", "lead-1", 100, 100), message("m2", "lead-2", 100, 100)])
    })
    .await;
    let (first, second) = side_by_side(
        &db,
        |tx, ready| {
            let claimed = tx.claim_due(1_000, 10, 5_000)?;
            ready();
            Ok(claimed.into_iter().map(|m| m.id).collect::<Vec<_>>())
        },
        |tx| Ok(tx.claim_due(1_000, 10, 5_000)?.into_iter().map(|m| m.id).collect::<Vec<_>>()),
    )
    .await;
    assert_eq!(sorted(first), ["m1", "m2"]);
    assert!(second.is_empty(), "claimed twice: {second:?}");
}

async fn record_attempt_delivers_retries_or_kills(db: Db) {
    db.write(|tx| {
        enqueue_all(
            tx,
            &[
                message("m1", "lead-1", 100, 100),
                message("m2", "lead-1", 101, 100),
                message("m3", "lead-2", 102, 100),
            ],
        )
    })
    .await;
    assert_eq!(db.claimed_ids(1_000, 5_000).await, ["m1", "m3"]);

    db.record("m1", OutboxState::Pending, 7_000, 1_500).await;
    db.record("m3", OutboxState::Delivered, 0, 1_600).await;
    assert!(
        db.claimed_ids(6_999, 8_000).await.is_empty(),
        "m1 waits for its retry; m3 is delivered"
    );
    let delivered = "SELECT delivered_ms FROM outbox WHERE id = 'm3'";
    assert_eq!(db.number(delivered).await, Some(1_600));
    let attempts =
        |id: &str| format!("SELECT CAST(attempts AS BIGINT) FROM outbox WHERE id = '{id}'");
    assert_eq!(db.number(&attempts("m3")).await, Some(1));

    let retried = db.claim(7_000, 10, 8_000).await;
    let expected = OutboxMessage {
        attempts: 1,
        next_attempt_ms: 8_000,
        last_error: Some("503 Service Unavailable".to_owned()),
        ..message("m1", "lead-1", 100, 100)
    };
    assert_eq!(retried, std::slice::from_ref(&expected), "pending again, one attempt made");

    db.record("m1", OutboxState::Dead, 0, 7_500).await;
    let dead = db.store.dead_letters(SITE, 10).await.expect("dead letters");
    assert_eq!(dead.len(), 1, "{dead:?}");
    // When a dead message would be attempted next is not the contract's: left out.
    let next_attempt_ms = dead[0].next_attempt_ms;
    assert_eq!(
        dead,
        [OutboxMessage { attempts: 2, next_attempt_ms, state: OutboxState::Dead, ..expected }]
    );
    assert_eq!(db.number(&attempts("m1")).await, Some(2));
    assert_eq!(db.number("SELECT delivered_ms FROM outbox WHERE id = 'm1'").await, None);
    assert_eq!(db.claimed_ids(7_500, 9_000).await, ["m2"], "m2 is now lead-1's oldest pending");
}

async fn dead_letters_oldest_first(db: Db) {
    db.write(|tx| {
        enqueue_all(
            tx,
            &[
                message("m1", "lead-1", 100, 100),
                message("m2", "lead-2", 200, 100),
                message("m3", "lead-3", 300, 100),
                message("m5", "lead-5", 500, 100),
                OutboxMessage { site: OTHER.to_owned(), ..message("m4", "lead-4", 400, 100) },
            ],
        )
    })
    .await;
    assert_eq!(db.claimed_ids(1_000, 5_000).await, ["m1", "m2", "m3", "m4", "m5"]);
    for id in ["m3", "m4", "m2", "m1"] {
        db.record(id, OutboxState::Dead, 0, 2_000).await;
    }
    let dead = |site: &'static str, limit: u32| {
        let store = Arc::clone(&db.store);
        async move {
            let read = store.dead_letters(site, limit).await.expect("dead letters");
            assert!(read.iter().all(|m| m.state == OutboxState::Dead && m.site == site));
            read.into_iter().map(|m| m.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(dead(SITE, 10).await, ["m1", "m2", "m3"], "oldest first, pending m5 left out");
    assert_eq!(dead(SITE, 2).await, ["m1", "m2"], "limit");
    assert_eq!(dead(OTHER, 10).await, ["m4"]);
}

async fn replay_revives_a_dead_message_once(db: Db) {
    db.write(|tx| {
        enqueue_all(tx, &[message("m1", "lead-1", 100, 100), message("m2", "lead-2", 100, 100)])
    })
    .await;
    assert_eq!(db.claimed_ids(1_000, 5_000).await, ["m1", "m2"]);
    db.record("m1", OutboxState::Dead, 0, 1_500).await;

    let replayed = db
        .write(|tx| {
            Ok([
                tx.replay(OTHER, "m1", 9_000)?,
                tx.replay(SITE, "nobody", 9_000)?,
                tx.replay(SITE, "m2", 9_000)?,
                tx.replay(SITE, "m1", 9_000)?,
                tx.replay(SITE, "m1", 9_100)?,
            ])
        })
        .await;
    assert_eq!(replayed, [false, false, false, true, false], "a dead message of the site, once");
    assert!(db.store.dead_letters(SITE, 10).await.expect("read").is_empty());

    let claimed = db.claim(9_000, 10, 12_000).await;
    let m1 = claimed.iter().find(|m| m.id == "m1").expect("m1 is due again");
    assert_eq!(
        (m1.state, m1.attempts, m1.window_start_ms, m1.next_attempt_ms, m1.created_ms),
        (OutboxState::Pending, 0, 9_000, 12_000, 100),
        "attempts reset, window restarted at the replay"
    );
}

// ---- Workflows -------------------------------------------------------------------------

async fn due_runs_earliest_first(db: Db) {
    db.write(|tx| {
        let run = |id, next_run_ms| PersonRow { next_run_ms, ..person(id) };
        tx.save_persons(
            &[run("a", Some(100)), run("b", Some(50)), run("c", None), run("d", Some(10_000))],
            1,
        )?;
        tx.save_persons(&[PersonRow { site: OTHER, ..run("e", Some(70)) }], 1)
    })
    .await;
    let pair = |site: &str, id: &str| (site.to_owned(), id.to_owned());
    let due = db.store.due_runs(1_000, 10).await.expect("due runs");
    assert_eq!(
        due,
        [pair(SITE, "b"), pair(OTHER, "e"), pair(SITE, "a")],
        "every site, earliest first"
    );
    assert_eq!(
        db.store.due_runs(1_000, 2).await.expect("read"),
        [pair(SITE, "b"), pair(OTHER, "e")]
    );
    assert_eq!(db.store.due_runs(10_000, 10).await.expect("read").len(), 4, "due at now");
    assert!(db.store.due_runs(49, 10).await.expect("read").is_empty());

    db.write(|tx| tx.save_persons(&[PersonRow { next_run_ms: None, ..person("b") }], 2)).await;
    assert_eq!(
        db.store.due_runs(1_000, 10).await.expect("read"),
        [pair(OTHER, "e"), pair(SITE, "a")]
    );
}

async fn quiet_persons_in_the_window(db: Db) {
    db.write(|tx| {
        let at = |id, last_activity_ms| PersonRow { last_activity_ms, ..person(id) };
        tx.save_persons(&[at("d", 400), at("b", 200), at("a", 100), at("c", 300)], 1)?;
        tx.save_persons(&[PersonRow { site: OTHER, ..at("e", 250) }], 1)
    })
    .await;
    let quiet = |after: i64, until: i64, limit: u32| {
        let store = Arc::clone(&db.store);
        async move { store.quiet_persons(SITE, after, until, limit).await.expect("quiet persons") }
    };
    let pair = |id: &str, at: i64| (id.to_owned(), at);
    assert_eq!(quiet(100, 300, 10).await, [pair("b", 200), pair("c", 300)], "(after, until]");
    assert_eq!(
        quiet(0, 1_000, 10).await,
        [pair("a", 100), pair("b", 200), pair("c", 300), pair("d", 400)]
    );
    assert_eq!(quiet(100, 300, 1).await, [pair("b", 200)], "limit");
    assert!(quiet(400, 1_000, 10).await.is_empty());
}

async fn workflow_steps_are_counted_once(db: Db) {
    db.write(|tx| {
        let step = |run, step, workflow, outcome, at_ms| StepRecord {
            run,
            step,
            site: SITE,
            workflow,
            outcome,
            at_ms,
        };
        tx.insert_steps(&[
            step("r1", 0, "welcome", "next", 100),
            step("r1", 1, "welcome", "wait", 200),
            step("r2", 0, "welcome", "next", 150),
            step("r2", 0, "welcome", "stopped", 160),
            step("r3", 0, "nurture", "finished", 300),
            step("r4", 0, "nurture", "finished", 1_000),
            StepRecord { site: OTHER, ..step("r5", 0, "welcome", "next", 100) },
        ])?;
        tx.insert_steps(&[
            step("r1", 1, "welcome", "finished", 210),
            step("r6", 1, "welcome", "wait", 99),
        ])
    })
    .await;
    let row = |workflow: &str, step: u32, outcome: &str, taken: u64| StepCountRow {
        workflow: workflow.to_owned(),
        step,
        outcome: outcome.to_owned(),
        taken,
    };
    let mut counted = db.store.workflow_counts(SITE, 100, 1_000).await.expect("workflow counts");
    counted
        .sort_by(|a, b| (&a.workflow, a.step, &a.outcome).cmp(&(&b.workflow, b.step, &b.outcome)));
    assert_eq!(
        counted,
        [
            row("nurture", 0, "finished", 1),
            row("welcome", 0, "next", 2),
            row("welcome", 1, "wait", 1)
        ],
        "a repeated step is kept as first recorded; [from, until)"
    );
    let other = db.store.workflow_counts(OTHER, 0, 1_000).await.expect("read");
    assert_eq!(other, [row("welcome", 0, "next", 1)]);
}

async fn quiet_cursor_only_moves_forward(db: Db) {
    let cursor = |site: &'static str, workflow: &'static str| {
        let store = Arc::clone(&db.store);
        async move { store.quiet_cursor(site, workflow).await.expect("cursor") }
    };
    assert_eq!(cursor(SITE, "winback").await, None);
    db.write(|tx| tx.advance_quiet_cursor(SITE, "winback", 500)).await;
    assert_eq!(cursor(SITE, "winback").await, Some(500));
    db.write(|tx| tx.advance_quiet_cursor(SITE, "winback", 300)).await;
    assert_eq!(cursor(SITE, "winback").await, Some(500), "never back");
    db.write(|tx| {
        tx.advance_quiet_cursor(SITE, "winback", 800)?;
        tx.advance_quiet_cursor(SITE, "winback", 700)
    })
    .await;
    assert_eq!(cursor(SITE, "winback").await, Some(800));
    assert_eq!(cursor(SITE, "nurture").await, None, "per workflow");
    assert_eq!(cursor(OTHER, "winback").await, None, "per site");
}

async fn ping_answers(db: Db) {
    db.store.ping().await.expect("the database answers");
}

// ---- Transactions ----------------------------------------------------------------------

async fn a_failed_write_saves_nothing(db: Db) {
    let failed = store::write(&db.store, |tx| {
        insert(tx, &[event("e1", "v1", "pageview", 1_000)])?;
        tx.upsert_visitors(&[seen("v1", 1_000, 1, 1, false)])?;
        let row =
            PersonRow { email: Some("ann@example.com"), next_run_ms: Some(10), ..person("p1") };
        tx.save_persons(&[row], 1_000)?;
        tx.attach_visitor(SITE, "v1", "p1", 1_000)?;
        tx.insert_lines(&[PersonLines {
            scores: vec![score(100, "pricing", 5, 5)],
            ..lines("p1")
        }])?;
        tx.insert_submission(
            SITE,
            &submission("s1", "ebook", "ann@example.com", Some("t1")),
            "p1",
            "v1",
            1_000,
        )?;
        tx.count_spam(SITE, "ebook", "honeypot", 0)?;
        tx.enqueue(&message("m1", "p1", 100, 100))?;
        let step = StepRecord {
            run: "r1",
            step: 0,
            site: SITE,
            workflow: "welcome",
            outcome: "next",
            at_ms: 100,
        };
        tx.insert_steps(&[step])?;
        tx.advance_quiet_cursor(SITE, "winback", 500)?;
        Err::<(), _>(StoreError::Corrupt("refused on purpose".to_owned()))
    })
    .await;
    assert!(
        matches!(failed, Err(StoreError::Corrupt(ref why)) if why == "refused on purpose"),
        "{failed:?}"
    );

    assert!(db.events(SITE, None, None).await.is_empty(), "no event");
    assert_eq!(db.store.person_of_visitor(SITE, "v1").await.expect("read"), None);
    assert_eq!(db.profile(PersonKey::Id("p1".to_owned())).await, None, "no person");
    let known = KnownQuery { limit: 10, ..KnownQuery::default() };
    assert!(db.store.known_persons(SITE, &known).await.expect("read").is_empty());
    assert!(db.store.due_runs(1_000, 10).await.expect("read").is_empty());
    assert_eq!(db.store.form_counts(SITE, (0, 1)).await.expect("read"), FormCounts::default());
    assert!(db.store.confirmations(SITE, false, 10).await.expect("read").is_empty());
    assert!(db.store.workflow_counts(SITE, 0, 1_000).await.expect("read").is_empty());
    assert_eq!(db.store.quiet_cursor(SITE, "winback").await.expect("read"), None);
    assert!(db.claimed_ids(1_000, 5_000).await.is_empty(), "no message");
    assert_eq!(db.number("SELECT COUNT(*) FROM visitors").await, Some(0), "no visitor");
    assert_eq!(db.number("SELECT COUNT(*) FROM score_changes").await, Some(0), "no line");

    // The store goes on: the same writes, committed this time, are all read back.
    let committed = db
        .write(|tx| {
            tx.upsert_visitors(&[seen("v1", 1_000, 1, 1, false)])?;
            let inserted = insert(tx, &[event("e1", "v1", "pageview", 1_000)])?;
            tx.save_persons(&[person("p1")], 1_000)?;
            tx.enqueue(&message("m1", "p1", 100, 100))?;
            Ok(inserted)
        })
        .await;
    assert_eq!(committed, [true], "the failed insert left nothing behind");
    assert_eq!(db.events(SITE, None, None).await, ["e1"]);
    assert_eq!(db.claimed_ids(1_000, 5_000).await, ["m1"]);

    // The same through `write_blocking` itself.
    let store = Arc::clone(&db.store);
    let blocked = tokio::task::spawn_blocking(move || {
        store.write_blocking(&mut |tx: &mut dyn WriteTx| {
            insert(tx, &[event("e2", "v1", "pageview", 2_000)])?;
            Err(StoreError::Corrupt("again".to_owned()))
        })
    })
    .await
    .expect("blocking thread");
    assert!(matches!(blocked, Err(StoreError::Corrupt(_))), "{blocked:?}");
    assert_eq!(db.events(SITE, None, None).await, ["e1"], "e2 was not saved");
}

async fn a_committed_write_is_read_at_once(db: Db) {
    for n in 0..20_i64 {
        let (event_id, visitor, id) = (format!("e{n}"), format!("v{n}"), format!("p{n}"));
        let (written_event, written_visitor, written_id) =
            (event_id.clone(), visitor.clone(), id.clone());
        db.write(move |tx| {
            insert(tx, &[event(&written_event, &written_visitor, "pageview", 1_000 + n)])?;
            let email = format!("{written_id}@example.com");
            let row = PersonRow {
                id: &written_id,
                email: Some(&email),
                score: i32::try_from(n).unwrap_or(0),
                doc: doc(&written_id),
                ..person("unused")
            };
            tx.save_persons(&[row], 1_000 + n)?;
            tx.attach_visitor(SITE, &written_visitor, &written_id, 1_000 + n)?;
            tx.advance_quiet_cursor(SITE, "winback", n)
        })
        .await;
        let newest = EventQuery { site: SITE.to_owned(), limit: 1, ..EventQuery::default() };
        let read = db.store.events(&newest).await.expect("read");
        assert_eq!(ids(&read), [event_id.as_str()], "round {n}: the event");
        let found = db.store.person_of_visitor(SITE, &visitor).await.expect("read");
        assert_eq!(found, Some(doc(&id)), "round {n}: the visitor's person");
        let best = KnownQuery { limit: 1, ..KnownQuery::default() };
        assert_eq!(
            db.store.known_persons(SITE, &best).await.expect("read"),
            [doc(&id)],
            "round {n}"
        );
        assert_eq!(
            db.store.quiet_cursor(SITE, "winback").await.expect("read"),
            Some(n),
            "round {n}"
        );
    }
}

async fn a_transaction_reads_its_own_writes(db: Db) {
    let read = db
        .write(|tx| {
            let row = PersonRow { score: 5, last_activity_ms: 100, ..person("p1") };
            tx.save_persons(&[row], 1_000)?;
            let docs = tx.person_docs(&[(SITE, "p1")])?;
            let locked = tx.lock_person(SITE, "p1")?;
            tx.attach_visitor(SITE, "v1", "p1", 1_000)?;
            let by_visitor = tx.find_person(SITE, &PersonKey::Visitor("v1".to_owned()))?;
            insert(tx, &[event("e1", "v1", "pageview", 1_100)])?;
            let history = tx.history(SITE, &["p1"])?;
            let profile = tx.profile(SITE, &PersonKey::Id("p1".to_owned()))?;
            let record = submission("s1", "ebook", "ann@example.com", Some("t1"));
            tx.insert_submission(SITE, &record, "p1", "v1", 1_200)?;
            let since = tx.submission_since(SITE, "ebook", "ann@example.com", 0)?;
            let token = tx.confirmation("t1")?.map(|c| c.submission);
            tx.enqueue(&message("m1", "p1", 100, 100))?;
            let claimed =
                tx.claim_due(1_000, 10, 5_000)?.into_iter().map(|m| m.id).collect::<Vec<_>>();
            let decaying = tx.decay_candidates(SITE, 1_000, 0, 10)?;
            Ok((
                docs,
                locked,
                by_visitor,
                ids(&history).join(","),
                profile.map(|p| p.visitors),
                since,
                token,
                claimed,
                decaying,
            ))
        })
        .await;
    let some = |text: &str| Some(text.to_owned());
    assert_eq!(read.0, [some(&doc("p1"))]);
    assert!(read.1, "locked");
    assert_eq!(read.2, some(&doc("p1")));
    assert_eq!(read.3, "e1");
    assert_eq!(read.4, Some(vec!["v1".to_owned()]));
    assert_eq!((read.5, read.6), (some("s1"), some("s1")));
    assert_eq!(read.7, ["m1"]);
    assert_eq!(read.8, [doc("p1")]);
}

async fn large_calls_keep_their_order(db: Db) {
    const N: usize = 1_000;
    let (inserted, counted, docs) = db
        .write(|tx| {
            let visitors: Vec<String> = (0..N).map(|n| format!("v{n:04}")).collect();
            let mut events: Vec<StoredEvent> = (0..N)
                .map(|n| event(&format!("e{n:04}"), &visitors[n], "pageview", 1_000 + n as i64))
                .collect();
            events.push(events[0].clone());
            let inserted = insert(tx, &events)?;
            // In reverse order, each with its own number of events.
            let seen: Vec<VisitorSeen<'_>> = visitors
                .iter()
                .rev()
                .enumerate()
                .map(|(at, id)| VisitorSeen {
                    site: SITE,
                    id,
                    seen_ms: 1_000,
                    visit: 1,
                    new_events: (at % 7) as i32,
                    bot: false,
                })
                .collect();
            let counted = tx.upsert_visitors(&seen)?;
            let ids: Vec<String> = (0..N).map(|n| format!("p{n:04}")).collect();
            let rows: Vec<PersonRow<'_>> =
                ids.iter().map(|id| PersonRow { id, doc: doc(id), ..person("unused") }).collect();
            tx.save_persons(&rows, 1_000)?;
            let missing: Vec<String> = (0..N).map(|n| format!("x{n:04}")).collect();
            let keys: Vec<(&str, &str)> = ids
                .iter()
                .rev()
                .zip(&missing)
                .flat_map(|(id, gone)| [(SITE, id.as_str()), (SITE, gone.as_str())])
                .collect();
            let docs = tx.person_docs(&keys)?;
            Ok((inserted, counted, docs))
        })
        .await;
    assert_eq!(inserted.len(), N + 1);
    assert!(inserted[..N].iter().all(|new| *new), "every new event is inserted");
    assert!(!inserted[N], "the repeat at the end is skipped");
    assert_eq!(counted.len(), N);
    for (at, counted) in counted.iter().enumerate() {
        let id = format!("v{:04}", N - 1 - at);
        assert_eq!(*counted, counts(1, (at % 7) as u32, &id), "visitor {at} of the call");
    }
    assert_eq!(docs.len(), 2 * N);
    for (at, pair) in docs.chunks(2).enumerate() {
        assert_eq!(pair, [Some(doc(&format!("p{:04}", N - 1 - at))), None], "key {}", 2 * at);
    }
    let query = EventQuery { site: SITE.to_owned(), limit: 5_000, ..EventQuery::default() };
    assert_eq!(db.store.events(&query).await.expect("read").len(), N);
}
