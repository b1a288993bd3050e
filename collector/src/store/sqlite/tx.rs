//! [`WriteTx`] on the writer's open transaction: each method is one of this folder's
//! statements.

use rusqlite::Transaction;

use super::{events, forms, outbox, persons, workflows};
use crate::store::contract::{StoreResult, WriteTx};
use crate::store::records::{
    Attempt, Confirmation, DeviceState, DeviceView, OutboxMessage, PersonKey, PersonLines,
    PersonRow, RemovedEvent, StepRecord, StoredEvent, StoredProfile, SubmissionRecord,
    VisitorCounts, VisitorSeen,
};

const PROBE: &str = "INSERT INTO write_probe (id, written_ms) VALUES (1, ?1)
     ON CONFLICT (id) DO UPDATE SET written_ms = excluded.written_ms";

/// A write transaction of the writer; it counts the events it inserts (the writer's
/// checkpoints go by them).
pub struct SqliteTx<'t> {
    transaction: &'t Transaction<'t>,
    events_inserted: u32,
}

impl<'t> SqliteTx<'t> {
    pub fn new(transaction: &'t Transaction<'t>) -> Self {
        SqliteTx { transaction, events_inserted: 0 }
    }

    /// The open transaction, for the statements of modules that implement their part
    /// of [`WriteTx`]'s supertraits.
    pub(super) fn connection(&self) -> &Transaction<'t> {
        self.transaction
    }

    /// Events inserted so far.
    pub fn events_inserted(&self) -> u32 {
        self.events_inserted
    }
}

impl WriteTx for SqliteTx<'_> {
    fn insert_events(&mut self, stored: &[&StoredEvent]) -> StoreResult<Vec<bool>> {
        let inserted = events::insert(self.transaction, stored)?;
        let count = inserted.iter().filter(|new| **new).count();
        self.events_inserted =
            self.events_inserted.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
        Ok(inserted)
    }

    fn remove_events(&mut self, removed: &[RemovedEvent<'_>]) -> StoreResult<()> {
        events::remove(self.transaction, removed)
    }

    fn probe(&mut self, now_ms: i64) -> StoreResult<()> {
        self.transaction.execute(PROBE, [now_ms])?;
        Ok(())
    }

    fn upsert_visitors(&mut self, visitors: &[VisitorSeen<'_>]) -> StoreResult<Vec<VisitorCounts>> {
        events::upsert_visitors(self.transaction, visitors)
    }

    fn device_state(&mut self, site: &str, visitor: &str) -> StoreResult<DeviceState> {
        events::device_state(self.transaction, site, visitor)
    }

    fn save_device_views(&mut self, views: &[DeviceView<'_>]) -> StoreResult<()> {
        events::save_device_views(self.transaction, views)
    }

    fn verify_visitor(&mut self, site: &str, visitor: &str, now_ms: i64) -> StoreResult<()> {
        events::verify_visitor(self.transaction, site, visitor, now_ms)
    }

    fn plain_visitors(&mut self, site: &str, person: &str) -> StoreResult<Vec<String>> {
        events::plain_visitors(self.transaction, site, person)
    }

    fn attach_visitor(
        &mut self,
        site: &str,
        visitor: &str,
        person: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        events::attach_visitor(self.transaction, site, visitor, person, now_ms)
    }

    fn person_docs(&mut self, keys: &[(&str, &str)]) -> StoreResult<Vec<Option<String>>> {
        persons::docs(self.transaction, keys)
    }

    fn find_person(&mut self, site: &str, key: &PersonKey) -> StoreResult<Option<String>> {
        persons::find(self.transaction, site, key)
    }

    fn lock_person(&mut self, site: &str, id: &str) -> StoreResult<bool> {
        persons::exists(self.transaction, site, id)
    }

    fn save_persons(&mut self, rows: &[PersonRow<'_>], now_ms: i64) -> StoreResult<()> {
        persons::save(self.transaction, rows, now_ms)
    }

    fn insert_lines(&mut self, lines: &[PersonLines<'_>]) -> StoreResult<()> {
        persons::insert_lines(self.transaction, lines)
    }

    fn history(&mut self, site: &str, ids: &[&str]) -> StoreResult<Vec<StoredEvent>> {
        persons::history(self.transaction, site, ids)
    }

    fn profile(&mut self, site: &str, key: &PersonKey) -> StoreResult<Option<StoredProfile>> {
        persons::profile(self.transaction, site, key)
    }

    fn fold_person(&mut self, site: &str, from: &str, to: &str) -> StoreResult<()> {
        persons::fold(self.transaction, site, from, to)
    }

    fn delete_person(&mut self, site: &str, id: &str) -> StoreResult<bool> {
        persons::delete(self.transaction, site, id)
    }

    fn decay_candidates(
        &mut self,
        site: &str,
        inactive_through_ms: i64,
        above_score: i32,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        persons::decay_candidates(self.transaction, site, inactive_through_ms, above_score, limit)
    }

    fn submission_since(
        &mut self,
        site: &str,
        form: &str,
        email: &str,
        since_ms: i64,
    ) -> StoreResult<Option<String>> {
        forms::submission_since(self.transaction, site, form, email, since_ms)
    }

    fn insert_submission(
        &mut self,
        site: &str,
        record: &SubmissionRecord,
        person: &str,
        visitor: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        forms::insert_submission(self.transaction, site, record, person, visitor, now_ms)
    }

    fn count_spam(&mut self, site: &str, form: &str, reason: &str, day: i64) -> StoreResult<()> {
        forms::count_spam(self.transaction, site, form, reason, day)
    }

    fn confirmation(&mut self, token: &str) -> StoreResult<Option<Confirmation>> {
        forms::confirmation(self.transaction, token)
    }

    fn confirm(&mut self, confirmation: &Confirmation, now_ms: i64) -> StoreResult<()> {
        forms::confirm(self.transaction, confirmation, now_ms)
    }

    fn enqueue(&mut self, message: &OutboxMessage) -> StoreResult<()> {
        outbox::enqueue(self.transaction, message)
    }

    fn claim_due(
        &mut self,
        now_ms: i64,
        limit: u32,
        lease_until_ms: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        outbox::claim_due(self.transaction, now_ms, limit, lease_until_ms)
    }

    fn record_attempt(&mut self, attempt: &Attempt<'_>) -> StoreResult<()> {
        outbox::record_attempt(self.transaction, attempt)
    }

    fn replay(&mut self, site: &str, id: &str, now_ms: i64) -> StoreResult<bool> {
        outbox::replay(self.transaction, site, id, now_ms)
    }

    fn insert_steps(&mut self, steps: &[StepRecord<'_>]) -> StoreResult<()> {
        workflows::insert_steps(self.transaction, steps)
    }

    fn advance_quiet_cursor(
        &mut self,
        site: &str,
        workflow: &str,
        through_ms: i64,
    ) -> StoreResult<()> {
        workflows::advance_cursor(self.transaction, site, workflow, through_ms)
    }
}
