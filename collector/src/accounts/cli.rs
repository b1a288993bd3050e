//! `kindling-collector user add --email E --role R [--database URL]` and
//! `kindling-collector user list [--database URL]`: the first owner is made here, on
//! the server, before anyone can sign in. The password is asked for twice without
//! echo on a terminal, or read as one line from standard input otherwise (for
//! scripts: `printf '%s\n' "$PASSWORD" | kindling-collector user add …`).

use std::io::{BufRead, IsTerminal};

use clap::{Parser, Subcommand};

use crate::accounts::actor::{Actor, Role};
use crate::accounts::error::AccountError;
use crate::accounts::users;
use crate::store::error::StoreError;

/// `kindling-collector user …`.
#[derive(Debug, Parser)]
#[command(name = "kindling-collector user", about = "Manage the admin's users")]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Adds a user who may sign in at once.
    Add {
        /// The user's email, which they sign in with.
        #[arg(long)]
        email: String,
        /// owner, editor or viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The collector's database.
        #[arg(long, env = "KINDLING_DATABASE", default_value = "sqlite://kindling.db")]
        database: String,
    },
    /// Lists the users.
    List {
        /// The collector's database.
        #[arg(long, env = "KINDLING_DATABASE", default_value = "sqlite://kindling.db")]
        database: String,
    },
}

fn parse_role(name: &str) -> Result<Role, String> {
    Role::parse(name).ok_or_else(|| format!("{name:?} is not a role: owner, editor or viewer"))
}

/// Why the command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Account(#[from] AccountError),
    #[error("reading the password: {0}")]
    Read(#[from] std::io::Error),
    #[error("the passwords differ")]
    Mismatch,
}

/// Runs the command; returns what to print.
pub async fn run(args: &UserArgs) -> Result<String, CliError> {
    match &args.command {
        UserCommand::Add { email, role, database } => {
            let password = read_password()?;
            let store = crate::store::open(database).await?;
            let user = users::add(&store, &Actor::cli(), email, password, *role).await?;
            Ok(format!("added {} ({}), id {}", user.email, user.role.as_str(), user.id))
        }
        UserCommand::List { database } => {
            let store = crate::store::open(database).await?;
            let lines: Vec<String> = users::list(&store)
                .await?
                .iter()
                .map(|user| {
                    let state = if user.active { "active" } else { "inactive" };
                    format!("{}\t{}\t{}\t{}", user.id, user.email, user.role.as_str(), state)
                })
                .collect();
            Ok(lines.join("\n"))
        }
    }
}

/// The password: asked for twice without echo on a terminal, else one line of stdin.
fn read_password() -> Result<String, CliError> {
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password("Password (at least 12 characters): ")?;
        if rpassword::prompt_password("Again: ")? != password {
            return Err(CliError::Mismatch);
        }
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
