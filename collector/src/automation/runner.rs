//! The workflow runner: the task that takes workflow steps when they are due.
//!
//! Runs are started where a person changes ([`enroll`](super::enroll)) and saved in the
//! person's document with the time their next step is due (the indexed `next_run_ms`
//! column). The runner wakes when the event writer commits a run due at once, and at
//! least every [`POLL`]; each pass
//!
//! 1. takes every due step of up to [`BATCH`] persons at a time, each person in one
//!    transaction with the outbox messages its steps produce ([`automate`]), and
//!    wakes the dispatcher when there are messages;
//! 2. looks for persons quiet long enough for each inactivity workflow, from a cursor
//!    per workflow over `last_activity_ms` (stored, so a restart goes on from there),
//!    and starts those workflows.
//!
//! A wait is a run whose next step is due later: it is in the database, so a restart
//! neither loses nor repeats a step. Several collectors on one PostgreSQL database may
//! run passes at once: [`automate`] holds the person's row, and a step already taken is
//! no longer due.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::automation::enroll;
use crate::automation::outbox::Outbox;
use crate::automation::steps::{self, Advanced};
use crate::automation::workflow::Workflow;
use crate::clock::unix_millis;
use crate::live::LiveCatalog;
use crate::metrics::Metrics;
use crate::profiles::cache::PersonCache;
use crate::profiles::document::{decode, persist};
use crate::profiles::engine::Person;
use crate::profiles::view::ProfileView;
use crate::sites::Site;
use crate::store::{self, PersonKey, StepRecord, Store, StoreError, StoreResult, WriteTx};

/// The longest time between passes.
pub const POLL: Duration = Duration::from_secs(1);
/// Persons handled per query.
pub const BATCH: u32 = 200;

/// What [`automate`] lets change a person inside its transaction.
pub trait StepTaker: Send + Sync {
    /// Whether `take` needs the person's stored history.
    fn wants_history(&self, person: &Person, now_ms: i64) -> bool;
    /// Changes the person; reports what was done.
    fn take(&self, person: &mut Person, history: Option<&ProfileView>, now_ms: i64) -> Advanced;
}

/// The due steps of a person of `site`.
struct DueSteps {
    site: Arc<Site>,
}

impl StepTaker for DueSteps {
    fn wants_history(&self, person: &Person, now_ms: i64) -> bool {
        steps::wants_history(person, &self.site, now_ms)
    }

    fn take(&self, person: &mut Person, history: Option<&ProfileView>, now_ms: i64) -> Advanced {
        steps::advance(person, &self.site, history, now_ms)
    }
}

/// Starts the inactivity workflow at index `workflow` of `site` for a quiet person,
/// then takes its first steps.
struct QuietStart {
    site: Arc<Site>,
    workflow: usize,
}

impl QuietStart {
    fn workflow(&self) -> Option<&Workflow> {
        self.site.profiles.workflows.get(self.workflow)
    }
}

impl StepTaker for QuietStart {
    fn wants_history(&self, _: &Person, _: i64) -> bool {
        self.workflow().is_some_and(Workflow::hands_off)
    }

    fn take(&self, person: &mut Person, history: Option<&ProfileView>, now_ms: i64) -> Advanced {
        let Some(workflow) = self.workflow() else { return Advanced::default() };
        if !enroll::enroll_inactive(person, workflow, now_ms) {
            return Advanced::default();
        }
        let mut advanced = steps::advance(person, &self.site, history, now_ms);
        advanced.started += 1;
        advanced
    }
}

/// Ends the runs of a person whose site is no longer configured.
struct EndRuns;

impl StepTaker for EndRuns {
    fn wants_history(&self, _: &Person, _: i64) -> bool {
        false
    }

    fn take(&self, person: &mut Person, _: Option<&ProfileView>, _: i64) -> Advanced {
        let steps = person.journeys.runs.len();
        person.journeys.runs.clear();
        Advanced { steps, ..Advanced::default() }
    }
}

/// What a pass needs.
struct Context {
    store: Arc<dyn Store>,
    catalog: Arc<LiveCatalog>,
    people: Arc<PersonCache>,
    outbox: Outbox,
    metrics: Arc<Metrics>,
}

/// The running workflow runner.
pub struct Runner {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Runner {
    /// Starts taking the workflow steps of `store`'s persons; `wake` is notified when a
    /// commit starts a run due at once.
    pub fn spawn(
        store: Arc<dyn Store>,
        catalog: Arc<LiveCatalog>,
        people: Arc<PersonCache>,
        outbox: Outbox,
        metrics: Arc<Metrics>,
        wake: Arc<Notify>,
    ) -> Runner {
        let (stop, stopped) = watch::channel(false);
        let context = Context { store, catalog, people, outbox, metrics };
        let task = tokio::spawn(run(context, wake, stopped));
        Runner { stop, task }
    }

    /// Finishes the pass under way, then stops.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if self.task.await.is_err() {
            tracing::error!("the workflow runner stopped abnormally");
        }
    }
}

async fn run(context: Context, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
    let mut cursors: HashMap<(String, String), i64> = HashMap::new();
    loop {
        if *stopped.borrow() {
            return;
        }
        take_due_steps(&context).await;
        start_quiet(&context, &mut cursors).await;
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stopped.changed() => {}
        }
    }
}

