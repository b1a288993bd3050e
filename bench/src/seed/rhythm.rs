//! When visits happen: a window of days ending now, a weekly rhythm (weekdays busy,
//! weekends quiet), a daytime peak (UTC hours of European and American office time)
//! and a slow growth of traffic over the window. Times are drawn by rejection: a
//! uniform time is kept with a probability proportional to its weight.

use crate::body::Ids;

/// Milliseconds in an hour and in a day.
pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// Weight per UTC hour of the day.
const HOURLY: [f64; 24] = [
    0.15, 0.10, 0.08, 0.07, 0.08, 0.12, 0.25, 0.45, 0.70, 0.90, 1.00, 1.00, 0.95, 1.00, 1.00, 0.95,
    0.85, 0.70, 0.55, 0.45, 0.40, 0.35, 0.30, 0.20,
];

/// Weight per day of the week, Monday first.
const WEEKLY: [f64; 7] = [1.00, 1.00, 0.98, 0.95, 0.85, 0.40, 0.45];

/// The largest weight [`Window::weight`] gives.
const MAX_WEIGHT: f64 = 1.15;

/// The span of time the history covers.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Window {
    /// `days` days ending at `end_ms`.
    pub fn ending(end_ms: i64, days: u32) -> Window {
        Window { start_ms: end_ms - i64::from(days) * DAY_MS, end_ms }
    }

    fn span_ms(&self) -> i64 {
        (self.end_ms - self.start_ms).max(1)
    }

    /// How busy the site is at `at_ms`, relative to a weekday noon.
    pub fn weight(&self, at_ms: i64) -> f64 {
        let days = at_ms.div_euclid(DAY_MS);
        let hour = usize::try_from(at_ms.rem_euclid(DAY_MS) / HOUR_MS).unwrap_or(0);
        // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
        let weekday = usize::try_from((days + 3).rem_euclid(7)).unwrap_or(0);
        let progress = (at_ms - self.start_ms) as f64 / self.span_ms() as f64;
        let growth = 0.85 + 0.3 * progress.clamp(0.0, 1.0);
        HOURLY[hour.min(23)] * WEEKLY[weekday.min(6)] * growth
    }

    /// True (with the time's relative weight as probability) when `at_ms` is kept.
    pub fn keeps(&self, rng: &mut Ids, at_ms: i64) -> bool {
        unit(rng) * MAX_WEIGHT < self.weight(at_ms)
    }

    /// A time in the window, following the rhythm.
    pub fn draw(&self, rng: &mut Ids) -> i64 {
        let span = u64::try_from(self.span_ms()).unwrap_or(1);
        loop {
            let at = self.start_ms + i64::try_from(rng.below(span)).unwrap_or(0);
            if self.keeps(rng, at) {
                return at;
            }
        }
    }
}

/// A uniform draw in `[0, 1)`.
pub fn unit(rng: &mut Ids) -> f64 {
    rng.below(1 << 53) as f64 / (1u64 << 53) as f64
}

/// True with probability `p`.
pub fn chance(rng: &mut Ids, p: f64) -> bool {
    unit(rng) < p
}

/// An exponential draw of mean `mean`.
pub fn exponential(rng: &mut Ids, mean: f64) -> f64 {
    -mean * (1.0 - unit(rng)).ln()
}

/// An index into `weights`, drawn with probability proportional to each weight.
pub fn weighted(rng: &mut Ids, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut left = u32::try_from(rng.below(u64::from(total))).unwrap_or(0);
    for (index, weight) in weights.iter().enumerate() {
        if left < *weight {
            return index;
        }
        left -= weight;
    }
    weights.len().saturating_sub(1)
}

/// Mixes two numbers into a seed (splitmix64's finalizer over their combination).
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_noon_outweighs_sunday_night() {
        let window = Window::ending(1_764_979_200_000, 90);
        // 2025-12-01 was a Monday.
        let monday_noon = 1_764_590_400_000;
        let sunday_night = monday_noon - 10 * HOUR_MS - DAY_MS + 3 * HOUR_MS;
        assert!(window.weight(monday_noon) > 4.0 * window.weight(sunday_night));
    }

    #[test]
    fn drawn_times_stay_in_the_window() {
        let window = Window::ending(1_764_979_200_000, 7);
        let mut rng = Ids::seeded(7);
        for _ in 0..1000 {
            let at = window.draw(&mut rng);
            assert!(at >= window.start_ms && at < window.end_ms);
        }
    }
}
