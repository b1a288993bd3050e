//! Admin users: adding one (email trimmed and lower-cased, unique; an Argon2id hash of
//! the password), listing them, changing a role, a password or whether one may sign
//! in, and removing one. The last active owner can be neither demoted, deactivated
//! nor removed. A change of role or password, a deactivation and a removal end the
//! user's sessions in the same transaction, which also writes the audit entry.

use std::sync::Arc;

use serde_json::json;

use crate::accounts::actor::{Actor, Role};
use crate::accounts::audit;
use crate::accounts::error::AccountError;
use crate::accounts::password;
use crate::clock::unix_millis;
use crate::store::accounts::UserRow;
use crate::store::contract::{Store, write};

/// Longest email (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

/// A user as the admin API shows it: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub role: Role,
    /// Whether the user may sign in.
    pub active: bool,
    pub created_ms: i64,
    /// Locked after too many wrong passwords until then.
    pub locked_until_ms: Option<i64>,
}

impl UserView {
    /// The view of a stored user; an unknown role reads as the least one.
    pub fn of(row: &UserRow) -> UserView {
        UserView {
            id: row.id.clone(),
            email: row.email.clone(),
            role: role_of(row),
            active: row.active,
            created_ms: row.created_ms,
            locked_until_ms: row.locked_until_ms,
        }
    }
}

/// A stored user's role; an unknown one reads as the least.
pub fn role_of(row: &UserRow) -> Role {
    Role::parse(&row.role).unwrap_or(Role::Viewer)
}

/// `raw` trimmed and lower-cased, if it looks like an email address: one `@` with
/// something on each side, no spaces or control characters, at most 254 bytes.
pub fn normalize_email(raw: &str) -> Result<String, AccountError> {
    let email = raw.trim().to_lowercase();
    let shaped = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !domain.contains('@')
    });
    let clean = !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if shaped && clean && email.len() <= MAX_EMAIL {
        Ok(email)
    } else {
        Err(AccountError::InvalidEmail)
    }
}

/// Adds a user who may sign in at once.
pub async fn add(
    store: &Arc<dyn Store>,
    actor: &Actor,
    email: &str,
    password: String,
    role: Role,
) -> Result<UserView, AccountError> {
    let email = normalize_email(email)?;
    password::check(&password)?;
    let password_hash = password::hash_off_thread(password).await?;
    let now = unix_millis();
    let row = UserRow {
        id: uuid::Uuid::now_v7().to_string(),
        email,
        password_hash,
        role: role.as_str().to_owned(),
        active: true,
        failed_logins: 0,
        locked_until_ms: None,
        created_ms: now,
        updated_ms: now,
    };
    let view = UserView::of(&row);
    let actor = actor.clone();
    let added = write(store, move |tx| {
        if !tx.insert_user(&row)? {
            return Ok(false);
        }
        let detail = json!({"id": row.id, "role": row.role});
        audit::append(tx, &actor, "user.add", &row.email, &detail, now)?;
        Ok(true)
    })
    .await?;
    if added { Ok(view) } else { Err(AccountError::EmailTaken) }
}

/// Every user, by email.
pub async fn list(store: &Arc<dyn Store>) -> Result<Vec<UserView>, AccountError> {
    Ok(store.users().await?.iter().map(UserView::of).collect())
}

/// What to change about a user; what is none stays.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    pub role: Option<Role>,
    /// False: the user may no longer sign in (their sessions end; their tokens stop
    /// working). True: they may again.
    pub active: Option<bool>,
    /// A new password (12 characters to 1024 bytes).
    pub password: Option<String>,
}

/// Applies `change` to user `id`.
pub async fn change(
    store: &Arc<dyn Store>,
    actor: &Actor,
    id: &str,
    change: UserChange,
) -> Result<UserView, AccountError> {
    let password_hash = match change.password {
        Some(password) => Some(password::hash_off_thread(password).await?),
        None => None,
    };
    let (actor, id, now) = (actor.clone(), id.to_owned(), unix_millis());
    let (role, active) = (change.role, change.active);
    write(store, move |tx| {
        // The owners first, in one order, then the user: two changes at once never wait
        // for each other's rows crosswise.
        let owners = tx.active_owners()?;
        let Some(mut user) = tx.lock_user(&id)? else { return Ok(Err(AccountError::UnknownUser)) };
        let stays_owner = role.is_none_or(|role| role == Role::Owner) && active != Some(false);
        if !stays_owner && only_owner(&owners, &id) {
            return Ok(Err(AccountError::LastOwner));
        }
        let mut end_sessions = false;
        if let Some(role) = role.filter(|role| *role != role_of(&user)) {
            tx.set_role(&id, role.as_str(), now)?;
            let detail = json!({"from": user.role, "to": role.as_str()});
            audit::append(tx, &actor, "user.role", &user.email, &detail, now)?;
            user.role = role.as_str().to_owned();
            end_sessions = true;
        }
        if let Some(active) = active.filter(|active| *active != user.active) {
            tx.set_active(&id, active, now)?;
            let action = if active { "user.activate" } else { "user.deactivate" };
            audit::append(tx, &actor, action, &user.email, &json!({}), now)?;
            user.active = active;
            end_sessions |= !active;
        }
        if let Some(hash) = &password_hash {
            tx.set_password(&id, hash, now)?;
            audit::append(tx, &actor, "user.password", &user.email, &json!({}), now)?;
            end_sessions = true;
        }
        if end_sessions {
            tx.delete_user_sessions(&id)?;
        }
        Ok(Ok(UserView::of(&user)))
    })
    .await?
}

/// Removes user `id`, their sessions and tokens.
pub async fn remove(store: &Arc<dyn Store>, actor: &Actor, id: &str) -> Result<(), AccountError> {
    let (actor, id, now) = (actor.clone(), id.to_owned(), unix_millis());
    write(store, move |tx| {
        let owners = tx.active_owners()?;
        let Some(user) = tx.lock_user(&id)? else { return Ok(Err(AccountError::UnknownUser)) };
        if only_owner(&owners, &id) {
            return Ok(Err(AccountError::LastOwner));
        }
        tx.delete_user(&id)?;
        audit::append(tx, &actor, "user.remove", &user.email, &json!({"id": id}), now)?;
        Ok(Ok(()))
    })
    .await?
}

/// Whether `id` is the only one of the active `owners`.
fn only_owner(owners: &[String], id: &str) -> bool {
    owners.iter().any(|owner| owner == id) && owners.len() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_active_owner_is_kept() {
        let owners = |ids: &[&str]| ids.iter().map(|id| (*id).to_owned()).collect::<Vec<_>>();
        assert!(only_owner(&owners(&["a"]), "a"));
        assert!(!only_owner(&owners(&["a", "b"]), "a"));
        assert!(!only_owner(&owners(&["a"]), "b"), "not an owner");
    }

    #[test]
    fn emails_are_trimmed_lowercased_and_shaped() {
        assert_eq!(normalize_email("  Ann@Example.COM \n").expect("valid"), "ann@example.com");
        for wrong in ["", "ann", "@example.com", "ann@", "a b@example.com", "a@b@c"] {
            assert!(normalize_email(wrong).is_err(), "{wrong:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(normalize_email(&long).is_err());
    }
}
