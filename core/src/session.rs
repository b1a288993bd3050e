//! Sessions (visits): when one visit ends and the next begins, and the compact form the
//! widget stores them in.
//!
//! A session rolls over after [`SESSION_TIMEOUT_MS`] without activity, at local
//! midnight, or when the clock has gone back by more than a minute. The widget keeps
//! the current [`Session`] in first-party storage as [`Session::encode`]'s string and
//! calls [`touch`] on every page view and event; numbers are written by hand, without
//! `core::fmt`, to keep the widget small.

use alloc::string::String;

/// How long a session survives without activity: 30 minutes.
pub const SESSION_TIMEOUT_MS: u64 = 30 * 60 * 1000;

/// How far the clock may go back before the session is abandoned.
const CLOCK_SKEW_MS: u64 = 60 * 1000;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// One visit to the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The session id (never contains `.`).
    pub id: String,
    /// When the session started, Unix milliseconds.
    pub started_ms: u64,
    /// The latest activity seen, Unix milliseconds; never moves backwards.
    pub last_activity_ms: u64,
    /// 1-based visit number.
    pub visit: u32,
    /// When the visitor's first session started, Unix milliseconds.
    pub first_visit_ms: u64,
}

/// The session to use at `now_ms`, and whether it is a new one.
///
/// `tz_offset_min` is the number of minutes to ADD to UTC to get local time (Warsaw in
/// winter: `+60`), i.e. the negative of JavaScript's `getTimezoneOffset()`.
///
/// A new session gets the id `new_id()`, the next visit number (1 without a previous
/// session) and keeps the previous `first_visit_ms` (now without one). A continued
/// session only moves `last_activity_ms` forward.
pub fn touch(
    previous: Option<&Session>,
    now_ms: u64,
    tz_offset_min: i32,
    new_id: impl FnOnce() -> String,
) -> (Session, bool) {
    match previous {
        Some(session) if !rolls_over(session, now_ms, tz_offset_min) => {
            let mut continued = session.clone();
            continued.last_activity_ms = continued.last_activity_ms.max(now_ms);
            (continued, false)
        }
        _ => {
            let fresh = Session {
                id: new_id(),
                started_ms: now_ms,
                last_activity_ms: now_ms,
                visit: previous.map_or(1, |session| session.visit.saturating_add(1)),
                first_visit_ms: previous.map_or(now_ms, |session| session.first_visit_ms),
            };
            (fresh, true)
        }
    }
}

/// True when `session` must end before activity at `now_ms`.
fn rolls_over(session: &Session, now_ms: u64, tz_offset_min: i32) -> bool {
    let idle_too_long = now_ms.saturating_sub(session.last_activity_ms) > SESSION_TIMEOUT_MS;
    let new_local_day =
        local_day(now_ms, tz_offset_min) != local_day(session.last_activity_ms, tz_offset_min);
    let clock_went_back = now_ms.saturating_add(CLOCK_SKEW_MS) < session.started_ms;
    idle_too_long || new_local_day || clock_went_back
}

/// The local calendar day number (days since 1970-01-01 in local time).
fn local_day(unix_ms: u64, tz_offset_min: i32) -> i64 {
    let utc = i64::try_from(unix_ms).unwrap_or(i64::MAX);
    let offset_ms = i64::from(tz_offset_min) * 60_000;
    utc.saturating_add(offset_ms).div_euclid(DAY_MS)
}

impl Session {
    /// Compact storage form: `"id.started.last.visit.first"`.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(self.id.len() + 4 * 14);
        out.push_str(&self.id);
        for number in
            [self.started_ms, self.last_activity_ms, u64::from(self.visit), self.first_visit_ms]
        {
            out.push('.');
            push_decimal(&mut out, number);
        }
        out
    }

    /// Reads [`Session::encode`]'s form; `None` for anything malformed, including a
    /// zero visit number or a last activity before the start.
    pub fn decode(text: &str) -> Option<Session> {
        let mut parts = text.split('.');
        let id = parts.next().filter(|id| !id.is_empty())?;
        let started_ms = parse_decimal(parts.next()?)?;
        let last_activity_ms = parse_decimal(parts.next()?)?;
        let visit = u32::try_from(parse_decimal(parts.next()?)?).ok()?;
        let first_visit_ms = parse_decimal(parts.next()?)?;
        let well_formed = parts.next().is_none() && visit >= 1 && started_ms <= last_activity_ms;
        well_formed.then(|| Session {
            id: String::from(id),
            started_ms,
            last_activity_ms,
            visit,
            first_visit_ms,
        })
    }
}

/// Appends `number` in decimal.
fn push_decimal(out: &mut String, mut number: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (number % 10) as u8;
        }
        number /= 10;
        if number == 0 {
            break;
        }
    }
    for &digit in digits.get(start..).unwrap_or_default() {
        out.push(char::from(digit));
    }
}

