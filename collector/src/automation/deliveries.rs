//! What the automation report says of webhook deliveries: per endpoint, how many of
//! the messages created in a range were delivered, are retrying (pending after a failed
//! attempt), are pending (not tried yet) or are dead; and the speed to lead of the CRM
//! hand-offs delivered in a range (delivered − caused), its median and 99th percentile
//! per day and for the whole range.

use crate::store::{DeliveryCount, HandoffTime, OutboxState};

const DAY_MS: i64 = 86_400_000;

/// The deliveries of one endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointDeliveries {
    pub endpoint: String,
    pub delivered: u64,
    pub retrying: u64,
    pub pending: u64,
    pub dead: u64,
}

/// The median and 99th percentile of some hand-offs' speed to lead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Speed {
    pub handoffs: u64,
    pub p50_ms: Option<i64>,
    pub p99_ms: Option<i64>,
}

/// The speed to lead of one day's hand-offs (days since the Unix epoch, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeedDay {
    pub day: i64,
    pub speed: Speed,
}

/// The speed to lead over a range: each day of it, and the whole range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeedToLead {
    pub days: Vec<SpeedDay>,
    pub total: Speed,
}

/// The counts per endpoint, by endpoint name.
pub fn per_endpoint(counts: &[DeliveryCount]) -> Vec<EndpointDeliveries> {
    let mut endpoints: Vec<EndpointDeliveries> = Vec::new();
    for row in counts {
        let position = match endpoints.iter().position(|e| e.endpoint == row.endpoint) {
            Some(position) => position,
            None => {
                endpoints.push(EndpointDeliveries {
                    endpoint: row.endpoint.clone(),
                    ..EndpointDeliveries::default()
                });
                endpoints.len() - 1
            }
        };
        let endpoint = &mut endpoints[position];
        let slot = match (row.state, row.retrying) {
            (OutboxState::Delivered, _) => &mut endpoint.delivered,
            (OutboxState::Dead, _) => &mut endpoint.dead,
            (OutboxState::Pending, true) => &mut endpoint.retrying,
            (OutboxState::Pending, false) => &mut endpoint.pending,
        };
        *slot += u64::try_from(row.count).unwrap_or(0);
    }
    endpoints.sort_by(|a, b| a.endpoint.cmp(&b.endpoint));
    endpoints
}

/// The speed to lead of `times` for the days `[from_day, until_day)`, every day listed.
pub fn speed_to_lead(times: &[HandoffTime], from_day: i64, until_day: i64) -> SpeedToLead {
    let took = |time: &HandoffTime| (time.delivered_ms - time.caused_ms).max(0);
    let days = (from_day..until_day)
        .map(|day| {
            let of_day: Vec<i64> = times
                .iter()
                .filter(|time| time.delivered_ms.div_euclid(DAY_MS) == day)
                .map(took)
                .collect();
            SpeedDay { day, speed: speed(of_day) }
        })
        .collect();
    SpeedToLead { days, total: speed(times.iter().map(took).collect()) }
}

fn speed(mut durations: Vec<i64>) -> Speed {
    durations.sort_unstable();
    Speed {
        handoffs: durations.len() as u64,
        p50_ms: percentile(&durations, 50),
        p99_ms: percentile(&durations, 99),
    }
}

/// The `p`th percentile of `sorted` by the nearest rank; none of nothing.
pub fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 50), Some(50));
        assert_eq!(percentile(&hundred, 99), Some(99));
        assert_eq!(percentile(&[7], 99), Some(7));
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn states_are_counted_per_endpoint() {
        let row = |endpoint: &str, state, retrying, count| DeliveryCount {
            endpoint: endpoint.to_owned(),
            state,
            retrying,
            count,
        };
        let counts = [
            row("zap", OutboxState::Delivered, false, 4),
            row("crm", OutboxState::Pending, true, 2),
            row("crm", OutboxState::Pending, false, 1),
            row("crm", OutboxState::Dead, false, 3),
        ];
        let endpoints = per_endpoint(&counts);
        assert_eq!(endpoints.len(), 2);
        assert_eq!(
            endpoints[0],
            EndpointDeliveries {
                endpoint: "crm".to_owned(),
                delivered: 0,
                retrying: 2,
                pending: 1,
                dead: 3
            }
        );
        assert_eq!(endpoints[1].delivered, 4);
    }

    #[test]
    fn speed_per_day_and_in_all() {
        let at = |day: i64, took: i64| HandoffTime {
            caused_ms: day * DAY_MS + 1_000,
            delivered_ms: day * DAY_MS + 1_000 + took,
        };
        let report = speed_to_lead(&[at(10, 100), at(10, 300), at(12, 5_000)], 10, 13);
        assert_eq!(report.days.len(), 3);
        assert_eq!(
            report.days[0].speed,
            Speed { handoffs: 2, p50_ms: Some(100), p99_ms: Some(300) }
        );
        assert_eq!(report.days[1].speed, Speed::default());
        assert_eq!(report.total.p50_ms, Some(300));
        assert_eq!(report.total.p99_ms, Some(5_000));
    }
}
