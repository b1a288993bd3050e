//! Leads export: every known person matching the leads filters, as CSV (one row per
//! lead, for spreadsheets and CRM imports) or JSON (the whole profiles), through
//! `GET /admin/api/leads/export` and `kindling-collector export`.
//!
//! CSV columns: `id, email, score, temperature, stage, segments` (joined by `;`),
//! `marketing_consent, created, last_activity` (RFC 3339, UTC), `first_source,
//! first_channel, last_source, last_channel`, then one `trait:NAME` column per trait
//! any exported lead has, by name. A cell that a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@` or their full-width forms first once leading whitespace is
//! skipped, or a tab or line break first; finite numbers such as `-3` excepted) is
//! prefixed with `'`.

use std::collections::BTreeSet;
use std::sync::Arc;

use kindling_core::wire::PropValue;

use crate::profiles::Person;
use crate::profiles::leads::LeadFilter;
use crate::store::{Store, StoreError};

/// Leads read per query while exporting.
const PAGE: u32 = 500;

/// An export format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, clap::ValueEnum, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Every lead of `site` matching `filter` (its `limit` and `offset` are ignored).
pub async fn all_leads(
    store: &Arc<dyn Store>,
    site: &str,
    filter: &LeadFilter,
) -> Result<Vec<Person>, StoreError> {
    let mut leads = Vec::new();
    loop {
        let page = LeadFilter { limit: PAGE, offset: leads.len() as u32, ..filter.clone() };
        let found = crate::profiles::leads::leads(store, site, &page).await?;
        let done = found.len() < PAGE as usize;
        leads.extend(found);
        if done {
            return Ok(leads);
        }
    }
}

/// `leads` in `format`.
pub fn render(leads: &[Person], format: Format) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Json => Ok(serde_json::to_vec(leads)?),
        Format::Csv => csv_of(leads),
    }
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn csv_of(leads: &[Person]) -> Result<Vec<u8>, ExportError> {
    let traits: BTreeSet<&str> =
        leads.iter().flat_map(|lead| lead.traits.keys().map(String::as_str)).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "id",
        "email",
        "score",
        "temperature",
        "stage",
        "segments",
        "marketing_consent",
        "created",
        "last_activity",
        "first_source",
        "first_channel",
        "last_source",
        "last_channel",
    ]
    .map(str::to_owned)
    .to_vec();
    header.extend(traits.iter().map(|name| ["trait:", name].concat()));
    out.write_record(&header)?;
    for lead in leads {
        let first = lead.aggregates.first_touch.as_ref();
        let last = lead.aggregates.last_touch.as_ref();
        let mut row = vec![
            lead.id.clone(),
            lead.email.clone().unwrap_or_default(),
            lead.score.to_string(),
            lead.temperature.as_str().to_owned(),
            lead.stage.as_str().to_owned(),
            lead.segments.join(";"),
            lead.marketing_consent.to_string(),
            rfc3339(lead.created_ms),
            rfc3339(lead.last_activity_ms),
            first.and_then(|t| t.source.clone()).unwrap_or_default(),
            first.map(|t| t.channel.clone()).unwrap_or_default(),
            last.and_then(|t| t.source.clone()).unwrap_or_default(),
            last.map(|t| t.channel.clone()).unwrap_or_default(),
        ];
        row.extend(traits.iter().map(|name| match lead.traits.get(*name).map(|t| &t.value) {
            Some(PropValue::Text(text)) => text.clone(),
            Some(PropValue::Number(number)) => number.to_string(),
            Some(PropValue::Bool(flag)) => flag.to_string(),
            None => String::new(),
        }));
        out.write_record(row.iter().map(|cell| defuse(cell).into_owned()))?;
    }
    out.into_inner().map_err(|error| ExportError::Io(error.into_error()))
}

