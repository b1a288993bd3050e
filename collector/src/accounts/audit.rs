//! The audit log from the domain's side: [`append`] writes who did what in the
//! transaction that does it, so an entry exists exactly when its change does. Any
//! domain may call it (configuration revisions will); the store's
//! [`AccountWrites::append_audit`](crate::store::accounts::AccountWrites::append_audit)
//! is what it writes with.
//!
//! Actions in use: `user.add`, `user.role`, `user.password`, `user.activate`,
//! `user.deactivate`, `user.remove`, `token.create`, `token.revoke`, `login`,
//! `login.failed`, `login.locked`, `session.signout_all`; and, from configuration
//! revisions, `config.save` and `config.publish` (subject `revision:ID`); `webhook.test`
//! (subject `webhook:SITE/ID`), before a test delivery is sent.

use serde_json::Value;

use crate::accounts::actor::Actor;
use crate::store::accounts::NewAuditEntry;
use crate::store::contract::WriteTx;
use crate::store::error::StoreResult;

/// Appends "`actor` did `action` to `subject`" at `now_ms`, with `detail` (a JSON
/// object), to the log in `tx`; returns the entry's number.
pub fn append(
    tx: &mut dyn WriteTx,
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: &Value,
    now_ms: i64,
) -> StoreResult<i64> {
    write(tx, actor.user_id(), &actor.email, action, subject, detail, now_ms)
}

/// Appends an entry nobody signed in is the actor of (a failed sign-in).
pub fn append_anonymous(
    tx: &mut dyn WriteTx,
    action: &str,
    subject: &str,
    detail: &Value,
    now_ms: i64,
) -> StoreResult<i64> {
    write(tx, None, "", action, subject, detail, now_ms)
}

fn write(
    tx: &mut dyn WriteTx,
    actor_id: Option<&str>,
    actor_email: &str,
    action: &str,
    subject: &str,
    detail: &Value,
    at_ms: i64,
) -> StoreResult<i64> {
    let detail = detail.to_string();
    tx.append_audit(&NewAuditEntry {
        at_ms,
        actor_id,
        actor_email,
        action,
        subject,
        detail: &detail,
    })
}
