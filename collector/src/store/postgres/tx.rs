//! [`WriteTx`] on an open PostgreSQL transaction. The transaction is driven from the
//! blocking thread that runs the write: each method waits, with the runtime's handle,
//! for one of this folder's statement functions on the transaction's connection.

use sqlx::{PgConnection, Postgres, Transaction};
use tokio::runtime::Handle;

use super::{events, forms, history, outbox, persons, rollups, workflows};
use crate::store::contract::{StoreResult, WriteTx};
use crate::store::records::{
    Attempt, Confirmation, DeviceState, DeviceView, LeadRow, OutboxMessage, PersonKey, PersonLines,
    PersonRow, RemovedEvent, ReportCounts, StepRecord, StoredEvent, StoredProfile,
    SubmissionRecord, VisitorCounts, VisitorSeen,
};

/// A write transaction, and the runtime its statements run on.
pub(super) struct PgTx {
    transaction: Transaction<'static, Postgres>,
    runtime: Handle,
    /// Report counts to add when the transaction commits (see [`rollups`]).
    pub(super) reports: Vec<ReportCounts>,
}

impl PgTx {
    pub(super) fn new(transaction: Transaction<'static, Postgres>, runtime: Handle) -> Self {
        PgTx { transaction, runtime, reports: Vec::new() }
    }

    /// Runs one statement function on the transaction's connection and waits for it:
    /// for modules that implement their part of [`WriteTx`]'s supertraits.
    pub(super) fn run<'c, T, F>(
        &'c mut self,
        statement: impl FnOnce(&'c mut PgConnection) -> F,
    ) -> T
    where
        F: std::future::Future<Output = T>,
    {
        let PgTx { transaction, runtime, .. } = self;
        runtime.block_on(statement(transaction))
    }

    /// A person gone from the transaction has no lead row at commit, whatever was
    /// written for it before.
    fn forget_lead_row(&mut self, site: &str, person: &str) {
        let gone = LeadRow { site: site.to_owned(), person: person.to_owned(), row: None };
        self.reports.push(ReportCounts { leads: vec![gone], ..ReportCounts::default() });
    }

    /// Saves everything the transaction did.
    pub(super) fn commit(mut self) -> StoreResult<()> {
        if !self.reports.is_empty() {
            let counts = rollups::merged(std::mem::take(&mut self.reports));
            self.runtime.block_on(rollups::add(&mut self.transaction, &counts))?;
        }
        self.runtime.block_on(self.transaction.commit())?;
        Ok(())
    }

    /// Undoes everything the transaction did.
    pub(super) fn rollback(self) -> StoreResult<()> {
        self.runtime.block_on(self.transaction.rollback())?;
        Ok(())
    }
}

impl WriteTx for PgTx {
    fn insert_events(&mut self, stored: &[&StoredEvent]) -> StoreResult<Vec<bool>> {
        self.runtime.block_on(events::insert(&mut self.transaction, stored))
    }

