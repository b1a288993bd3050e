//! Admin accounts on SQLite: users, sessions, API tokens and the audit log
//! ([`AccountReads`] on the readers, [`AccountWrites`] on the writer's transaction).

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::tx::SqliteTx;
use crate::store::accounts::{
    AccountReads, AccountWrites, AuditEntry, NewAuditEntry, SessionRow, TokenRow, UserRow,
};
use crate::store::error::StoreResult;

const USER: &str = "u.id, u.email, u.password_hash, u.role, u.active, u.failed_logins,
    u.locked_until_ms, u.created_ms, u.updated_ms";
const TOKEN: &str = "t.id, t.user_id, t.name, t.hash, t.role, t.created_ms, t.last_used_ms";

/// A user from the row's columns `at..at + 9` (in [`USER`]'s order).
fn user_at(row: &Row<'_>, at: usize) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: row.get(at)?,
        email: row.get(at + 1)?,
        password_hash: row.get(at + 2)?,
        role: row.get(at + 3)?,
        active: row.get(at + 4)?,
        failed_logins: row.get(at + 5)?,
        locked_until_ms: row.get(at + 6)?,
        created_ms: row.get(at + 7)?,
        updated_ms: row.get(at + 8)?,
    })
}

/// A token from the row's first 7 columns (in [`TOKEN`]'s order).
fn token_of(row: &Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok(TokenRow {
        id: row.get(0)?,
        user_id: row.get(1)?,
        name: row.get(2)?,
        hash: row.get(3)?,
        role: row.get(4)?,
        created_ms: row.get(5)?,
        last_used_ms: row.get(6)?,
    })
}

fn user_where(connection: &Connection, column: &str, value: &str) -> StoreResult<Option<UserRow>> {
    let sql = format!("SELECT {USER} FROM admin_users AS u WHERE u.{column} = ?1");
    Ok(connection.prepare_cached(&sql)?.query_row([value], |row| user_at(row, 0)).optional()?)
}

