//! The group commit under resends and refusals, over real HTTP and on both backends:
//! a resend is harmless however it arrives (in sequence, in parallel, overlapping, or
//! one id repeated inside one batch) for the stored rows, every counter, the score
//! lines and the answers; and a batch the database refuses fails alone, never its
//! neighbours in the same commit.

use std::sync::Arc;

use kindling_collector::ingest::Writer;
use kindling_collector::lifecycle::group::WriteBatch;
use kindling_collector::profiles::cache::PersonCache;
use kindling_collector::store::{self, EventQuery, StoredEvent};
use kindling_collector::{Catalog, ConfigFile};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[path = "support/harness.rs"]
mod harness;

use harness::*;

on_both_backends!(
    one_id_repeated_inside_a_batch_is_stored_counted_and_scored_once,
    the_same_batch_in_parallel_and_again_in_sequence_counts_once,
    overlapping_batches_in_parallel_add_up,
    a_nul_character_is_refused_naming_its_field,
);

/// A scored event (`email_opened`: 5 points) numbered `n`.
fn opened(n: u32) -> Value {
    event(n, "custom", "https://www.example.com/", Some("email_opened"), Value::Null)
}

fn batch(visitor: &str, events: &[Value]) -> String {
    json!({"site": "pk_test", "visitor": visitor, "events": events}).to_string()
}

/// Runs every future at once on the runtime; returns their outputs in order.
async fn join_all<T: Send + 'static>(
    futures: impl IntoIterator<Item = impl Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let mut running = tokio::task::JoinSet::new();
    for (at, future) in futures.into_iter().enumerate() {
        running.spawn(async move { (at, future.await) });
    }
    let mut done: Vec<(usize, T)> = running.join_all().await;
    done.sort_by_key(|(at, _)| *at);
    done.into_iter().map(|(_, output)| output).collect()
}

/// Posts each body at once; returns every answer's JSON.
async fn post_all(collector: &Collector, bodies: Vec<String>) -> Vec<Value> {
    let url = collector.url("/v1/events");
    join_all(bodies.into_iter().map(|body| {
        let request = collector
            .http
            .post(&url)
            .header("content-type", "text/plain;charset=UTF-8")
            .header("user-agent", BROWSER_UA)
            .header("origin", ALLOWED)
            .body(body);
        async move {
            let response = request.send().await.expect("sent");
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.expect("JSON")
        }
    }))
    .await
}

fn sum(answers: &[Value], key: &str) -> u64 {
    answers.iter().map(|answer| answer[key].as_u64().expect("a count")).sum()
}

/// The visitor's stored events, and its person's score lines.
async fn stored(collector: &Collector, visitor: &str) -> (usize, Value) {
    let events = collector.events().await;
    let own = events.iter().filter(|event| event["visitor"] == visitor).count();
    let profile = collector.profile(&format!("visitor={visitor}")).await;
    (own, profile)
}

fn score_lines(profile: &Value) -> usize {
    profile["score_changes"].as_array().map_or(0, Vec::len)
}

async fn one_id_repeated_inside_a_batch_is_stored_counted_and_scored_once(backend: Backend) {
    let collector = Collector::start(backend).await;
    let answer = collector.send(VISITOR, vec![opened(1), opened(1), opened(1)]).await;
    assert_eq!((answer["accepted"].clone(), answer["duplicates"].clone()), (json!(1), json!(2)));
    assert_eq!(answer["visitor"]["events"], 1, "{answer:#}");
    assert_eq!(answer["visitor"]["score"], 5, "{answer:#}");
    let (events, profile) = stored(&collector, VISITOR).await;
    assert_eq!(events, 1);
    assert_eq!(score_lines(&profile), 1, "{profile:#}");
    assert_eq!(profile["person"]["score"], 5, "{profile:#}");
}

async fn the_same_batch_in_parallel_and_again_in_sequence_counts_once(backend: Backend) {
    let collector = Collector::start(backend).await;
    for round in 0..8u32 {
        let visitor = uuid_for(100 + round);
        let events: Vec<Value> = (0..3).map(|n| opened(round * 10 + n)).collect();
        let body = batch(&visitor, &events);
        let mut answers = post_all(&collector, vec![body.clone(); 5]).await;
        answers.extend(post_all(&collector, vec![body]).await);
        assert_eq!(sum(&answers, "accepted"), 3, "round {round}: {answers:#?}");
        assert_eq!(sum(&answers, "duplicates"), 3 * 6 - 3, "round {round}");
        let last = answers.last().expect("answers");
        assert_eq!(last["visitor"]["events"], 3, "round {round}: {last:#}");
        assert_eq!(last["visitor"]["score"], 15, "round {round}: {last:#}");
        let (events, profile) = stored(&collector, &visitor).await;
        assert_eq!(events, 3, "round {round}");
        assert_eq!(score_lines(&profile), 3, "round {round}: {profile:#}");
    }
}