/// A cell a spreadsheet will not run as a formula: prefixed with `'` (as OWASP
/// advises) when [`is_formula_like`].
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(cell) {
        std::borrow::Cow::Owned(["'", cell].concat())
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Characters that start a formula, full-width forms included (some spreadsheets
/// read those as their ASCII twins).
const FORMULA_STARTS: [char; 8] =
    ['=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}'];

/// True for a cell starting with a tab or a line break, or whose first character
/// after leading whitespace and invisible characters (which spreadsheets may skip) starts
/// a formula, unless the rest is a finite number: `-3` and `+2.5` stay numbers,
/// `-inf` and `+NaN` do not.
fn is_formula_like(cell: &str) -> bool {
    if cell.starts_with(['\t', '\r', '\n']) {
        return true;
    }
    let trimmed = cell.trim_start_matches(is_skipped);
    trimmed.starts_with(FORMULA_STARTS) && !trimmed.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Whitespace (NBSP and the other Unicode spaces included), control characters, and
/// the zero-width characters and byte-order mark.
fn is_skipped(character: char) -> bool {
    character.is_whitespace()
        || character.is_control()
        || matches!(character, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

fn rfc3339(ms: i64) -> String {
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    time.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// `kindling-collector export`: the leads of one site, written to a file or stdout.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "kindling-collector export", about = "Export a site's leads as CSV or JSON")]
pub struct ExportArgs {
    /// Database URL, as for serving.
    #[arg(long, env = "KINDLING_DATABASE", default_value = "sqlite://kindling.db")]
    pub database: String,
    /// The site's key.
    #[arg(long)]
    pub site: String,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Where to write; standard output if absent.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    #[arg(long)]
    pub temperature: Option<String>,
    #[arg(long)]
    pub stage: Option<String>,
    #[arg(long)]
    pub segment: Option<String>,
    /// First-touch source (`utm_source`) or channel.
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub min_score: Option<i32>,
    #[arg(long)]
    pub max_score: Option<i32>,
}

/// Runs an export; returns how many leads were written.
pub async fn run(args: &ExportArgs) -> Result<usize, ExportError> {
    let store = crate::store::open(&args.database).await?;
    let filter = LeadFilter {
        temperature: args.temperature.clone(),
        stage: args.stage.clone(),
        segment: args.segment.clone(),
        source: args.source.clone(),
        min_score: args.min_score,
        max_score: args.max_score,
        limit: PAGE,
        ..LeadFilter::default()
    };
    let leads = all_leads(&store, &args.site, &filter).await?;
    let bytes = render(&leads, args.format)?;
    match &args.out {
        Some(path) => std::fs::write(path, bytes)?,
        None => std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes)?,
    }
    Ok(leads.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::traits::Trait;

    fn lead(id: &str, email: &str, traits: &[(&str, PropValue)]) -> Person {
        let mut person = Person::new(id.to_owned(), 1_764_000_000_000);
        person.email = Some(email.to_owned());
        person.score = 42;
        person.segments = vec!["enterprise".to_owned(), "hot_leads".to_owned()];
        for (name, value) in traits {
            let value = value.clone();
            person
                .traits
                .insert((*name).to_owned(), Trait { value, source: "form:x".to_owned(), at_ms: 0 });
        }
        person
    }

    #[test]
    fn csv_has_one_column_per_trait_and_quotes_what_needs_it() {
        let leads = [
            lead("p1", "ann@example.com", &[("company", PropValue::Text("Acme, Inc.".into()))]),
            lead(
                "p2",
                "bob@example.com",
                &[
                    ("company_size", PropValue::Number(500.0)),
                    ("note", PropValue::Text("=HYPERLINK(\"x\")".into())),
                ],
            ),
        ];
        let text = String::from_utf8(render(&leads, Format::Csv).expect("CSV")).expect("UTF-8");
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(
                "id,email,score,temperature,stage,segments,marketing_consent,created,last_activity,first_source,first_channel,last_source,last_channel,trait:company,trait:company_size,trait:note"
            )
        );
        assert_eq!(
            lines.next(),
            Some(
                "p1,ann@example.com,42,cold,anonymous,enterprise;hot_leads,false,2025-11-24T16:00:00Z,2025-11-24T16:00:00Z,,,,,\"Acme, Inc.\",,"
            )
        );
        let second = lines.next().expect("second row");
        assert!(second.ends_with(",,500,\"'=HYPERLINK(\"\"x\"\")\""), "{second}");
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn json_is_the_profiles() {
        let leads = [lead("p1", "ann@example.com", &[])];
        let json: serde_json::Value =
            serde_json::from_slice(&render(&leads, Format::Json).expect("JSON")).expect("parses");
        assert_eq!(json[0]["email"], "ann@example.com");
        assert_eq!(json[0]["score"], 42);
    }

    #[test]
    fn negative_numbers_are_not_formulas() {
        assert_eq!(defuse("-12.5"), "-12.5");
        assert_eq!(defuse("-cmd"), "'-cmd");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("plain"), "plain");
    }

    #[test]
    fn formulas_behind_whitespace_full_width_signs_or_infinities_are_defused() {
        for formula in [
            " =1+1",
            "  @SUM(A1)",
            "\u{a0}=HYPERLINK(\"x\")",
            "\u{3000}+cmd",
            "\u{200b}=cmd",
            "\u{feff}-cmd",
            "\t=cmd",
            "\n=cmd",
            "\r=cmd",
            "\ncmd",
            "\u{ff1d}1+1",
            "\u{ff0b}cmd",
            "\u{ff0d}cmd",
            "\u{ff20}SUM(A1)",
            " \u{ff1d}1",
            "-inf",
            "+Infinity",
            "-NaN",
            "+1e999",
        ] {
            assert_eq!(defuse(formula), ["'", formula].concat(), "{formula:?}");
        }
        for kept in ["-3", "-2.5", "+3", "-1e5", " -3", "", " plain", "a=b"] {
            assert_eq!(defuse(kept), kept, "{kept:?}");
        }
    }
}