    fn remove_events(&mut self, removed: &[RemovedEvent<'_>]) -> StoreResult<()> {
        self.runtime.block_on(events::remove(&mut self.transaction, removed))
    }

    fn probe(&mut self, now_ms: i64) -> StoreResult<()> {
        let probe = sqlx::query(
            "INSERT INTO write_probe (id, written_ms) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET written_ms = excluded.written_ms",
        )
        .bind(now_ms);
        self.runtime.block_on(probe.execute(&mut *self.transaction))?;
        Ok(())
    }

    fn upsert_visitors(&mut self, visitors: &[VisitorSeen<'_>]) -> StoreResult<Vec<VisitorCounts>> {
        self.runtime.block_on(events::upsert_visitors(&mut self.transaction, visitors))
    }

    fn device_state(&mut self, site: &str, visitor: &str) -> StoreResult<DeviceState> {
        self.runtime.block_on(events::device_state(&mut self.transaction, site, visitor))
    }

    fn save_device_views(&mut self, views: &[DeviceView<'_>]) -> StoreResult<()> {
        self.runtime.block_on(events::save_device_views(&mut self.transaction, views))
    }

    fn verify_visitor(&mut self, site: &str, visitor: &str, now_ms: i64) -> StoreResult<()> {
        self.runtime.block_on(events::verify_visitor(&mut self.transaction, site, visitor, now_ms))
    }

    fn plain_visitors(&mut self, site: &str, person: &str) -> StoreResult<Vec<String>> {
        self.runtime.block_on(events::plain_visitors(&mut self.transaction, site, person))
    }

    fn attach_visitor(
        &mut self,
        site: &str,
        visitor: &str,
        person: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        let connection = &mut self.transaction;
        self.runtime.block_on(events::attach_visitor(connection, site, visitor, person, now_ms))
    }

    fn person_docs(&mut self, keys: &[(&str, &str)]) -> StoreResult<Vec<Option<String>>> {
        self.runtime.block_on(persons::docs(&mut self.transaction, keys))
    }

    fn find_person(&mut self, site: &str, key: &PersonKey) -> StoreResult<Option<String>> {
        self.runtime.block_on(persons::find(&mut self.transaction, site, key))
    }

    fn lock_person(&mut self, site: &str, id: &str) -> StoreResult<bool> {
        self.runtime.block_on(persons::lock(&mut self.transaction, site, id))
    }

    fn save_persons(&mut self, rows: &[PersonRow<'_>], now_ms: i64) -> StoreResult<()> {
        self.runtime.block_on(persons::save(&mut self.transaction, rows, now_ms))
    }

    fn insert_lines(&mut self, lines: &[PersonLines<'_>]) -> StoreResult<()> {
        self.runtime.block_on(history::insert_lines(&mut self.transaction, lines))
    }

    fn history(&mut self, site: &str, persons: &[&str]) -> StoreResult<Vec<StoredEvent>> {
        self.runtime.block_on(history::events(&mut self.transaction, site, persons))
    }

    fn profile(&mut self, site: &str, key: &PersonKey) -> StoreResult<Option<StoredProfile>> {
        self.runtime.block_on(history::profile(&mut self.transaction, site, key))
    }

    fn fold_person(&mut self, site: &str, from: &str, to: &str) -> StoreResult<()> {
        self.runtime.block_on(persons::fold(&mut self.transaction, site, from, to))?;
        self.forget_lead_row(site, from);
        Ok(())
    }

    fn delete_person(&mut self, site: &str, id: &str) -> StoreResult<bool> {
        let deleted = self.runtime.block_on(persons::delete(&mut self.transaction, site, id))?;
        self.forget_lead_row(site, id);
        Ok(deleted)
    }

    fn decay_candidates(
        &mut self,
        site: &str,
        inactive_through_ms: i64,
        above_score: i32,
        limit: u32,
    ) -> StoreResult<Vec<String>> {
        let connection = &mut self.transaction;
        self.runtime.block_on(persons::decay_candidates(
            connection,
            site,
            inactive_through_ms,
            above_score,
            limit,
        ))
    }

    fn submission_since(
        &mut self,
        site: &str,
        form: &str,
        email: &str,
        since_ms: i64,
    ) -> StoreResult<Option<String>> {
        let connection = &mut self.transaction;
        self.runtime.block_on(forms::submission_since(connection, site, form, email, since_ms))
    }

    fn insert_submission(
        &mut self,
        site: &str,
        record: &SubmissionRecord,
        person: &str,
        visitor: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        let connection = &mut self.transaction;
        self.runtime
            .block_on(forms::insert_submission(connection, site, record, person, visitor, now_ms))
    }

    fn count_spam(&mut self, site: &str, form: &str, reason: &str, day: i64) -> StoreResult<()> {
        self.runtime.block_on(forms::count_spam(&mut self.transaction, site, form, reason, day))
    }

    fn confirmation(&mut self, token: &str) -> StoreResult<Option<Confirmation>> {
        self.runtime.block_on(forms::confirmation(&mut self.transaction, token))
    }

    fn confirm(&mut self, confirmation: &Confirmation, now_ms: i64) -> StoreResult<()> {
        self.runtime.block_on(forms::confirm(&mut self.transaction, confirmation, now_ms))
    }

    fn enqueue(&mut self, message: &OutboxMessage) -> StoreResult<()> {
        self.runtime.block_on(outbox::enqueue(&mut self.transaction, message))
    }

    fn claim_due(
        &mut self,
        now_ms: i64,
        limit: u32,
        lease_until_ms: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let connection = &mut self.transaction;
        self.runtime.block_on(outbox::claim_due(connection, now_ms, limit, lease_until_ms))
    }

    fn record_attempt(&mut self, attempt: &Attempt<'_>) -> StoreResult<()> {
        self.runtime.block_on(outbox::record_attempt(&mut self.transaction, attempt))
    }

    fn replay(&mut self, site: &str, id: &str, now_ms: i64) -> StoreResult<bool> {
        self.runtime.block_on(outbox::replay(&mut self.transaction, site, id, now_ms))
    }

    fn insert_steps(&mut self, steps: &[StepRecord<'_>]) -> StoreResult<()> {
        self.runtime.block_on(workflows::insert_steps(&mut self.transaction, steps))
    }

    fn advance_quiet_cursor(
        &mut self,
        site: &str,
        workflow: &str,
        through_ms: i64,
    ) -> StoreResult<()> {
        let connection = &mut self.transaction;
        self.runtime.block_on(workflows::advance_cursor(connection, site, workflow, through_ms))
    }
}
