//! A report's range of whole days (UTC) and the period before it.

use serde::Serialize;

use crate::profiles::progress::DAY_MS;

/// Longest range a report covers, in days.
pub const MAX_DAYS: i64 = 400;

/// Days `[from, until)` since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Range {
    pub from: i64,
    pub until: i64,
}

impl Range {
    /// The days from the one `from_ms` falls in to the one `until_ms` falls in,
    /// both included; none when reversed or longer than [`MAX_DAYS`].
    pub fn of_times(from_ms: i64, until_ms: i64) -> Option<Range> {
        let range =
            Range { from: from_ms.div_euclid(DAY_MS), until: until_ms.div_euclid(DAY_MS) + 1 };
        (range.from < range.until && range.days() <= MAX_DAYS).then_some(range)
    }

    pub fn days(self) -> i64 {
        self.until - self.from
    }

    /// The range of the same length just before.
    pub fn previous(self) -> Range {
        Range { from: self.from - self.days(), until: self.from }
    }

    pub fn as_pair(self) -> (i64, i64) {
        (self.from, self.until)
    }

    /// The range's hours since the Unix epoch.
    pub fn hours(self) -> (i64, i64) {
        (self.from * 24, self.until * 24)
    }

    /// The start of its first day, Unix milliseconds.
    pub fn from_ms(self) -> i64 {
        self.from * DAY_MS
    }

    /// The end of its last day (exclusive), Unix milliseconds.
    pub fn until_ms(self) -> i64 {
        self.until * DAY_MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_covers_both_days_and_precedes_itself() {
        let range = Range::of_times(10 * DAY_MS + 5, 16 * DAY_MS + 7).expect("valid");
        assert_eq!((range.from, range.until, range.days()), (10, 17, 7));
        assert_eq!(range.previous(), Range { from: 3, until: 10 });
        assert!(Range::of_times(16 * DAY_MS, 10 * DAY_MS).is_none());
        assert!(Range::of_times(0, 500 * DAY_MS).is_none());
    }
}
