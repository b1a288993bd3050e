//! The returning visitors of `cargo xtask bench decide`: a pool of visitor ids
//! ([`write_pool`]), and their history, posted to the collector's `POST /v1/events`
//! before the measurement ([`prime`]) so that each has a person in the database and in
//! the collector's person cache when `xtask/bench/decide.lua` boots pages for them.
//!
//! Every visitor gets one batch in its own session: a pageview of one of five pages,
//! and, by its position `i` in the pool, what makes the audiences, segments and caps
//! of `xtask/bench/decide.yaml` hold for some visitors and not others (keep the two
//! in step):
//!
//! | visitors | the batch also |
//! |---|---|
//! | `i % 5`: 0 `/pricing`, 1 `/blog/launch-notes`, 2 `/`, 3 `/customers/acme`, 4 `/pricing/enterprise` | (the pageview) |
//! | `i % 7 == 0` | lands from a LinkedIn campaign (`from_linkedin`) |
//! | `i % 3 == 0` | saw the top bar (`top-bar-promo`: capped once per visit) |
//! | `i % 10 == 3` | saw and dismissed the exit offer (hidden for 7 days) |
//! | `i % 10 == 0` | identified itself; with 250+ people when `i % 20 == 0` (`enterprise`) |

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kindling_core::wire::EventsAccepted;

use crate::body::{Ids, SITE, USER_AGENT, now_ms};

/// A returning visitor: its id and the session (visit) of its first pageview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    pub id: String,
    pub session: String,
}

