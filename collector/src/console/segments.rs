//! The segment editor (markup in [`segments_page`](super::segments_page)), a rule
//! builder over the profile facts segments may read:
//!
//! - `GET /admin/segments`: the segments of the newest revision;
//! - `GET /admin/segments/new`, `GET /admin/segments/{id}`: the editor;
//! - `POST /admin/segments`: its buttons change the rule's rows, count who of the last
//!   30 days the rule matches, test it against one person, or save (or delete) the
//!   segment as a new draft, refused beside its field when the validator finds a
//!   problem the edit brought in (a workflow or block naming a deleted segment, too).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;

use crate::accounts::Actor;
use crate::console::drafts::{self, Saved};
use crate::console::error::ConsoleError;
use crate::console::layout::{Chrome, Section};
use crate::console::rule_checks::{Edited, TEST_PERSON};
use crate::console::segments_page::{self as page, SegmentView};
use crate::console::site::SiteChoice;
use crate::editing::document::{EditError, Working};
use crate::editing::fields::{Fields, Problems};
use crate::editing::segment::SegmentForm;
use crate::profiles::facts::KNOWN_FACTS;
use crate::state::AppState;

/// `GET /admin/segments`.
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
) -> Result<Markup, ConsoleError> {
    let (revision, document) = drafts::working(&app).await?;
    let segments: Vec<SegmentForm> = document
        .items(sites.key(), "segments")
        .unwrap_or_default()
        .iter()
        .map(SegmentForm::of)
        .collect();
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Scoring };
    Ok(page::list(&chrome, &segments, revision.id))
}

/// `GET /admin/segments/new`.
pub async fn new(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
) -> Result<Markup, ConsoleError> {
    let (revision, _) = drafts::working(&app).await?;
    let mut form = SegmentForm::default();
    form.rule.add_condition(0);
    Ok(render(&actor, &sites, &SegmentView::new(&form, None, revision.id)))
}

/// `GET /admin/segments/{id}`.
pub async fn edit(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Markup, ConsoleError> {
    let (revision, document) = drafts::working(&app).await?;
    let (_, found) =
        document.item(sites.key(), "segments", &id).map_err(|_| ConsoleError::NotFound)?;
    let form = SegmentForm::of(&found);
    Ok(render(&actor, &sites, &SegmentView::new(&form, Some(&id), revision.id)))
}

fn render(actor: &Actor, sites: &SiteChoice, view: &SegmentView<'_>) -> Markup {
    page::editor(&Chrome { actor, sites, section: Section::Scoring }, view)
}

/// `POST /admin/segments`.
pub async fn submit(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    let fields = Fields::new(pairs);
    let (revision, document) = drafts::working(&app).await?;
    let mut form = SegmentForm::from_fields(&fields);
    let original = fields.text("original");
    let test_person = fields.text(TEST_PERSON).unwrap_or_default();
    let message = fields.text("message").unwrap_or_default();
    let mut problems = Problems::default();
    let mut notice = None;
    let (mut reach, mut tested) = (None, None);
    let rule = Edited { rows: &form.rule, facts: &KNOWN_FACTS, field: "rule" };
    match fields.get("action").unwrap_or("save") {
        "reach" => reach = rule.count(&app, sites.key(), &mut problems).await?,
        "test" => tested = rule.test(&app, sites.key(), &test_person, &mut problems).await?,
        action @ ("save" | "delete") => {
            let change = Change { form: &form, original: original.as_deref(), message: &message };
            match change
                .save(&app, &actor, &revision.document, document, sites.key(), action == "delete")
                .await?
            {
                Ok(id) => {
                    return Ok(Redirect::to(&drafts::saved_path(id, sites.key())).into_response());
                }
                Err(Refused::At(field, message)) => problems.add(field, message),
                Err(Refused::Notice(text)) => notice = Some(text),
            }
        }
        other => form.apply(other),
    }
    let view = SegmentView {
        form: &form,
        original: original.as_deref(),
        base: revision.id,
        problems: &problems,
        notice: notice.as_deref(),
        message: &message,
        test_person: &test_person,
        reach: reach.as_ref(),
        tested: tested.as_ref().map(|(who, why)| (who.as_str(), why.as_ref())),
    };
    let status = if problems.is_empty() && notice.is_none() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, render(&actor, &sites, &view)).into_response())
}

/// Why a change was not saved.
enum Refused {
    At(String, String),
    Notice(String),
}

/// A segment saved or deleted.
struct Change<'a> {
    form: &'a SegmentForm,
    original: Option<&'a str>,
    message: &'a str,
}

impl Change<'_> {
    async fn save(
        &self,
        app: &AppState,
        actor: &Actor,
        base: &str,
        mut document: Working,
        site: &str,
        delete: bool,
    ) -> Result<Result<i64, Refused>, ConsoleError> {
        let site_index = document.site_index(site).map_err(|_| ConsoleError::UnknownSite)?;
        let (item, what) = if delete {
            let Some(original) = self.original else {
                return Ok(Err(Refused::Notice("This segment was never saved.".into())));
            };
            if document.remove(site, "segments", original).is_err() {
                return Ok(Err(Refused::Notice(
                    "This segment is not in the newest draft any more.".into(),
                )));
            }
            ("-".to_owned(), "Delete segment")
        } else {
            let value = match self.form.to_value() {
                Ok(value) => value,
                Err(problems) => {
                    let first = problems.list.into_iter().next().expect("a problem");
                    return Ok(Err(Refused::At(first.field, first.message)));
                }
            };
            match document.put(site, "segments", self.original, value) {
                Ok(index) => (format!("sites[{site_index}].segments[{index}]"), "Edit segment"),
                Err(EditError::Taken(_)) => {
                    return Ok(Err(Refused::At("id".into(), "another segment has this id".into())));
                }
                Err(error) => return Ok(Err(Refused::Notice(format!("Not saved: {error}.")))),
            }
        };
        let message = if self.message.is_empty() {
            format!("{what} {}", self.form.id)
        } else {
            self.message.to_owned()
        };
        Ok(match drafts::save(app, actor, base, document.text(), &item, message).await? {
            Saved::Draft(id) => Ok(id),
            Saved::Inside { path, message } => {
                let field =
                    path.trim_start_matches('.').split(['.', '[']).next().unwrap_or_default();
                Err(Refused::At(
                    if field.is_empty() { "id".into() } else { field.to_owned() },
                    message,
                ))
            }
            Saved::Elsewhere { path, message } => Err(Refused::Notice(format!(
                "Not saved: this change makes {path} invalid: {message}."
            ))),
        })
    }
}
