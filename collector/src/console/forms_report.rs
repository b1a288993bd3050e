//! The forms report page, for any signed-in user (markup in [`forms_report_page`], the
//! CSV in [`forms_report_csv`], the figures in [`field_report`]):
//!
//! - `GET /admin/reports/forms[?range=30d|from=…&until=…]`: every form's key figures
//!   against the previous period, its drop-off per field, refused spam and consents;
//! - `…&format=csv&form=ID`: that form's field table as a download;
//! - `…&format=json`: the figures the page is drawn from.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::accounts::Actor;
use crate::clock::unix_millis;
use crate::console::error::ConsoleError;
use crate::console::format::DAY_MS;
use crate::console::layout::{Chrome, Section};
use crate::console::report_range::{Chosen, RangeQuery, day_text};
use crate::console::site::SiteChoice;
use crate::console::{forms_report_csv, forms_report_page};
use crate::error::ApiError;
use crate::forms::field_report::{self, FormSections};
use crate::forms::report;
use crate::reporting::range::Range;
use crate::state::AppState;

/// The forms page's query.
#[derive(Debug, Default, Deserialize)]
pub struct FormsReportQuery {
    #[serde(flatten)]
    range: RangeQuery,
    #[serde(default)]
    format: String,
    #[serde(default)]
    form: String,
}

/// `GET /admin/reports/forms`.
pub async fn forms(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    asked: Result<Query<FormsReportQuery>, QueryRejection>,
) -> Result<Response, ConsoleError> {
    let Query(asked) = asked.map_err(|_| ConsoleError::BadInput {
        field: "query",
        message: "use the page's range and links",
    })?;
    let chosen = asked.range.choose(unix_millis().div_euclid(DAY_MS))?;
    let now = figures(&app, &sites, chosen.range).await?;
    match asked.format.as_str() {
        "json" => Ok(Json(now).into_response()),
        "csv" => {
            let section = now.forms.iter().find(|section| section.counts.form == asked.form);
            let section = section.ok_or(ConsoleError::BadInput {
                field: "form",
                message: "pick one of the page's forms",
            })?;
            let body = forms_report_csv::fields(section);
            Ok(download(&["form-", &section.counts.form].concat(), &chosen, body))
        }
        _ => {
            let before = figures(&app, &sites, chosen.range.previous()).await?;
            let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Reports };
            Ok(forms_report_page::render(&chrome, &chosen, &now, &before).into_response())
        }
    }
}

/// The figures of the site's forms over `range`.
async fn figures(
    app: &AppState,
    sites: &SiteChoice,
    range: Range,
) -> Result<FormSections, ConsoleError> {
    let site = sites.current.as_ref();
    let counts = app.store.form_counts(&site.key, range.as_pair()).await.map_err(ApiError::from)?;
    let report = report::build(site, &counts, range.from_ms(), range.until_ms());
    Ok(field_report::sections(site, report, &counts))
}

/// A CSV download named after the form and the range.
fn download(name: &str, chosen: &Chosen, body: Vec<u8>) -> Response {
    let file = format!(
        "attachment; filename=\"{name}-{}-{}.csv\"",
        day_text(chosen.range.from),
        day_text(chosen.range.until - 1)
    );
    ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, file)], body)
        .into_response()
}
