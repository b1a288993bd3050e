//! A person as the reports count it: the day it was first seen (its funnel cohort),
//! where it came from first and last before becoming a lead, and when it reached each
//! stage. Kept in the person's document as last counted, so every change of it can be
//! counted as a difference ([`crate::profiles::tally`]): what the old one added is taken
//! away, what the new one adds is added — merges and erasures included.
//!
//! Stages are reached once and for good: a person that skipped a stage (anonymous
//! straight to SQL) reached every stage before it at the same time, and a stage set
//! back by hand keeps what was reached.

use std::collections::BTreeMap;

use kindling_core::profile::{Aggregates, Touch};
use serde::{Deserialize, Serialize};

use crate::profiles::exposures::Exposures;
use crate::profiles::stage::Stage;

pub use crate::store::records::DAY_MS;

/// The value a breakdown shows when the person has none (no campaign, say).
pub const NONE: &str = "(none)";

/// What the reports count of one person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The funnel cohort: the day the person was first seen (days since the Unix
    /// epoch, UTC); none before its first event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Origin>,
    /// The latest visit's origin until the person became a lead, then that visit's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Origin>,
    #[serde(default, skip_serializing_if = "Reached::is_empty")]
    pub reached: Reached,
    /// The blocks the person was shown, by id: the variant first shown and when.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exposed: BTreeMap<String, Exposed>,
    /// The segments a lead is in (none before it is one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<String>,
}

/// A person's first exposure to a block, and whether it reached the block's goal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposed {
    pub variant: String,
    pub at_ms: i64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub converted: bool,
}

/// What a settled person tells its progress: its aggregates and block exposures, its
/// stage and since when, the stages it just moved to (and when), and the time.
pub struct Settled<'a, M> {
    pub aggregates: &'a Aggregates,
    pub exposures: &'a Exposures,
    pub segments: &'a [String],
    pub stage: (Stage, i64),
    pub moves: M,
    pub now_ms: i64,
}

/// Where a visit came from, as the breakdowns show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub channel: String,
    /// The campaign's source, else the referring site's host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
}

impl Origin {
    /// The origin a touch credits.
    pub fn of(touch: &Touch) -> Origin {
        Origin {
            channel: touch.channel.clone(),
            source: touch.source.clone().or_else(|| touch.referrer.clone()),
            campaign: touch.campaign.clone(),
            landing: touch.landing.clone(),
            referrer: touch.referrer.clone(),
        }
    }
}

/// When each stage after anonymous was first reached, Unix milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reached {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mql: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<i64>,
}

impl Reached {
    pub fn is_empty(&self) -> bool {
        *self == Reached::default()
    }

    /// Notes `stage` reached at `at_ms`, and every stage before it not reached yet.
    pub fn note(&mut self, stage: Stage, at_ms: i64) {
        let slots = [
            (Stage::Lead, &mut self.lead),
            (Stage::Mql, &mut self.mql),
            (Stage::Sql, &mut self.sql),
            (Stage::Customer, &mut self.customer),
        ];
        for (step, slot) in slots {
            if step <= stage && slot.is_none() {
                *slot = Some(at_ms);
            }
        }
    }

