//! The leads list's query, as the filter form sends it ([`LeadsQuery`]), and the
//! filter it asks for: empty fields mean "any", dates are whole days (UTC), both ends
//! included.

use serde::Deserialize;

use crate::console::error::ConsoleError;
use crate::console::format::{DAY_MS, parse_day, query};
use crate::profiles::leads::{LeadFilter, LeadSort};
use crate::profiles::stage::Stage;

/// Leads on one page of the list.
pub const PER_PAGE: u32 = 50;

/// The temperatures a lead can have.
pub const TEMPERATURES: [&str; 3] = ["cold", "warm", "hot"];

/// The list's query, as the filter form sends it: every field text, empty for "any".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LeadsQuery {
    pub site: String,
    /// Text the email or the name contains.
    pub q: String,
    pub temperature: String,
    pub stage: String,
    pub segment: String,
    /// First-touch channel (or `utm_source`).
    pub channel: String,
    pub min_score: String,
    pub max_score: String,
    /// First seen from and to, `YYYY-MM-DD`, both days included.
    pub first_from: String,
    pub first_to: String,
    /// Last seen from and to, `YYYY-MM-DD`, both days included.
    pub last_from: String,
    pub last_to: String,
    pub sort: String,
    /// 1-based.
    pub page: String,
    /// Set after an erasure, to say it was done.
    pub erased: String,
}

impl LeadsQuery {
    /// The filter this query asks for, all its leads (no limit yet).
    pub fn filter(&self) -> Result<LeadFilter, ConsoleError> {
        if !self.temperature.is_empty() && !TEMPERATURES.contains(&self.temperature.as_str()) {
            return Err(bad("temperature", "choose cold, warm or hot"));
        }
        if !self.stage.is_empty() && Stage::parse(&self.stage).is_none() {
            return Err(bad("stage", "choose a lifecycle stage"));
        }
        let sort = match self.sort.as_str() {
            "" => LeadSort::default(),
            name => LeadSort::parse(name).ok_or(bad("sort", "choose an order"))?,
        };
        Ok(LeadFilter {
            search: text(&self.q).map(str::to_owned),
            temperature: text(&self.temperature).map(str::to_owned),
            stage: text(&self.stage).map(str::to_owned),
            segment: text(&self.segment).map(str::to_owned),
            source: text(&self.channel).map(str::to_owned),
            min_score: score(&self.min_score, "min_score")?,
            max_score: score(&self.max_score, "max_score")?,
            first_seen_from_ms: day(&self.first_from, "first_from", 0)?,
            first_seen_until_ms: day(&self.first_to, "first_to", DAY_MS)?,
            last_seen_from_ms: day(&self.last_from, "last_from", 0)?,
            last_seen_until_ms: day(&self.last_to, "last_to", DAY_MS)?,
            sort,
            limit: 0,
            offset: 0,
        })
    }

    /// The page asked for, from 1.
    pub fn page(&self) -> Result<u32, ConsoleError> {
        match text(&self.page) {
            None => Ok(1),
            Some(page) => page
                .parse::<u32>()
                .ok()
                .filter(|page| (1..=100_000).contains(page))
                .ok_or(bad("page", "must be a page number")),
        }
    }

    /// This query (site included, page left out) as a query string.
    pub fn to_query(&self, site: &str) -> String {
        query([
            ("site", site),
            ("q", self.q.as_str()),
            ("temperature", &self.temperature),
            ("stage", &self.stage),
            ("segment", &self.segment),
            ("channel", &self.channel),
            ("min_score", &self.min_score),
            ("max_score", &self.max_score),
            ("first_from", &self.first_from),
            ("first_to", &self.first_to),
            ("last_from", &self.last_from),
            ("last_to", &self.last_to),
            ("sort", &self.sort),
        ])
    }
}

fn bad(field: &'static str, message: &'static str) -> ConsoleError {
    ConsoleError::BadInput { field, message }
}

/// `value` trimmed, none when empty.
fn text(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|value| !value.is_empty())
}

fn score(value: &str, field: &'static str) -> Result<Option<i32>, ConsoleError> {
    text(value)
        .map(|value| value.parse().map_err(|_| bad(field, "must be a whole number")))
        .transpose()
}

/// The start of the day `value` names, plus `plus_ms`.
fn day(value: &str, field: &'static str, plus_ms: i64) -> Result<Option<i64>, ConsoleError> {
    text(value)
        .map(|value| {
            parse_day(value).map(|start| start + plus_ms).ok_or(bad(field, "must be a date"))
        })
        .transpose()
}
