//! Group commit: one thread owns writing. Requests send their [`WriteBatch`] through a
//! bounded channel and wait; the thread takes everything waiting (up to a limit),
//! stores it in one transaction, and answers each request after the commit. Under load
//! many requests share one commit, so a durable acknowledgement costs one fsync per
//! group instead of one per request. The bounded channel is the back-pressure.
//!
//! The thread is a blocking one of the runtime, so the next group is taken the moment
//! a commit ends, with no hand-over between tasks in between. It commits the group
//! ([`group::commit`]) in one write transaction of the store
//! ([`Store::write_blocking`]).
//!
//! Each request puts its visitor's committed person in the [`PersonCache`] before it is
//! answered, so the visitor's next boot sees it. The request's own task does that, not
//! the thread, which is what limits throughput; the thread only numbers each group
//! commit so that the cache keeps the newest person when answers overtake each other.
//!
//! When every sender is gone (the server has drained), the thread writes what is left
//! and ends; `serve` waits for it, so a graceful shutdown loses nothing accepted.

use std::sync::Arc;

use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::error::ApiError;
use crate::lifecycle::group::{self, Committed, WriteBatch};
use crate::profiles::cache::PersonCache;
use crate::store::{self, Store};

/// Most requests whose events share one transaction.
pub const MAX_BATCHES_PER_COMMIT: usize = 512;
/// Requests that may wait for the writer before senders wait too.
pub const QUEUE_CAPACITY: usize = 4096;

struct Job {
    batch: WriteBatch,
    reply: oneshot::Sender<Result<Stored, ()>>,
}

/// A batch as committed by the group commit numbered `version` (see
/// [`PersonCache::committed`]), whose person goes into the cache: by the request before
/// it answers ([`Stored::publish`]), or when the answer is dropped unread because the
/// request went away. The batch comes back with it, to be freed by the request's task
/// rather than by the writer thread.
struct Stored {
    committed: Option<Committed>,
    version: u64,
    batch: WriteBatch,
    people: Arc<PersonCache>,
}

impl Stored {
    fn publish(mut self) -> Option<Committed> {
        let committed = self.committed.take()?;
        self.put(&committed);
        Some(committed)
    }

    fn put(&self, committed: &Committed) {
        // The cache answers the visitor's browser: it holds what that browser is shown.
        if let Some(person) = &committed.shown {
            let (site, visitor) = (&self.batch.site, &self.batch.visitor);
            self.people.put(site, visitor, Some(Arc::clone(person)), self.version);
        }
    }
}

impl Drop for Stored {
    fn drop(&mut self) {
        if let Some(committed) = &self.committed {
            self.put(committed);
        }
    }
}

/// The handle requests write through. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on `store`; `due_steps` is notified when a commit
    /// starts a workflow run with a step due at once. Call it within the runtime.
    pub fn spawn(
        store: Arc<dyn Store>,
        people: Arc<PersonCache>,
        due_steps: Arc<Notify>,
    ) -> (Writer, JoinHandle<()>) {
        let (jobs, queue) = mpsc::channel(QUEUE_CAPACITY);
        let thread = tokio::task::spawn_blocking(move || {
            run(store.as_ref(), &people, &due_steps, queue);
        });
        (Writer { jobs }, thread)
    }

    /// Stores `batch` and returns once it is committed, with its visitor's person in
    /// the [`PersonCache`].
    pub async fn write(&self, batch: WriteBatch) -> Result<Committed, ApiError> {
        let (reply, stored) = oneshot::channel();
        self.jobs.send(Job { batch, reply }).await.map_err(|_| ApiError::Unavailable)?;
        let stored = stored.await.map_err(|_| ApiError::Unavailable)?;
        stored.map_err(|()| ApiError::Unavailable)?.publish().ok_or(ApiError::Unavailable)
    }
}

fn run(
    store: &dyn Store,
    people: &Arc<PersonCache>,
    due_steps: &Notify,
    mut queue: mpsc::Receiver<Job>,
) {
    let mut jobs = Vec::with_capacity(MAX_BATCHES_PER_COMMIT);
    while let Some(first) = queue.blocking_recv() {
        jobs.push(first);
        while jobs.len() < MAX_BATCHES_PER_COMMIT
            && let Ok(job) = queue.try_recv()
        {
            jobs.push(job);
        }
        let (batches, replies): (Vec<WriteBatch>, Vec<_>) =
            jobs.drain(..).map(|job| (job.batch, job.reply)).unzip();
        let outcomes = commit_isolating(store, people, &batches);
        let now = crate::clock::unix_millis();
        let steps_due = outcomes
            .iter()
            .filter_map(|outcome| outcome.as_ref()?.0.person.as_ref())
            .any(|person| person.journeys.next_due().is_some_and(|due| due <= now));
        if steps_due {
            due_steps.notify_one();
        }
        for ((reply, batch), outcome) in replies.into_iter().zip(batches).zip(outcomes) {
            let answer = outcome.map(|(committed, version)| Stored {
                committed: Some(committed),
                version,
                batch,
                people: Arc::clone(people),
            });
            let _ = reply.send(answer.ok_or(()));
        }
    }
}

/// Commits `batches` as one group. When the store refuses the group for what one of
/// its batches holds (not because it cannot write at all), each half is committed on
/// its own, down to single batches: the batch the store cannot take fails alone and its
/// neighbours are stored. Returns, in order, each batch's commit with the number of the
/// group commit it was part of, or none for a batch that failed.
fn commit_isolating(
    store: &dyn Store,
    people: &PersonCache,
    batches: &[WriteBatch],
) -> Vec<Option<(Committed, u64)>> {
    match store::write_now(store, |tx| group::commit(tx, batches)) {
        Ok(results) => {
            let version = people.committed();
            results.into_iter().map(|committed| Some((committed, version))).collect()
        }
        Err(error) if batches.len() > 1 && !error.is_unavailable() => {
            tracing::debug!(%error, requests = batches.len(), "group commit refused; splitting it");
            let (left, right) = batches.split_at(batches.len() / 2);
            let mut outcomes = commit_isolating(store, people, left);
            outcomes.extend(commit_isolating(store, people, right));
            outcomes
        }
        Err(error) => {
            tracing::debug!(%error, requests = batches.len(), "group commit failed; clients told to retry");
            vec![None; batches.len()]
        }
    }
}
