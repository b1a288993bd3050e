//! Who is using the admin: users with a [`Role`], and the [`Actor`] every admin handler
//! takes, put in the request by the admin router's one authentication layer.

pub mod actor;

pub use actor::{Actor, Credential, Role};
