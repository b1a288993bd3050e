//! The form editor (markup in [`forms_page`](super::forms_page)):
//!
//! - `GET /admin/forms`: the lead forms of the newest revision (the draft being worked
//!   on, else the live one);
//! - `GET /admin/forms/new`, `GET /admin/forms/{id}`: the editor, empty or holding a
//!   form;
//! - `POST /admin/forms`: the editor's form. Its buttons add, remove and move fields
//!   (the form comes back changed, nothing saved), or save it (and preview it) or
//!   delete it as a new draft, which the revision page then shows with its diff and
//!   publish button.
//!
//! A save changes only this form in the newest revision's document and is refused,
//! with the problem beside its field, when the configuration's validator finds one the
//! edit brought in; a change that breaks another part (a block's call to action or a
//! workflow naming the form) is refused with that part's path.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;

use crate::accounts::Actor;
use crate::console::drafts;
use crate::console::error::ConsoleError;
use crate::console::format::query;
use crate::console::forms_page::{self as page, EditorView};
use crate::console::layout::{Chrome, Section};
use crate::console::site::SiteChoice;
use crate::editing::document::Working;
use crate::editing::fields::{Fields, Problems};
use crate::editing::form::{FormForm, field_of};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::RevisionRow;

/// `GET /admin/forms`.
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
) -> Result<Markup, ConsoleError> {
    let (revision, document) = drafts::working(&app).await?;
    let forms = document.items(sites.key(), "forms").unwrap_or_default();
    let forms: Vec<FormForm> = forms.iter().map(FormForm::of).collect();
    let live = app.store.live_revision_id().await.map_err(ApiError::from)?;
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Forms };
    Ok(page::list(&chrome, &forms, &revision, live))
}

/// `GET /admin/forms/new`.
pub async fn new(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
) -> Result<Markup, ConsoleError> {
    let (revision, _) = drafts::working(&app).await?;
    let state = Editing::new(FormForm::new_form(), None, &revision, &sites);
    Ok(state.render(&actor, &sites))
}

/// `GET /admin/forms/{id}`.
pub async fn edit(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Markup, ConsoleError> {
    let (revision, document) = drafts::working(&app).await?;
    let (_, form) = document.item(sites.key(), "forms", &id).map_err(|_| ConsoleError::NotFound)?;
    let state = Editing::new(FormForm::of(&form), Some(id), &revision, &sites);
    Ok(state.render(&actor, &sites))
}

/// `POST /admin/forms`.
pub async fn submit(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    let fields = Fields::new(pairs);
    let (revision, document) = drafts::working(&app).await?;
    let form = FormForm::from_fields(&fields);
    let mut state = Editing::new(form, fields.text("original"), &revision, &sites);
    state.message = fields.text("message").unwrap_or_default();
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
    form: FormForm,
    original: Option<String>,
    base: i64,
    base_live: bool,
    site: String,
    problems: Problems,
    notice: Option<String>,
    message: String,
}

impl Editing {
    fn new(
        form: FormForm,
        original: Option<String>,
        revision: &RevisionRow,
        sites: &SiteChoice,
    ) -> Editing {
        Editing {
            form,
            original,
            base: revision.id,
            base_live: revision.published_ms.is_some(),
            site: sites.key().to_owned(),
            problems: Problems::default(),
            notice: None,
            message: String::new(),
        }
    }

    fn render(&self, actor: &Actor, sites: &SiteChoice) -> Markup {
        let chrome = Chrome { actor, sites, section: Section::Forms };
        page::editor(
            &chrome,
            &EditorView {
                form: &self.form,
                original: self.original.as_deref(),
                base: self.base,
                base_live: self.base_live,
                problems: &self.problems,
                notice: self.notice.as_deref(),
                message: &self.message,
            },
        )
    }

    /// Saves the form into `document`; the answer to send when it was saved.
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
            list: "forms",
            what: "form",
            original: self.original.as_deref(),
            value,
            field_of,
            message: self.commit_message("Edit form"),
        };
        let saved = putting
            .save(app, actor, self.base, document, &mut self.problems, &mut self.notice)
            .await?;
        let Some(id) = saved else { return Ok(None) };
        let to = if then_preview {
            let form = query([("site", self.site.as_str()), ("form", self.form.id.as_str())]);
            format!("/admin/revisions/{id}/preview?{form}")
        } else {
            drafts::saved_path(id, &self.site)
        };
        Ok(Some(Redirect::to(&to).into_response()))
    }

    /// Removes the form from `document` as a new draft.
    async fn delete(
        &mut self,
        app: &AppState,
        actor: &Actor,
        document: Working,
    ) -> Result<Option<Response>, ConsoleError> {
        let deletion = drafts::Deletion {
            site: &self.site,
            list: "forms",
            what: "form",
            original: self.original.as_deref(),
            message: self.commit_message("Delete form"),
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
}
