//! The store's contract for admin accounts: users, their server-side sessions and API
//! tokens, and the audit log, as plain records ([`UserRow`], [`SessionRow`],
//! [`TokenRow`], [`AuditEntry`]) read through [`AccountReads`] (a supertrait of
//! [`Store`](crate::store::Store)) and written through [`AccountWrites`] (a supertrait
//! of [`WriteTx`](crate::store::WriteTx)).
//!
//! The store hashes nothing and decides nothing: sessions and tokens arrive already
//! hashed, expiry and lockout times are computed by the domain (`crate::accounts`), and
//! every method is a plain statement or two. The audit log is general: any domain that
//! changes something appends an entry in the same transaction
//! ([`AccountWrites::append_audit`]).

use async_trait::async_trait;

use crate::store::error::StoreResult;

/// An admin user as stored. `role` is `owner`, `editor` or `viewer`; `password_hash` is
/// a PHC string (`$argon2id$…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    /// Trimmed and lower-cased; unique.
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub active: bool,
    /// Wrong passwords since the last right one.
    pub failed_logins: i64,
    /// Refused until then, after too many wrong passwords.
    pub locked_until_ms: Option<i64>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// A signed-in browser: the SHA-256 (hex) of its cookie's id, never the id itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    pub created_ms: i64,
    /// Last use, as the domain last noted it (not on every request).
    pub last_seen_ms: i64,
}

/// An API token: the SHA-256 (hex) of the secret, never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct TokenRow {
    pub id: String,
    #[serde(rename = "user")]
    pub user_id: String,
    pub name: String,
    #[serde(skip)]
    pub hash: String,
    /// The most the token may do: its user's role, or a lower one chosen at creation.
    pub role: String,
    pub created_ms: i64,
    /// As last noted (at most about once a minute); none before its first use.
    pub last_used_ms: Option<i64>,
}

/// One line of the audit log: who did what to what, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Grows with every entry: pass the last one seen as `before` for the next page.
    pub id: i64,
    pub at_ms: i64,
    /// The acting user's id; none when nobody was signed in (a failed login).
    pub actor_id: Option<String>,
    pub actor_email: String,
    /// What was done, as `area.verb`: `user.add`, `token.revoke`, `login.failed`, …
    pub action: String,
    /// What it was done to: a user's email, a token's id, …
    pub subject: String,
    /// More about it, as a JSON object (text).
    pub detail: String,
}

/// An audit entry to append; the store numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAuditEntry<'a> {
    pub at_ms: i64,
    pub actor_id: Option<&'a str>,
    pub actor_email: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    /// A JSON object, as text.
    pub detail: &'a str,
}

/// Reads of accounts, on the store's read connections.
#[async_trait]
pub trait AccountReads: Send + Sync {
    /// The user with this (normalized) email.
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>>;

    /// The user with this id.
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>>;

    /// Every user, by email.
    async fn users(&self) -> StoreResult<Vec<UserRow>>;

    /// The session whose id hashes to `id_hash`, with its user.
    async fn session_user(&self, id_hash: &str) -> StoreResult<Option<(SessionRow, UserRow)>>;

    /// The API token whose secret hashes to `hash`, with its user.
    async fn token_user(&self, hash: &str) -> StoreResult<Option<(TokenRow, UserRow)>>;

    /// The API tokens of `user`, or everyone's, newest first.
    async fn tokens(&self, user: Option<&str>) -> StoreResult<Vec<TokenRow>>;

    /// Audit entries numbered below `before` (all when none), newest first.
    async fn audit(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditEntry>>;
}

/// Writes of accounts (and the reads they depend on), inside one transaction.
pub trait AccountWrites {
    /// Stores a new user; false (and nothing stored) when its email is taken.
    fn insert_user(&mut self, user: &UserRow) -> StoreResult<bool>;

    /// The user with this id, held until the transaction ends.
    fn lock_user(&mut self, id: &str) -> StoreResult<Option<UserRow>>;

    /// Ids of the active owners, held until the transaction ends.
    fn active_owners(&mut self) -> StoreResult<Vec<String>>;

    /// Sets a user's role.
    fn set_role(&mut self, id: &str, role: &str, now_ms: i64) -> StoreResult<()>;

    /// Activates or deactivates a user.
    fn set_active(&mut self, id: &str, active: bool, now_ms: i64) -> StoreResult<()>;

    /// Replaces a user's password hash.
    fn set_password(&mut self, id: &str, password_hash: &str, now_ms: i64) -> StoreResult<()>;

    /// Sets a user's wrong-password count and lock.
    fn set_login_state(
        &mut self,
        id: &str,
        failed_logins: i64,
        locked_until_ms: Option<i64>,
    ) -> StoreResult<()>;

    /// Deletes a user with its sessions and tokens; false if unknown.
    fn delete_user(&mut self, id: &str) -> StoreResult<bool>;

    /// Stores a new session.
    fn insert_session(&mut self, session: &SessionRow) -> StoreResult<()>;

    /// Notes a session's last use.
    fn touch_session(&mut self, id_hash: &str, now_ms: i64) -> StoreResult<()>;

    /// Deletes one session; false if unknown.
    fn delete_session(&mut self, id_hash: &str) -> StoreResult<bool>;

    /// Deletes every session of `user`; returns how many.
    fn delete_user_sessions(&mut self, user: &str) -> StoreResult<u64>;

    /// Deletes sessions last seen before `seen_before_ms` or created before
    /// `created_before_ms`; returns how many.
    fn delete_sessions_before(
        &mut self,
        seen_before_ms: i64,
        created_before_ms: i64,
    ) -> StoreResult<u64>;

    /// Stores a new API token.
    fn insert_token(&mut self, token: &TokenRow) -> StoreResult<()>;

    /// The API token with this id.
    fn token_by_id(&mut self, id: &str) -> StoreResult<Option<TokenRow>>;

    /// Notes a token's last use.
    fn touch_token(&mut self, id: &str, now_ms: i64) -> StoreResult<()>;

    /// Deletes an API token; false if unknown.
    fn delete_token(&mut self, id: &str) -> StoreResult<bool>;

    /// Appends an entry to the audit log; returns its number.
    fn append_audit(&mut self, entry: &NewAuditEntry<'_>) -> StoreResult<i64>;
}
