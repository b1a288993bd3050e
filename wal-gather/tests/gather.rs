//! The VFS on real SQLite files: commits gathered into one write each, seen by
//! connections of the default VFS, and transactions that spill, checkpoint, restart
//! the log or write more than the limit keep every row.

use rusqlite::{Connection, OpenFlags, params};

fn writer(path: &std::path::Path) -> Connection {
    writer_syncing(path, "FULL")
}

fn writer_syncing(path: &std::path::Path, synchronous: &str) -> Connection {
    let vfs = kindling_wal_gather::register().expect("registered");
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
    let connection = Connection::open_with_flags_and_vfs(path, flags, vfs).expect("opened");
    connection.pragma_update(None, "journal_mode", "WAL").expect("WAL");
    connection.pragma_update(None, "synchronous", synchronous).expect("synchronous");
    connection
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        )
        .expect("table");
    connection
}

fn count(path: &std::path::Path) -> i64 {
    let reader = Connection::open(path).expect("a default VFS connection");
    reader.query_row("SELECT count(*) FROM rows", [], |row| row.get(0)).expect("counted")
}

/// SQLite's own check of the file, as read by `connection`: "ok" when sound.
fn integrity(connection: &Connection) -> String {
    connection.query_row("PRAGMA integrity_check", [], |row| row.get(0)).expect("checked")
}

fn insert(connection: &mut Connection, rows: usize, size: usize) {
    let transaction = connection.transaction().expect("began");
    {
        let mut statement =
            transaction.prepare_cached("INSERT INTO rows (body) VALUES (?1)").expect("prepared");
        for n in 0..rows {
            statement.execute(params![format!("{n:0size$}")]).expect("inserted");
        }
    }
    transaction.commit().expect("committed");
}

#[test]
fn every_commit_is_seen_by_other_connections_and_written_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("gather.db");
    let mut connection = writer(&path);
    for round in 1..=50 {
        let before = kindling_wal_gather::stats();
        insert(&mut connection, 20, 300);
        let after = kindling_wal_gather::stats();
        assert_eq!(count(&path), round * 20, "a committed row is visible at once");
        let gathered = after.gathered - before.gathered;
        let written = after.written - before.written;
        // Other tests of this process may write at the same time: only this test's
        // share is bounded, so the counts are checked over several frames at least.
        assert!(gathered >= 4, "a commit of several pages writes several frames: {gathered}");
        assert!(written < gathered, "{written} writes for {gathered} frames");
    }
    drop(connection);
    assert_eq!(integrity(&Connection::open(&path).expect("reopened")), "ok");
}

#[test]
fn without_a_sync_each_commit_is_in_the_file_before_it_is_published() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("normal.db");
    let mut connection = writer_syncing(&path, "NORMAL");
    let reader = Connection::open(&path).expect("a default VFS connection");
    for round in 1..=50 {
        insert(&mut connection, 20, 300);
        // The reader reads the commit's frames from the file: pages kept in memory
        // would read as missing or stale.
        let (rows, length): (i64, i64) = reader
            .query_row("SELECT count(*), sum(length(body)) FROM rows", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .expect("read the newest commit");
        assert_eq!((rows, length), (round * 20, round * 20 * 300));
    }
    drop(connection);
    assert_eq!(integrity(&reader), "ok");
}

#[test]
fn a_transaction_larger_than_the_cache_and_the_limit_keeps_every_row() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("spill.db");
    let mut connection = writer(&path);
    // A cache of 16 pages makes SQLite write pages to the log before the commit and
    // read them back; 3 MB passes, many times, the limit of what is
    // kept in memory.
    connection.pragma_update(None, "cache_size", 16).expect("cache");
    let transaction = connection.transaction().expect("began");
    {
        let mut statement =
            transaction.prepare("INSERT INTO rows (body) VALUES (?1)").expect("prepared");
        for n in 0..3_000 {
            statement.execute(params![format!("{n:01000}")]).expect("inserted");
        }
    }
    // The newest rows' pages went to the log last: read back before any other write.
    let newest: i64 = transaction
        .query_row("SELECT sum(length(body)) FROM rows WHERE id > 2800", [], |row| row.get(0))
        .expect("read pages written to the log");
    assert_eq!(newest, 200 * 1_000);
    let updated = transaction
        .execute("UPDATE rows SET body = body || 'x' WHERE id % 3 = 0", [])
        .expect("rewrote pages written to the log");
    assert_eq!(updated, 1_000);
    transaction.commit().expect("committed");
    let reader = Connection::open(&path).expect("reader");
    assert_eq!(integrity(&reader), "ok");
    let rows: (i64, i64) = reader
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE body = printf('%01000d', id - 1) || 'x') FROM rows",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("counted");
    assert_eq!(rows, (3_000, 1_000));
}

#[test]
fn checkpoints_and_a_restarted_log_keep_every_row() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("restart.db");
    let mut connection = writer(&path);
    let checkpointer = Connection::open(&path).expect("checkpointer");
    for round in 1..=30 {
        insert(&mut connection, 50, 200);
        if round % 5 == 0 {
            // The next commit starts the log over from its first frame.
            let busy: i64 = checkpointer
                .query_row("PRAGMA wal_checkpoint(RESTART)", [], |row| row.get(0))
                .expect("checkpointed");
            assert_eq!(busy, 0);
        }
        assert_eq!(count(&path), round * 50);
    }
    drop(connection);
    drop(checkpointer);
    let reader = Connection::open(&path).expect("reopened");
    let rows: i64 = reader.query_row("SELECT count(*) FROM rows", [], |row| row.get(0)).expect("n");
    assert_eq!(rows, 1_500);
}
