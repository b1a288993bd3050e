//! What a transaction adds to the report rollups, summed per row: a [`Tally`] takes
//! persons' [`Progress`] with a sign (what was counted is taken away, what is counted
//! now is added) and the traffic the group commit saw, and gives the store the rows
//! that changed ([`ReportCounts`]), none with nothing to add.
//!
//! A person's progress counts in the funnel row of its cohort day, once in `all` and
//! once per breakdown, as a person and for each stage it reached; and, on the days it
//! became a lead and an MQL, as a lead and an MQL of the traffic rows of the visit it
//! converted in; and, per block it was shown, in the exposure row of its first
//! exposure's day and variant, with what it reached after that.

use foldhash::HashMap;

use crate::profiles::progress::{DAY_MS, NONE, Progress};
use crate::store::records::{
    BlockCount, BlockMeasures, ExposureCount, ExposureMeasures, FUNNEL_BREAKDOWNS, FunnelCount,
    HourCount, ReportCounts, ReturnCount, StageCounts, TrafficCount, TrafficMeasures,
};

/// Milliseconds in an hour.
pub const HOUR_MS: i64 = 3_600_000;

/// A row of a rollup: site, day (or hour), dimension and value.
type RowKey = (String, i64, &'static str, String);

/// Report counts being summed.
#[derive(Debug, Default)]
pub struct Tally {
    funnel: HashMap<RowKey, StageCounts>,
    traffic: HashMap<RowKey, TrafficMeasures>,
    hours: HashMap<(String, i64), (TrafficMeasures, i64)>,
    returns: HashMap<(String, i64, i64), i64>,
    blocks: HashMap<(String, i64, String, String), BlockMeasures>,
    exposures: HashMap<(String, i64, String, String), ExposureMeasures>,
    segments: HashMap<(String, String), i64>,
}

impl Tally {
    pub fn new() -> Tally {
        Tally::default()
    }

    /// Counts (`sign` 1) or uncounts (-1) a person's progress on `site`.
    pub fn progress(&mut self, site: &str, progress: &Progress, sign: i64) {
        let Some(day) = progress.day else { return };
        let reached = &progress.reached;
        let stages = StageCounts {
            persons: sign,
            leads: sign * i64::from(reached.lead.is_some()),
            mqls: sign * i64::from(reached.mql.is_some()),
            sqls: sign * i64::from(reached.sql.is_some()),
            customers: sign * i64::from(reached.customer.is_some()),
        };
        let values = progress.breakdown_values();
        let rows = std::iter::once(("all", String::new()))
            .chain(FUNNEL_BREAKDOWNS.into_iter().zip(values));
        for (dimension, value) in rows {
            let row = self.funnel.entry((site.to_owned(), day, dimension, value)).or_default();
            row.persons += stages.persons;
            row.leads += stages.leads;
            row.mqls += stages.mqls;
            row.sqls += stages.sqls;
            row.customers += stages.customers;
        }
        let last = progress.last.as_ref();
        let text = |value: Option<&String>| value.map_or(NONE, String::as_str).to_owned();
        let credited = [
            ("channel", last.map_or(NONE.to_owned(), |o| o.channel.clone())),
            ("source", text(last.and_then(|o| o.source.as_ref()))),
            ("campaign", text(last.and_then(|o| o.campaign.as_ref()))),
            ("referrer", text(last.and_then(|o| o.referrer.as_ref()))),
            ("landing", text(last.and_then(|o| o.landing.as_ref()))),
        ];
        for segment in &progress.segments {
            *self.segments.entry((site.to_owned(), segment.clone())).or_default() += sign;
        }
        for (block, exposed) in &progress.exposed {
            let after = |at: Option<i64>| sign * i64::from(at.is_some_and(|t| t >= exposed.at_ms));
            let row = self
                .exposures
                .entry((
                    site.to_owned(),
                    exposed.at_ms.div_euclid(DAY_MS),
                    block.clone(),
                    exposed.variant.clone(),
                ))
                .or_default();
            row.persons += sign;
            row.converted += sign * i64::from(exposed.converted);
            row.leads += after(reached.lead);
            row.mqls += after(reached.mql);
            row.sqls += after(reached.sql);
        }
        for (at_ms, is_lead) in [(reached.lead, true), (reached.mql, false)] {
            let Some(at_ms) = at_ms else { continue };
            let measures = if is_lead {
                TrafficMeasures { leads: sign, ..TrafficMeasures::default() }
            } else {
                TrafficMeasures { mqls: sign, ..TrafficMeasures::default() }
            };
            let day = at_ms.div_euclid(DAY_MS);
            self.traffic_row(site, day, "all", String::new(), measures);
            for (dimension, value) in &credited {
                self.traffic_row(site, day, dimension, value.clone(), measures);
            }
            self.hour(site, at_ms, measures, 0);
        }
    }

    /// Adds `measures` to a traffic row of `day`.
    pub fn traffic_row(
        &mut self,
        site: &str,
        day: i64,
        dimension: &'static str,
        value: String,
        measures: TrafficMeasures,
    ) {
        let row = self.traffic.entry((site.to_owned(), day, dimension, value)).or_default();
        add(row, measures);
    }

    /// Adds `measures` and `visitors` to the hour `at_ms` falls in.
    pub fn hour(&mut self, site: &str, at_ms: i64, measures: TrafficMeasures, visitors: i64) {
        let row = self.hours.entry((site.to_owned(), at_ms.div_euclid(HOUR_MS))).or_default();
        add(&mut row.0, measures);
        row.1 += visitors;
    }

    /// Adds `measures` to a block variant's row of the day `at_ms` falls in.
    pub fn block(
        &mut self,
        site: &str,
        at_ms: i64,
        (block, variant): (&str, &str),
        measures: BlockMeasures,
    ) {
        let key = (site.to_owned(), at_ms.div_euclid(DAY_MS), block.to_owned(), variant.to_owned());
        let row = self.blocks.entry(key).or_default();
        row.impressions += measures.impressions;
        row.clicks += measures.clicks;
        row.dismissals += measures.dismissals;
    }

    /// Counts visitors seen on `day` whose previous day seen was `previous` (-1: none).
    pub fn returning(&mut self, site: &str, day: i64, previous: i64, visitors: i64) {
        *self.returns.entry((site.to_owned(), day, previous)).or_default() += visitors;
    }

    /// The rows to add to, without those left at zero, each table's rows in key order
    /// (so transactions adding to the same rows take their locks in one order).
    pub fn into_counts(self) -> ReportCounts {
        let zero_measures = TrafficMeasures::default();
        let mut counts = ReportCounts {
            funnel: self
                .funnel
                .into_iter()
                .filter(|(_, stages)| *stages != StageCounts::default())
                .map(|((site, day, dimension, value), stages)| FunnelCount {
                    site,
                    day,
                    dimension,
                    value,
                    stages,
                })
                .collect(),
            traffic: self
                .traffic
                .into_iter()
                .filter(|(_, measures)| *measures != zero_measures)
                .map(|((site, day, dimension, value), measures)| TrafficCount {
                    site,
                    day,
                    dimension,
                    value,
                    measures,
                })
                .collect(),
            hours: self
                .hours
                .into_iter()
                .filter(|(_, (measures, visitors))| *measures != zero_measures || *visitors != 0)
                .map(|((site, hour), (measures, visitors))| HourCount {
                    site,
                    hour,
                    measures,
                    visitors,
                })
                .collect(),
            returns: self
                .returns
                .into_iter()
                .filter(|(_, visitors)| *visitors != 0)
                .map(|((site, day, previous), visitors)| ReturnCount {
                    site,
                    day,
                    previous,
                    visitors,
                })
                .collect(),
            blocks: self
                .blocks
                .into_iter()
                .filter(|(_, m)| *m != BlockMeasures::default())
                .map(|((site, day, block, variant), measures)| BlockCount {
                    site,
                    day,
                    block,
                    variant,
                    measures,
                })
                .collect(),
            exposures: self
                .exposures
                .into_iter()
                .filter(|(_, m)| *m != ExposureMeasures::default())
                .map(|((site, day, block, variant), measures)| ExposureCount {
                    site,
                    day,
                    block,
                    variant,
                    measures,
                })
                .collect(),
            segments: self
                .segments
                .into_iter()
                .filter(|(_, leads)| *leads != 0)
                .map(|((site, segment), leads)| (site, segment, leads))
                .collect(),
            leads: Vec::new(),
            forms: Vec::new(),
        };
        counts.segments.sort();
        counts.funnel.sort_by(|a, b| {
            (&a.site, a.dimension, a.day, &a.value).cmp(&(&b.site, b.dimension, b.day, &b.value))
        });
        counts.traffic.sort_by(|a, b| {
            (&a.site, a.dimension, a.day, &a.value).cmp(&(&b.site, b.dimension, b.day, &b.value))
        });
        counts.hours.sort_by(|a, b| (&a.site, a.hour).cmp(&(&b.site, b.hour)));
        counts
            .returns
            .sort_by(|a, b| (&a.site, a.day, a.previous).cmp(&(&b.site, b.day, b.previous)));
        counts
    }
}

fn add(row: &mut TrafficMeasures, measures: TrafficMeasures) {
    row.pageviews += measures.pageviews;
    row.visits += measures.visits;
    row.leads += measures.leads;
    row.mqls += measures.mqls;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::stage::Stage;

    #[test]
    fn counting_then_uncounting_leaves_nothing() {
        let mut progress = Progress { day: Some(10), ..Progress::default() };
        progress.reached.note(Stage::Mql, 11 * DAY_MS);
        let mut tally = Tally::new();
        tally.progress("s", &progress, 1);
        tally.progress("s", &progress, -1);
        assert!(tally.into_counts().is_empty());
    }

    #[test]
    fn a_person_counts_in_all_and_each_breakdown() {
        let mut progress = Progress { day: Some(10), ..Progress::default() };
        progress.reached.note(Stage::Lead, 11 * DAY_MS + 5);
        let mut tally = Tally::new();
        tally.progress("s", &progress, 1);
        let counts = tally.into_counts();
        assert_eq!(counts.funnel.len(), 9);
        assert!(counts.funnel.iter().all(|row| row.day == 10 && row.stages.leads == 1));
        assert_eq!(counts.traffic.len(), 6);
        assert!(counts.traffic.iter().all(|row| row.day == 11 && row.measures.leads == 1));
        assert_eq!(counts.hours.len(), 1);
    }
}
