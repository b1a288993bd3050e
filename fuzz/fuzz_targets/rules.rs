//! Any bytes as a rule, in JSON or in YAML (as configuration writes it): parsed,
//! validated against the profile's facts, evaluated for a returning visitor, and
//! written back out, which must parse again. Must never panic.

#![no_main]

use kindling_core::profile::FACT_NAMES;
use kindling_core::rules::Rule;
use kindling_fuzz::fixtures::{NOW_MS, returning_visitor, visitor_traits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let rule = serde_json::from_slice::<Rule>(data).ok().or_else(|| {
        let text = std::str::from_utf8(data).ok()?;
        serde_yaml_ng::from_str::<Rule>(text).ok()
    });
    let Some(rule) = rule else {
        return;
    };
    let known: Vec<&str> = FACT_NAMES.iter().copied().chain(["trait."]).collect();
    let _ = rule.validate(&known);
    let names = rule.facts();
    assert!(names.iter().enumerate().all(|(at, name)| !names[..at].contains(name)));
    let aggregates = returning_visitor();
    let _ = rule.evaluate(&(aggregates.facts_at(NOW_MS), visitor_traits()));
    let written = serde_json::to_string(&rule).expect("a rule serializes");
    if let Err(error) = serde_json::from_str::<Rule>(&written) {
        panic!("{written} does not parse again: {error}");
    }
});
