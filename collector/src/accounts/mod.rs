//! Who is using the admin: users with a [`Role`] ([`users`]), their server-side
//! [`sessions`] and API [`tokens`], the [`audit`] log, and the one [`gate`] on the
//! admin router that finds the [`Actor`] of each request and checks its role, with
//! [`csrf`] protection for the session cookie. [`password`] and [`secret`] hash and
//! make what these store; [`policy`] holds the settings' rules; [`cli`] is
//! `kindling-collector user …`. The store keeps plain rows (`store::accounts`); every
//! decision is made here.

pub mod actor;
pub mod audit;
pub mod cli;
pub mod csrf;
pub mod error;
pub mod gate;
pub mod password;
pub mod policy;
pub mod secret;
pub mod sessions;
pub mod tokens;
pub mod users;

pub use actor::{Actor, Credential, Role};
pub use error::AccountError;
pub use policy::Policy;