fn users(connection: &Connection) -> StoreResult<Vec<UserRow>> {
    let sql = format!("SELECT {USER} FROM admin_users AS u ORDER BY u.email");
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map([], |row| user_at(row, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn session_user(
    connection: &Connection,
    id_hash: &str,
) -> StoreResult<Option<(SessionRow, UserRow)>> {
    let sql = format!(
        "SELECT s.id_hash, s.user_id, s.created_ms, s.last_seen_ms, {USER}
         FROM admin_sessions AS s JOIN admin_users AS u ON u.id = s.user_id
         WHERE s.id_hash = ?1"
    );
    let found = connection
        .prepare_cached(&sql)?
        .query_row([id_hash], |row| {
            let session = SessionRow {
                id_hash: row.get(0)?,
                user_id: row.get(1)?,
                created_ms: row.get(2)?,
                last_seen_ms: row.get(3)?,
            };
            Ok((session, user_at(row, 4)?))
        })
        .optional()?;
    Ok(found)
}

fn token_user(connection: &Connection, hash: &str) -> StoreResult<Option<(TokenRow, UserRow)>> {
    let sql = format!(
        "SELECT {TOKEN}, {USER} FROM api_tokens AS t JOIN admin_users AS u ON u.id = t.user_id
         WHERE t.hash = ?1"
    );
    let found = connection
        .prepare_cached(&sql)?
        .query_row([hash], |row| Ok((token_of(row)?, user_at(row, 7)?)))
        .optional()?;
    Ok(found)
}

fn tokens(connection: &Connection, user: Option<&str>) -> StoreResult<Vec<TokenRow>> {
    let sql = format!(
        "SELECT {TOKEN} FROM api_tokens AS t WHERE ?1 IS NULL OR t.user_id = ?1
         ORDER BY t.created_ms DESC, t.id DESC"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map([user], token_of)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn audit(connection: &Connection, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditEntry>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, at_ms, actor_id, actor_email, action, subject, detail FROM audit_log
         WHERE ?1 IS NULL OR id < ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![before, i64::from(limit)], |row| {
        Ok(AuditEntry {
            id: row.get(0)?,
            at_ms: row.get(1)?,
            actor_id: row.get(2)?,
            actor_email: row.get(3)?,
            action: row.get(4)?,
            subject: row.get(5)?,
            detail: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[async_trait]
impl AccountReads for SqliteStore {
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        let email = email.to_owned();
        self.readers.read(move |connection| user_where(connection, "email", &email)).await
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
        let id = id.to_owned();
        self.readers.read(move |connection| user_where(connection, "id", &id)).await
    }

    async fn users(&self) -> StoreResult<Vec<UserRow>> {
        self.readers.read(users).await
    }

    async fn session_user(&self, id_hash: &str) -> StoreResult<Option<(SessionRow, UserRow)>> {
        let id_hash = id_hash.to_owned();
        self.readers.read(move |connection| session_user(connection, &id_hash)).await
    }

    async fn token_user(&self, hash: &str) -> StoreResult<Option<(TokenRow, UserRow)>> {
        let hash = hash.to_owned();
        self.readers.read(move |connection| token_user(connection, &hash)).await
    }

    async fn tokens(&self, user: Option<&str>) -> StoreResult<Vec<TokenRow>> {
        let user = user.map(str::to_owned);
        self.readers.read(move |connection| tokens(connection, user.as_deref())).await
    }

    async fn audit(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        self.readers.read(move |connection| audit(connection, before, limit)).await
    }
}

impl AccountWrites for SqliteTx<'_> {
    fn insert_user(&mut self, user: &UserRow) -> StoreResult<bool> {
        let inserted = self
            .connection()
            .prepare_cached(
                "INSERT INTO admin_users (id, email, password_hash, role, active, failed_logins,
                locked_until_ms, created_ms, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (email) DO NOTHING",
            )?
            .execute(params![
                user.id,
                user.email,
                user.password_hash,
                user.role,
                user.active,
                user.failed_logins,
                user.locked_until_ms,
                user.created_ms,
                user.updated_ms
            ])?;
        Ok(inserted == 1)
    }

    fn lock_user(&mut self, id: &str) -> StoreResult<Option<UserRow>> {
        // The writer's transaction holds the whole database already.
        user_where(self.connection(), "id", id)
    }

    fn active_owners(&mut self) -> StoreResult<Vec<String>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT id FROM admin_users WHERE role = 'owner' AND active ORDER BY id",
        )?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_role(&mut self, id: &str, role: &str, now_ms: i64) -> StoreResult<()> {
        self.connection()
            .prepare_cached("UPDATE admin_users SET role = ?2, updated_ms = ?3 WHERE id = ?1")?
            .execute(params![id, role, now_ms])?;
        Ok(())
    }

    fn set_active(&mut self, id: &str, active: bool, now_ms: i64) -> StoreResult<()> {
        self.connection()
            .prepare_cached("UPDATE admin_users SET active = ?2, updated_ms = ?3 WHERE id = ?1")?
            .execute(params![id, active, now_ms])?;
        Ok(())
    }

    fn set_password(&mut self, id: &str, password_hash: &str, now_ms: i64) -> StoreResult<()> {
        self.connection()
            .prepare_cached(
                "UPDATE admin_users SET password_hash = ?2, updated_ms = ?3 WHERE id = ?1",
            )?
            .execute(params![id, password_hash, now_ms])?;
        Ok(())
    }

    fn set_login_state(
        &mut self,
        id: &str,
        failed_logins: i64,
        locked_until_ms: Option<i64>,
    ) -> StoreResult<()> {
        self.connection()
            .prepare_cached(
                "UPDATE admin_users SET failed_logins = ?2, locked_until_ms = ?3 WHERE id = ?1",
            )?
            .execute(params![id, failed_logins, locked_until_ms])?;
        Ok(())
    }

    fn delete_user(&mut self, id: &str) -> StoreResult<bool> {
        let connection = self.connection();
        connection
            .prepare_cached("DELETE FROM admin_sessions WHERE user_id = ?1")?
            .execute([id])?;
        connection.prepare_cached("DELETE FROM api_tokens WHERE user_id = ?1")?.execute([id])?;
        let deleted =
            connection.prepare_cached("DELETE FROM admin_users WHERE id = ?1")?.execute([id])?;
        Ok(deleted == 1)
    }

    fn insert_session(&mut self, session: &SessionRow) -> StoreResult<()> {
        self.connection()
            .prepare_cached(
                "INSERT INTO admin_sessions (id_hash, user_id, created_ms, last_seen_ms)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                session.id_hash,
                session.user_id,
                session.created_ms,
                session.last_seen_ms
            ])?;
        Ok(())
    }

    fn touch_session(&mut self, id_hash: &str, now_ms: i64) -> StoreResult<()> {
        self.connection()
            .prepare_cached("UPDATE admin_sessions SET last_seen_ms = ?2 WHERE id_hash = ?1")?
            .execute(params![id_hash, now_ms])?;
        Ok(())
    }

    fn delete_session(&mut self, id_hash: &str) -> StoreResult<bool> {
        let deleted = self
            .connection()
            .prepare_cached("DELETE FROM admin_sessions WHERE id_hash = ?1")?
            .execute([id_hash])?;
        Ok(deleted == 1)
    }

    fn delete_user_sessions(&mut self, user: &str) -> StoreResult<u64> {
        let deleted = self
            .connection()
            .prepare_cached("DELETE FROM admin_sessions WHERE user_id = ?1")?
            .execute([user])?;
        Ok(deleted as u64)
    }

    fn delete_sessions_before(
        &mut self,
        seen_before_ms: i64,
        created_before_ms: i64,
    ) -> StoreResult<u64> {
        let deleted = self
            .connection()
            .prepare_cached(
                "DELETE FROM admin_sessions WHERE last_seen_ms < ?1 OR created_ms < ?2",
            )?
            .execute([seen_before_ms, created_before_ms])?;
        Ok(deleted as u64)
    }

    fn insert_token(&mut self, token: &TokenRow) -> StoreResult<()> {
        self.connection()
            .prepare_cached(
                "INSERT INTO api_tokens (id, user_id, name, hash, role, created_ms, last_used_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                token.id,
                token.user_id,
                token.name,
                token.hash,
                token.role,
                token.created_ms,
                token.last_used_ms
            ])?;
        Ok(())
    }

    fn token_by_id(&mut self, id: &str) -> StoreResult<Option<TokenRow>> {
        let sql = format!("SELECT {TOKEN} FROM api_tokens AS t WHERE t.id = ?1");
        Ok(self.connection().prepare_cached(&sql)?.query_row([id], token_of).optional()?)
    }

    fn touch_token(&mut self, id: &str, now_ms: i64) -> StoreResult<()> {
        self.connection()
            .prepare_cached("UPDATE api_tokens SET last_used_ms = ?2 WHERE id = ?1")?
            .execute(params![id, now_ms])?;
        Ok(())
    }

    fn delete_token(&mut self, id: &str) -> StoreResult<bool> {
        let deleted = self
            .connection()
            .prepare_cached("DELETE FROM api_tokens WHERE id = ?1")?
            .execute([id])?;
        Ok(deleted == 1)
    }

    fn append_audit(&mut self, entry: &NewAuditEntry<'_>) -> StoreResult<i64> {
        let id = self
            .connection()
            .prepare_cached(
                "INSERT INTO audit_log (at_ms, actor_id, actor_email, action, subject, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            )?
            .query_row(
                params![
                    entry.at_ms,
                    entry.actor_id,
                    entry.actor_email,
                    entry.action,
                    entry.subject,
                    entry.detail
                ],
                |row| row.get(0),
            )?;
        Ok(id)
    }
}
