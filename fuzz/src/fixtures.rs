//! Fixtures: the forms test site compiled once from `collector/tests/fixtures/forms.yaml`,
//! and a visitor with some history for rules to be evaluated against.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use kindling_collector::sites::Site;
use kindling_collector::{Catalog, ConfigFile};
use kindling_core::profile::{Aggregates, Touch};
use kindling_core::rules::Value;

/// The site key of the forms fixture.
pub const SITE_KEY: &str = "pk_test";

/// A moment after every fixture event, Unix milliseconds.
pub const NOW_MS: u64 = 1_750_000_000_000;

static FORMS_SITE: LazyLock<Arc<Site>> = LazyLock::new(|| {
    let yaml = include_str!("../../collector/tests/fixtures/forms.yaml");
    let config = ConfigFile::from_yaml(yaml).expect("the forms fixture parses");
    let catalog = Catalog::compile(&config).expect("the forms fixture compiles");
    Arc::clone(catalog.site(SITE_KEY).expect("the forms fixture has pk_test"))
});

/// The site of `collector/tests/fixtures/forms.yaml`, with its three forms.
pub fn forms_site() -> &'static Site {
    &FORMS_SITE
}

/// A returning visitor from a newsletter, who read the blog and the pricing page.
pub fn returning_visitor() -> Aggregates {
    let touch = |channel: &str, at_ms: u64| Touch {
        source: Some("newsletter".to_owned()),
        medium: Some("email".to_owned()),
        campaign: Some("spring".to_owned()),
        channel: channel.to_owned(),
        at_ms,
    };
    Aggregates {
        visits: 3,
        pageviews: 9,
        distinct_pages: 3,
        engaged_ms: 184_000,
        forms_submitted: 1,
        blocks_seen: 2,
        blocks_clicked: 1,
        first_seen_ms: NOW_MS - 9 * 86_400_000,
        last_seen_ms: NOW_MS - 2 * 86_400_000,
        first_touch: Some(touch("email", NOW_MS - 9 * 86_400_000)),
        last_touch: Some(touch("organic_search", NOW_MS - 2 * 86_400_000)),
        pages: vec!["/".to_owned(), "/blog/close-faster".to_owned(), "/pricing".to_owned()],
        topics: vec!["blog".to_owned()],
        ..Aggregates::default()
    }
}

/// Traits of the same visitor, as the `trait.` facts.
pub fn visitor_traits() -> BTreeMap<String, Value> {
    [
        ("trait.role", Value::Text("Head of Finance".to_owned())),
        ("trait.company_size", Value::Number(250.0)),
        ("trait.beta", Value::Bool(true)),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}
