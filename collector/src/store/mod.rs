//! Storage: plain reads ([`Store`]) and writes inside one transaction ([`WriteTx`]) of
//! the records the store defines ([`records`]), with one backend per database, chosen
//! by the database URL's scheme:
//!
//! - [`sqlite`]: one file, the default, through rusqlite. One writer thread owns the
//!   only connection that writes; every write of the collector goes through it.
//! - [`postgres`]: shared by several collectors, through sqlx.
//!
//! The store knows no business rules: it never decodes a person's document, scores,
//! decides or enrols. The domain reads records, computes what changes, and hands the
//! store the records to save in the same transaction ([`write`]). Each backend owns its
//! migrations folder (`migrations/<backend>/`), embedded and applied at start-up. One
//! contract test suite (`tests/store_contract.rs`) runs against both backends.

pub mod accounts;
pub mod contract;
pub mod deliveries;
pub mod error;
pub mod form_reports;
pub mod health;
pub mod postgres;
pub mod records;
pub mod reports;
pub mod revisions;
pub mod sqlite;

use std::sync::Arc;

pub use accounts::{
    AccountReads, AccountWrites, AuditEntry, NewAuditEntry, SessionRow, TokenRow, UserRow,
};
pub use contract::{Store, StoreError, StoreResult, WriteTx, write, write_now};
pub use deliveries::{DeliveryCount, DeliveryReads, HandoffTime};
pub use form_reports::FormReportReads;
pub use health::WriteHealth;
pub use postgres::PostgresStore;
pub use records::{
    ActivePerson, Attempt, Confirmation, ConsentGiven, ConsentLine, DeviceState, DeviceView,
    EventQuery, FormCount, FormCounts, KnownOrder, KnownQuery, OutboxMessage, OutboxState,
    PersonKey, PersonLines, PersonRow, RemovedEvent, ScoreLine, SegmentLine, StageLine,
    StepCountRow, StepRecord, StoredEvent, StoredProfile, SubmissionRecord, VariantCounts,
    VisitorCounts, VisitorSeen,
};
pub use reports::{LeadScores, ReportReads, ReportWrites, TrafficDay};
pub use revisions::{NewRevision, PublishListener, RevisionReads, RevisionRow, RevisionWrites};
pub use sqlite::SqliteStore;

/// Opens (and migrates) the store named by `url`.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
