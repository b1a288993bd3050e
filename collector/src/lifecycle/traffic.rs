//! The traffic the report rollups count, from what a transaction stores or erases:
//! pageviews (per page), visits (per channel, source, campaign, referrer and landing
//! page, from the visit's first pageview), visitors per day and hour, and blocks'
//! impressions, clicks and dismissals per variant. Bot traffic is never counted.
//!
//! The group commit counts what it inserts ([`count_group`]): a visit for each the
//! visitor's visit number grew by, a day or an hour when the visitor was last seen
//! before it. An erasure takes away what the person's events had added
//! ([`uncount_history`]), worked out again from the events themselves.

use foldhash::{HashMap, HashMapExt};
use kindling_core::attribution::host_of;
use kindling_core::profile::page_path;

use crate::profiles::progress::{DAY_MS, NONE};
use crate::profiles::tally::{HOUR_MS, Tally};
use crate::store::records::{BlockMeasures, TrafficMeasures};
use crate::store::{StoredEvent, VisitorCounts};

/// A visitor of a group: its site, id, when it was seen last, its counters after.
pub struct Seen<'a> {
    pub site: &'a str,
    pub visitor: &'a str,
    pub seen_ms: i64,
    pub counts: &'a VisitorCounts,
    /// The visitor's new events in the group, oldest first.
    pub events: Vec<&'a StoredEvent>,
}

/// Counts a group's new traffic, visitor by visitor: each new event; each visit the
/// visitor's visit counter grew by, from the first pageview of its session (the newest
/// sessions of the group's events are the new visits); and each day and hour of the
/// new events the visitor had not been seen in before.
pub fn count_group(tally: &mut Tally, visitors: &[Seen<'_>]) {
    for seen in visitors {
        let site = seen.site;
        let counts = seen.counts;
        let mut sessions: Vec<&str> = Vec::new();
        let mut last = counts.prior_seen_ms;
        for event in &seen.events {
            count_event(tally, site, event, 1);
            if !sessions.contains(&event.session.as_str()) {
                sessions.push(&event.session);
            }
            let at = event.received_ms;
            let prior_day = last.map_or(-1, |ms| ms.div_euclid(DAY_MS));
            if prior_day < at.div_euclid(DAY_MS) {
                tally.returning(site, at.div_euclid(DAY_MS), prior_day, 1);
            }
            if last.is_none_or(|ms| ms.div_euclid(HOUR_MS) < at.div_euclid(HOUR_MS)) {
                tally.hour(site, at, TrafficMeasures::default(), 1);
            }
            last = Some(last.map_or(at, |ms| ms.max(at)));
        }
        let new_visits = if counts.prior_seen_ms.is_none() {
            sessions.len()
        } else {
            usize::try_from(counts.visits.saturating_sub(counts.prior_visits)).unwrap_or(0)
        };
        for session in &sessions[sessions.len().saturating_sub(new_visits)..] {
            let of_session = || seen.events.iter().filter(|event| event.session == *session);
            let first = of_session().find(|event| event.kind == "pageview");
            if let Some(start) = first.or_else(|| of_session().next()) {
                count_visit(tally, site, start, first.is_some(), 1);
            }
        }
    }
}

/// Takes away what the erased `events` (a person's, not bot traffic, oldest first)
/// added to the traffic rollups.
pub fn uncount_history(tally: &mut Tally, site: &str, events: &[StoredEvent]) {
    let mut by_visitor: HashMap<&str, Vec<&StoredEvent>> = HashMap::new();
    for event in events {
        by_visitor.entry(event.visitor.as_str()).or_default().push(event);
    }
    for events in by_visitor.values() {
        let mut sessions: Vec<&str> = Vec::new();
        let (mut last_day, mut last_hour) = (-1, -1);
        for event in events {
            count_event(tally, site, event, -1);
            if !sessions.contains(&event.session.as_str()) {
                sessions.push(&event.session);
                let first = events
                    .iter()
                    .find(|other| other.session == event.session && other.kind == "pageview");
                count_visit(tally, site, first.copied().unwrap_or(event), first.is_some(), -1);
            }
            let day = event.received_ms.div_euclid(DAY_MS);
            if day > last_day {
                tally.returning(site, day, last_day, -1);
                last_day = day;
            }
            let hour = event.received_ms.div_euclid(HOUR_MS);
            if hour > last_hour {
                tally.hour(site, event.received_ms, TrafficMeasures::default(), -1);
                last_hour = hour;
            }
        }
    }
}

/// Counts a pageview or a block's impression, click or dismissal.
fn count_event(tally: &mut Tally, site: &str, event: &StoredEvent, sign: i64) {
    let block = |impressions, clicks, dismissals| BlockMeasures {
        impressions: sign * impressions,
        clicks: sign * clicks,
        dismissals: sign * dismissals,
    };
    let measures = match event.kind.as_str() {
        "pageview" => return count_pageview(tally, site, event, sign),
        "block_impression" => block(1, 0, 0),
        "block_click" => block(0, 1, 0),
        "block_dismiss" => block(0, 0, 1),
        _ => return,
    };
    if let Some(name) = event.name.as_deref() {
        let variant = event.target.as_deref().unwrap_or("");
        tally.block(site, event.received_ms, (name, variant), measures);
    }
}

fn count_pageview(tally: &mut Tally, site: &str, event: &StoredEvent, sign: i64) {
    let day = event.received_ms.div_euclid(DAY_MS);
    let measures = TrafficMeasures { pageviews: sign, ..TrafficMeasures::default() };
    tally.traffic_row(site, day, "all", String::new(), measures);
    tally.traffic_row(site, day, "page", page_path(&event.url).to_owned(), measures);
    tally.hour(site, event.received_ms, measures, 0);
}

/// Counts the visit `start` (its first pageview, when `attributed`) began.
fn count_visit(tally: &mut Tally, site: &str, start: &StoredEvent, attributed: bool, sign: i64) {
    let day = start.received_ms.div_euclid(DAY_MS);
    let measures = TrafficMeasures { visits: sign, ..TrafficMeasures::default() };
    tally.traffic_row(site, day, "all", String::new(), measures);
    tally.hour(site, start.received_ms, measures, 0);
    if !attributed {
        return;
    }
    let referrer = start
        .referrer
        .as_deref()
        .and_then(host_of)
        .filter(|host| host_of(&start.url).as_deref() != Some(host.as_str()));
    let text = |value: Option<&String>| value.map_or(NONE, String::as_str).to_owned();
    let rows = [
        ("channel", text(start.channel.as_ref())),
        ("source", text(start.utm_source.as_ref().or(referrer.as_ref()))),
        ("campaign", text(start.utm_campaign.as_ref())),
        ("referrer", text(referrer.as_ref())),
        ("landing", page_path(&start.url).to_owned()),
    ];
    for (dimension, value) in rows {
        tally.traffic_row(site, day, dimension, value, measures);
    }
}
