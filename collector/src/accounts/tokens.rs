//! API tokens for scripts: `Authorization: Bearer kdl_…`. A token belongs to a user
//! and acts with that user's role, or with a lower one chosen when it is made; never
//! with more than the user has now. The token is shown once, when made; the store
//! keeps its SHA-256, its name and when it was made and last used (noted at most once
//! a minute). Users list and revoke their own tokens; an owner may revoke anyone's.

use std::sync::Arc;

use serde_json::json;

use crate::accounts::actor::{Actor, Credential, Role};
use crate::accounts::audit;
use crate::accounts::error::AccountError;
use crate::accounts::policy::TOUCH_EVERY_MS;
use crate::accounts::secret;
use crate::accounts::sessions::actor_of;
use crate::clock::unix_millis;
use crate::store::accounts::TokenRow;
use crate::store::contract::{Store, write};
use crate::store::error::StoreResult;

/// Most characters of a token's name.
const MAX_NAME: usize = 100;

/// A token just made: the secret, shown this once, and what is stored about it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// `kdl_…`: send it as `Authorization: Bearer kdl_…`. It is not shown again.
    pub token: String,
    #[serde(flatten)]
    pub about: TokenRow,
}

/// Makes a token for the actor's user, named `name`, acting at most as `role` (the
/// actor's own role when none).
pub async fn create(
    store: &Arc<dyn Store>,
    actor: &Actor,
    name: &str,
    role: Option<Role>,
) -> Result<CreatedToken, AccountError> {
    let user = actor.user_id().ok_or(AccountError::NotAUser)?.to_owned();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(AccountError::InvalidName);
    }
    let role = role.unwrap_or(actor.role);
    if role > actor.role {
        return Err(AccountError::RoleAboveOwn);
    }
    let token = secret::api_token();
    let about = TokenRow {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user,
        name: name.to_owned(),
        hash: secret::digest(&token),
        role: role.as_str().to_owned(),
        created_ms: unix_millis(),
        last_used_ms: None,
    };
    let (row, actor) = (about.clone(), actor.clone());
    write(store, move |tx| {
        tx.insert_token(&row)?;
        let detail = json!({"name": row.name, "role": row.role});
        audit::append(tx, &actor, "token.create", &row.id, &detail, row.created_ms)?;
        Ok(())
    })
    .await?;
    Ok(CreatedToken { token, about })
}

/// The actor's tokens; everyone's when `all` and the actor is an owner.
pub async fn list(
    store: &Arc<dyn Store>,
    actor: &Actor,
    all: bool,
) -> Result<Vec<TokenRow>, AccountError> {
    if all {
        actor.require(Role::Owner).map_err(|_| AccountError::UnknownToken)?;
        return Ok(store.tokens(None).await?);
    }
    let user = actor.user_id().ok_or(AccountError::NotAUser)?;
    Ok(store.tokens(Some(user)).await?)
}

/// Revokes token `id`: the actor's own, or anyone's for an owner. Someone else's
/// token is not there for a non-owner (404), as an unknown one.
pub async fn revoke(store: &Arc<dyn Store>, actor: &Actor, id: &str) -> Result<(), AccountError> {
    let (actor, id, now) = (actor.clone(), id.to_owned(), unix_millis());
    write(store, move |tx| {
        let Some(token) = tx.token_by_id(&id)? else { return Ok(Err(AccountError::UnknownToken)) };
        if actor.user_id() != Some(token.user_id.as_str()) && !actor.may(Role::Owner) {
            return Ok(Err(AccountError::UnknownToken));
        }
        tx.delete_token(&id)?;
        let detail = json!({"name": token.name, "user": token.user_id});
        audit::append(tx, &actor, "token.revoke", &id, &detail, now)?;
        Ok(Ok(()))
    })
    .await?
}

/// The actor of the token `secret`, if it exists and its user is active; notes its use
/// when due.
pub async fn find(store: &Arc<dyn Store>, secret: &str) -> StoreResult<Option<Actor>> {
    if !secret.starts_with(secret::TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some((token, user)) = store.token_user(&secret::digest(secret)).await? else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    let now = unix_millis();
    if token.last_used_ms.is_none_or(|used| now.saturating_sub(used) >= TOUCH_EVERY_MS) {
        let id = token.id.clone();
        write(store, move |tx| tx.touch_token(&id, now)).await?;
    }
    let mut actor = actor_of(&user, Credential::Token { id: token.id });
    // Never more than the user has now, nor than the token was made for.
    actor.role = actor.role.min(Role::parse(&token.role).unwrap_or(Role::Viewer));
    Ok(Some(actor))
}
