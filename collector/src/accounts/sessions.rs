//! Server-side sessions: signing in with an email and a password, finding the user of
//! a session cookie, signing out of one session or of all of them.
//!
//! A session is a random 256-bit id in the browser's `kindling_session` cookie
//! ([`cookie`]); the database keeps only its SHA-256. It ends when unused for the idle
//! time or once as old as the maximum age ([`Policy`]), whichever comes first; its last
//! use is noted at most once a minute, so reading the admin does not write.
//!
//! Sign-in: 10 wrong passwords in a row lock the account for a while (`429`, even for
//! the right password) and the first right one after that starts the count over. An
//! unknown email is verified against a stand-in hash and writes its audit entry like a
//! known one does, so it takes as long: the answer does not tell whether the account
//! exists (a lock does, to whoever made it: that is what a lock is for).

use std::sync::Arc;

use serde_json::json;

use crate::accounts::actor::{Actor, Credential};
use crate::accounts::audit;
use crate::accounts::error::AccountError;
use crate::accounts::password;
use crate::accounts::policy::{LOCK_AFTER_FAILURES, Policy};
use crate::accounts::secret;
use crate::accounts::users::{UserView, normalize_email, role_of};
use crate::clock::unix_millis;
use crate::store::accounts::{SessionRow, UserRow};
use crate::store::contract::{Store, write};
use crate::store::error::StoreResult;

/// The session cookie's name.
pub const COOKIE: &str = "kindling_session";

/// A session just opened: the cookie's value (shown to this browser only) and its user.
#[derive(Debug)]
pub struct SignedIn {
    pub session_id: String,
    pub user: UserView,
}

/// What a session is at `now_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// In use; `touch`: its last use should be noted.
    Live {
        touch: bool,
    },
    Ended,
}

/// Whether `session` has ended at `now_ms` under `policy`, and if not whether to note
/// its use.
pub fn session_state(session: &SessionRow, now_ms: i64, policy: &Policy) -> SessionState {
    let idle = now_ms.saturating_sub(session.last_seen_ms);
    let age = now_ms.saturating_sub(session.created_ms);
    if idle >= policy.idle_ms || age >= policy.max_age_ms {
        SessionState::Ended
    } else {
        SessionState::Live { touch: idle >= policy.touch_every_ms() }
    }
}

/// The wrong-password count and lock after one more wrong password, from the count
/// and lock before it (the caller only counts when the account is not locked now: a
/// lock it finds has ended, and the count starts over).
pub fn after_wrong_password(
    failed_logins: i64,
    locked_until_ms: Option<i64>,
    now_ms: i64,
    policy: &Policy,
) -> (i64, Option<i64>) {
    let failed = if locked_until_ms.is_some() { 1 } else { failed_logins.saturating_add(1) };
    let lock = (failed >= LOCK_AFTER_FAILURES).then(|| now_ms.saturating_add(policy.lock_ms));
    (failed, lock)
}

/// Signs in with `email` and `password`: a new session, or why not.
pub async fn sign_in(
    store: &Arc<dyn Store>,
    policy: &Policy,
    email: &str,
    password: String,
) -> Result<SignedIn, AccountError> {
    let normalized = normalize_email(email);
    let user = match &normalized {
        Ok(email) => store.user_by_email(email).await?,
        Err(_) => None,
    };
    let email = normalized.unwrap_or_else(|_| email.trim().to_lowercase());
    let hash = user.as_ref().map(|user| user.password_hash.clone());
    let right = password::verify_off_thread(password, hash).await;
    let now = unix_millis();
    let Some(user) = user else {
        failed(store, None, &email, "unknown", now, policy).await?;
        return Err(AccountError::WrongCredentials);
    };
    if let Some(until) = user.locked_until_ms.filter(|until| *until > now) {
        let wait_ms = u64::try_from(until - now).unwrap_or(0);
        return Err(AccountError::Locked { retry_after_secs: wait_ms.div_ceil(1000).max(1) });
    }
    if !user.active {
        failed(store, None, &email, "inactive", now, policy).await?;
        return Err(AccountError::WrongCredentials);
    }
    if !right {
        let locked = failed(store, Some(&user), &email, "password", now, policy).await?;
        return Err(match locked {
            Some(until) => AccountError::Locked {
                retry_after_secs: u64::try_from(until - now).unwrap_or(0).div_ceil(1000).max(1),
            },
            None => AccountError::WrongCredentials,
        });
    }
    let session_id = secret::session_id();
    let session = SessionRow {
        id_hash: secret::digest(&session_id),
        user_id: user.id.clone(),
        created_ms: now,
        last_seen_ms: now,
    };
    let (row, policy) = (user.clone(), *policy);
    write(store, move |tx| {
        if row.failed_logins != 0 || row.locked_until_ms.is_some() {
            tx.set_login_state(&row.id, 0, None)?;
        }
        // Ended sessions of everyone go at each sign-in: the table stays small.
        tx.delete_sessions_before(now - policy.idle_ms, now - policy.max_age_ms)?;
        tx.insert_session(&session)?;
        let actor = actor_of(&row, Credential::Session { id_hash: session.id_hash.clone() });
        audit::append(tx, &actor, "login", &row.email, &json!({}), now)?;
        Ok(())
    })
    .await?;
    tracing::info!(user = %user.id, "admin signed in");
    Ok(SignedIn { session_id, user: UserView::of(&user) })
}

