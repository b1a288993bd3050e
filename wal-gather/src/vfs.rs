//! The VFS itself: the `unix` VFS with another `xOpen`, which wraps WAL files in
//! [`WalFile`] and leaves every other file to `unix` as it is.
//!
//! Every function of `unix` but `xOpen` ignores the VFS it is called with, so the
//! registered VFS is a copy of `unix`'s with its own name, `xOpen` and file size. A
//! WAL file is a [`WalFile`] followed, in the memory SQLite gives for it, by `unix`'s
//! own file, which every method but `xWrite` reaches after writing what is pending.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::mem::{align_of, size_of};
use std::ptr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use libsqlite3_sys as ffi;

/// The name the VFS is registered under.
pub const NAME: &str = "kindling-wal-gather";
const NAME_C: &CStr = c"kindling-wal-gather";

/// The most bytes kept in memory for one WAL file; a longer range is written first.
/// It is the most the `unix` VFS writes in one call (it masks a length with `0x1ffff`,
/// so a longer write would be cut short), 31 frames of 4 KiB pages.
pub const LIMIT: usize = 0x1ffff;

/// Writes SQLite asked for on WAL files.
pub(crate) static GATHERED: AtomicU64 = AtomicU64::new(0);
/// Writes made to the file system for them.
pub(crate) static WRITTEN: AtomicU64 = AtomicU64::new(0);

/// The registered VFS (its address), or the result code of the failed registration.
static REGISTERED: OnceLock<Result<usize, c_int>> = OnceLock::new();

pub(crate) fn register() -> Result<(), c_int> {
    REGISTERED.get_or_init(register_once).map(|_| ())
}

fn register_once() -> Result<usize, c_int> {
    // SAFETY: `sqlite3_vfs_find` takes a null name for the default VFS and returns a
    // pointer to a VFS that stays registered, or null.
    let unix = unsafe { ffi::sqlite3_vfs_find(ptr::null()) };
    if unix.is_null() {
        return Err(ffi::SQLITE_ERROR);
    }
    // SAFETY: `unix` is a valid, registered VFS that is never freed; copying it reads
    // plain fields and function pointers.
    let mut vfs: ffi::sqlite3_vfs = unsafe { *unix };
    // SAFETY: as above.
    let unix_file_size = unsafe { (*unix).szOsFile };
    let Ok(size) = c_int::try_from(WAL_FILE_HEADER) else { return Err(ffi::SQLITE_ERROR) };
    vfs.szOsFile = unix_file_size.saturating_add(size);
    vfs.zName = NAME_C.as_ptr();
    vfs.pNext = ptr::null_mut();
    vfs.pAppData = unix.cast();
    vfs.xOpen = Some(open);
    // SQLite keeps the VFS for the life of the process and links it into its list.
    let vfs = Box::into_raw(Box::new(vfs));
    // SAFETY: `vfs` is a valid VFS that lives for the rest of the process.
    let code = unsafe { ffi::sqlite3_vfs_register(vfs, 0) };
    if code == ffi::SQLITE_OK { Ok(vfs as usize) } else { Err(code) }
}

/// A WAL file: SQLite's file object, the `unix` file after it, and what is pending.
#[repr(C)]
struct WalFile {
    /// Must come first: SQLite calls the methods with a pointer to it.
    base: ffi::sqlite3_file,
    unix: *mut ffi::sqlite3_file,
    pending: Pending,
}

/// Room for a [`WalFile`] before the `unix` file, kept aligned for it.
const WAL_FILE_HEADER: usize = size_of::<WalFile>().next_multiple_of(align_of::<u64>());

/// Bytes written to the file in memory: one contiguous range from `start`.
#[derive(Default)]
struct Pending {
    start: i64,
    bytes: Vec<u8>,
    /// The last write was the header of a commit's last frame: the range is written
    /// as soon as that frame's page is in it.
    commit_frame: bool,
}

/// The size of a WAL frame's header, written by SQLite on its own before the page.
const FRAME_HEADER: usize = 24;

/// Whether `data` is the header of the last frame of a commit: for such a frame, bytes
/// 4 to 7 hold the database's size in pages after the commit, zero for other frames.
/// The log's own header is 32 bytes and pages are at least 512, so no other write to a
/// WAL file is 24 bytes long.
fn is_commit_frame_header(data: &[u8]) -> bool {
    data.len() == FRAME_HEADER && data[4..8] != [0; 4]
}

