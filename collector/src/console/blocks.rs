//! The block editor (markup in [`blocks_page`](super::blocks_page)):
//!
//! - `GET /admin/blocks`: the blocks of the newest revision (the draft being worked on,
//!   else the live one);
//! - `GET /admin/blocks/new`, `GET /admin/blocks/{id}`: the editor, empty or holding a
//!   block;
//! - `POST /admin/blocks`: the editor's form. Its buttons add or remove variants, calls
//!   to action and audience rows (the form comes back changed, nothing saved), count who
//!   would see the block, test its audience against one person, or save it (and
//!   preview it) or delete it as a new draft, which the revision page then shows with
//!   its diff and publish button.
//!
//! A save changes only this block in the newest revision's document (an edit made
//! meanwhile to another block is kept) and is refused, with the problem beside its
//! field, when the configuration's validator finds one the edit brought in.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use serde_yaml_ng::Value;

use crate::accounts::Actor;
use crate::console::blocks_page::{self as page, EditorView};
use crate::console::drafts;
use crate::console::error::ConsoleError;
use crate::console::format::query;
use crate::console::layout::{Chrome, Section};
use crate::console::rule_checks::{Edited, TEST_PERSON};
use crate::console::site::SiteChoice;
use crate::editing::block::{BlockForm, field_of};
use crate::editing::document::Working;
use crate::editing::fields::{Fields, Problems};
use crate::error::ApiError;
use crate::personalize::facts::AUDIENCE_FACTS;
use crate::personalize::reach;
use crate::state::AppState;
use crate::store::RevisionRow;

/// `GET /admin/blocks`.
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
) -> Result<Markup, ConsoleError> {
    let (revision, document) = drafts::working(&app).await?;
    let blocks = document.items(sites.key(), "blocks").unwrap_or_default();
    let forms: Vec<BlockForm> = blocks.iter().map(BlockForm::of).collect();
    let live = app.store.live_revision_id().await.map_err(ApiError::from)?;
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Blocks };
    Ok(page::list(&chrome, &forms, &revision, live))
}

/// `GET /admin/blocks/new`.
pub async fn new(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
) -> Result<Markup, ConsoleError> {
    let (revision, document) = drafts::working(&app).await?;
    let state = Editing::new(BlockForm::new_block(), None, &revision, &document, &sites);
    Ok(state.render(&actor, &sites))
}

/// `GET /admin/blocks/{id}`.
pub async fn edit(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Markup, ConsoleError> {
    let (revision, document) = drafts::working(&app).await?;
    let (_, block) =
        document.item(sites.key(), "blocks", &id).map_err(|_| ConsoleError::NotFound)?;
    let state = Editing::new(BlockForm::of(&block), Some(id), &revision, &document, &sites);
    Ok(state.render(&actor, &sites))
}

/// `POST /admin/blocks`.
pub async fn submit(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    let fields = Fields::new(pairs);
    let (revision, document) = drafts::working(&app).await?;
    let form = BlockForm::from_fields(&fields);
    let original = fields.text("original");
    let mut state = Editing::new(form, original, &revision, &document, &sites);
    state.message = fields.text("message").unwrap_or_default();
    state.test_person = fields.text(TEST_PERSON).unwrap_or_default();
    let action = fields.get("action").unwrap_or("save").to_owned();
    match action.as_str() {
        "save" | "save-preview" => {
            if let Some(done) = state.save(&app, &actor, document, action == "save-preview").await?
            {
                return Ok(done);
            }
        }
        "delete" => {
            if let Some(done) = state.delete(&app, &actor, document).await? {
                return Ok(done);
            }
        }
        "reach" => state.count(&app).await?,
        "test" => state.test(&app).await?,
        other => state.form.apply(other),
    }
    let status = if state.problems.is_empty() && state.notice.is_none() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, state.render(&actor, &sites)).into_response())
}

/// The editor between two requests: the form, what it edits and what was found.
struct Editing {
    form: BlockForm,
    original: Option<String>,
    base: i64,
    base_live: bool,
    site: String,
    form_ids: Vec<String>,
    problems: Problems,
    notice: Option<String>,
    message: String,
    test_person: String,
    reach: Option<reach::Reach>,
    tested: Option<(String, Option<reach::Explained>)>,
}

