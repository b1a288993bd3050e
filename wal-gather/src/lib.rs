//! A SQLite VFS for a connection that commits often with `synchronous=FULL`: the
//! writes SQLite makes to the write-ahead log between two syncs reach the file system
//! as one write.
//!
//! SQLite's `unix` VFS writes each WAL frame with two `pwrite`s (the 24-byte frame
//! header, then the page), so a commit of 29 pages costs 58 system calls before its
//! `fsync`. Under [`NAME`], every file is the `unix` VFS's own except the WAL: while its
//! writes extend one contiguous range they are kept in memory, and the range is written
//! with one `pwrite` as soon as SQLite syncs, reads, sizes, truncates or closes the
//! file, writes somewhere else, or the range would pass [`LIMIT`] bytes (128 KiB less one byte).
//!
//! - **Durability is unchanged**: a sync writes the range before it syncs, so every byte
//!   SQLite wrote is on disk when a commit returns.
//! - **Use it with `synchronous=FULL` (or `EXTRA`) only.** Other connections read a
//!   commit's frames once the committing connection publishes them in the WAL index.
//!   With `FULL`, SQLite does that after the commit's sync, so the frames are in the
//!   file by then. With `NORMAL`, a commit does not sync the WAL and its frames could
//!   still be in this connection's memory when another connection reads them.
//! - A failed write is reported by the call that makes it (the sync, as a rule), and
//!   SQLite rolls the transaction back as it does for any failed write to the log.
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
