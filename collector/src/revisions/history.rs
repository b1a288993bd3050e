//! Saving, publishing and restoring revisions of the configuration, and importing the
//! file given at start. A publish swaps the served configuration at once (requests in
//! flight finish on the old one, see [`LiveCatalog`]); other collectors follow through
//! [`follow`](super::follow).

use std::path::Path;
use std::sync::Arc;

use crate::accounts::{Actor, Role};
use crate::clock::unix_millis;
use crate::config::error::ConfigError;
use crate::live::LiveCatalog;
use crate::revisions::{document, secrets};
use crate::sites::Catalog;
use serde_json::{Value, json};

use crate::store::accounts::NewAuditEntry;
use crate::store::{NewRevision, RevisionRow, Store, StoreError, StoreResult, WriteTx, write};

/// Why a revision could not be saved, published or restored.
#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    #[error("no revision {0}")]
    NotFound(i64),
    #[error("the document is not valid: {0}")]
    Invalid(ConfigError),
    #[error("changing sites, webhooks or identity secrets needs the owner role")]
    OwnerPartsChanged,
    #[error("the document hides secrets the live revision does not hold in those places")]
    SecretsHidden,
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

/// Who saved or published a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// As recorded with the revision: the user's id, `bootstrap` or `system`.
    pub user: String,
    /// The user's id when a user it is (for the audit log).
    pub account: Option<String>,
    pub email: String,
    pub role: Role,
}

impl Author {
    /// The collector itself (the configuration file given at start, the command line).
    pub fn system(name: &str) -> Author {
        Author {
            user: "system".to_owned(),
            account: None,
            email: name.to_owned(),
            role: Role::Owner,
        }
    }

    /// Notes in the audit log that this author did `action` to revision `id`.
    fn audit(
        &self,
        tx: &mut dyn WriteTx,
        action: &str,
        id: i64,
        detail: &Value,
    ) -> StoreResult<()> {
        tx.append_audit(&NewAuditEntry {
            at_ms: unix_millis(),
            actor_id: self.account.as_deref(),
            actor_email: &self.email,
            action,
            subject: &format!("revision:{id}"),
            detail: &detail.to_string(),
        })?;
        Ok(())
    }
}

impl From<&Actor> for Author {
    fn from(actor: &Actor) -> Author {
        Author {
            user: actor.user.clone(),
            account: actor.user_id().map(str::to_owned),
            email: actor.email.clone(),
            role: actor.role,
        }
    }
}

/// Stores `text` as a new, unpublished revision based on the live one, valid or not
/// (an invalid draft is kept so no work is lost; it cannot be published). Returns its
/// id and the document's first problem, if any. Secrets shown redacted
/// ([`secrets::REDACTED`]) are taken back from the live revision.
pub async fn save(
    store: &Arc<dyn Store>,
    author: &Author,
    text: String,
    message: String,
    source: &'static str,
) -> Result<(i64, Option<ConfigError>), RevisionError> {
    let text = if text.contains(secrets::REDACTED) {
        let live = store.live_revision().await?.map(|live| live.document).unwrap_or_default();
        secrets::restore(&text, &live).ok_or(RevisionError::SecretsHidden)?
    } else {
        text
    };
    let problem = document::compile(&text).err();
    let author = author.clone();
    let id =
        write(store, move |tx| store_revision(tx, &author, &message, source, &text, false)).await?;
    Ok((id, problem))
}

/// Publishes revision `id` and serves it at once. Refused when its document is not
/// valid, or when an author below owner changes what only an owner may.
pub async fn publish(
    store: &Arc<dyn Store>,
    live: &LiveCatalog,
    author: &Author,
    id: i64,
) -> Result<(), RevisionError> {
    let revision = store.revision(id).await?.ok_or(RevisionError::NotFound(id))?;
    let catalog = checked(store, author, &revision).await?;
    let by = author.clone();
    let published = write(store, move |tx| {
        let published = tx.publish_revision(id, &by.user, unix_millis())?;
        if published {
            by.audit(tx, "config.publish", id, &json!({}))?;
        }
        Ok(published)
    })
    .await?;
    if !published {
        return Err(RevisionError::NotFound(id));
    }
    live.swap(catalog, id);
    tracing::info!(revision = id, by = %author.email, "configuration published");
    Ok(())
}

