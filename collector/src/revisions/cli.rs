//! `kindling-collector config …`: check a file without starting anything, export the
//! live (or any) revision as YAML, import a file as a revision and publish it (running
//! collectors apply it within a second).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::revisions::{Author, document, history};

/// `kindling-collector config`.
#[derive(Debug, Parser)]
#[command(name = "kindling-collector config", about = "Check, export or import the configuration")]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

/// What to do with the configuration.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validates a YAML file; prints the first problem with its path.
    Check { file: PathBuf },
    /// Writes the live revision's YAML (or revision `--revision`) to standard output.
    Export {
        #[arg(long, env = "KINDLING_DATABASE", default_value = "sqlite://kindling.db")]
        database: String,
        #[arg(long)]
        revision: Option<i64>,
    },
    /// Stores a YAML file as a revision and publishes it (with `--draft`, only stores).
    Import {
        file: PathBuf,
        #[arg(long, env = "KINDLING_DATABASE", default_value = "sqlite://kindling.db")]
        database: String,
        #[arg(long, default_value = "Imported from the command line")]
        message: String,
        #[arg(long)]
        draft: bool,
    },
}

/// Why a `config` command failed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigCommandError {
    #[error("{0}")]
    Invalid(#[from] crate::config::error::ConfigError),
    #[error("{0}")]
    Revision(#[from] crate::revisions::RevisionError),
    #[error("storage: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("no revision to export")]
    Nothing,
}

/// Runs a `config` command; returns what to tell the user on standard error.
pub async fn run(args: ConfigArgs) -> Result<String, ConfigCommandError> {
    match args.command {
        ConfigCommand::Check { file } => {
            let text = std::fs::read_to_string(&file)?;
            let catalog = document::compile(&text)?;
            Ok(format!("{}: valid, {} site(s)", file.display(), catalog.sites().count()))
        }
        ConfigCommand::Export { database, revision } => {
            let store = crate::store::open(&database).await?;
            let found = match revision {
                Some(id) => store.revision(id).await?,
                None => store.live_revision().await?,
            };
            let found = found.ok_or(ConfigCommandError::Nothing)?;
            std::io::Write::write_all(&mut std::io::stdout().lock(), found.document.as_bytes())?;
            Ok(format!("exported revision {}", found.id))
        }
        ConfigCommand::Import { file, database, message, draft } => {
            let text = std::fs::read_to_string(&file)?;
            document::compile(&text)?;
            let store = crate::store::open(&database).await?;
            let author = Author::system("command line");
            let (id, _) = history::save(&store, &author, text, message, "cli").await?;
            if draft {
                return Ok(format!("stored revision {id} as a draft"));
            }
            let live = crate::live::LiveCatalog::default();
            history::publish(&store, &live, &author, id).await?;
            Ok(format!("published revision {id}"))
        }
    }
}
