//! The scoring and stages editor (markup in [`scoring_page`](super::scoring_page)):
//!
//! - `GET /admin/scoring`: the site's thresholds, decay, behaviour and fit rules and
//!   stage policy, from the newest revision;
//! - `POST /admin/scoring`: its buttons add, remove and move rules and change a fit
//!   rule's builder rows (nothing is saved), or save both sections as one new draft,
//!   refused beside its field when the editor or the validator finds a problem.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use serde_yaml_ng::Value;

use crate::accounts::Actor;
use crate::console::drafts::{self, Saved};
use crate::console::error::ConsoleError;
use crate::console::layout::{Chrome, Section};
use crate::console::scoring_page::{self as page, ScoringView};
use crate::console::site::SiteChoice;
use crate::editing::document::Working;
use crate::editing::fields::{Fields, Problems};
use crate::editing::scoring::{ScoringForm, scoring_field, stages_field};
use crate::state::AppState;

/// `GET /admin/scoring`.
pub async fn show(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
) -> Result<Markup, ConsoleError> {
    let (revision, document) = drafts::working(&app).await?;
    let sections = Sections::of(&document, sites.key())?;
    let form = ScoringForm::of(sections.scoring.as_ref(), sections.stages.as_ref());
    let view = ScoringView {
        form: &form,
        base: revision.id,
        choices: &sections.known_forms,
        problems: &Problems::default(),
        notice: None,
        message: "",
    };
    Ok(render(&actor, &sites, &view))
}

fn render(actor: &Actor, sites: &SiteChoice, view: &ScoringView<'_>) -> Markup {
    page::editor(&Chrome { actor, sites, section: Section::Scoring }, view)
}

/// `POST /admin/scoring`.
pub async fn submit(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    let fields = Fields::new(pairs);
    let (revision, document) = drafts::working(&app).await?;
    let sections = Sections::of(&document, sites.key())?;
    let mut form = ScoringForm::from_fields(&fields);
    let message = fields.text("message").unwrap_or_default();
    let mut problems = Problems::default();
    let mut notice = None;
    match fields.get("action").unwrap_or("save") {
        "save" => {
            let edit = Edit { form: &form, sections: &sections, message: &message };
            match edit.save(&app, &actor, &revision.document, document, sites.key()).await? {
                Ok(id) => {
                    return Ok(Redirect::to(&drafts::saved_path(id, sites.key())).into_response());
                }
                Err(Refused::At(found)) => problems = found,
                Err(Refused::Notice(text)) => notice = Some(text),
            }
        }
        other => form.apply(other),
    }
    if let Some(open) = (0..form.fit.len()).find(|k| problems.within(&format!("fit[{k}]"))) {
        form.fit_open = open;
    }
    let view = ScoringView {
        form: &form,
        base: revision.id,
        choices: &sections.known_forms,
        problems: &problems,
        notice: notice.as_deref(),
        message: &message,
    };
    let status = if problems.is_empty() && notice.is_none() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, render(&actor, &sites, &view)).into_response())
}

/// A site's sections as the newest revision holds them, and the forms that may be SQL
/// forms: the site's, and those the stage policy already names.
struct Sections {
    index: usize,
    scoring: Option<Value>,
    stages: Option<Value>,
    known_forms: Vec<String>,
}

impl Sections {
    fn of(document: &Working, site: &str) -> Result<Sections, ConsoleError> {
        let index = document.site_index(site).map_err(|_| ConsoleError::UnknownSite)?;
        let scoring = document.section(site, "scoring").map_err(|_| ConsoleError::UnknownSite)?;
        let stages = document.section(site, "stages").map_err(|_| ConsoleError::UnknownSite)?;
        let mut known_forms: Vec<String> = document
            .items(site, "forms")
            .unwrap_or_default()
            .iter()
            .filter_map(|form| form.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for named in ScoringForm::of(None, stages.as_ref()).sql_forms {
            if !known_forms.contains(&named) {
                known_forms.push(named);
            }
        }
        Ok(Sections { index, scoring, stages, known_forms })
    }
}

/// Why an edit was not saved.
enum Refused {
    At(Problems),
    Notice(String),
}

/// The form saved over a site's sections.
struct Edit<'a> {
    form: &'a ScoringForm,
    sections: &'a Sections,
    message: &'a str,
}

impl Edit<'_> {
    async fn save(
        &self,
        app: &AppState,
        actor: &Actor,
        base: &str,
        mut document: Working,
        site: &str,
    ) -> Result<Result<i64, Refused>, ConsoleError> {
        let scoring = self.form.to_scoring(self.sections.scoring.as_ref());
        let stages = self.form.to_stages(self.sections.stages.as_ref(), &self.sections.known_forms);
        let (scoring, stages) = match (scoring, stages) {
            (Ok(scoring), Ok(stages)) => (scoring, stages),
            (scoring, stages) => {
                let mut problems = Problems::default();
                problems.list.extend(scoring.err().into_iter().flat_map(|p| p.list));
                problems.list.extend(stages.err().into_iter().flat_map(|p| p.list));
                return Ok(Err(Refused::At(problems)));
            }
        };
        let set = document
            .set_section(site, "scoring", scoring)
            .and_then(|()| document.set_section(site, "stages", stages));
        if let Err(error) = set {
            return Ok(Err(Refused::Notice(format!("Not saved: {error}."))));
        }
        let message = if self.message.is_empty() {
            "Edit scoring and stages".to_owned()
        } else {
            self.message.to_owned()
        };
        let item = format!("sites[{}].scoring", self.sections.index);
        let saved = drafts::save(app, actor, base, document.text(), &item, message).await?;
        let mut problems = Problems::default();
        match saved {
            Saved::Draft(id) => return Ok(Ok(id)),
            Saved::Inside { path, message } => problems.add(scoring_field(&path), message),
            Saved::Elsewhere { path, message } => {
                let stages = format!("sites[{}].stages", self.sections.index);
                match path.strip_prefix(&stages) {
                    Some(rest) if rest.is_empty() || rest.starts_with(['.', '[']) => {
                        problems.add(stages_field(rest), message);
                    }
                    _ => {
                        return Ok(Err(Refused::Notice(format!(
                            "Not saved: this change makes {path} invalid: {message}."
                        ))));
                    }
                }
            }
        }
        Ok(Err(Refused::At(problems)))
    }
}