impl Editing {
    fn new(
        form: BlockForm,
        original: Option<String>,
        revision: &RevisionRow,
        document: &Working,
        sites: &SiteChoice,
    ) -> Editing {
        let form_ids = document
            .items(sites.key(), "forms")
            .unwrap_or_default()
            .iter()
            .filter_map(|form| form.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        Editing {
            form,
            original,
            base: revision.id,
            base_live: revision.published_ms.is_some(),
            site: sites.key().to_owned(),
            form_ids,
            problems: Problems::default(),
            notice: None,
            message: String::new(),
            test_person: String::new(),
            reach: None,
            tested: None,
        }
    }

    fn render(&self, actor: &Actor, sites: &SiteChoice) -> Markup {
        let chrome = Chrome { actor, sites, section: Section::Blocks };
        page::editor(
            &chrome,
            &EditorView {
                form: &self.form,
                original: self.original.as_deref(),
                base: self.base,
                base_live: self.base_live,
                form_ids: &self.form_ids,
                problems: &self.problems,
                notice: self.notice.as_deref(),
                message: &self.message,
                test_person: &self.test_person,
                reach: self.reach.as_ref(),
                tested: self.tested.as_ref().map(|(who, why)| (who.as_str(), why.as_ref())),
            },
        )
    }

    /// Saves the block into `document`; the answer to send when it was saved.
    async fn save(
        &mut self,
        app: &AppState,
        actor: &Actor,
        document: Working,
        then_preview: bool,
    ) -> Result<Option<Response>, ConsoleError> {
        let value = match self.form.to_value() {
            Ok(value) => value,
            Err(problems) => {
                self.problems = problems;
                return Ok(None);
            }
        };
        let putting = drafts::Putting {
            site: &self.site,
            list: "blocks",
            what: "block",
            original: self.original.as_deref(),
            value,
            field_of,
            message: self.commit_message("Edit block"),
        };
        let saved = putting
            .save(app, actor, self.base, document, &mut self.problems, &mut self.notice)
            .await?;
        let Some(id) = saved else { return Ok(None) };
        let to = if then_preview {
            let block = query([("site", self.site.as_str()), ("block", self.form.id.as_str())]);
            format!("/admin/revisions/{id}/preview?{block}")
        } else {
            drafts::saved_path(id, &self.site)
        };
        Ok(Some(Redirect::to(&to).into_response()))
    }

    /// Removes the block from `document` as a new draft.
    async fn delete(
        &mut self,
        app: &AppState,
        actor: &Actor,
        document: Working,
    ) -> Result<Option<Response>, ConsoleError> {
        let deletion = drafts::Deletion {
            site: &self.site,
            list: "blocks",
            what: "block",
            original: self.original.as_deref(),
            message: self.commit_message("Delete block"),
        };
        match deletion.save(app, actor, self.base, document).await? {
            Ok(id) => Ok(Some(Redirect::to(&drafts::saved_path(id, &self.site)).into_response())),
            Err(why) => {
                self.notice = Some(why);
                Ok(None)
            }
        }
    }

    fn commit_message(&self, what: &str) -> String {
        if self.message.is_empty() {
            format!("{what} {}", self.form.id)
        } else {
            self.message.clone()
        }
    }

    fn audience(&self) -> Edited<'_> {
        Edited { rows: &self.form.audience, facts: &AUDIENCE_FACTS, field: "audience" }
    }

    async fn count(&mut self, app: &AppState) -> Result<(), ConsoleError> {
        let mut problems = Problems::default();
        self.reach = self.audience().count(app, &self.site, &mut problems).await?;
        self.problems = problems;
        Ok(())
    }

    async fn test(&mut self, app: &AppState) -> Result<(), ConsoleError> {
        let mut problems = Problems::default();
        let who = self.test_person.clone();
        self.tested = self.audience().test(app, &self.site, &who, &mut problems).await?;
        self.problems = problems;
        Ok(())
    }
}