async fn overlapping_batches_in_parallel_add_up(backend: Backend) {
    let collector = Collector::start(backend).await;
    for round in 0..8u32 {
        let visitor = uuid_for(200 + round);
        let n = |k: u32| opened(1000 + round * 10 + k);
        let bodies = vec![
            batch(&visitor, &[n(1), n(2), n(3)]),
            batch(&visitor, &[n(2), n(3), n(4)]),
            batch(&visitor, &[n(3), n(4), n(5)]),
            batch(&visitor, &[n(5), n(5), n(1)]),
        ];
        let answers = post_all(&collector, bodies).await;
        assert_eq!(sum(&answers, "accepted"), 5, "round {round}: {answers:#?}");
        assert_eq!(sum(&answers, "duplicates"), 12 - 5, "round {round}: {answers:#?}");
        let (events, profile) = stored(&collector, &visitor).await;
        assert_eq!(events, 5, "round {round}");
        assert_eq!(profile["person"]["score"], 25, "round {round}: {profile:#}");
        assert_eq!(score_lines(&profile), 5, "round {round}");
        let again = collector.send(&visitor, vec![n(6)]).await;
        assert_eq!(again["visitor"]["events"], 6, "round {round}: {again:#}");
    }
}

async fn a_nul_character_is_refused_naming_its_field(backend: Backend) {
    let collector = Collector::start(backend).await;
    let url = "https://www.example.com/";
    let mut titled = event(1, "pageview", url, None, Value::Null);
    titled["title"] = json!("Home\u{0}page");
    let mut traits = event(2, "identify", url, None, json!({"company": "Acme\u{0}"}));
    traits["props"]["email"] = json!("kim@example.com");
    let clean = event(3, "pageview", url, None, Value::Null);
    let answer = collector.send(VISITOR, vec![titled, traits, clean]).await;
    assert_eq!(answer["accepted"], 1, "{answer:#}");
    let fields: Vec<&str> = answer["rejected"]
        .as_array()
        .expect("rejections")
        .iter()
        .filter_map(|rejection| rejection["field"].as_str())
        .collect();
    assert_eq!(fields, ["events[0].title", "events[1].props.company"], "{answer:#}");

    let mut only = event(4, "pageview", "https://www.example.com/\u{0}", None, Value::Null);
    only["referrer"] = json!("https://search.example.org/");
    let refused = collector.post("/v1/events", Some(ALLOWED), batch(VISITOR, &[only])).await;
    expect_error(refused, StatusCode::BAD_REQUEST, "invalid_field", Some("events[0].url")).await;
    assert_eq!(collector.events().await.len(), 1, "the clean event only");
}

/// A batch the database refuses, committed with clean ones in one group: it alone
/// fails. PostgreSQL refuses a NUL character in text (the HTTP API refuses one before it
/// gets here, on both backends), which gives a refused batch to send past validation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_the_database_refuses_fails_alone_in_its_group() {
    let database = postgres::TestDatabase::create().await;
    let store = store::open(&database.url).await.expect("store");
    let config = fixtures().join("site.yaml");
    let catalog: Catalog = ConfigFile::load(&config).expect("config").compile().expect("compiles");
    let site = catalog.site("pk_test").expect("site");
    let people = Arc::new(PersonCache::default());
    let (writer, writing) =
        Writer::spawn(Arc::clone(&store), people, Arc::new(tokio::sync::Notify::new()));
    let batch_of = |n: u32, title: &str| {
        let visitor = uuid_for(300 + n);
        let mut event =
            StoredEvent::new(&event_id(n), "pk_test", &visitor, SESSION, "pageview", ALLOWED, 1);
        event.title = Some(title.to_owned());
        WriteBatch {
            site: "pk_test".to_owned(),
            visitor,
            visit: 1,
            seen_ms: 1,
            bot: false,
            events: vec![event],
            model: Arc::clone(&site.profiles),
            submission: None,
            verified: None,
        }
    };
    for round in 0..4u32 {
        let batches: Vec<WriteBatch> = (0..24)
            .map(|n| {
                let n = round * 100 + n;
                batch_of(n, if n % 100 == 11 { "bad\u{0}title" } else { "Home" })
            })
            .collect();
        let written = join_all(batches.into_iter().map(|batch| {
            let writer = writer.clone();
            async move { writer.write(batch).await }
        }))
        .await;
        let failed: Vec<usize> = (0..written.len()).filter(|&at| written[at].is_err()).collect();
        assert_eq!(failed, [11], "round {round}: only the refused batch fails");
    }
    let query = EventQuery { site: "pk_test".to_owned(), visitor: None, kind: None, limit: 1000 };
    assert_eq!(store.events(&query).await.expect("events").len(), 4 * 23);
    drop(writer);
    writing.await.expect("the writer ends");
}
