//! Storage: the [`Store`] trait and its backends — SQLite (one file, the default) and
//! PostgreSQL (shared by several collectors) — chosen by the database URL's scheme.
//! Each backend owns its migrations folder (`migrations/<backend>/`), embedded in the
//! binary and applied at start-up.

mod backend;
mod group;
pub(crate) mod outbox;
pub(crate) mod people;
mod postgres;
mod sqlite;
pub(crate) mod submissions;

use std::sync::Arc;

use async_trait::async_trait;

pub use outbox::{OutboxMessage, OutboxState};
pub use people::{LeadFilter, ProfileKey, ProfileState, ProfileView};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use submissions::{
    CONFIRMATION_DAYS, Confirmation, Confirmed, ConsentGiven, FormCounts, SubmissionRecord,
};

/// An event as stored: what the client sent plus what the collector derived.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredEvent {
    pub id: String,
    pub site: String,
    pub visitor: String,
    pub session: String,
    pub kind: String,
    pub url: String,
    pub title: Option<String>,
    pub referrer: Option<String>,
    pub name: Option<String>,
    pub target: Option<String>,
    pub value: Option<f64>,
    /// Custom properties as a JSON object.
    pub props: Option<String>,
    /// The visit's channel and campaign, on pageviews.
    pub channel: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    /// `network:value` of an ad click id.
    pub click_id: Option<String>,
    pub device: Option<String>,
    /// Sent by a crawler or an automated browser: stored, never scored.
    pub bot: bool,
    /// The collector's clock when the event arrived (the authority).
    pub received_ms: i64,
    /// The client's clock minus the collector's, clamped.
    pub client_offset_ms: i64,
}

impl StoredEvent {
    /// An event with only its identity, kind, page and time, nothing derived: what the
    /// collector records itself or on a server's behalf. Set the other fields after.
    pub fn new(
        id: &str,
        site: &str,
        visitor: &str,
        session: &str,
        kind: &str,
        url: &str,
        received_ms: i64,
    ) -> Self {
        StoredEvent {
            id: id.to_owned(),
            site: site.to_owned(),
            visitor: visitor.to_owned(),
            session: session.to_owned(),
            kind: kind.to_owned(),
            url: url.to_owned(),
            title: None,
            referrer: None,
            name: None,
            target: None,
            value: None,
            props: None,
            channel: None,
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            utm_term: None,
            utm_content: None,
            click_id: None,
            device: None,
            bot: false,
            received_ms,
            client_offset_ms: 0,
        }
    }
}

/// One request's events and what they say of their visitor, committed together.
#[derive(Debug, Clone)]
pub struct WriteBatch {
    pub site: String,
    pub visitor: String,
    /// The visitor's visit number, as the widget counts it.
    pub visit: u32,
    pub seen_ms: i64,
    pub bot: bool,
    pub events: Vec<StoredEvent>,
    /// How the site's profiles evolve (scoring, segments, stages).
    pub model: Arc<crate::profiles::ProfileModel>,
    /// A lead form submission the batch's `form_submit` event carries: stored in the
    /// same transaction, or, when it repeats an earlier one, not stored at all.
    pub submission: Option<Box<SubmissionRecord>>,
}

/// What a committed [`WriteBatch`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    pub outcome: InsertOutcome,
    pub visitor: kindling_core::wire::VisitorSummary,
    /// Events refused by the profile (impressions over their block's caps), not stored.
    pub refused: Vec<crate::profiles::exposures::Refused>,
    /// The visitor's person after the commit (none for bot traffic).
    pub person: Option<std::sync::Arc<crate::profiles::Person>>,
    /// The commit changed the person's temperature, stage or segments.
    pub changed: bool,
    /// The batch's submission repeated this earlier one, so nothing was stored.
    pub repeat_of: Option<String>,
}

/// Persons one decay pass reads at most per site.
pub const DECAY_BATCH: i64 = 1000;

/// What an insert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsertOutcome {
    pub inserted: u32,
    pub duplicates: u32,
}

/// Filters for reading events back, newest first.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub site: String,
    pub visitor: Option<String>,
    pub kind: Option<String>,
    pub limit: u32,
}

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    #[error("the group commit lane stopped")]
    LaneStopped,
    #[error("cannot start the database's checkpointer thread: {0}")]
    Checkpointer(std::io::Error),
    #[error("{0}")]
    Vfs(#[from] kindling_wal_gather::RegisterError),
}