    /// The earlier of each stage's two times.
    pub fn absorb(&mut self, other: &Reached) {
        let pairs = [
            (&mut self.lead, other.lead),
            (&mut self.mql, other.mql),
            (&mut self.sql, other.sql),
            (&mut self.customer, other.customer),
        ];
        for (mine, theirs) in pairs {
            *mine = match (*mine, theirs) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
}

impl Progress {
    /// This progress moved on by a settled person.
    pub fn next<M: IntoIterator<Item = (Stage, i64)>>(&self, settled: Settled<'_, M>) -> Progress {
        let Settled {
            aggregates,
            exposures,
            segments,
            stage: (stage, stage_since_ms),
            moves,
            now_ms,
        } = settled;
        let mut reached = self.reached;
        for (to, at_ms) in moves {
            reached.note(to, at_ms);
        }
        let mut exposed = self.exposed.clone();
        for (block, exposure) in exposures.iter().filter(|(_, e)| e.impressions > 0) {
            let entry = exposed.entry(block.clone()).or_insert_with(|| Exposed {
                variant: exposure.variant.clone(),
                at_ms: now_ms,
                converted: false,
            });
            entry.converted |= exposure.converted;
        }
        reached.note(stage, stage_since_ms);
        let first_seen = i64::try_from(aggregates.first_seen_ms).unwrap_or(0);
        let last = match (&self.last, self.reached.lead) {
            (Some(last), Some(_)) => Some(last.clone()),
            _ => aggregates.last_touch.as_ref().map(Origin::of),
        };
        Progress {
            day: (first_seen > 0).then(|| first_seen.div_euclid(DAY_MS)),
            first: aggregates.first_touch.as_ref().map(Origin::of),
            last,
            reached,
            exposed,
            segments: if reached.lead.is_some() { segments.to_vec() } else { Vec::new() },
        }
    }

    /// The progress of persons merged into one: the earlier first origin, each stage
    /// at the earlier time.
    /// The last origin is that of whichever became a lead first.
    pub fn absorb(&mut self, other: &Progress) {
        let other_led_first = match (self.reached.lead, other.reached.lead) {
            (None, Some(_)) => true,
            (Some(mine), Some(theirs)) => theirs < mine,
            _ => false,
        };
        if other_led_first || self.last.is_none() {
            self.last.clone_from(&other.last);
        }
        self.reached.absorb(&other.reached);
        for (block, theirs) in &other.exposed {
            let mine = self.exposed.entry(block.clone()).or_insert_with(|| theirs.clone());
            if theirs.at_ms < mine.at_ms {
                mine.variant.clone_from(&theirs.variant);
                mine.at_ms = theirs.at_ms;
            }
            mine.converted |= theirs.converted;
        }
        if other.day.is_some_and(|day| self.day.is_none_or(|mine| day < mine)) {
            self.day = other.day;
            self.first.clone_from(&other.first);
        }
    }

    /// The value of each funnel breakdown, in the order of
    /// [`FUNNEL_BREAKDOWNS`](crate::store::records::FUNNEL_BREAKDOWNS).
    pub fn breakdown_values(&self) -> [String; 8] {
        let parts = |origin: Option<&Origin>| {
            let text = |value: Option<&String>| value.map_or(NONE, String::as_str).to_owned();
            [
                origin.map_or(NONE, |o| o.channel.as_str()).to_owned(),
                text(origin.and_then(|o| o.source.as_ref())),
                text(origin.and_then(|o| o.campaign.as_ref())),
                text(origin.and_then(|o| o.landing.as_ref())),
            ]
        };
        let [a, b, c, d] = parts(self.first.as_ref());
        let [e, f, g, h] = parts(self.last.as_ref());
        [a, b, c, d, e, f, g, h]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(channel: &str, at_ms: u64, landing: &str) -> Touch {
        Touch {
            source: None,
            medium: None,
            campaign: None,
            channel: channel.to_owned(),
            at_ms,
            landing: Some(landing.to_owned()),
            referrer: Some("www.linkedin.com".to_owned()),
        }
    }

    fn settled<'a>(
        aggregates: &'a Aggregates,
        exposures: &'a Exposures,
        moves: Vec<(Stage, i64)>,
    ) -> Settled<'a, Vec<(Stage, i64)>> {
        Settled {
            aggregates,
            exposures,
            segments: &[],
            stage: (Stage::Lead, 100),
            moves,
            now_ms: 100,
        }
    }

    #[test]
    fn a_skipped_stage_counts_as_reached() {
        let mut reached = Reached::default();
        reached.note(Stage::Sql, 9);
        assert_eq!(
            (reached.lead, reached.mql, reached.sql, reached.customer),
            (Some(9), Some(9), Some(9), None)
        );
        reached.note(Stage::Customer, 12);
        reached.note(Stage::Lead, 20);
        assert_eq!((reached.lead, reached.customer), (Some(9), Some(12)));
    }

    #[test]
    fn the_last_origin_stays_the_converting_visit() {
        let mut aggregates = Aggregates {
            first_seen_ms: 3 * DAY_MS as u64 + 5,
            first_touch: Some(touch("organic_search", 1, "/blog/a")),
            last_touch: Some(touch("social", 2, "/pricing")),
            ..Aggregates::default()
        };
        let exposures = Exposures::new();
        let lead =
            Progress::default().next(settled(&aggregates, &exposures, vec![(Stage::Lead, 100)]));
        assert_eq!(lead.day, Some(3));
        assert_eq!(lead.reached.lead, Some(100));
        assert_eq!(lead.last.as_ref().map(|o| o.channel.as_str()), Some("social"));
        assert_eq!(lead.last.as_ref().and_then(|o| o.source.as_deref()), Some("www.linkedin.com"));
        aggregates.last_touch = Some(touch("email", 3, "/"));
        let later = lead.next(settled(&aggregates, &exposures, vec![]));
        assert_eq!(later.last, lead.last);
        assert_eq!(
            later.breakdown_values()[..4],
            ["organic_search", "www.linkedin.com", NONE, "/blog/a"].map(str::to_owned)
        );
    }

    #[test]
    fn a_merge_keeps_the_earlier_cohort_and_times() {
        let mut mine = Progress { day: Some(5), ..Progress::default() };
        mine.reached.note(Stage::Lead, 50);
        let mut twin = Progress { day: Some(4), ..Progress::default() };
        twin.reached.note(Stage::Mql, 70);
        mine.absorb(&twin);
        assert_eq!(mine.day, Some(4));
        assert_eq!((mine.reached.lead, mine.reached.mql), (Some(50), Some(70)));
    }
}
