//! The SQLite schema's migrations (`migrations/sqlite/`), embedded in the binary and
//! applied in order at start-up, each in a transaction of its own. Applied versions are
//! recorded in `_sqlx_migrations`, in the layout sqlx's migrator uses, so databases
//! created by earlier collectors (which migrated through sqlx) carry on from where
//! they are.

use rusqlite::{Connection, params};
use sha2::{Digest, Sha384};

use crate::store::contract::{StoreError, StoreResult};

/// (version, description, SQL) of every migration, oldest first.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "events", include_str!("../../../migrations/sqlite/0001_events.sql")),
    (2, "tracking", include_str!("../../../migrations/sqlite/0002_tracking.sql")),
    (3, "profiles", include_str!("../../../migrations/sqlite/0003_profiles.sql")),
    (4, "blocks", include_str!("../../../migrations/sqlite/0004_blocks.sql")),
    (5, "forms", include_str!("../../../migrations/sqlite/0005_forms.sql")),
    (6, "outbox", include_str!("../../../migrations/sqlite/0006_outbox.sql")),
    (7, "workflows", include_str!("../../../migrations/sqlite/0007_workflows.sql")),
    (8, "known score index", include_str!("../../../migrations/sqlite/0008_known_score_index.sql")),
    (9, "workflow cursors", include_str!("../../../migrations/sqlite/0009_workflow_cursors.sql")),
    (10, "workflow steps", include_str!("../../../migrations/sqlite/0010_workflow_steps.sql")),
    (11, "persons by rowid", include_str!("../../../migrations/sqlite/0011_persons_by_rowid.sql")),
    (12, "write probe", include_str!("../../../migrations/sqlite/0012_write_probe.sql")),
    (13, "device views", include_str!("../../../migrations/sqlite/0013_device_views.sql")),
    (14, "accounts", include_str!("../../../migrations/sqlite/0014_accounts.sql")),
    (15, "config revisions", include_str!("../../../migrations/sqlite/0015_config_revisions.sql")),
    (
        16,
        "form records by person",
        include_str!("../../../migrations/sqlite/0016_form_records_by_person.sql"),
    ),
    (17, "reports", include_str!("../../../migrations/sqlite/0017_reports.sql")),
    (18, "delivery reports", include_str!("../../../migrations/sqlite/0018_delivery_reports.sql")),
    (
        19,
        "known quality index",
        include_str!("../../../migrations/sqlite/0019_known_quality_index.sql"),
    ),
    (20, "form rollups", include_str!("../../../migrations/sqlite/0020_form_rollups.sql")),
    (
        21,
        "score lines covering",
        include_str!("../../../migrations/sqlite/0021_score_lines_covering.sql"),
    ),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
        version BIGINT PRIMARY KEY,
        description TEXT NOT NULL,
        installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        success BOOLEAN NOT NULL,
        checksum BLOB NOT NULL,
        execution_time BIGINT NOT NULL
    )";

/// Applies the migrations `connection`'s database lacks; returns how many.
pub fn run(connection: &mut Connection) -> StoreResult<usize> {
    connection.execute(CREATE_TABLE, [])?;
    let failed: Option<i64> = connection.query_row(
        "SELECT MIN(version) FROM _sqlx_migrations WHERE NOT success",
        [],
        |row| row.get(0),
    )?;
    if let Some(version) = failed {
        return Err(StoreError::Migration(format!(
            "migration {version} failed earlier and left the database in an unknown state"
        )));
    }
    let latest: i64 = connection.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations",
        [],
        |row| row.get(0),
    )?;
    if let Some(&(newest, ..)) = MIGRATIONS.last()
        && latest > newest
    {
        return Err(StoreError::Migration(format!(
            "the database is at migration {latest}, newer than this collector's {newest}: \
             run the newer collector"
        )));
    }
    let mut applied = 0;
    for &(version, description, sql) in MIGRATIONS.iter().filter(|(version, ..)| *version > latest)
    {
        let started = std::time::Instant::now();
        let transaction = connection.transaction()?;
        transaction.execute_batch(sql).map_err(|error| {
            StoreError::Migration(format!("migration {version} ({description}): {error}"))
        })?;
        let elapsed = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
        transaction.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (?1, ?2, TRUE, ?3, ?4)",
            params![version, description, Sha384::digest(sql.as_bytes()).to_vec(), elapsed],
        )?;
        transaction.commit()?;
        applied += 1;
    }
    Ok(applied)
}