/// The collector's durable state. One implementation per database backend.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The person `visitor` belongs to; none for a visitor never seen.
    async fn person_of_visitor(
        &self,
        site: &str,
        visitor: &str,
    ) -> Result<Option<crate::profiles::Person>, StoreError>;

    /// Counts of block events per block and variant received in `[from_ms, until_ms)`,
    /// bot traffic left out.
    async fn block_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<crate::personalize::report::VariantCounts>, StoreError>;

    /// Stores every batch in one transaction (group commit), updating each visitor's
    /// counts; event ids already stored count as duplicates. Returns, in order, what
    /// each batch did, only after the transaction is committed.
    async fn commit(&self, batches: &[WriteBatch]) -> Result<Vec<Committed>, StoreError>;

    /// [`Store::commit`] on the calling thread, which must not be a runtime's: for the
    /// groups a backend can commit without the runtime (SQLite's ordinary traffic, on
    /// its group commit lane); none for the others, which go through `commit`.
    fn commit_blocking(&self, batches: &[WriteBatch])
    -> Option<Result<Vec<Committed>, StoreError>>;

    /// Everything stored about one person.
    async fn profile(
        &self,
        site: &str,
        key: &ProfileKey,
    ) -> Result<Option<ProfileView>, StoreError>;

    /// Known persons matching `filter`, best score first.
    async fn leads(
        &self,
        site: &str,
        filter: &LeadFilter,
    ) -> Result<Vec<crate::profiles::Person>, StoreError>;

    /// Sets a person's stage by hand; none if there is no such person.
    async fn set_stage(
        &self,
        site: &str,
        id: &str,
        stage: crate::profiles::Stage,
        cause: &str,
        model: &crate::profiles::ProfileModel,
        now_ms: i64,
    ) -> Result<Option<ProfileState>, StoreError>;

    /// Makes `visitor` one of `person`'s visitors (for events sent by servers on a
    /// person's behalf).
    async fn attach_visitor(
        &self,
        site: &str,
        visitor: &str,
        person: &str,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    /// Deletes a person with its visitors, events and history; false if unknown.
    async fn delete_person(&self, site: &str, id: &str) -> Result<bool, StoreError>;

    /// Applies the inactivity decay due now; returns how many persons changed.
    async fn decay(
        &self,
        site: &str,
        model: &crate::profiles::ProfileModel,
        now_ms: i64,
    ) -> Result<u32, StoreError>;

    /// Counts a refused spam submission of `form`.
    async fn count_spam(
        &self,
        site: &str,
        form: &str,
        reason: &str,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    /// Confirms a double opt-in submission by its token.
    async fn confirm(&self, token: &str, now_ms: i64) -> Result<Confirmed, StoreError>;

    /// A site's double opt-in tokens, newest first; only unconfirmed ones if `pending`.
    async fn confirmations(
        &self,
        site: &str,
        pending: bool,
        limit: u32,
    ) -> Result<Vec<Confirmation>, StoreError>;

    /// The counts form reports are built from, for `[from_ms, until_ms)`.
    async fn form_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> Result<FormCounts, StoreError>;

    /// Stores a webhook message in the outbox, pending; an id already stored is kept
    /// as it is.
    async fn enqueue(&self, message: &OutboxMessage) -> Result<(), StoreError>;

    /// Claims up to `limit` due outbox messages, only the oldest pending one of each
    /// lead, and leases them until `lease_until_ms` (see `store::outbox`).
    async fn claim_due(
        &self,
        now_ms: i64,
        limit: u32,
        lease_until_ms: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// A pending message was delivered.
    async fn mark_delivered(&self, id: &str, now_ms: i64) -> Result<(), StoreError>;

    /// A pending message's attempt failed: try again at `next_attempt_ms`.
    async fn reschedule(
        &self,
        id: &str,
        next_attempt_ms: i64,
        error: &str,
    ) -> Result<(), StoreError>;

    /// A pending message's last attempt failed and its retry window is over.
    async fn mark_dead(&self, id: &str, error: &str, now_ms: i64) -> Result<(), StoreError>;

    /// A site's dead messages, oldest first.
    async fn dead_letters(&self, site: &str, limit: u32) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Makes a dead message pending again, due now, attempts reset; false if `site`
    /// has no dead message `id`.
    async fn replay(&self, site: &str, id: &str, now_ms: i64) -> Result<bool, StoreError>;

    /// Persons with a workflow step due at `now_ms`, as (site, id), earliest first.
    async fn due_runs(&self, now_ms: i64, limit: u32) -> Result<Vec<(String, String)>, StoreError>;

    /// A site's persons whose last activity is in `(after_ms, until_ms]`, as (id, last
    /// activity), least recently active first: candidates for an inactivity trigger.
    async fn quiet_persons(
        &self,
        site: &str,
        after_ms: i64,
        until_ms: i64,
        limit: u32,
    ) -> Result<Vec<(String, i64)>, StoreError>;

    /// Workflow steps taken in `[from_ms, until_ms)`, counted per workflow, step and
    /// outcome.
    async fn workflow_counts(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> Result<Vec<crate::automation::report::StepCount>, StoreError>;

    /// How far the inactivity workflow `workflow` has read persons' last activity.
    async fn quiet_cursor(&self, site: &str, workflow: &str) -> Result<Option<i64>, StoreError>;

    /// Moves that cursor forward to `through_ms` (never back).
    async fn advance_quiet_cursor(
        &self,
        site: &str,
        workflow: &str,
        through_ms: i64,
    ) -> Result<(), StoreError>;

    /// In one transaction that holds the person's row: loads the person, lets `steps`
    /// change it (with its stored history when asked), and saves the person, the lines
    /// explaining its changes and the outbox messages the steps produced. Nothing is
    /// saved when no step was taken.
    async fn automate(
        &self,
        site: &str,
        id: &str,
        now_ms: i64,
        steps: Arc<dyn crate::automation::runner::StepTaker>,
    ) -> Result<crate::automation::steps::Advanced, StoreError>;

    /// Reads events back, newest first.
    async fn events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, StoreError>;

    /// Succeeds when the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Opens (and migrates) the store named by `url`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
