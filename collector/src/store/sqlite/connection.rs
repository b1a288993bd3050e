//! Opening a connection to the database file, set up alike for the writer, the
//! checkpointer and the readers: WAL, `synchronous=FULL` (a commit is on disk when it
//! returns), foreign keys, a busy timeout, and no automatic checkpoints (the
//! checkpointer thread copies the WAL back).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::store::contract::StoreResult;

/// How long a statement waits for a lock another connection holds.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The writer's page cache, in KiB: the pages of the indexes every commit walks.
const WRITER_CACHE_KIB: u32 = 262_144;

/// Prepared statements each connection keeps.
const STATEMENT_CACHE: usize = 64;

/// What a connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The one connection that writes (and the checkpointer's).
    Writer,
    /// A reader: refuses to write.
    Reader,
}

/// Opens `file` (creating it for the writer) with the store's settings.
pub fn open(file: &Path, role: Role) -> StoreResult<Connection> {
    let flags = match role {
        Role::Writer => OpenFlags::default(),
        Role::Reader => OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE,
    };
    let connection = Connection::open_with_flags(file, flags)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "wal_autocheckpoint", 0)?;
    if role == Role::Reader {
        connection.pragma_update(None, "query_only", "ON")?;
    } else {
        connection.pragma_update(None, "cache_size", -(WRITER_CACHE_KIB as i64))?;
    }
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(connection)
}