impl Pending {
    /// Takes `data` written at `offset` when it extends the range or falls inside it.
    fn absorb(&mut self, data: &[u8], offset: i64) -> bool {
        if self.bytes.is_empty() {
            return false;
        }
        let end = self.start + self.bytes.len() as i64;
        if offset == end && self.bytes.len() + data.len() <= LIMIT {
            self.bytes.extend_from_slice(data);
            true
        } else if offset >= self.start && offset + data.len() as i64 <= end {
            let at = (offset - self.start) as usize;
            self.bytes[at..at + data.len()].copy_from_slice(data);
            true
        } else {
            false
        }
    }

    /// Starts a new range with `data` at `offset`; the old one must have been written.
    fn restart(&mut self, data: &[u8], offset: i64) {
        self.bytes.clear();
        self.start = offset;
        self.bytes.extend_from_slice(data);
    }
}

static WAL_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 1,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: None,
    xShmLock: None,
    xShmBarrier: None,
    xShmUnmap: None,
    xFetch: None,
    xUnfetch: None,
};

/// `xOpen`: `unix`'s, with a WAL file wrapped.
unsafe extern "C" fn open(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY: `pAppData` of this VFS is `unix` (see `register_once`).
    let unix_vfs = unsafe { (*vfs).pAppData }.cast::<ffi::sqlite3_vfs>();
    // SAFETY: `unix_vfs` is valid and always has `xOpen`.
    let Some(unix_open) = (unsafe { (*unix_vfs).xOpen }) else { return ffi::SQLITE_ERROR };
    if flags & ffi::SQLITE_OPEN_WAL == 0 {
        // SAFETY: SQLite gave `file` this VFS's size, more than `unix` needs.
        return unsafe { unix_open(unix_vfs, name, file, flags, out_flags) };
    }
    // SAFETY: the memory behind `file` holds a `WalFile` header and then `unix`'s file.
    let unix_file = unsafe { file.cast::<u8>().add(WAL_FILE_HEADER) }.cast::<ffi::sqlite3_file>();
    // SAFETY: `unix_file` points to `unix`'s `szOsFile` bytes (see `register_once`).
    let code = unsafe { unix_open(unix_vfs, name, unix_file, flags, out_flags) };
    if code != ffi::SQLITE_OK {
        // SAFETY: `file` is writable; a null `pMethods` tells SQLite not to close it.
        unsafe { (*file).pMethods = ptr::null() };
        return code;
    }
    let wal = WalFile {
        base: ffi::sqlite3_file { pMethods: &WAL_METHODS },
        unix: unix_file,
        pending: Pending::default(),
    };
    // SAFETY: `file` is aligned and large enough for a `WalFile`, which `close` drops.
    unsafe { ptr::write(file.cast::<WalFile>(), wal) };
    code
}

/// The wrapped file of `file`, which SQLite opened through [`open`] as a WAL file.
///
/// # Safety
/// `file` must be a live [`WalFile`] that nothing else borrows.
unsafe fn wal_file<'a>(file: *mut ffi::sqlite3_file) -> &'a mut WalFile {
    // SAFETY: the caller's promise; SQLite calls one method of a file at a time.
    unsafe { &mut *file.cast::<WalFile>() }
}

/// `unix`'s methods for the wrapped file.
fn unix_methods(wal: &WalFile) -> &'static ffi::sqlite3_io_methods {
    // SAFETY: an open `unix` file has methods, which live as long as the process.
    unsafe { &*(*wal.unix).pMethods }
}

/// Writes the pending range, if any; it is gone either way.
fn flush(wal: &mut WalFile) -> c_int {
    if wal.pending.bytes.is_empty() {
        return ffi::SQLITE_OK;
    }
    let Some(write) = unix_methods(wal).xWrite else { return ffi::SQLITE_IOERR_WRITE };
    let length = wal.pending.bytes.len() as c_int;
    WRITTEN.fetch_add(1, Ordering::Relaxed);
    // SAFETY: the bytes are `length` long and `wal.unix` is open.
    let code =
        unsafe { write(wal.unix, wal.pending.bytes.as_ptr().cast(), length, wal.pending.start) };
    wal.pending.bytes.clear();
    code
}

unsafe extern "C" fn write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    // SAFETY: SQLite calls this with a file it opened through `open`.
    let wal = unsafe { wal_file(file) };
    // SAFETY: SQLite passes `amount` readable bytes.
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), amount.max(0) as usize) };
    GATHERED.fetch_add(1, Ordering::Relaxed);
    // The page after a commit frame's header ends the commit: SQLite publishes the
    // commit in the WAL index right after, so the range must be in the file by then.
    let ends_commit = std::mem::replace(&mut wal.pending.commit_frame, false);
    wal.pending.commit_frame = is_commit_frame_header(bytes);
    let code = gather(wal, bytes, offset);
    if code != ffi::SQLITE_OK || !ends_commit {
        return code;
    }
    flush(wal)
}

