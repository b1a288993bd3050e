//! The writer: the one connection that writes, behind a lock, so every write of the
//! collector — group commits of events, form submissions, admin changes, workflow
//! steps, outbox updates — is serialized and none can fail on another's lock. Each
//! write is one `BEGIN IMMEDIATE … COMMIT`.
//!
//! Copying the WAL back into the database file (checkpointing) is done by a thread of
//! its own with its own connection ([`Checkpointer`]), beside the commits rather than
//! between them. Under steady load that thread never reaches the WAL's end (commits keep
//! adding to it), and the WAL starts over only once all of it is copied; so now and
//! then the writer asks for one more pass and, as soon as it has ended, checkpoints
//! itself between two writes: it copies only what was committed during that pass, and
//! the WAL stays at tens of megabytes.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};

use rusqlite::{Connection, TransactionBehavior};

use super::connection::{self, Role};
use super::tx::SqliteTx;
use crate::store::contract::{StoreError, StoreResult, WriteTx};

/// When the checkpointer is asked to copy the WAL back: after this many writes or
/// events since it was last asked, whichever comes first. Checkpointing less often
/// copies a page rewritten by many commits once; events bound the WAL under large
/// batches.
const CHECKPOINT_EVERY: Progress = Progress { writes: 128, events: 8_192 };
/// When the writer catches up (see the module docs).
const CATCH_UP_EVERY: Progress = Progress { writes: 512, events: 32_768 };

/// Writes and events committed since some point.
#[derive(Debug, Default, Clone, Copy)]
struct Progress {
    writes: u32,
    events: u32,
}

impl Progress {
    fn add(&mut self, events: u32) {
        self.writes = self.writes.saturating_add(1);
        self.events = self.events.saturating_add(events);
    }

    fn reached(self, limit: Progress) -> bool {
        self.writes >= limit.writes || self.events >= limit.events
    }
}

/// The writing connection and its checkpointer.
#[derive(Debug)]
pub struct Writer {
    state: Mutex<State>,
    checkpointer: Checkpointer,
}

/// The connection and what it committed since it last asked for a checkpoint and
/// since it last caught up.
#[derive(Debug)]
struct State {
    connection: Connection,
    since_asked: Progress,
    since_caught_up: Progress,
    /// Waiting for a pass of the checkpointer to catch up after it.
    catching_up: bool,
}

impl Writer {
    /// Takes the (migrated) writing connection and starts the checkpointer on `file`.
    pub fn start(connection: Connection, file: &Path) -> StoreResult<Writer> {
        let checkpointer = Checkpointer::start(connection::open(file, Role::Writer)?)?;
        let state = State {
            connection,
            since_asked: Progress::default(),
            since_caught_up: Progress::default(),
            catching_up: false,
        };
        Ok(Writer { state: Mutex::new(state), checkpointer })
    }

    /// Runs `work` in one immediate transaction; commits if it succeeds.
    pub fn write(
        &self,
        work: &mut dyn FnMut(&mut dyn WriteTx) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let transaction =
            state.connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut tx = SqliteTx::new(&transaction);
        work(&mut tx)?;
        let events = tx.events_inserted();
        transaction.commit()?;
        self.after_commit(&mut state, events);
        Ok(())
    }

    fn after_commit(&self, state: &mut State, events: u32) {
        state.since_asked.add(events);
        state.since_caught_up.add(events);
        if state.catching_up {
            if self.checkpointer.passed() {
                if checkpoint(&state.connection) == Checkpoint::Complete {
                    state.catching_up = false;
                    state.since_caught_up = Progress::default();
                } else {
                    self.checkpointer.ask();
                }
            }
        } else if state.since_caught_up.reached(CATCH_UP_EVERY) {
            state.catching_up = true;
            state.since_asked = Progress::default();
            self.checkpointer.forget_passes();
            self.checkpointer.ask();
        } else if state.since_asked.reached(CHECKPOINT_EVERY) {
            state.since_asked = Progress::default();
            self.checkpointer.ask();
        }
    }
}

/// A thread copying the WAL back into the database file when asked, with a
/// connection of its own. It ends, with a last checkpoint, when the writer is dropped.
#[derive(Debug)]
struct Checkpointer {
    ask: mpsc::SyncSender<()>,
    /// Set at the end of each pass.
    passed: Arc<AtomicBool>,
}

impl Checkpointer {
    fn start(connection: Connection) -> StoreResult<Checkpointer> {
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
            .map_err(|error| StoreError::Thread("checkpointer", error))?;
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
fn checkpoint(connection: &Connection) -> Checkpoint {
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
