//! Group commit: one task owns writing. Requests send their [`WriteBatch`] through a
//! bounded channel and wait; the task takes everything waiting (up to a limit), stores
//! it in one transaction, and answers each request after the commit. Under load many
//! requests share one commit, so a durable acknowledgement costs one fsync per group
//! instead of one per request. The bounded channel is the back-pressure.
//!
//! Each committed person is put in the [`PersonCache`] before the requests are
//! answered, so the visitor's next boot sees it.
//!
//! When every sender is gone (the server has drained), the task writes what is left
//! and ends; `serve` waits for it, so a graceful shutdown loses nothing accepted.

use std::sync::Arc;

use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::error::ApiError;
use crate::profiles::cache::PersonCache;
use crate::store::{Committed, Store, WriteBatch};

/// Most requests whose events share one transaction.
pub const MAX_BATCHES_PER_COMMIT: usize = 512;
/// Requests that may wait for the writer before senders wait too.
pub const QUEUE_CAPACITY: usize = 4096;

struct Job {
    batch: WriteBatch,
    reply: oneshot::Sender<Result<Committed, ()>>,
}

/// The handle requests write through. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task on `store`; `due_steps` is notified when a commit starts
    /// a workflow run with a step due at once.
    pub fn spawn(
        store: Arc<dyn Store>,
        people: Arc<PersonCache>,
        due_steps: Arc<Notify>,
    ) -> (Writer, JoinHandle<()>) {
        let (jobs, queue) = mpsc::channel(QUEUE_CAPACITY);
        let task = tokio::spawn(run(store, people, due_steps, queue));
        (Writer { jobs }, task)
    }

    /// Stores `batch` and returns once it is committed.
    pub async fn write(&self, batch: WriteBatch) -> Result<Committed, ApiError> {
        let (reply, committed) = oneshot::channel();
        self.jobs.send(Job { batch, reply }).await.map_err(|_| ApiError::Unavailable)?;
        committed.await.map_err(|_| ApiError::Unavailable)?.map_err(|()| ApiError::Unavailable)
    }
}

async fn run(
    store: Arc<dyn Store>,
    people: Arc<PersonCache>,
    due_steps: Arc<Notify>,
    mut queue: mpsc::Receiver<Job>,
) {
    let mut jobs = Vec::with_capacity(MAX_BATCHES_PER_COMMIT);
    while queue.recv_many(&mut jobs, MAX_BATCHES_PER_COMMIT).await > 0 {
        let (batches, replies): (Vec<WriteBatch>, Vec<_>) =
            jobs.drain(..).map(|job| (job.batch, job.reply)).unzip();
        match store.commit(&batches).await {
            Ok(results) => {
                let now = crate::unix_millis();
                let mut steps_due = false;
                for (batch, committed) in batches.iter().zip(&results) {
                    if let Some(person) = &committed.person {
                        steps_due |= person.journeys.next_due().is_some_and(|due| due <= now);
                        people.put(&batch.site, &batch.visitor, committed.person.clone());
                    }
                }
                if steps_due {
                    due_steps.notify_one();
                }
                for (reply, committed) in replies.into_iter().zip(results) {
                    let _ = reply.send(Ok(committed));
                }
            }
            Err(error) => {
                tracing::warn!(%error, requests = replies.len(), "group commit failed; clients told to retry");
                for reply in replies {
                    let _ = reply.send(Err(()));
                }
            }
        }
    }
}
