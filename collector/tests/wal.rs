//! The SQLite store under steady commits, on a real file: the writer keeps the WAL
//! from growing (its checkpointer copies it back and the writer catches up, so the WAL
//! starts over), and every event committed is there to read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kindling_collector::lifecycle::group::WriteBatch;
use kindling_collector::store::{EventQuery, StoredEvent};

#[path = "support/store.rs"]
mod support;

/// Groups committed in each half of the test: each half is more than the writer's
/// catch-up interval (512 writes), so a WAL that never started over would double.
const GROUPS: usize = 1_200;

fn wal_size(database: &Path) -> u64 {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).map(|metadata| metadata.len()).unwrap_or(0)
}

/// One group: a new visitor's pageview.
fn group(site: &kindling_collector::sites::Site, at: i64) -> Vec<WriteBatch> {
    let visitor = uuid::Uuid::now_v7().to_string();
    let event = StoredEvent::new(
        &uuid::Uuid::now_v7().to_string(),
        "pk_test",
        &visitor,
        &uuid::Uuid::now_v7().to_string(),
        "pageview",
        "https://www.example.com/pricing.html",
        at,
    );
    vec![WriteBatch {
        site: "pk_test".to_owned(),
        visitor,
        visit: 1,
        seen_ms: at,
        bot: false,
        events: vec![event],
        model: Arc::clone(&site.profiles),
        submission: None,
        verified: None,
    }]
}

#[tokio::test]
async fn the_wal_starts_over_under_steady_commits() {
    let opened = support::open().await;
    let (store, database) = (&opened.store, &opened.database);
    let site = opened.catalog.site("pk_test").expect("site");

    let start = 1_764_000_000_000;
    let mut sizes = Vec::new();
    for half in 0..2 {
        for at in 0..GROUPS {
            let at = start + i64::try_from(half * GROUPS + at).expect("small");
            let committed = support::commit(store, group(site, at)).await;
            assert_eq!(committed[0].outcome.inserted, 1);
        }
        sizes.push(wal_size(database));
    }
    assert!(sizes[0] > 0, "the store writes through a WAL");
    assert!(
        sizes[1] <= sizes[0] + sizes[0] / 4,
        "the WAL grew from {} to {} bytes: it never started over",
        sizes[0],
        sizes[1]
    );

    let query = EventQuery {
        site: "pk_test".to_owned(),
        visitor: None,
        kind: None,
        limit: u32::try_from(3 * GROUPS).expect("small"),
    };
    let stored = store.events(&query).await.expect("events");
    assert_eq!(stored.len(), 2 * GROUPS, "every committed event is stored");
}