/// Writes `count` new visitors to `path`, one `VISITOR SESSION` line each.
pub fn write_pool(path: &Path, count: usize) -> Result<(), String> {
    let mut ids = Ids::new();
    let now = now_ms();
    let mut text = String::with_capacity(count * 74);
    for _ in 0..count {
        let visitor = ids.uuid(now);
        let session = ids.uuid(now);
        text.push_str(&visitor);
        text.push(' ');
        text.push_str(&session);
        text.push('\n');
    }
    std::fs::write(path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// Reads a pool written by [`write_pool`].
pub fn read_pool(path: &Path) -> Result<Vec<Visitor>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    text.lines()
        .enumerate()
        .map(|(index, line)| match line.split_once(' ') {
            Some((id, session)) => Ok(Visitor { id: id.to_owned(), session: session.to_owned() }),
            None => Err(format!("{}:{}: expected `VISITOR SESSION`", path.display(), index + 1)),
        })
        .collect()
}

/// How priming went.
pub struct Report {
    pub visitors: usize,
    pub events: usize,
    pub seconds: f64,
}

/// Posts every visitor's batch to `url` (the collector's `/v1/events`), `concurrency`
/// at a time, and checks that each answer is 200 with every event accepted.
pub async fn prime(url: &str, pool: &[Visitor], concurrency: usize) -> Result<Report, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(concurrency)
        .build()
        .map_err(|error| format!("cannot make an HTTP client: {error}"))?;
    let bodies: Arc<Vec<(String, usize)>> = {
        let mut ids = Ids::new();
        let now = now_ms();
        Arc::new(
            pool.iter().enumerate().map(|(i, visitor)| batch(&mut ids, i, visitor, now)).collect(),
        )
    };
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks: tokio::task::JoinSet<Result<(), String>> = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (client, bodies, next, url) =
            (client.clone(), Arc::clone(&bodies), Arc::clone(&next), url.to_owned());
        tasks.spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((body, events)) = bodies.get(index) else { return Ok(()) };
                post(&client, &url, body.clone(), *events)
                    .await
                    .map_err(|error| format!("visitor {index}: {error}"))?;
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.map_err(|error| format!("a priming task failed: {error}"))??;
    }
    Ok(Report {
        visitors: pool.len(),
        events: bodies.iter().map(|(_, events)| events).sum(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    body: String,
    events: usize,
) -> Result<(), String> {
    let answer = client
        .post(url)
        .header("Content-Type", "text/plain;charset=UTF-8")
        .header("Origin", "https://www.example.com")
        .header("User-Agent", USER_AGENT)
        .body(body)
        .send()
        .await
        .map_err(|error| format!("POST {url}: {error}"))?;
    let status = answer.status();
    let bytes = answer.bytes().await.map_err(|error| format!("POST {url}: {error}"))?;
    let text = String::from_utf8_lossy(&bytes);
    if !status.is_success() {
        return Err(format!("{status}: {text}"));
    }
    let accepted: EventsAccepted = serde_json::from_slice(&bytes)
        .map_err(|error| format!("unexpected answer ({error}): {text}"))?;
    if accepted.accepted as usize != events || accepted.duplicates != 0 {
        return Err(format!("{events} events sent, answer: {text}"));
    }
    Ok(())
}

/// The pages of the site, as in `xtask/bench/decide.lua`.
const PAGES: [&str; 5] =
    ["/pricing", "/blog/launch-notes", "/", "/customers/acme", "/pricing/enterprise"];

/// Visitor `i`'s batch (see the module's table) and its number of events.
fn batch(ids: &mut Ids, i: usize, visitor: &Visitor, now: u64) -> (String, usize) {
    let page = format!("https://www.example.com{}", PAGES[i % PAGES.len()]);
    let session = &visitor.session;
    let event = |ids: &mut Ids, kind: &str, url: &str, rest: &str| {
        format!(
            r#"{{"id":"{}","type":"{kind}","session":"{session}","url":"{url}"{rest},"ts":{now}}}"#,
            ids.uuid(now)
        )
    };
    let (landing, referrer) = if i.is_multiple_of(7) {
        (
            format!("{page}?utm_source=linkedin&utm_medium=social&utm_campaign=q4-launch"),
            "https://www.linkedin.com/",
        )
    } else {
        (page.clone(), "https://www.google.com/")
    };
    let mut events = vec![event(ids, "pageview", &landing, r#","title":"Brightline""#)];
    if i.is_multiple_of(3) {
        events.push(event(
            ids,
            "block_impression",
            &page,
            r#","name":"top-bar-promo","target":"a""#,
        ));
    }
    if i % 10 == 3 {
        for kind in ["block_impression", "block_dismiss"] {
            events.push(event(ids, kind, &page, r#","name":"exit-offer","target":"a""#));
        }
    }
    if i.is_multiple_of(10) {
        let size = if i.is_multiple_of(20) { 500 } else { 40 };
        let props = format!(
            r#","props":{{"email":"lead-{i}@example.com","company_size":{size},"role":"controller"}}"#
        );
        events.push(event(ids, "identify", &page, &props));
    }
    let body = format!(
        r#"{{"site":"{SITE}","visitor":"{}","context":{{"visit":1,"first_visit_ms":{now},"landing":"{landing}","referrer":"{referrer}","language":"en-US","viewport":1280}},"events":[{}]}}"#,
        visitor.id,
        events.join(",")
    );
    (body, events.len())
}

#[cfg(test)]
mod tests {
    use kindling_core::ids::is_uuid;
    use kindling_core::wire::EventBatch;

    use super::*;

    #[test]
    fn a_pool_is_read_back() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("pool.txt");
        write_pool(&path, 3).expect("written");
        let pool = read_pool(&path).expect("read");
        assert_eq!(pool.len(), 3);
        assert!(pool.iter().all(|visitor| is_uuid(&visitor.id) && is_uuid(&visitor.session)));
        assert_ne!(pool[0].id, pool[1].id);
    }

    #[test]
    fn priming_batches_are_valid_batches() {
        let visitor = Visitor {
            id: "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b".into(),
            session: "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2c".into(),
        };
        let mut ids = Ids::seeded(1);
        for (i, expected) in [(0, 3), (1, 1), (3, 4), (20, 2)] {
            let (body, events) = batch(&mut ids, i, &visitor, 1_764_000_000_000);
            let parsed: EventBatch = serde_json::from_str(&body).expect(&body);
            assert_eq!(parsed.events.len(), events, "{body}");
            assert_eq!(events, expected, "{body}");
        }
    }
}
