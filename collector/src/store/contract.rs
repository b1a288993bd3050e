//! The store's contract: [`Store`] (plain reads, and [`Store::write_blocking`] for
//! every change) and [`WriteTx`] (the writes of one transaction), with their error
//! type. Each backend implements both; the domain calls them through [`write`]. The
//! admin accounts' part of each is a supertrait of its own ([`AccountReads`],
//! [`AccountWrites`]).

use std::sync::Arc;

use async_trait::async_trait;

use crate::store::accounts::{AccountReads, AccountWrites};
use crate::store::deliveries::DeliveryReads;
pub use crate::store::error::{StoreError, StoreResult};
use crate::store::form_reports::FormReportReads;
use crate::store::health::WriteHealth;
use crate::store::reports::{ReportReads, ReportWrites};
use crate::store::revisions::{RevisionReads, RevisionWrites};

use crate::store::records::{
    ActivePerson, Attempt, Confirmation, DeviceState, DeviceView, EventQuery, KnownQuery,
    OutboxMessage, PersonKey, PersonLines, PersonRow, RemovedEvent, StepCountRow, StepRecord,
    StoredEvent, StoredProfile, SubmissionRecord, VariantCounts, VisitorCounts, VisitorSeen,
};

/// The collector's durable state: plain reads, and [`Store::write_blocking`] for
/// everything that changes it. One implementation per database backend.
#[async_trait]
pub trait Store:
    AccountReads + RevisionReads + ReportReads + DeliveryReads + FormReportReads + Send + Sync + 'static
{
    /// The person document `visitor`'s browser may be shown: its device view when it
    /// has one, else its person's; none for a visitor never seen.
    async fn person_of_visitor(&self, site: &str, visitor: &str) -> StoreResult<Option<String>>;

    /// Everything stored about one person.
    async fn profile(&self, site: &str, key: &PersonKey) -> StoreResult<Option<StoredProfile>>;

    /// Documents of known persons (with an email) matching `query`, best score first,
    /// then by id.
    async fn known_persons(&self, site: &str, query: &KnownQuery) -> StoreResult<Vec<String>>;

    /// Stored events, newest first.
    async fn events(&self, query: &EventQuery) -> StoreResult<Vec<StoredEvent>>;

    /// Counts of block events per block and variant received in `[from_ms, until_ms)`,
    /// bot traffic left out.
    async fn block_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<VariantCounts>>;

    /// A site's double opt-in tokens, newest first; only unconfirmed ones if `pending`.
    async fn confirmations(
        &self,
        site: &str,
        pending: bool,
        limit: u32,
    ) -> StoreResult<Vec<Confirmation>>;

    /// A site's dead outbox messages, oldest first.
    async fn dead_letters(&self, site: &str, limit: u32) -> StoreResult<Vec<OutboxMessage>>;

    /// Persons with a workflow step due at `now_ms`, as (site, id), earliest first.
    async fn due_runs(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<(String, String)>>;

    /// A site's persons whose last activity is in `(after_ms, until_ms]`, as (id, last
    /// activity), least recently active first.
    async fn quiet_persons(
        &self,
        site: &str,
        after_ms: i64,
        until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64)>>;

    /// A site's persons active since `since_ms`, most recently active first, after the
    /// cursor `before` (the last activity and id of the previous page's last person).
    async fn active_persons(
        &self,
        site: &str,
        since_ms: i64,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<ActivePerson>>;

    /// Workflow steps taken in `[from_ms, until_ms)`, counted per workflow, step and
    /// outcome.
    async fn workflow_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> StoreResult<Vec<StepCountRow>>;

    /// How far the inactivity workflow `workflow` has read persons' last activity.
    async fn quiet_cursor(&self, site: &str, workflow: &str) -> StoreResult<Option<i64>>;

    /// Succeeds when the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Runs `work` in one write transaction on the calling thread, which blocks: call
    /// it from a blocking thread (the event writer's, or through [`write`]), never from
    /// an async task. Commits when `work` succeeds; otherwise nothing of it is saved.
    fn write_blocking(
        &self,
        work: &mut dyn FnMut(&mut dyn WriteTx) -> StoreResult<()>,
    ) -> StoreResult<()>;

    /// The outcomes of this store's writes, as [`write_now`] notes them.
    fn write_health(&self) -> &WriteHealth;
}

/// The writes (and the reads they depend on) of one transaction. Every method is a
/// plain statement or a few; none of them decides anything.
pub trait WriteTx: AccountWrites + RevisionWrites + ReportWrites {
    /// Inserts events, skipping ids already stored (and repeats within `events`);
    /// returns, in order, whether each was inserted.
    fn insert_events(&mut self, events: &[&StoredEvent]) -> StoreResult<Vec<bool>>;

    /// Rewrites the readiness probe's one row: succeeds only if the database takes
    /// writes.
    fn probe(&mut self, now_ms: i64) -> StoreResult<()>;

    /// Deletes events stored in this transaction and uncounts them from their visitor.
    fn remove_events(&mut self, events: &[RemovedEvent<'_>]) -> StoreResult<()>;

    /// Creates or updates each visitor (last seen and visits only grow, events add up,
    /// bot is sticky, a new visitor's person is its own id); returns each one's
    /// counters after, in order. Each (site, id) appears at most once in `visitors`.
    fn upsert_visitors(&mut self, visitors: &[VisitorSeen<'_>]) -> StoreResult<Vec<VisitorCounts>>;

    /// Whether `visitor` has a device view (and which) and proved its identity.
    fn device_state(&mut self, site: &str, visitor: &str) -> StoreResult<DeviceState>;

    /// Saves (or, with `view: None`, removes) visitors' device views.
    fn save_device_views(&mut self, views: &[DeviceView<'_>]) -> StoreResult<()>;

    /// Notes that `visitor` proved its person's identity; removes its device view.
    fn verify_visitor(&mut self, site: &str, visitor: &str, now_ms: i64) -> StoreResult<()>;

    /// `person`'s visitors that neither proved the identity nor have a device view.
    fn plain_visitors(&mut self, site: &str, person: &str) -> StoreResult<Vec<String>>;

    /// Makes `visitor` one of `person`'s visitors, creating the visitor if new.
    fn attach_visitor(
        &mut self,
        site: &str,
        visitor: &str,
        person: &str,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// The documents of persons by (site, id), in order; none where there is no such
    /// person.
    fn person_docs(&mut self, keys: &[(&str, &str)]) -> StoreResult<Vec<Option<String>>>;

    /// The document of the person found by `key`.
    fn find_person(&mut self, site: &str, key: &PersonKey) -> StoreResult<Option<String>>;

    /// Holds the person's row until the transaction ends (so two collectors never
    /// change one person at once); false if there is no such person.
    fn lock_person(&mut self, site: &str, id: &str) -> StoreResult<bool>;

    /// Creates or replaces persons; `now_ms` is their `updated_ms`.
    fn save_persons(&mut self, persons: &[PersonRow<'_>], now_ms: i64) -> StoreResult<()>;

    /// Appends the lines explaining persons' changes.
    fn insert_lines(&mut self, lines: &[PersonLines<'_>]) -> StoreResult<()>;

    /// Every event of the persons' visitors that is not bot traffic, oldest first.
    fn history(&mut self, site: &str, persons: &[&str]) -> StoreResult<Vec<StoredEvent>>;

    /// Everything stored about one person (see [`Store::profile`]).
    fn profile(&mut self, site: &str, key: &PersonKey) -> StoreResult<Option<StoredProfile>>;

    /// Moves the visitors and lines of person `from` to person `to`, and deletes `from`.
    fn fold_person(&mut self, site: &str, from: &str, to: &str) -> StoreResult<()>;

    /// Deletes a person with its visitors, their events and its lines; false if unknown.
    fn delete_person(&mut self, site: &str, id: &str) -> StoreResult<bool>;

    /// Documents of persons last active at or before `inactive_through_ms` with a score
    /// above `above_score`, least recently active first, held until the transaction
    /// ends (another collector's pass skips them).
    fn decay_candidates(
        &mut self,
        site: &str,
        inactive_through_ms: i64,
        above_score: i32,
        limit: u32,
    ) -> StoreResult<Vec<String>>;

    /// The id of the earliest submission of `form` by `email` received at or after
    /// `since_ms`.
    fn submission_since(
        &mut self,
        site: &str,
        form: &str,
        email: &str,
        since_ms: i64,
    ) -> StoreResult<Option<String>>;

    /// Stores a submission with its consents and its confirmation token (confirmed at
    /// once when it has no token); a resend of a stored submission id stores nothing.
    fn insert_submission(
        &mut self,
        site: &str,
        record: &SubmissionRecord,
        person: &str,
        visitor: &str,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Counts one refused submission of `form` for `reason` on day `day` (days since
    /// the Unix epoch).
    fn count_spam(&mut self, site: &str, form: &str, reason: &str, day: i64) -> StoreResult<()>;

    /// A double opt-in token.
    fn confirmation(&mut self, token: &str) -> StoreResult<Option<Confirmation>>;

    /// Marks the token, its submission and the submission's consents confirmed at
    /// `now_ms` (what is confirmed already keeps its time).
    fn confirm(&mut self, confirmation: &Confirmation, now_ms: i64) -> StoreResult<()>;

    /// Stores a message in the outbox, pending, due at its `next_attempt_ms`; an id
    /// already stored is kept as it is.
    fn enqueue(&mut self, message: &OutboxMessage) -> StoreResult<()>;

    /// Claims up to `limit` due messages, each the oldest pending one of its lead, by
    /// moving their next attempt to `lease_until_ms`: only the claim that moved it owns
    /// a message.
    fn claim_due(
        &mut self,
        now_ms: i64,
        limit: u32,
        lease_until_ms: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// Records one more attempt of a pending message.
    fn record_attempt(&mut self, attempt: &Attempt<'_>) -> StoreResult<()>;

    /// Makes a dead message pending again, due `now_ms`, attempts reset and its retry
    /// window starting again; false if `site` has no dead message `id`.
    fn replay(&mut self, site: &str, id: &str, now_ms: i64) -> StoreResult<bool>;

    /// Records workflow steps taken; a step already recorded is kept as it is.
    fn insert_steps(&mut self, steps: &[StepRecord<'_>]) -> StoreResult<()>;

    /// Moves an inactivity workflow's cursor forward to `through_ms` (never back).
    fn advance_quiet_cursor(
        &mut self,
        site: &str,
        workflow: &str,
        through_ms: i64,
    ) -> StoreResult<()>;
}

/// Runs `work` in one write transaction on a blocking thread; see
/// [`Store::write_blocking`].
pub async fn write<T, F>(store: &Arc<dyn Store>, work: F) -> StoreResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut dyn WriteTx) -> StoreResult<T> + Send + 'static,
{
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || write_now(store.as_ref(), work))
        .await
        .map_err(|_| StoreError::WriterStopped)?
}

/// [`write`] on the calling thread (a blocking one).
pub fn write_now<T, F>(store: &dyn Store, work: F) -> StoreResult<T>
where
    F: FnOnce(&mut dyn WriteTx) -> StoreResult<T>,
{
    let mut work = Some(work);
    let mut done = None;
    let written = store.write_blocking(&mut |tx| {
        let work = work.take().ok_or(StoreError::WriterStopped)?;
        done = Some(work(tx)?);
        Ok(())
    });
    match &written {
        Ok(()) => store.write_health().succeeded(),
        Err(error) => store.write_health().failed(error),
    }
    written?;
    done.ok_or(StoreError::WriterStopped)
}
