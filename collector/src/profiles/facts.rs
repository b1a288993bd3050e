//! The facts segment and fit rules may read about a person: its aggregates' (from
//! `kindling_core::profile`) and the person's own.

use std::sync::LazyLock;

use kindling_core::profile::FACT_NAMES;

/// The person's own facts, beside its aggregates' (`kindling_core::profile::FACT_NAMES`).
/// Names ending in `.` are families.
const PERSON_FACTS: &[&str] = &[
    "score",
    "temperature",
    "stage",
    "known",
    "email_domain",
    "marketing_consent",
    "tags",
    "trait.",
    "page.",
];

/// Facts a segment or fit rule may read: the aggregates' and the person's own.
pub static KNOWN_FACTS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| FACT_NAMES.iter().chain(PERSON_FACTS).copied().collect());
