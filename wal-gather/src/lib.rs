//! A SQLite VFS for a connection that commits often: the writes SQLite makes to the
//! write-ahead log for one commit reach the file system as one write.
//!
//! SQLite's `unix` VFS writes each WAL frame with two `pwrite`s (the 24-byte frame
//! header, then the page), so a commit of 29 pages costs 58 system calls. Under
//! [`NAME`], every file is the `unix` VFS's own except the WAL: while its writes extend
//! one contiguous range they are kept in memory, and the range is written with one
//! `pwrite` as soon as it ends with a commit's last frame, or SQLite syncs, reads,
//! sizes, truncates or closes the file, writes somewhere else, or the range would pass
//! [`LIMIT`] bytes (128 KiB less one byte).
//!
//! - **Visibility is unchanged**: other connections read a commit's frames once the
//!   committing connection publishes them in the WAL index, which SQLite does after
//!   writing (and, with `synchronous=FULL`, syncing) the commit's last frame. The range
//!   is in the file by then, whatever the `synchronous` setting.
//! - **Durability is unchanged**: a sync writes the range before it syncs. With
//!   `synchronous=FULL` every byte SQLite wrote is on disk when a commit returns; with
//!   `NORMAL` it is in the file, and on disk after the next sync of the log, as with
//!   the `unix` VFS.
//! - A failed write is reported by the call that makes it (the commit's last write or
//!   the sync, as a rule), and SQLite rolls the transaction back as it does for any
//!   failed write to the log.
//!
//! [`register`] adds the VFS once per process; open a connection with its name, e.g.
//! `rusqlite::Connection::open_with_flags_and_vfs(path, flags, kindling_wal_gather::register()?)`.
//! [`stats`] counts the writes gathered and the writes made.

#[allow(unsafe_code)]
mod vfs;

use std::sync::atomic::Ordering;

pub use vfs::{LIMIT, NAME};

/// The VFS could not be registered: the SQLite result code of the failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterError(pub i32);

impl std::fmt::Display for RegisterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot register the SQLite VFS {NAME:?} (SQLite result code {})", self.0)
    }
}

impl std::error::Error for RegisterError {}

/// Registers the VFS (once; later calls return the first call's result) and returns
/// its name, to open connections with.
pub fn register() -> Result<&'static str, RegisterError> {
    vfs::register().map(|()| NAME).map_err(RegisterError)
}

/// Writes to WAL files of this VFS since the process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Writes SQLite asked for.
    pub gathered: u64,
    /// Writes made to the file system.
    pub written: u64,
}

/// The counts so far, over every connection of the process.
pub fn stats() -> Stats {
    Stats {
        gathered: vfs::GATHERED.load(Ordering::Relaxed),
        written: vfs::WRITTEN.load(Ordering::Relaxed),
    }
}