/// Adds `bytes` at `offset` to the pending range, writing the range first when they do
/// not extend it, and writing them at once when they are too long to keep.
fn gather(wal: &mut WalFile, bytes: &[u8], offset: i64) -> c_int {
    if wal.pending.absorb(bytes, offset) {
        return ffi::SQLITE_OK;
    }
    let code = flush(wal);
    if code != ffi::SQLITE_OK {
        return code;
    }
    if bytes.len() >= LIMIT {
        let Some(write) = unix_methods(wal).xWrite else { return ffi::SQLITE_IOERR_WRITE };
        WRITTEN.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `bytes` is readable for its length (SQLite's own buffer) and
        // `wal.unix` is open.
        return unsafe { write(wal.unix, bytes.as_ptr().cast(), bytes.len() as c_int, offset) };
    }
    wal.pending.restart(bytes, offset);
    ffi::SQLITE_OK
}

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite calls this with a file it opened through `open`, once.
    let wal = unsafe { wal_file(file) };
    let flushed = flush(wal);
    let closed = match unix_methods(wal).xClose {
        // SAFETY: the wrapped file is open; SQLite does not use it after this.
        Some(close) => unsafe { close(wal.unix) },
        None => ffi::SQLITE_OK,
    };
    // SAFETY: the `WalFile` written by `open` is dropped once, here.
    unsafe { ptr::drop_in_place(file.cast::<WalFile>()) };
    if flushed != ffi::SQLITE_OK { flushed } else { closed }
}

/// Methods that write what is pending, then call `unix`'s.
macro_rules! flushing {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*)) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            // SAFETY: SQLite calls this with a file it opened through `open`.
            let wal = unsafe { wal_file(file) };
            let code = flush(wal);
            if code != ffi::SQLITE_OK {
                return code;
            }
            let Some(method) = unix_methods(wal).$method else { return ffi::SQLITE_ERROR };
            // SAFETY: forwarding SQLite's own arguments to the wrapped file.
            unsafe { method(wal.unix $(, $arg)*) }
        }
    };
}

/// Methods that only call `unix`'s.
macro_rules! forwarded {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*)) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            // SAFETY: SQLite calls this with a file it opened through `open`.
            let wal = unsafe { wal_file(file) };
            let Some(method) = unix_methods(wal).$method else { return ffi::SQLITE_ERROR };
            // SAFETY: forwarding SQLite's own arguments to the wrapped file.
            unsafe { method(wal.unix $(, $arg)*) }
        }
    };
}

flushing!(read, xRead, (data: *mut c_void, amount: c_int, offset: i64));
flushing!(truncate, xTruncate, (size: i64));
flushing!(sync, xSync, (flags: c_int));
flushing!(file_size, xFileSize, (size: *mut i64));
flushing!(file_control, xFileControl, (op: c_int, argument: *mut c_void));
forwarded!(lock, xLock, (level: c_int));
forwarded!(unlock, xUnlock, (level: c_int));
forwarded!(check_reserved_lock, xCheckReservedLock, (reserved: *mut c_int));
forwarded!(sector_size, xSectorSize, ());
forwarded!(device_characteristics, xDeviceCharacteristics, ());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_grows_at_its_end_and_is_rewritten_inside() {
        let mut pending = Pending::default();
        assert!(!pending.absorb(b"abc", 0), "nothing pending: a new range starts");
        pending.restart(b"abc", 10);
        assert!(pending.absorb(b"de", 13));
        assert!(pending.absorb(b"X", 11));
        assert_eq!((pending.start, pending.bytes.as_slice()), (10, &b"aXcde"[..]));
        assert!(!pending.absorb(b"z", 16), "a gap");
        assert!(!pending.absorb(b"z", 9), "before the range");
        assert!(!pending.absorb(b"zz", 14), "past the end but not at it");
    }

    #[test]
    fn only_the_header_of_a_commits_last_frame_counts_as_one() {
        let mut header = [0u8; FRAME_HEADER];
        header[3] = 7; // page 7
        assert!(!is_commit_frame_header(&header), "a frame inside a transaction");
        header[7] = 12; // 12 pages after the commit
        assert!(is_commit_frame_header(&header));
        assert!(!is_commit_frame_header(&[1; 32]), "the log's own header");
        assert!(!is_commit_frame_header(&[1; 4096]), "a page");
    }

    #[test]
    fn a_range_stops_at_the_limit() {
        let mut pending = Pending::default();
        pending.restart(&vec![0; LIMIT - 1], 0);
        assert!(pending.absorb(b"a", (LIMIT - 1) as i64));
        assert!(!pending.absorb(b"b", LIMIT as i64));
    }
}
