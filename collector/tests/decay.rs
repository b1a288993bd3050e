//! Inactivity decay through the store, on a real SQLite file, with the clock moved
//! forward: points are taken per period, never below the floor, each with a line, and
//! temperature and segments follow.

use std::sync::Arc;

use kindling_collector::lifecycle::decay::decay;
use kindling_collector::lifecycle::group::WriteBatch;
use kindling_collector::profiles::view::view;
use kindling_collector::store::{PersonKey, StoredEvent};

#[path = "support/store.rs"]
mod support;

const DAY_MS: i64 = 86_400_000;
const VISITOR: &str = "0190f3c2-7d2a-7c4e-8a8b-0123456789ab";

fn pageview(id: &str, url: &str, at: i64) -> StoredEvent {
    StoredEvent::new(
        id,
        "pk_test",
        VISITOR,
        "0190f3c2-7d2a-7c4e-8a8b-00000000a001",
        "pageview",
        url,
        at,
    )
}

#[tokio::test]
async fn inactivity_takes_points_per_period_down_to_the_floor() {
    let opened = support::open().await;
    let (store, site) = (&opened.store, opened.catalog.site("pk_test").expect("site"));

    let start = 1_764_000_000_000;
    let events = vec![
        pageview(
            "0190f3c2-7d2a-7c4e-8a8b-000000000001",
            "https://www.example.com/pricing.html",
            start,
        ),
        pageview(
            "0190f3c2-7d2a-7c4e-8a8b-000000000002",
            "https://www.example.com/customers/a",
            start,
        ),
    ];
    let batch = WriteBatch {
        site: "pk_test".to_owned(),
        visitor: VISITOR.to_owned(),
        visit: 1,
        seen_ms: start,
        bot: false,
        events,
        model: Arc::clone(&site.profiles),
        submission: None,
        verified: None,
    };
    let committed = support::commit(store, vec![batch]).await;
    assert_eq!(committed[0].visitor.score, 20);

    let key = PersonKey::Visitor(VISITOR.to_owned());
    assert_eq!(
        decay(store, "pk_test", &site.profiles, start + 59 * DAY_MS).await.expect("pass"),
        0,
        "not due yet"
    );
    assert_eq!(
        decay(store, "pk_test", &site.profiles, start + 61 * DAY_MS).await.expect("pass"),
        1
    );
    let after_one = view(store, "pk_test", &key).await.expect("read").expect("profile");
    assert_eq!(after_one.person.score, 0, "20 - 20");
    let decay_lines: Vec<(String, i32)> = after_one
        .score_changes
        .iter()
        .filter(|line| line.reason == "decay")
        .map(|line| (line.rule.clone(), line.points))
        .collect();
    assert_eq!(decay_lines, vec![("decay".to_owned(), -20)]);
    assert_eq!(
        decay(store, "pk_test", &site.profiles, start + 61 * DAY_MS).await.expect("pass"),
        0,
        "applied once"
    );
    assert_eq!(
        decay(store, "pk_test", &site.profiles, start + 200 * DAY_MS).await.expect("pass"),
        0,
        "never below the floor"
    );
    let later = view(store, "pk_test", &key).await.expect("read").expect("profile");
    assert_eq!(later.person.score, 0);
}
