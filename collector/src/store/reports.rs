//! The store's part of the report rollups: the reads ([`ReportReads`], a part of every
//! [`Store`]) and the one write ([`ReportWrites`], a part of every [`WriteTx`]) adding
//! what the domain tallied ([`ReportCounts`]). Days are days since the Unix epoch
//! (UTC), ranges `[from, until)`; what the rows mean is the domain's business
//! ([`reporting`](crate::reporting)).
//!
//! [`Store`]: crate::store::Store
//! [`WriteTx`]: crate::store::WriteTx

use async_trait::async_trait;

use crate::store::error::StoreResult;
use crate::store::records::{
    BlockMeasures, ExposureMeasures, HourCount, LeadTimes, ReportCounts, StageCounts,
    TrafficMeasures,
};

/// One day of traffic: its measures and its distinct visitors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrafficDay {
    pub day: i64,
    pub measures: TrafficMeasures,
    pub visitors: i64,
}

/// Known persons by score bucket and by temperature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadScores {
    pub buckets: Vec<(i64, i64)>,
    pub temperatures: Vec<(String, i64)>,
}

/// The report reads.
#[async_trait]
pub trait ReportReads {
    /// The funnel rows of `dimension` (`all` or one of the breakdowns) for the cohorts
    /// of `days`, summed per value.
    async fn funnel_rows(
        &self,
        site: &str,
        days: (i64, i64),
        dimension: &'static str,
    ) -> StoreResult<Vec<(String, StageCounts)>>;

    /// The lead rows of the cohorts of `days`, only those whose breakdown `filter.0`
    /// has the value `filter.1` when given.
    async fn lead_times(
        &self,
        site: &str,
        days: (i64, i64),
        filter: Option<(&'static str, String)>,
    ) -> StoreResult<Vec<LeadTimes>>;

    /// Each day of `days` with traffic, in order.
    async fn traffic_days(&self, site: &str, days: (i64, i64)) -> StoreResult<Vec<TrafficDay>>;

    /// The traffic rows of `dimension` over `days`, summed per value, the most visited
    /// (for pages: viewed) first, at most `limit`.
    async fn traffic_rows(
        &self,
        site: &str,
        days: (i64, i64),
        dimension: &'static str,
        limit: u32,
    ) -> StoreResult<Vec<(String, TrafficMeasures)>>;

    /// The distinct visitors seen in `days`.
    async fn distinct_visitors(&self, site: &str, days: (i64, i64)) -> StoreResult<i64>;

    /// Block events of `days` summed per (block, variant), in that order.
    async fn block_rows(
        &self,
        site: &str,
        days: (i64, i64),
    ) -> StoreResult<Vec<(String, String, BlockMeasures)>>;

    /// Persons first exposed in `days`, summed per (block, variant), in that order.
    async fn exposure_rows(
        &self,
        site: &str,
        days: (i64, i64),
    ) -> StoreResult<Vec<(String, String, ExposureMeasures)>>;

    /// Leads per segment they are in, the most first.
    async fn segment_leads(&self, site: &str) -> StoreResult<Vec<(String, i64)>>;

    /// Known persons (with an email) per score bucket of `width` points (the bucket's
    /// lowest score), in order; and per temperature.
    async fn lead_scores(&self, site: &str, width: i32) -> StoreResult<LeadScores>;

    /// Points each scoring rule gave the persons that became MQLs in `[from_ms,
    /// until_ms)`, up to that moment: (rule, points, persons), the most points first.
    async fn mql_points(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64, i64)>>;

    /// The recorded leads per temperature of each day of `days`: (day, temperature,
    /// leads), in order.
    async fn temperature_days(
        &self,
        site: &str,
        days: (i64, i64),
    ) -> StoreResult<Vec<(i64, String, i64)>>;

    /// Each hour of `hours` with traffic, in order.
    async fn traffic_hours(&self, site: &str, hours: (i64, i64)) -> StoreResult<Vec<HourCount>>;
}

/// The report write.
pub trait ReportWrites {
    /// Adds `counts` to the rollups and writes (or removes) its lead rows.
    fn add_report_counts(&mut self, counts: &ReportCounts) -> StoreResult<()>;

    /// Records the leads per temperature of `day`, unless that day is recorded.
    fn record_temperatures(
        &mut self,
        site: &str,
        day: i64,
        counts: &[(String, i64)],
    ) -> StoreResult<()>;

    /// A visitor's open form views as last saved (JSON); none without.
    fn open_form_views(&mut self, site: &str, visitor: &str) -> StoreResult<Option<String>>;

    /// Saves a visitor's open form views (none: no view is open).
    fn save_open_form_views(
        &mut self,
        site: &str,
        visitor: &str,
        views: Option<&str>,
    ) -> StoreResult<()>;
}
