//! Admin accounts on PostgreSQL: users, sessions, API tokens and the audit log
//! ([`AccountReads`] on the pool, [`AccountWrites`] on the write's transaction). Rows
//! a change depends on (the user changed, the active owners) are held `FOR UPDATE`, so
//! two collectors cannot both remove the last two owners.

use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use super::PostgresStore;
use super::tx::PgTx;
use crate::store::accounts::{
    AccountReads, AccountWrites, AuditEntry, NewAuditEntry, SessionRow, TokenRow, UserRow,
};
use crate::store::error::StoreResult;

const USER: &str = "u.id, u.email, u.password_hash, u.role, u.active, u.failed_logins,
    u.locked_until_ms, u.created_ms, u.updated_ms";

fn user_of(row: &PgRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        role: row.try_get("role")?,
        active: row.try_get("active")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until_ms: row.try_get("locked_until_ms")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

/// A token from a row whose token columns are named with the `token_` prefix where
/// they would clash with the user's.
fn token_of(row: &PgRow, id: &str, created: &str) -> Result<TokenRow, sqlx::Error> {
    Ok(TokenRow {
        id: row.try_get(id)?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        hash: row.try_get("hash")?,
        role: row.try_get("token_role")?,
        created_ms: row.try_get(created)?,
        last_used_ms: row.try_get("last_used_ms")?,
    })
}

const TOKEN_AS: &str = "t.id AS token_id, t.user_id, t.name, t.hash, t.role AS token_role,
    t.created_ms AS token_created_ms, t.last_used_ms";

async fn user_where(
    connection: &mut PgConnection,
    column: &str,
    value: &str,
    lock: bool,
) -> StoreResult<Option<UserRow>> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {USER} FROM admin_users AS u WHERE u.{column} = $1{lock}");
    let row = sqlx::query(&sql).bind(value).fetch_optional(&mut *connection).await?;
    Ok(row.as_ref().map(user_of).transpose()?)
}

/// Runs `sql` with the `text` parameters first, then the `numbers`.
async fn execute<const T: usize, const N: usize>(
    connection: &mut PgConnection,
    sql: &'static str,
    text: [&str; T],
    numbers: [Option<i64>; N],
) -> StoreResult<u64> {
    let mut query = sqlx::query(sql);
    for value in text {
        query = query.bind(value);
    }
    for value in numbers {
        query = query.bind(value);
    }
    Ok(query.execute(&mut *connection).await?.rows_affected())
}

#[async_trait]
impl AccountReads for PostgresStore {
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        user_where(&mut *self.pool.acquire().await?, "email", email, false).await
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
        user_where(&mut *self.pool.acquire().await?, "id", id, false).await
    }

    async fn users(&self) -> StoreResult<Vec<UserRow>> {
        let sql = format!("SELECT {USER} FROM admin_users AS u ORDER BY u.email");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(user_of).collect::<Result<_, _>>()?)
    }

    async fn session_user(&self, id_hash: &str) -> StoreResult<Option<(SessionRow, UserRow)>> {
        let sql = format!(
            "SELECT s.id_hash, s.user_id, s.created_ms AS session_created_ms, s.last_seen_ms,
                {USER}
             FROM admin_sessions AS s JOIN admin_users AS u ON u.id = s.user_id
             WHERE s.id_hash = $1"
        );
        let Some(row) = sqlx::query(&sql).bind(id_hash).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let session = SessionRow {
            id_hash: row.try_get("id_hash")?,
            user_id: row.try_get("user_id")?,
            created_ms: row.try_get("session_created_ms")?,
            last_seen_ms: row.try_get("last_seen_ms")?,
        };
        Ok(Some((session, user_of(&row)?)))
    }

    async fn token_user(&self, hash: &str) -> StoreResult<Option<(TokenRow, UserRow)>> {
        let sql = format!(
            "SELECT {TOKEN_AS}, {USER}
             FROM api_tokens AS t JOIN admin_users AS u ON u.id = t.user_id WHERE t.hash = $1"
        );
        let Some(row) = sqlx::query(&sql).bind(hash).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        Ok(Some((token_of(&row, "token_id", "token_created_ms")?, user_of(&row)?)))
    }

    async fn tokens(&self, user: Option<&str>) -> StoreResult<Vec<TokenRow>> {
        let sql = format!(
            "SELECT {TOKEN_AS} FROM api_tokens AS t WHERE $1::TEXT IS NULL OR t.user_id = $1
             ORDER BY t.created_ms DESC, t.id DESC"
        );
        let rows = sqlx::query(&sql).bind(user).fetch_all(&self.pool).await?;
        let tokens = rows.iter().map(|row| token_of(row, "token_id", "token_created_ms"));
        Ok(tokens.collect::<Result<_, _>>()?)
    }

    async fn audit(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at_ms, actor_id, actor_email, action, subject, detail FROM audit_log
             WHERE $1::BIGINT IS NULL OR id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let entries = rows.iter().map(|row| {
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at_ms: row.try_get("at_ms")?,
                actor_id: row.try_get("actor_id")?,
                actor_email: row.try_get("actor_email")?,
                action: row.try_get("action")?,
                subject: row.try_get("subject")?,
                detail: row.try_get("detail")?,
            })
        });
        entries.collect::<Result<_, sqlx::Error>>().map_err(Into::into)
    }
}