/// Plain ASCII digits only (no sign, no spaces) that fit a `u64`.
fn parse_decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    const MINUTE: u64 = 60 * 1000;
    /// 2025-01-15 10:00:00 UTC.
    const MORNING: u64 = 1_736_935_200_000;

    fn id(text: &str) -> impl FnOnce() -> String + '_ {
        move || text.to_string()
    }

    fn session(started_ms: u64, last_activity_ms: u64) -> Session {
        Session {
            id: "s1".to_string(),
            started_ms,
            last_activity_ms,
            visit: 3,
            first_visit_ms: 1_000,
        }
    }

    #[test]
    fn first_touch_starts_visit_one() {
        let (session, is_new) = touch(None, MORNING, 60, id("a"));
        assert!(is_new);
        assert_eq!(
            session,
            Session {
                id: "a".to_string(),
                started_ms: MORNING,
                last_activity_ms: MORNING,
                visit: 1,
                first_visit_ms: MORNING,
            }
        );
    }

    #[test]
    fn activity_within_the_timeout_continues_the_session() {
        let previous = session(MORNING, MORNING + 5 * MINUTE);
        let now = MORNING + 5 * MINUTE + SESSION_TIMEOUT_MS; // exactly the limit
        let (current, is_new) = touch(Some(&previous), now, 0, || unreachable!("no new id needed"));
        assert!(!is_new);
        assert_eq!(current, Session { last_activity_ms: now, ..previous });
    }

    #[test]
    fn idle_past_the_timeout_starts_the_next_visit() {
        let previous = session(MORNING, MORNING + 5 * MINUTE);
        let now = MORNING + 5 * MINUTE + SESSION_TIMEOUT_MS + 1;
        let (current, is_new) = touch(Some(&previous), now, 0, id("b"));
        assert!(is_new);
        assert_eq!(
            current,
            Session {
                id: "b".to_string(),
                started_ms: now,
                last_activity_ms: now,
                visit: 4,
                first_visit_ms: 1_000,
            }
        );
    }

    #[test]
    fn local_midnight_rolls_over() {
        // 22:50 UTC is 23:50 in Warsaw (winter, +60); ten minutes later it is 00:00.
        let before = 1_736_981_400_000; // 2025-01-15 22:50:00 UTC
        let after = before + 10 * MINUTE;
        let previous = session(before - MINUTE, before);
        assert!(touch(Some(&previous), after, 60, id("c")).1, "Warsaw midnight");
        // In UTC the same moment is 23:00, the same day.
        assert!(!touch(Some(&previous), after, 0, id("c")).1, "UTC 23:00");
        // New York (-300): 17:50 -> 18:00, same day.
        assert!(!touch(Some(&previous), after, -300, id("c")).1, "New York");
    }

    #[test]
    fn negative_offsets_use_floor_division() {
        // 1970-01-01 00:30 UTC is still 1969-12-31 in New York.
        assert_eq!(local_day(30 * MINUTE, -300), -1);
        assert_eq!(local_day(30 * MINUTE, 0), 0);
        assert_eq!(local_day(0, 0), 0);
        assert_eq!(local_day(u64::MAX, 0), i64::MAX.div_euclid(DAY_MS));
    }

    #[test]
    fn small_clock_jitter_keeps_the_session_and_never_rewinds_activity() {
        let previous = session(MORNING, MORNING + 10 * MINUTE);
        let now = MORNING - 30 * 1000; // 30 s before the start
        let (current, is_new) = touch(Some(&previous), now, 0, id("d"));
        assert!(!is_new);
        assert_eq!(current.last_activity_ms, MORNING + 10 * MINUTE);
    }

    #[test]
    fn clock_going_back_a_lot_starts_fresh() {
        let previous = session(MORNING, MORNING + MINUTE);
        let now = MORNING - MINUTE - 1;
        let (current, is_new) = touch(Some(&previous), now, 0, id("e"));
        assert!(is_new);
        assert_eq!(current.started_ms, now);
        assert_eq!(current.visit, 4);
    }

    #[test]
    fn visit_number_saturates() {
        let previous = Session { visit: u32::MAX, ..session(MORNING, MORNING) };
        let (current, _) = touch(Some(&previous), MORNING + 2 * SESSION_TIMEOUT_MS, 0, id("f"));
        assert_eq!(current.visit, u32::MAX);
    }

    #[test]
    fn encode_decode_round_trip() {
        let original = Session {
            id: "0190f3c2-7d2a-7c4e-8a8b-0123456789ab".to_string(),
            started_ms: MORNING,
            last_activity_ms: MORNING + 1,
            visit: 12,
            first_visit_ms: 1_700_000_000_000,
        };
        let encoded = original.encode();
        assert_eq!(
            encoded,
            "0190f3c2-7d2a-7c4e-8a8b-0123456789ab.1736935200000.1736935200001.12.1700000000000"
        );
        assert_eq!(Session::decode(&encoded), Some(original));

        let extremes = Session {
            id: "x".to_string(),
            started_ms: 0,
            last_activity_ms: u64::MAX,
            visit: u32::MAX,
            first_visit_ms: 0,
        };
        assert_eq!(extremes.encode(), "x.0.18446744073709551615.4294967295.0");
        assert_eq!(Session::decode(&extremes.encode()), Some(extremes));
    }

    #[test]
    fn decode_rejects_malformed_text() {
        for bad in [
            "",
            "s1",
            "s1.1.2.3",
            "s1.1.2.3.4.5",
            ".1.2.3.4",
            "s1..2.3.4",
            "s1.1.2.3.",
            "s1.+1.2.3.4",
            "s1.-1.2.3.4",
            "s1.1.2. 3.4",
            "s1.1.2.3.4 ",
            "s1.1.2.0.4",                    // visit 0
            "s1.1.2.4294967296.4",           // visit overflows u32
            "s1.1.18446744073709551616.3.4", // overflows u64
            "s1.5.2.3.4",                    // last activity before start
            "s1.1e3.2000.3.4",
        ] {
            assert_eq!(Session::decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn push_decimal_writes_plain_digits() {
        for (number, expected) in [(0, "0"), (7, "7"), (10, "10"), (1_234_567, "1234567")] {
            let mut out = String::new();
            push_decimal(&mut out, number);
            assert_eq!(out, expected);
        }
    }
}
