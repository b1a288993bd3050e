//! Lead quality: the known persons' (leads') score distribution and temperatures now,
//! the leads per temperature over time (recorded once a UTC day: the first time this
//! report is read that day records today's), the scoring rules that gave the most
//! points to the persons that became MQLs in the range (points up to that moment),
//! and the leads per segment they are in.

use std::sync::Arc;

use serde::Serialize;

use crate::profiles::progress::DAY_MS;
use crate::reporting::Range;
use crate::store::{self, Store, StoreResult};

/// Points per bucket of the score distribution.
pub const BUCKET_POINTS: i32 = 10;

/// Rules listed at most.
pub const TOP_RULES: u32 = 15;

/// One rule's points for the MQLs of the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RulePoints {
    pub rule: String,
    pub points: i64,
    /// The MQLs it gave points to.
    pub persons: i64,
}

/// The leads of each temperature on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TemperatureDay {
    pub day: i64,
    pub hot: i64,
    pub warm: i64,
    pub cold: i64,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QualityReport {
    pub range: Range,
    /// (lowest score of the bucket, leads), in order.
    pub score_buckets: Vec<(i64, i64)>,
    /// Leads per temperature now.
    pub now: TemperatureDay,
    /// The recorded days of the range.
    pub temperature_days: Vec<TemperatureDay>,
    pub mql_rules: Vec<RulePoints>,
    /// (segment, leads), the most first.
    pub segments: Vec<(String, i64)>,
}

fn add(day: &mut TemperatureDay, temperature: &str, leads: i64) {
    match temperature {
        "hot" => day.hot += leads,
        "warm" => day.warm += leads,
        _ => day.cold += leads,
    }
}

/// Builds the report of `range`; records today's temperatures when not yet recorded.
pub async fn build(
    store: &Arc<dyn Store>,
    site: &str,
    range: Range,
    now_ms: i64,
) -> StoreResult<QualityReport> {
    let scores = store.lead_scores(site, BUCKET_POINTS).await?;
    let mut now = TemperatureDay { day: now_ms.div_euclid(DAY_MS), ..TemperatureDay::default() };
    for (temperature, leads) in &scores.temperatures {
        add(&mut now, temperature, *leads);
    }
    let mut recorded = store.temperature_days(site, range.as_pair()).await?;
    let today = now.day;
    if (range.from..range.until).contains(&today)
        && !recorded.iter().any(|(day, _, _)| *day == today)
    {
        let (key, counts) = (site.to_owned(), scores.temperatures.clone());
        store::write(store, move |tx| tx.record_temperatures(&key, today, &counts)).await?;
        recorded = store.temperature_days(site, range.as_pair()).await?;
    }
    let mut temperature_days: Vec<TemperatureDay> = Vec::new();
    for (day, temperature, leads) in recorded {
        if temperature_days.last().is_none_or(|last| last.day != day) {
            temperature_days.push(TemperatureDay { day, ..TemperatureDay::default() });
        }
        if let Some(last) = temperature_days.last_mut() {
            add(last, &temperature, leads);
        }
    }
    let mql_rules = store
        .mql_points(site, range.from_ms(), range.until_ms(), TOP_RULES)
        .await?
        .into_iter()
        .map(|(rule, points, persons)| RulePoints { rule, points, persons })
        .collect();
    Ok(QualityReport {
        range,
        score_buckets: scores.buckets,
        now,
        temperature_days,
        mql_rules,
        segments: store.segment_leads(site).await?,
    })
}
