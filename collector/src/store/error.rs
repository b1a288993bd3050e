//! The store's error type, and which errors say the store cannot write at all.

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    #[error("the database writer stopped")]
    WriterStopped,
    #[error("cannot start the database's {0} thread: {1}")]
    Thread(&'static str, std::io::Error),
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migration(error.to_string())
    }
}

/// Shorthand for the store's results.
pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Whether the error says the store cannot write at all (a full disk, a lost
    /// connection, a stopped writer), rather than refusing what one write holds.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => matches!(
                failure.code,
                rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::OutOfMemory
                    | rusqlite::ErrorCode::FileLockingProtocolFailed
                    | rusqlite::ErrorCode::PermissionDenied
            ),
            StoreError::Sqlite(_) | StoreError::Corrupt(_) => false,
            // By SQLSTATE class: connection (08), transaction rollback (40),
            // insufficient resources (53), operator intervention (57), system (58).
            StoreError::Postgres(sqlx::Error::Database(error)) => {
                error.code().is_some_and(|code| {
                    ["08", "40", "53", "57", "58"].iter().any(|c| code.starts_with(c))
                })
            }
            StoreError::Postgres(_)
            | StoreError::UnsupportedUrl(_)
            | StoreError::Migration(_)
            | StoreError::WriterStopped
            | StoreError::Thread(..) => true,
        }
    }
}
