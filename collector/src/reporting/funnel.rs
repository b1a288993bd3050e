//! The funnel: the persons first seen in a range of days (the cohort), and how many of
//! them went on to each stage — at any time up to now, since stages come from the
//! recorded stage history, and a stage skipped counts as passed. Broken down by one of
//! the first- or last-touch breakdowns (the last touch is the visit a person became a
//! lead in, or its latest visit while it is not one), with the median time between
//! stages for all of the cohort or one breakdown row.

use serde::Serialize;

use crate::reporting::Range;
use crate::store::records::{FUNNEL_BREAKDOWNS, LeadTimes, StageCounts};
use crate::store::{Store, StoreResult};

/// The funnel's stages, as counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Stages {
    pub visitors: i64,
    pub leads: i64,
    pub mqls: i64,
    pub sqls: i64,
    pub customers: i64,
}

impl Stages {
    fn of(counts: &StageCounts) -> Stages {
        Stages {
            visitors: counts.persons,
            leads: counts.leads,
            mqls: counts.mqls,
            sqls: counts.sqls,
            customers: counts.customers,
        }
    }

    /// (label, count) of each stage, in order.
    pub fn steps(&self) -> [(&'static str, i64); 5] {
        [
            ("Visitors", self.visitors),
            ("Leads", self.leads),
            ("MQLs", self.mqls),
            ("SQLs", self.sqls),
            ("Customers", self.customers),
        ]
    }
}

/// One value of the breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FunnelRow {
    pub value: String,
    pub stages: Stages,
}

/// Median times from one stage to the next, in milliseconds (none without a person
/// that reached both).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StageTimes {
    pub visitor_to_lead_ms: Option<i64>,
    pub lead_to_mql_ms: Option<i64>,
    pub mql_to_sql_ms: Option<i64>,
    pub sql_to_customer_ms: Option<i64>,
}

/// The funnel report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FunnelReport {
    pub range: Range,
    pub previous_range: Range,
    /// The breakdown shown: `first_channel`, …, `last_landing`.
    pub breakdown: &'static str,
    pub total: Stages,
    pub previous_total: Stages,
    /// The breakdown's values, the most visitors first.
    pub rows: Vec<FunnelRow>,
    /// The row the funnel chart and times are for, if one was picked.
    pub selected: Option<String>,
    /// The stages of the selected row (or of the whole cohort).
    pub shown: Stages,
    pub times: StageTimes,
}

/// The breakdown named `name`, if it is one.
pub fn breakdown(name: &str) -> Option<&'static str> {
    FUNNEL_BREAKDOWNS.into_iter().find(|known| *known == name)
}

/// Builds the funnel of `range`, broken down by `breakdown`, for the row `selected`.
pub async fn build(
    store: &dyn Store,
    site: &str,
    range: Range,
    breakdown: &'static str,
    selected: Option<String>,
) -> StoreResult<FunnelReport> {
    let total = sum(&store.funnel_rows(site, range.as_pair(), "all").await?);
    let previous_total = sum(&store.funnel_rows(site, range.previous().as_pair(), "all").await?);
    let rows: Vec<FunnelRow> = store
        .funnel_rows(site, range.as_pair(), breakdown)
        .await?
        .into_iter()
        .map(|(value, counts)| FunnelRow { value, stages: Stages::of(&counts) })
        .collect();
    let selected = selected.filter(|value| rows.iter().any(|row| row.value == *value));
    let shown = match &selected {
        Some(value) => rows.iter().find(|row| row.value == *value).map_or(total, |row| row.stages),
        None => total,
    };
    let filter = selected.clone().map(|value| (breakdown, value));
    let leads = store.lead_times(site, range.as_pair(), filter).await?;
    Ok(FunnelReport {
        range,
        previous_range: range.previous(),
        breakdown,
        total,
        previous_total,
        rows,
        selected,
        shown,
        times: times(&leads),
    })
}

fn sum(rows: &[(String, StageCounts)]) -> Stages {
    rows.iter().fold(Stages::default(), |sum, (_, counts)| {
        let row = Stages::of(counts);
        Stages {
            visitors: sum.visitors + row.visitors,
            leads: sum.leads + row.leads,
            mqls: sum.mqls + row.mqls,
            sqls: sum.sqls + row.sqls,
            customers: sum.customers + row.customers,
        }
    })
}

/// The median times between stages of `leads`.
pub fn times(leads: &[LeadTimes]) -> StageTimes {
    let between = |pick: &dyn Fn(&LeadTimes) -> Option<(i64, i64)>| {
        median(leads.iter().filter_map(pick).map(|(from, to)| to - from).filter(|ms| *ms >= 0))
    };
    StageTimes {
        visitor_to_lead_ms: between(&|l| Some((l.first_seen_ms, l.lead_ms))),
        lead_to_mql_ms: between(&|l| l.mql_ms.map(|mql| (l.lead_ms, mql))),
        mql_to_sql_ms: between(&|l| l.mql_ms.zip(l.sql_ms)),
        sql_to_customer_ms: between(&|l| l.sql_ms.zip(l.customer_ms)),
    }
}

/// The median (of an even count, the lower middle one).
fn median(values: impl Iterator<Item = i64>) -> Option<i64> {
    let mut values: Vec<i64> = values.collect();
    values.sort_unstable();
    let middle = values.len().checked_sub(1)? / 2;
    values.get(middle).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(first: i64, lead: i64, mql: Option<i64>) -> LeadTimes {
        LeadTimes { first_seen_ms: first, lead_ms: lead, mql_ms: mql, ..LeadTimes::default() }
    }

    #[test]
    fn medians_of_the_persons_that_reached_both_stages() {
        let leads = [lead(0, 10, Some(40)), lead(0, 20, None), lead(5, 35, Some(36))];
        let times = times(&leads);
        assert_eq!(times.visitor_to_lead_ms, Some(20));
        assert_eq!(times.lead_to_mql_ms, Some(1));
        assert_eq!(times.mql_to_sql_ms, None);
    }
}