/// Publishes a copy of the earlier revision `id` as a new revision; returns its id.
pub async fn restore(
    store: &Arc<dyn Store>,
    live: &LiveCatalog,
    author: &Author,
    id: i64,
    message: Option<String>,
) -> Result<i64, RevisionError> {
    let earlier = store.revision(id).await?.ok_or(RevisionError::NotFound(id))?;
    let catalog = checked(store, author, &earlier).await?;
    let message = message.unwrap_or_else(|| format!("Restore revision {id}"));
    let (author_row, document) = (author.clone(), earlier.document);
    let restored = write(store, move |tx| {
        store_revision(tx, &author_row, &message, "restore", &document, true)
    })
    .await?;
    live.swap(catalog, restored);
    tracing::info!(revision = restored, from = id, by = %author.email, "configuration restored");
    Ok(restored)
}

/// Stores a revision of `document` based on the live one, published at once if
/// `publish`; returns its id.
fn store_revision(
    tx: &mut dyn WriteTx,
    author: &Author,
    message: &str,
    source: &str,
    document: &str,
    publish: bool,
) -> Result<i64, StoreError> {
    let now = unix_millis();
    let based_on = tx.live_revision_id()?;
    let id = tx.insert_revision(&NewRevision {
        created_ms: now,
        author: &author.user,
        author_email: &author.email,
        message,
        source,
        based_on,
        document,
    })?;
    let detail = json!({"message": message, "source": source});
    author.audit(tx, "config.save", id, &detail)?;
    if publish {
        tx.publish_revision(id, &author.user, now)?;
        author.audit(tx, "config.publish", id, &json!({}))?;
    }
    Ok(id)
}

/// Compiles `revision`'s document, checking that `author` may make it live.
async fn checked(
    store: &Arc<dyn Store>,
    author: &Author,
    revision: &RevisionRow,
) -> Result<Catalog, RevisionError> {
    let catalog = document::compile(&revision.document).map_err(RevisionError::Invalid)?;
    if author.role < Role::Owner {
        let live = store.live_revision().await?.map(|live| live.document).unwrap_or_default();
        if document::owner_parts(&live) != document::owner_parts(&revision.document) {
            return Err(RevisionError::OwnerPartsChanged);
        }
    }
    Ok(catalog)
}

/// What the collector serves at start: the configuration file, when given, imported
/// as a revision and published if it differs from what was last imported from a file
/// (so changes published since survive a restart with the same file); then the live
/// revision, if any.
pub async fn start(
    store: &Arc<dyn Store>,
    config: Option<&Path>,
) -> Result<LiveCatalog, StartupError> {
    if let Some(path) = config {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ConfigError::at(path.display().to_string(), error.to_string()))?;
        document::compile(&text)?;
        let message = format!("Imported from {}", path.display());
        import_file(store, text, message).await?;
    }
    let Some(live) = store.live_revision().await? else {
        return Ok(LiveCatalog::default());
    };
    let catalog = document::compile(&live.document)?;
    tracing::info!(revision = live.id, "serving the live configuration revision");
    Ok(LiveCatalog::new(catalog, live.id))
}

/// Stores and publishes `text` from the configuration file unless it is what the file
/// held when last imported.
async fn import_file(
    store: &Arc<dyn Store>,
    text: String,
    message: String,
) -> Result<(), StoreError> {
    let author = Author::system("configuration file");
    let imported = write(store, move |tx| {
        if tx.latest_document_from("file")?.as_deref() == Some(text.as_str()) {
            return Ok(None);
        }
        store_revision(tx, &author, &message, "file", &text, true).map(Some)
    })
    .await?;
    if let Some(id) = imported {
        tracing::info!(revision = id, "configuration file imported and published");
    }
    Ok(())
}

/// Why the configuration to serve at start could not be had.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Store(#[from] StoreError),
}
