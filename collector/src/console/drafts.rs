//! What the console's structured editors work on and how they save: the newest
//! revision (the draft being worked on, else the live one), and an edited document
//! saved as a new draft once the configuration's validator has found no problem the
//! edit brought in. A problem inside the edited item is named by its path there, so
//! the editor can show it beside its field.

use crate::accounts::Actor;
use crate::console::error::ConsoleError;
use crate::editing::document::{EditError, Working};
use crate::editing::fields::Problems;
use crate::error::ApiError;
use crate::revisions::{Author, RevisionError, document, history};
use crate::state::AppState;
use crate::store::RevisionRow;
use serde_yaml_ng::Value;

/// The newest revision, with its document: the draft the editors change.
pub async fn newest(app: &AppState) -> Result<Option<RevisionRow>, ConsoleError> {
    let Some(newest) = app.store.revisions(None, 1).await.map_err(ApiError::from)?.pop() else {
        return Ok(None);
    };
    Ok(app.store.revision(newest.id).await.map_err(ApiError::from)?)
}

/// The revision the structured editors change, and its parsed document: the newest
/// revision, or the live one when the newest is not YAML at all (its text can only be
/// mended in the YAML editor).
pub async fn working(app: &AppState) -> Result<(RevisionRow, Working), ConsoleError> {
    let newest = newest(app).await?.ok_or(ConsoleError::BadInput {
        field: "revision",
        message: "there is no configuration yet: start the collector with --config",
    })?;
    if let Ok(document) = Working::parse(&newest.document) {
        return Ok((newest, document));
    }
    let live = app.store.live_revision().await.map_err(ApiError::from)?;
    live.and_then(|live| Working::parse(&live.document).ok().map(|document| (live, document)))
        .ok_or(ConsoleError::BadInput {
            field: "revision",
            message: "no revision is YAML: fix the newest draft in the YAML editor first",
        })
}

/// The page of draft `id` saying it was saved, on site `site`.
pub fn saved_path(id: i64, site: &str) -> String {
    format!("/admin/revisions/{id}?site={}&done=saved", crate::console::format::segment(site))
}

/// How saving an edit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Stored as revision `0`.
    Draft(i64),
    /// Not stored: the validator found `message` at `path` inside the edited item
    /// (`.variants[0].headline`; empty for the item itself) ...
    Inside { path: String, message: String },
    /// ... or the edit made another part of the document invalid.
    Elsewhere { path: String, message: String },
}

/// Saves `edited`, the document of `base` changed at `item` (`sites[0].blocks[2]`), as
/// a new draft with `message`, unless the validator finds a problem the edit brought
/// in (one `base` already had elsewhere does not stop it).
pub async fn save(
    app: &AppState,
    actor: &Actor,
    base: &str,
    edited: String,
    item: &str,
    message: String,
) -> Result<Saved, ConsoleError> {
    if let Err(problem) = document::compile(&edited) {
        if let Some(rest) = problem.path.strip_prefix(item)
            && (rest.is_empty() || rest.starts_with(['.', '[']))
        {
            return Ok(Saved::Inside { path: rest.to_owned(), message: problem.message });
        }
        if document::compile(base).err().as_ref() != Some(&problem) {
            return Ok(Saved::Elsewhere { path: problem.path, message: problem.message });
        }
    }
    match history::save(&app.store, &Author::from(actor), edited, message, "console").await {
        Ok((id, _)) => Ok(Saved::Draft(id)),
        Err(RevisionError::SecretsHidden) => Ok(Saved::Elsewhere {
            path: String::new(),
            message: "a hidden secret cannot be matched with the live revision's".to_owned(),
        }),
        Err(error) => Err(ApiError::from(error).into()),
    }
}