/// Takes every step due now, [`BATCH`] persons at a time.
async fn take_due_steps(context: &Context) {
    let now = unix_millis();
    // Bounded, so persons whose steps keep failing cannot hold the pass.
    for _ in 0..10 {
        let due = match context.store.due_runs(now, BATCH).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "due workflow steps could not be read; retried next pass");
                return;
            }
        };
        for (site_key, id) in &due {
            let steps: Arc<dyn StepTaker> = match context.catalog.site(site_key) {
                Some(site) => Arc::new(DueSteps { site }),
                None => Arc::new(EndRuns),
            };
            let result = automate_now(context, site_key, id, now, steps).await;
            record(context, site_key, id, result);
        }
        if due.len() < BATCH as usize {
            return;
        }
    }
}

/// Starts each inactivity workflow for persons quiet long enough, from its cursor.
async fn start_quiet(context: &Context, cursors: &mut HashMap<(String, String), i64>) {
    let now = unix_millis();
    for site in context.catalog.load().sites() {
        for (index, workflow) in site.profiles.workflows.iter().enumerate() {
            let Some(span) = workflow.inactivity() else { continue };
            let key = (site.key.clone(), workflow.id.clone());
            let after = match cursors.get(&key) {
                Some(after) => *after,
                None => match context.store.quiet_cursor(&site.key, &workflow.id).await {
                    Ok(stored) => stored.unwrap_or(i64::MIN),
                    Err(error) => {
                        tracing::warn!(%error, "a workflow cursor could not be read; retried next pass");
                        return;
                    }
                },
            };
            let quiet = match context
                .store
                .quiet_persons(&site.key, after, now - span.0, BATCH)
                .await
            {
                Ok(quiet) => quiet,
                Err(error) => {
                    tracing::warn!(%error, "quiet persons could not be read; retried next pass");
                    return;
                }
            };
            let Some(through) = quiet.last().map(|(_, last_activity_ms)| *last_activity_ms) else {
                cursors.insert(key, after);
                continue;
            };
            let taker: Arc<dyn StepTaker> =
                Arc::new(QuietStart { site: Arc::clone(site), workflow: index });
            for (id, _) in &quiet {
                let result = automate_now(context, &site.key, id, now, Arc::clone(&taker)).await;
                record(context, &site.key, id, result);
            }
            let (site_key, workflow_id) = (site.key.clone(), workflow.id.clone());
            let advanced = store::write(&context.store, move |tx| {
                tx.advance_quiet_cursor(&site_key, &workflow_id, through)
            })
            .await;
            if let Err(error) = advanced {
                tracing::warn!(%error, "a workflow cursor could not be saved; it is kept in memory");
            }
            cursors.insert(key, through);
        }
    }
}

fn record(context: &Context, site: &str, id: &str, result: Result<Advanced, StoreError>) {
    match result {
        Ok(advanced) => {
            if advanced.steps == 0 && advanced.started == 0 {
                return;
            }
            context.metrics.workflow_steps.inc_by(advanced.steps as u64);
            context.metrics.workflow_runs_started.inc_by(advanced.started as u64);
            context.people.forget_person(site, id);
            if !advanced.messages.is_empty() {
                context.outbox.wake();
            }
        }
        Err(error) => {
            tracing::warn!(site, person = id, %error, "workflow steps failed; retried next pass");
        }
    }
}

/// [`automate`] in a transaction of its own.
async fn automate_now(
    context: &Context,
    site: &str,
    id: &str,
    now_ms: i64,
    steps: Arc<dyn StepTaker>,
) -> StoreResult<Advanced> {
    let (site, id) = (site.to_owned(), id.to_owned());
    store::write(&context.store, move |tx| automate(tx, &site, &id, now_ms, steps.as_ref())).await
}

/// In `tx`, holding the person's row: loads the person, lets `steps` change it (with
/// its stored history when asked), and saves the person, the lines explaining its
/// changes, the outbox messages the steps produced and the steps taken. Nothing is
/// saved when no step was taken.
pub fn automate(
    tx: &mut dyn WriteTx,
    site: &str,
    id: &str,
    now_ms: i64,
    steps: &dyn StepTaker,
) -> StoreResult<Advanced> {
    if !tx.lock_person(site, id)? {
        return Ok(Advanced::default());
    }
    let key = PersonKey::Id(id.to_owned());
    let Some(doc) = tx.find_person(site, &key)? else { return Ok(Advanced::default()) };
    let mut person = decode(&doc)?;
    let history = if steps.wants_history(&person, now_ms) {
        tx.profile(site, &key)?.map(ProfileView::of).transpose()?
    } else {
        None
    };
    let advanced = steps.take(&mut person, history.as_ref(), now_ms);
    if advanced.steps == 0 && advanced.started == 0 {
        return Ok(advanced);
    }
    persist(tx, &[(site, &person, &advanced.changes)], now_ms)?;
    for message in &advanced.messages {
        tx.enqueue(message)?;
    }
    let taken: Vec<StepRecord<'_>> = advanced
        .taken
        .iter()
        .map(|taken| StepRecord {
            run: &taken.run,
            step: taken.step,
            site,
            workflow: &taken.workflow,
            outcome: taken.outcome.as_str(),
            at_ms: now_ms,
        })
        .collect();
    if !taken.is_empty() {
        tx.insert_steps(&taken)?;
    }
    Ok(advanced)
}
