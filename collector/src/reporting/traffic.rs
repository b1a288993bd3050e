//! Traffic and sources: distinct visitors, visits, pageviews, leads and MQLs of a range
//! — per day, or per hour for ranges of up to [`MAX_HOURLY_DAYS`] days — and the
//! channels, sources, campaigns, referrers, landing pages and pages with their lead
//! and MQL rates. Visits are credited to where their first page came from; leads and
//! MQLs to the visit the person became a lead in, on the day they converted.

use serde::Serialize;

use crate::profiles::progress::DAY_MS;
use crate::profiles::tally::HOUR_MS;
use crate::reporting::Range;
use crate::store::records::{TRAFFIC_BREAKDOWNS, TrafficMeasures};
use crate::store::{Store, StoreResult};

/// Longest range shown per hour, in days.
pub const MAX_HOURLY_DAYS: i64 = 14;

/// Rows per breakdown.
pub const BREAKDOWN_ROWS: u32 = 25;

/// A range's (or a point's) numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// Distinct visitors (devices), each once however often it came.
    pub visitors: i64,
    pub visits: i64,
    pub pageviews: i64,
    pub leads: i64,
    pub mqls: i64,
}

/// One day or hour of the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Point {
    /// Its start, Unix milliseconds.
    pub start_ms: i64,
    pub totals: Totals,
}

/// One value of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrafficRow {
    pub value: String,
    pub visits: i64,
    pub pageviews: i64,
    pub leads: i64,
    pub mqls: i64,
}

/// A breakdown's rows, the most visited (pages: viewed) first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Breakdown {
    /// `channel`, `source`, `campaign`, `referrer`, `landing` or `page`.
    pub dimension: &'static str,
    pub rows: Vec<TrafficRow>,
}

/// How the series is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Day,
    Hour,
}

/// The traffic report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrafficReport {
    pub range: Range,
    pub previous_range: Range,
    pub interval: Interval,
    pub totals: Totals,
    pub previous_totals: Totals,
    pub series: Vec<Point>,
    pub breakdowns: Vec<Breakdown>,
}

/// Builds the traffic report of `range`, per hour when asked and short enough.
pub async fn build(
    store: &dyn Store,
    site: &str,
    range: Range,
    hourly: bool,
) -> StoreResult<TrafficReport> {
    let interval =
        if hourly && range.days() <= MAX_HOURLY_DAYS { Interval::Hour } else { Interval::Day };
    let days = store.traffic_days(site, range.as_pair()).await?;
    let mut totals = Totals {
        visitors: store.distinct_visitors(site, range.as_pair()).await?,
        ..Totals::default()
    };
    for day in &days {
        add(&mut totals, &day.measures);
    }
    let mut previous_totals = Totals {
        visitors: store.distinct_visitors(site, range.previous().as_pair()).await?,
        ..Totals::default()
    };
    for day in store.traffic_days(site, range.previous().as_pair()).await? {
        add(&mut previous_totals, &day.measures);
    }
    let series = match interval {
        Interval::Day => (range.from..range.until)
            .map(|day| {
                let mut point = Totals::default();
                if let Ok(at) = days.binary_search_by_key(&day, |known| known.day) {
                    add(&mut point, &days[at].measures);
                    point.visitors = days[at].visitors;
                }
                Point { start_ms: day * DAY_MS, totals: point }
            })
            .collect(),
        Interval::Hour => {
            let hours = store.traffic_hours(site, range.hours()).await?;
            let (from, until) = range.hours();
            (from..until)
                .map(|hour| {
                    let mut point = Totals::default();
                    if let Ok(at) = hours.binary_search_by_key(&hour, |known| known.hour) {
                        add(&mut point, &hours[at].measures);
                        point.visitors = hours[at].visitors;
                    }
                    Point { start_ms: hour * HOUR_MS, totals: point }
                })
                .collect()
        }
    };
    let mut breakdowns = Vec::with_capacity(TRAFFIC_BREAKDOWNS.len());
    for dimension in TRAFFIC_BREAKDOWNS {
        let rows = store.traffic_rows(site, range.as_pair(), dimension, BREAKDOWN_ROWS).await?;
        breakdowns.push(Breakdown {
            dimension,
            rows: rows
                .into_iter()
                .map(|(value, m)| TrafficRow {
                    value,
                    visits: m.visits,
                    pageviews: m.pageviews,
                    leads: m.leads,
                    mqls: m.mqls,
                })
                .collect(),
        });
    }
    Ok(TrafficReport {
        range,
        previous_range: range.previous(),
        interval,
        totals,
        previous_totals,
        series,
        breakdowns,
    })
}

fn add(totals: &mut Totals, measures: &TrafficMeasures) {
    totals.visits += measures.visits;
    totals.pageviews += measures.pageviews;
    totals.leads += measures.leads;
    totals.mqls += measures.mqls;
}
