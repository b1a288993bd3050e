//! Request bodies of the benchmark: the same JSON that `xtask/bench/ingest.lua` sends to
//! `POST /v1/events` (keep the two in step), with fresh time-ordered ids (UUIDv7) for
//! the visitor, the session and every event, so nothing is ever a duplicate.

use std::time::{SystemTime, UNIX_EPOCH};

use kindling_core::ids::uuid_v7;

/// The site key of the benchmark's configuration.
pub const SITE: &str = "pk_bench";

/// The benchmark's configuration when none is given: the site, allowing any origin
/// (`cargo xtask bench ingest` writes the same file for the collector).
pub const SITE_CONFIG: &str =
    "sites:\n  - key: pk_bench\n    name: Ingest benchmark\n    origins: [\"*\"]\n";

/// The browser the load generator claims to be (not a bot: its events are scored).
pub const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/// Makes ids: a splitmix64 generator for the random bits, the wall clock (or the
/// given time) for the time. Also the random draws of the scoring benchmark's stream.
pub struct Ids {
    state: u64,
}

impl Ids {
    /// A generator seeded from the clock and the process id.
    pub fn new() -> Ids {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        // Truncating the nanoseconds is fine: any bits make a seed.
        let seed = (nanos as u64) ^ (u64::from(std::process::id()) << 32);
        Ids { state: seed }
    }

    /// A generator from a fixed seed: the same ids (and draws) on every run.
    pub fn seeded(seed: u64) -> Ids {
        Ids { state: seed }
    }

    /// A uniform draw in `0..n` (0 when `n` is 0); the slight modulo bias is fine here.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A fresh UUIDv7 at `unix_ms`.
    pub fn uuid(&mut self, unix_ms: u64) -> String {
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&self.next().to_le_bytes());
        random[8..].copy_from_slice(&self.next().to_le_bytes()[..2]);
        uuid_v7(unix_ms, random)
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// One request's body: a new visitor on its first visit, one session, `events`
/// pageviews, all with fresh ids.
pub fn request(ids: &mut Ids, events: usize, unix_ms: u64) -> String {
    let session = ids.uuid(unix_ms);
    let visitor = ids.uuid(unix_ms);
    let list: Vec<String> = (0..events)
        .map(|_| {
            format!(
                r#"{{"id":"{}","type":"pageview","session":"{session}","url":"https://www.example.com/pricing","title":"Pricing","ts":{unix_ms}}}"#,
                ids.uuid(unix_ms)
            )
        })
        .collect();
    format!(
        r#"{{"site":"{SITE}","visitor":"{visitor}","context":{{"visit":1,"first_visit_ms":{unix_ms},"landing":"https://www.example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring","referrer":"https://www.google.com/","language":"en-US","viewport":1280}},"events":[{}]}}"#,
        list.join(",")
    )
}

#[cfg(test)]
mod tests {
    use kindling_core::ids::{is_uuid, uuid_v7_millis};

    use super::*;

    #[test]
    fn ids_are_fresh_time_ordered_uuids() {
        let mut ids = Ids::new();
        let first = ids.uuid(1_764_000_000_000);
        let second = ids.uuid(1_764_000_000_000);
        assert!(is_uuid(&first) && is_uuid(&second));
        assert_ne!(first, second);
        assert_eq!(uuid_v7_millis(&first), Some(1_764_000_000_000));
    }

    #[test]
    fn a_body_holds_the_events_asked_for() {
        let body = request(&mut Ids::new(), 3, 1_764_000_000_000);
        assert_eq!(body.matches(r#""type":"pageview""#).count(), 3);
        assert!(body.starts_with(r#"{"site":"pk_bench","visitor":""#), "{body}");
    }
}