/// Notes a failed sign-in in the audit log, and for a known user counts it; returns
/// the lock it set, if this was one wrong password too many.
async fn failed(
    store: &Arc<dyn Store>,
    user: Option<&UserRow>,
    email: &str,
    reason: &'static str,
    now: i64,
    policy: &Policy,
) -> StoreResult<Option<i64>> {
    let (id, email, policy) = (user.map(|user| user.id.clone()), email.to_owned(), *policy);
    // The subject is what was typed, cut to an email's length.
    let subject: String = email.chars().take(254).collect();
    write(store, move |tx| {
        let mut locked = None;
        if let Some(id) = &id
            && let Some(row) = tx.lock_user(id)?
        {
            let (count, lock) =
                after_wrong_password(row.failed_logins, row.locked_until_ms, now, &policy);
            tx.set_login_state(id, count, lock)?;
            if lock.is_some() {
                audit::append_anonymous(
                    tx,
                    "login.locked",
                    &subject,
                    &json!({"failed": count}),
                    now,
                )?;
            }
            locked = lock;
        }
        audit::append_anonymous(tx, "login.failed", &subject, &json!({"reason": reason}), now)?;
        Ok(locked)
    })
    .await
}

/// The actor of a stored user, proven by `credential`.
pub fn actor_of(user: &UserRow, credential: Credential) -> Actor {
    Actor { user: user.id.clone(), email: user.email.clone(), role: role_of(user), credential }
}

/// The signed-in user of session `session_id`, if it is live; notes its use when due,
/// and deletes it once it has ended.
pub async fn find(
    store: &Arc<dyn Store>,
    policy: &Policy,
    session_id: &str,
) -> StoreResult<Option<Actor>> {
    let id_hash = secret::digest(session_id);
    let Some((session, user)) = store.session_user(&id_hash).await? else { return Ok(None) };
    let now = unix_millis();
    match session_state(&session, now, policy) {
        SessionState::Ended => {
            write(store, move |tx| tx.delete_session(&session.id_hash)).await?;
            Ok(None)
        }
        _ if !user.active => Ok(None),
        SessionState::Live { touch } => {
            if touch {
                let id_hash = id_hash.clone();
                write(store, move |tx| tx.touch_session(&id_hash, now)).await?;
            }
            Ok(Some(actor_of(&user, Credential::Session { id_hash })))
        }
    }
}

/// Ends the session with this hash.
pub async fn sign_out(store: &Arc<dyn Store>, id_hash: &str) -> StoreResult<()> {
    let id_hash = id_hash.to_owned();
    write(store, move |tx| tx.delete_session(&id_hash)).await?;
    Ok(())
}

/// Ends every session of the actor's user; returns how many.
pub async fn sign_out_everywhere(
    store: &Arc<dyn Store>,
    actor: &Actor,
) -> Result<u64, AccountError> {
    let user = actor.user_id().ok_or(AccountError::NotAUser)?.to_owned();
    let (actor, now) = (actor.clone(), unix_millis());
    let ended = write(store, move |tx| {
        let ended = tx.delete_user_sessions(&user)?;
        audit::append(
            tx,
            &actor,
            "session.signout_all",
            &actor.email,
            &json!({"ended": ended}),
            now,
        )?;
        Ok(ended)
    })
    .await?;
    Ok(ended)
}

/// Whether cookies set in answer to `headers` are `Secure`: always with
/// `--admin-secure-cookies`, else when a trusted proxy says the request came over https.
pub fn secure(policy: &Policy, headers: &axum::http::HeaderMap) -> bool {
    policy.secure_cookies
        || (policy.trust_forwarded_proto
            && headers
                .get("x-forwarded-proto")
                .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https")))
}

/// The `Set-Cookie` value opening session `session_id`: `HttpOnly`, `SameSite=Strict`,
/// for `/admin` only, as long as a session lasts at most; `Secure` when `secure`.
pub fn cookie(session_id: &str, policy: &Policy, secure: bool) -> String {
    let max_age = policy.max_age_ms / 1000;
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE}={session_id}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age={max_age}{secure}"
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn removed_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy { idle_ms: 8_000, max_age_ms: 20_000, lock_ms: 900_000, ..Policy::default() }
    }

    fn session(created_ms: i64, last_seen_ms: i64) -> SessionRow {
        SessionRow { id_hash: "h".into(), user_id: "u".into(), created_ms, last_seen_ms }
    }

    #[test]
    fn sessions_end_when_idle_or_old_and_are_touched_now_and_then() {
        let policy = policy();
        assert_eq!(
            session_state(&session(0, 0), 1_000, &policy),
            SessionState::Live { touch: false }
        );
        assert_eq!(
            session_state(&session(0, 0), 2_000, &policy),
            SessionState::Live { touch: true }
        );
        assert_eq!(session_state(&session(0, 0), 8_000, &policy), SessionState::Ended, "idle");
        assert_eq!(
            session_state(&session(0, 19_000), 19_500, &policy),
            SessionState::Live { touch: false }
        );
        assert_eq!(session_state(&session(0, 19_900), 20_000, &policy), SessionState::Ended, "old");
        let day = Policy { idle_ms: 86_400_000, ..policy };
        assert_eq!(day.touch_every_ms(), 60_000, "at most once a minute");
    }

    #[test]
    fn the_tenth_wrong_password_locks_and_a_lock_that_ended_starts_over() {
        let policy = policy();
        assert_eq!(after_wrong_password(0, None, 5, &policy), (1, None));
        assert_eq!(after_wrong_password(8, None, 5, &policy), (9, None));
        assert_eq!(after_wrong_password(9, None, 5, &policy), (10, Some(900_005)));
        assert_eq!(after_wrong_password(10, Some(4), 5, &policy), (1, None));
    }

    #[test]
    fn cookies_are_http_only_strict_and_scoped_to_the_admin() {
        let set = cookie("abc", &policy(), false);
        assert_eq!(set, "kindling_session=abc; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=20");
        assert!(cookie("abc", &policy(), true).ends_with("; Secure"));
        assert!(removed_cookie(false).contains("Max-Age=0"));
    }
}
