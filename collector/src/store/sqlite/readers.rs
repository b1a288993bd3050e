//! The readers: a small pool of read-only connections. A read takes an idle connection
//! (or opens one, up to [`READERS`]) and runs on a blocking thread of the runtime. In
//! WAL mode readers never wait for the writer, nor the writer for them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::connection::{self, Role};
use crate::store::contract::{StoreError, StoreResult};

/// Connections reading at once.
pub const READERS: usize = 4;

/// The pool.
#[derive(Debug)]
pub struct Readers {
    file: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl Readers {
    pub fn new(file: PathBuf) -> Readers {
        Readers { file, idle: Mutex::new(Vec::new()), permits: Semaphore::new(READERS) }
    }

    /// Runs `read` on a reader connection, on a blocking thread.
    pub async fn read<T, F>(self: &Arc<Self>, read: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(|_| StoreError::WriterStopped)?;
        let readers = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let idle = readers.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let connection = match idle {
                Some(connection) => connection,
                None => connection::open(&readers.file, Role::Reader)?,
            };
            let result = read(&connection);
            readers.idle.lock().unwrap_or_else(PoisonError::into_inner).push(connection);
            result
        })
        .await
        .map_err(|_| StoreError::WriterStopped)?
    }
}