/// Saves `document`, changed at `item`, as a draft over revision `base`, the one it was
/// read from (see [`save`]).
pub async fn save_over(
    app: &AppState,
    actor: &Actor,
    base: i64,
    document: &Working,
    item: &str,
    message: String,
) -> Result<Saved, ConsoleError> {
    let base = app.store.revision(base).await.map_err(ApiError::from)?;
    let base_text = base.map(|base| base.document).unwrap_or_default();
    save(app, actor, &base_text, document.text(), item, message).await
}

/// The saved draft's id; or the problem put beside its field (`field_of` maps the
/// validator's path inside the item to the editor's field), or into `notice`.
pub fn settle(
    saved: Saved,
    field_of: impl Fn(&str) -> String,
    problems: &mut Problems,
    notice: &mut Option<String>,
) -> Option<i64> {
    match saved {
        Saved::Draft(id) => Some(id),
        Saved::Inside { path, message } => {
            problems.add(field_of(&path), message);
            None
        }
        Saved::Elsewhere { path, message } => {
            *notice = Some(format!("Not saved: this change makes {path} invalid: {message}."));
            None
        }
    }
}

/// An item of a site's list to delete as a new draft.
pub struct Deletion<'a> {
    pub site: &'a str,
    /// `blocks`, `forms`, `segments`.
    pub list: &'a str,
    /// `block`, `form`, `segment`: how the messages name it.
    pub what: &'a str,
    /// Its id as loaded; `None` for one never saved.
    pub original: Option<&'a str>,
    pub message: String,
}

impl Deletion<'_> {
    /// Deletes the item from `document` and saves that over revision `base`: the
    /// draft's id, or why not (another part names the item, say).
    pub async fn save(
        self,
        app: &AppState,
        actor: &Actor,
        base: i64,
        mut document: Working,
    ) -> Result<Result<i64, String>, ConsoleError> {
        let what = self.what;
        let Some(original) = self.original else {
            return Ok(Err(format!("This {what} was never saved, so there is nothing to delete.")));
        };
        if document.remove(self.site, self.list, original).is_err() {
            return Ok(Err(format!("This {what} is not in the newest draft any more.")));
        }
        Ok(match save_over(app, actor, base, &document, "-", self.message).await? {
            Saved::Draft(id) => Ok(id),
            Saved::Inside { path, message } | Saved::Elsewhere { path, message } => {
                Err(format!("Not deleted: {path} needs this {what}: {message}."))
            }
        })
    }
}

/// An item of a site's list put in place of the one loaded (or added) as a new draft.
pub struct Putting<'a> {
    pub site: &'a str,
    /// `blocks`, `forms`.
    pub list: &'a str,
    /// `block`, `form`: how the messages name it.
    pub what: &'a str,
    /// Its id as loaded; `None` for a new item.
    pub original: Option<&'a str>,
    pub value: Value,
    pub message: String,
    /// The editor's field a validator's path inside the item names.
    pub field_of: fn(&str) -> String,
}

impl Putting<'_> {
    /// Puts the item into `document` and saves that over revision `base`: the draft's
    /// id, or `None` with the problem beside its field or in `notice`.
    pub async fn save(
        self,
        app: &AppState,
        actor: &Actor,
        base: i64,
        mut document: Working,
        problems: &mut Problems,
        notice: &mut Option<String>,
    ) -> Result<Option<i64>, ConsoleError> {
        let what = self.what;
        let site_index = document.site_index(self.site).map_err(|_| ConsoleError::UnknownSite)?;
        let index = match document.put(self.site, self.list, self.original, self.value) {
            Ok(index) => index,
            Err(EditError::Taken(_)) => {
                problems.add("id", format!("another {what} has this id"));
                return Ok(None);
            }
            Err(error) => {
                *notice = Some(format!("Not saved: {error}. Reload the {what} from the list."));
                return Ok(None);
            }
        };
        let item = format!("sites[{site_index}].{}[{index}]", self.list);
        let saved = save_over(app, actor, base, &document, &item, self.message).await?;
        Ok(settle(saved, self.field_of, problems, notice))
    }
}
