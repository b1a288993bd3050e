//! The signed-in user of one admin request ([`Actor`]) and what it may do ([`Role`]).
//!
//! The admin router's authentication layer finds the actor (a session, an API token,
//! or the deprecated `--admin-token`) and puts it in the request's extensions; handlers
//! take it as an extractor, which refuses a request the layer did not pass.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::ApiError;

/// What a user may do. Ordered: each role may do everything the ones below it may.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Changes blocks, forms, scoring, segments, stages and workflows, and publishes.
    Editor,
    /// Everything, users, sites, webhooks and secrets included.
    Owner,
}

impl Role {
    /// The name stored and shown: `viewer`, `editor` or `owner`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Owner => "owner",
        }
    }

    /// The role named `name`, if any.
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }
}

/// How the actor proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session, by the SHA-256 of its cookie's id. Changes it sends must come
    /// from the admin's own origin (see [`gate`](crate::accounts::gate)): a cookie is
    /// sent by the browser whoever made the page asking.
    Session { id_hash: String },
    /// A user's API token, by its id.
    Token { id: String },
    /// The collector's `--admin-token` (deprecated): acts as an owner.
    Bootstrap,
    /// `kindling-collector user …`, run on the server: acts as an owner.
    Cli,
}

/// The user behind one admin request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id; `bootstrap` for the `--admin-token`.
    pub user: String,
    pub email: String,
    pub role: Role,
    pub credential: Credential,
}

impl Actor {
    /// The actor of a request carrying the `--admin-token`.
    pub fn bootstrap() -> Actor {
        Actor {
            user: "bootstrap".to_owned(),
            email: "admin-token".to_owned(),
            role: Role::Owner,
            credential: Credential::Bootstrap,
        }
    }

    /// The actor of `kindling-collector user …` on the command line.
    pub fn cli() -> Actor {
        Actor {
            user: "cli".to_owned(),
            email: "command line".to_owned(),
            role: Role::Owner,
            credential: Credential::Cli,
        }
    }

    /// The user's id, for a signed-in user or a token; none for the admin token and
    /// the command line, which are nobody's.
    pub fn user_id(&self) -> Option<&str> {
        match self.credential {
            Credential::Session { .. } | Credential::Token { .. } => Some(&self.user),
            Credential::Bootstrap | Credential::Cli => None,
        }
    }

    /// Whether this actor may do what needs `role`.
    pub fn may(&self, role: Role) -> bool {
        self.role >= role
    }

    /// Ok when this actor may do what needs `role`, else a 403 naming the role.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.may(role) { Ok(()) } else { Err(ApiError::Forbidden { needs: role.as_str() }) }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Actor>().cloned().ok_or(ApiError::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below() {
        let editor = Actor { role: Role::Editor, ..Actor::bootstrap() };
        assert!(editor.may(Role::Viewer) && editor.may(Role::Editor) && !editor.may(Role::Owner));
        for role in [Role::Viewer, Role::Editor, Role::Owner] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