impl AccountWrites for PgTx {
    fn insert_user(&mut self, user: &UserRow) -> StoreResult<bool> {
        let insert = sqlx::query(
            "INSERT INTO admin_users (id, email, password_hash, role, active, failed_logins,
                locked_until_ms, created_ms, updated_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (email) DO NOTHING",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(&user.role)
        .bind(user.active)
        .bind(user.failed_logins)
        .bind(user.locked_until_ms)
        .bind(user.created_ms)
        .bind(user.updated_ms);
        let done = self.run(|connection| insert.execute(connection))?;
        Ok(done.rows_affected() == 1)
    }

    fn lock_user(&mut self, id: &str) -> StoreResult<Option<UserRow>> {
        self.run(|connection| user_where(connection, "id", id, true))
    }

    fn active_owners(&mut self) -> StoreResult<Vec<String>> {
        let select = sqlx::query_scalar(
            "SELECT id FROM admin_users WHERE role = 'owner' AND active ORDER BY id FOR UPDATE",
        );
        Ok(self.run(|connection| select.fetch_all(connection))?)
    }

    fn set_role(&mut self, id: &str, role: &str, now_ms: i64) -> StoreResult<()> {
        let sql = "UPDATE admin_users SET role = $2, updated_ms = $3 WHERE id = $1";
        self.run(|connection| execute(connection, sql, [id, role], [Some(now_ms)]))?;
        Ok(())
    }

    fn set_active(&mut self, id: &str, active: bool, now_ms: i64) -> StoreResult<()> {
        let update =
            sqlx::query("UPDATE admin_users SET active = $2, updated_ms = $3 WHERE id = $1")
                .bind(id)
                .bind(active)
                .bind(now_ms);
        self.run(|connection| update.execute(connection))?;
        Ok(())
    }

    fn set_password(&mut self, id: &str, password_hash: &str, now_ms: i64) -> StoreResult<()> {
        let sql = "UPDATE admin_users SET password_hash = $2, updated_ms = $3 WHERE id = $1";
        self.run(|connection| execute(connection, sql, [id, password_hash], [Some(now_ms)]))?;
        Ok(())
    }

    fn set_login_state(
        &mut self,
        id: &str,
        failed_logins: i64,
        locked_until_ms: Option<i64>,
    ) -> StoreResult<()> {
        let sql = "UPDATE admin_users SET failed_logins = $2, locked_until_ms = $3 WHERE id = $1";
        let numbers = [Some(failed_logins), locked_until_ms];
        self.run(|connection| execute(connection, sql, [id], numbers))?;
        Ok(())
    }

    fn delete_user(&mut self, id: &str) -> StoreResult<bool> {
        self.run(|connection| async move {
            execute(connection, "DELETE FROM admin_sessions WHERE user_id = $1", [id], []).await?;
            execute(connection, "DELETE FROM api_tokens WHERE user_id = $1", [id], []).await?;
            execute(connection, "DELETE FROM admin_users WHERE id = $1", [id], []).await
        })
        .map(|deleted| deleted == 1)
    }

    fn insert_session(&mut self, session: &SessionRow) -> StoreResult<()> {
        let sql = "INSERT INTO admin_sessions (id_hash, user_id, created_ms, last_seen_ms)
             VALUES ($1, $2, $3, $4)";
        let text = [session.id_hash.as_str(), session.user_id.as_str()];
        let numbers = [Some(session.created_ms), Some(session.last_seen_ms)];
        self.run(|connection| execute(connection, sql, text, numbers))?;
        Ok(())
    }

    fn touch_session(&mut self, id_hash: &str, now_ms: i64) -> StoreResult<()> {
        let sql = "UPDATE admin_sessions SET last_seen_ms = $2 WHERE id_hash = $1";
        self.run(|connection| execute(connection, sql, [id_hash], [Some(now_ms)]))?;
        Ok(())
    }

    fn delete_session(&mut self, id_hash: &str) -> StoreResult<bool> {
        let sql = "DELETE FROM admin_sessions WHERE id_hash = $1";
        Ok(self.run(|connection| execute(connection, sql, [id_hash], []))? == 1)
    }

    fn delete_user_sessions(&mut self, user: &str) -> StoreResult<u64> {
        let sql = "DELETE FROM admin_sessions WHERE user_id = $1";
        self.run(|connection| execute(connection, sql, [user], []))
    }

    fn delete_sessions_before(
        &mut self,
        seen_before_ms: i64,
        created_before_ms: i64,
    ) -> StoreResult<u64> {
        let sql = "DELETE FROM admin_sessions WHERE last_seen_ms < $1 OR created_ms < $2";
        let numbers = [Some(seen_before_ms), Some(created_before_ms)];
        self.run(|connection| execute(connection, sql, [], numbers))
    }

    fn insert_token(&mut self, token: &TokenRow) -> StoreResult<()> {
        let sql = "INSERT INTO api_tokens (id, user_id, name, hash, role, created_ms, last_used_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let text = [&*token.id, &*token.user_id, &*token.name, &*token.hash, &*token.role];
        let numbers = [Some(token.created_ms), token.last_used_ms];
        self.run(|connection| execute(connection, sql, text, numbers))?;
        Ok(())
    }

    fn token_by_id(&mut self, id: &str) -> StoreResult<Option<TokenRow>> {
        let sql = format!("SELECT {TOKEN_AS} FROM api_tokens AS t WHERE t.id = $1");
        let row = self.run(|connection| sqlx::query(&sql).bind(id).fetch_optional(connection))?;
        Ok(row.map(|row| token_of(&row, "token_id", "token_created_ms")).transpose()?)
    }

    fn touch_token(&mut self, id: &str, now_ms: i64) -> StoreResult<()> {
        let sql = "UPDATE api_tokens SET last_used_ms = $2 WHERE id = $1";
        self.run(|connection| execute(connection, sql, [id], [Some(now_ms)]))?;
        Ok(())
    }

    fn delete_token(&mut self, id: &str) -> StoreResult<bool> {
        let sql = "DELETE FROM api_tokens WHERE id = $1";
        Ok(self.run(|connection| execute(connection, sql, [id], []))? == 1)
    }

    fn append_audit(&mut self, entry: &NewAuditEntry<'_>) -> StoreResult<i64> {
        let insert = sqlx::query_scalar(
            "INSERT INTO audit_log (at_ms, actor_id, actor_email, action, subject, detail)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(entry.at_ms)
        .bind(entry.actor_id)
        .bind(entry.actor_email)
        .bind(entry.action)
        .bind(entry.subject)
        .bind(entry.detail);
        Ok(self.run(|connection| insert.fetch_one(connection))?)
    }
}
