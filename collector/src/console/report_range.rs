//! The range of days a report page shows: a preset (`range=7d`, `30d`, `90d`,
//! `quarter`: the current quarter so far) or two dates (`from=YYYY-MM-DD`,
//! `until=YYYY-MM-DD`, both included), 30 days up to today (UTC) when neither is
//! given; and the picker that chooses it, a `GET` form so every range is a link.

use maud::{Markup, html};
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use crate::console::error::ConsoleError;
use crate::console::format::{DAY_MS, parse_day, query};
use crate::reporting::Range;

/// The presets, as (query value, label).
pub const PRESETS: [(&str, &str); 4] =
    [("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), ("quarter", "This quarter")];

/// What the query asks for.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    pub range: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
}

/// The range chosen, and the preset it is, if one.
#[derive(Debug, Clone, Copy)]
pub struct Chosen {
    pub range: Range,
    pub preset: Option<&'static str>,
}

impl RangeQuery {
    /// The range asked for, on `today` (days since the epoch).
    pub fn choose(&self, today: i64) -> Result<Chosen, ConsoleError> {
        let bad = |field| ConsoleError::BadInput { field, message: "use a date as YYYY-MM-DD" };
        if !self.from.is_empty() || !self.until.is_empty() {
            let from = parse_day(&self.from).ok_or(bad("from"))?;
            let until = match self.until.as_str() {
                "" => today * DAY_MS,
                text => parse_day(text).ok_or(bad("until"))?,
            };
            let range = Range::of_times(from, until).ok_or(ConsoleError::BadInput {
                field: "from",
                message: "the range must go forward and cover at most 400 days",
            })?;
            return Ok(Chosen { range, preset: None });
        }
        let preset =
            PRESETS.iter().map(|(key, _)| *key).find(|key| *key == self.range).unwrap_or("30d");
        let from = match preset {
            "7d" => today - 6,
            "90d" => today - 89,
            "quarter" => quarter_start(today),
            _ => today - 29,
        };
        Ok(Chosen { range: Range { from, until: today + 1 }, preset: Some(preset) })
    }
}

/// The first day of the quarter `day` is in.
fn quarter_start(day: i64) -> i64 {
    let Some(date) = date_of(day) else { return day };
    let month = (u8::from(date.month()) - 1) / 3 * 3 + 1;
    let start = time::Month::try_from(month)
        .ok()
        .and_then(|month| Date::from_calendar_date(date.year(), month, 1).ok());
    start.map_or(day, |start| i64::from(start.to_julian_day() - unix_epoch_julian_day()))
}

fn unix_epoch_julian_day() -> i32 {
    OffsetDateTime::UNIX_EPOCH.date().to_julian_day()
}

fn date_of(day: i64) -> Option<Date> {
    let julian = i32::try_from(day).ok()?.checked_add(unix_epoch_julian_day())?;
    Date::from_julian_day(julian).ok()
}

/// `YYYY-MM-DD` of `day`.
pub fn day_text(day: i64) -> String {
    date_of(day).map_or_else(String::new, |date| {
        format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
    })
}

/// The query pairs naming `chosen`.
pub fn pairs(chosen: &Chosen) -> Vec<(&'static str, String)> {
    match chosen.preset {
        Some(preset) => vec![("range", preset.to_owned())],
        None => {
            vec![("from", day_text(chosen.range.from)), ("until", day_text(chosen.range.until - 1))]
        }
    }
}

/// The picker: preset links, then two dates and a button. `path` is the page's, `keep`
/// the other query pairs it keeps (the site first). Pages comparing the range with the
/// one before use [`compared_picker`], which names that period.
pub fn picker(path: &str, keep: &[(&str, &str)], chosen: &Chosen) -> Markup {
    choose(path, keep, chosen, false)
}

/// The [`picker`], naming the period the page compares the range with.
pub fn compared_picker(path: &str, keep: &[(&str, &str)], chosen: &Chosen) -> Markup {
    choose(path, keep, chosen, true)
}

fn choose(path: &str, keep: &[(&str, &str)], chosen: &Chosen, compared: bool) -> Markup {
    let link = |preset: &str| {
        let pairs = keep.iter().copied().chain([("range", preset)]);
        [path, "?", &query(pairs)].concat()
    };
    html! {
        form.report-range method="get" action=(path) {
            @for (name, value) in keep {
                input type="hidden" name=(name) value=(value);
            }
            ul.report-presets aria-label="Ranges" {
                @for (key, label) in PRESETS {
                    li { a href=(link(key)) aria-current=[(chosen.preset == Some(key)).then_some("true")] { (label) } }
                }
            }
            div.field {
                label for="range-from" { "From" }
                input #range-from type="date" name="from" value=(day_text(chosen.range.from));
            }
            div.field {
                label for="range-until" { "Until" }
                input #range-until type="date" name="until" value=(day_text(chosen.range.until - 1));
            }
            button.button.secondary type="submit" { "Show" }
        }
        p.muted {
            @if compared {
                "Compared with " (day_text(chosen.range.previous().from)) " to "
                (day_text(chosen.range.previous().until - 1)) ". "
            }
            "Days are UTC."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_and_dates() {
        // 2026-12-04 is day 20_791.
        let today = 20_791;
        assert_eq!(day_text(today), "2026-12-04");
        let asked = RangeQuery { range: "7d".to_owned(), ..RangeQuery::default() };
        let chosen = asked.choose(today).expect("valid");
        assert_eq!((chosen.range.from, chosen.range.until), (today - 6, today + 1));
        let quarter = RangeQuery { range: "quarter".to_owned(), ..RangeQuery::default() };
        assert_eq!(day_text(quarter.choose(today).expect("valid").range.from), "2026-10-01");
        let dates = RangeQuery {
            from: "2026-11-01".to_owned(),
            until: "2026-11-30".to_owned(),
            ..RangeQuery::default()
        };
        assert_eq!(dates.choose(today).expect("valid").range.days(), 30);
        let bad = RangeQuery { from: "yesterday".to_owned(), ..RangeQuery::default() };
        assert!(bad.choose(today).is_err());
    }
}
