//! Any bytes as a `POST /v1/events` body: parsed as the collector's extractor parses
//! it, then checked event by event. Must never panic; what comes out must add up.

#![no_main]

use kindling_collector::ingest::validate::{self, MAX_CLOCK_SKEW_MS, RawBatch, Request};
use kindling_collector::json;
use libfuzzer_sys::fuzz_target;

const NOW_MS: i64 = 1_750_000_000_000;

fuzz_target!(|body: &[u8]| {
    let Ok(batch) = json::parse::<RawBatch>(body) else {
        return;
    };
    let request = Request {
        site: "pk_test",
        user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148",
        bot: false,
        now: NOW_MS,
    };
    let Ok(checked) = validate::batch(&batch, &request) else {
        return;
    };
    assert_eq!(checked.events.len(), checked.positions.len());
    assert_eq!(checked.events.len() + checked.rejected.len(), batch.events.len());
    assert!(!checked.events.is_empty(), "a batch with every event refused is an error");
    for event in &checked.events {
        assert!(event.client_offset_ms.abs() <= MAX_CLOCK_SKEW_MS);
        assert_eq!(event.received_ms, NOW_MS);
    }
});
