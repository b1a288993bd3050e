//! The rollups are exact: a seeded history's reports, read from the rollups, equal a
//! direct computation over the raw events (and the recorded stage history), on SQLite
//! and on PostgreSQL. Counted directly here: pageviews and visitors per day, visits,
//! pageviews per page, block events per variant, persons first exposed per variant,
//! the funnel's persons and stages per cohort day, its lead rows, and per form the views, starts and
//! each field's shown / passed / stopped views, replayed view by view.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use kindling_collector::ConfigFile;
use kindling_collector::forms::definition::Form;
use kindling_collector::forms::{field_report, report};
use kindling_collector::profiles::document::decode;
use kindling_collector::store::{self, EventQuery, PersonKey, Store, StoredEvent};
use kindling_core::profile::page_path;

use super::{Options, run};

const SITE: &str = "pk_demo_brightline";
const DAY_MS: i64 = 86_400_000;
/// Every day of the history, and more.
const ALL: (i64, i64) = (0, 100_000);

#[path = "../../../collector/tests/support/postgres.rs"]
mod pg;

fn config() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../demo-site/demo.yaml")
}

async fn seeded(database: &str) -> Arc<dyn Store> {
    let options = Options {
        events: 20_000,
        database: database.to_owned(),
        days: 30,
        config: config(),
        site: SITE.to_owned(),
    };
    let report = run(&options).await.expect("seeded");
    eprintln!("{}", report.line());
    store::open(database).await.expect("store opened")
}

#[ignore = "open defect: seeded on 2026-12-07 or later (whatever the window), the rollups count one merged person as first exposed to pricing-exit with no impression among its events"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_rollups_equal_the_raw_events() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite:{}", dir.path().join("history.db").display());
    check(seeded(&url).await).await;
}

#[ignore = "open defect: seeded on 2026-12-07 or later (whatever the window), the rollups count one merged person as first exposed to pricing-exit with no impression among its events"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_rollups_equal_the_raw_events() {
    let database = pg::TestDatabase::create().await;
    check(seeded(&database.url).await).await;
}

async fn check(store: Arc<dyn Store>) {
    let query = EventQuery { site: SITE.to_owned(), visitor: None, kind: None, limit: u32::MAX };
    let mut events = store.events(&query).await.expect("events");
    events.reverse();
    let human: Vec<&StoredEvent> = events.iter().filter(|event| !event.bot).collect();
    assert!(human.len() > 15_000, "{} events", human.len());
    let persons = persons(store.as_ref(), &human).await;
    traffic(store.as_ref(), &human).await;
    blocks(store.as_ref(), &human, &persons).await;
    funnel(&human, &persons, store.as_ref()).await;
    forms(store.as_ref(), &human).await;
}

fn day(at_ms: i64) -> i64 {
    at_ms.div_euclid(DAY_MS)
}

async fn traffic(store: &dyn Store, events: &[&StoredEvent]) {
    let mut pageviews: BTreeMap<i64, i64> = BTreeMap::new();
    let mut visitors: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    let mut pages: BTreeMap<String, i64> = BTreeMap::new();
    let mut visits: BTreeSet<(&str, &str)> = BTreeSet::new();
    for event in events {
        visitors.entry(day(event.received_ms)).or_default().insert(&event.visitor);
        visits.insert((&event.visitor, &event.session));
        if event.kind == "pageview" {
            *pageviews.entry(day(event.received_ms)).or_default() += 1;
            *pages.entry(page_path(&event.url).to_owned()).or_default() += 1;
        }
    }
    let days = store.traffic_days(SITE, ALL).await.expect("traffic days");
    let counted: BTreeMap<i64, i64> =
        days.iter().map(|d| (d.day, d.measures.pageviews)).filter(|(_, n)| *n > 0).collect();
    assert_eq!(counted, pageviews, "pageviews per day");
    let by_day: BTreeMap<i64, i64> = days.iter().map(|d| (d.day, d.visitors)).collect();
    let direct: BTreeMap<i64, i64> =
        visitors.iter().map(|(day, seen)| (*day, seen.len() as i64)).collect();
    assert_eq!(by_day, direct, "visitors per day");
    let all_visitors: BTreeSet<&str> = events.iter().map(|e| e.visitor.as_str()).collect();
    let distinct = store.distinct_visitors(SITE, ALL).await.expect("visitors");
    assert_eq!(distinct, all_visitors.len() as i64, "distinct visitors");
    let counted_visits: i64 = days.iter().map(|d| d.measures.visits).sum();
    assert_eq!(counted_visits, visits.len() as i64, "visits");
    let rows = store.traffic_rows(SITE, ALL, "page", u32::MAX).await.expect("pages");
    let counted: BTreeMap<String, i64> =
        rows.into_iter().map(|(page, m)| (page, m.pageviews)).collect();
    assert_eq!(counted, pages, "pageviews per page");
}

/// A visitor's person: its id and the highest stage its stage history records
/// (0: lead … 3: customer).
struct PersonOf {
    id: String,
    highest: Option<usize>,
}

/// Each visitor's person, from the profile the visitor reads.
async fn persons(store: &dyn Store, events: &[&StoredEvent]) -> BTreeMap<String, PersonOf> {
    let order = ["lead", "mql", "sql", "customer"];
    let visitors: BTreeSet<&str> = events.iter().map(|event| event.visitor.as_str()).collect();
    let mut persons = BTreeMap::new();
    for visitor in visitors {
        let key = PersonKey::Visitor(visitor.to_owned());
        let profile = store.profile(SITE, &key).await.expect("profile");
        let profile = profile.expect("every seeded visitor has a person");
        let highest = profile
            .stage_changes
            .iter()
            .filter_map(|change| order.iter().position(|stage| *stage == change.to))
            .max();
        let id = decode(&profile.doc).expect("a profile").id;
        persons.insert(visitor.to_owned(), PersonOf { id, highest });
    }
    persons
}

async fn blocks(store: &dyn Store, events: &[&StoredEvent], persons: &BTreeMap<String, PersonOf>) {
    let mut direct: BTreeMap<(String, String), [i64; 3]> = BTreeMap::new();
    let mut first: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for event in events {
        let measure = match event.kind.as_str() {
            "block_impression" => 0,
            "block_click" => 1,
            "block_dismiss" => 2,
            _ => continue,
        };
        let block = event.name.clone().unwrap_or_default();
        let variant = event.target.clone().unwrap_or_default();
        direct.entry((block, variant)).or_default()[measure] += 1;
        if measure == 0 {
            let person = persons[&event.visitor].id.as_str();
            let key = (person, event.name.as_deref().unwrap_or(""));
            first.entry(key).or_insert(event.target.as_deref().unwrap_or(""));
        }
    }
    let counted: BTreeMap<(String, String), [i64; 3]> = store
        .block_rows(SITE, ALL)
        .await
        .expect("block rows")
        .into_iter()
        .map(|(block, variant, m)| ((block, variant), [m.impressions, m.clicks, m.dismissals]))
        .collect();
    assert!(!counted.is_empty());
    assert_eq!(counted, direct, "block events per variant");
    let mut exposed: BTreeMap<(String, String), i64> = BTreeMap::new();
    for ((_, block), variant) in first {
        *exposed.entry((block.to_owned(), variant.to_owned())).or_default() += 1;
    }
    let counted: BTreeMap<(String, String), i64> = store
        .exposure_rows(SITE, ALL)
        .await
        .expect("exposure rows")
        .into_iter()
        .map(|(block, variant, m)| ((block, variant), m.persons))
        .collect();
    assert_eq!(counted, exposed, "persons first exposed per variant");
}

async fn funnel(events: &[&StoredEvent], visitors: &BTreeMap<String, PersonOf>, store: &dyn Store) {
    // Per person: when first seen, and the highest stage its history records.
    let mut persons: BTreeMap<&str, (i64, Option<usize>)> = BTreeMap::new();
    for event in events {
        let of = &visitors[&event.visitor];
        let person = persons.entry(&of.id).or_insert((event.received_ms, of.highest));
        person.0 = person.0.min(event.received_ms);
    }
    // Per cohort day: persons, leads, MQLs, SQLs, customers.
    let mut direct: BTreeMap<i64, [i64; 5]> = BTreeMap::new();
    for (first, highest) in persons.values() {
        let row = direct.entry(day(*first)).or_default();
        row[0] += 1;
        for (at, slot) in row[1..].iter_mut().enumerate() {
            *slot += i64::from(highest.is_some_and(|highest| highest >= at));
        }
    }
    let leads = direct.values().map(|row| row[1]).sum::<i64>();
    assert!(leads > 0, "the history has leads");
    let rows = store.lead_times(SITE, ALL, None).await.expect("lead rows");
    assert_eq!(rows.len() as i64, leads, "one lead row per lead");
    for (cohort, expected) in &direct {
        let rows = store.funnel_rows(SITE, (*cohort, cohort + 1), "all").await.expect("funnel");
        let s = rows.first().map(|(_, s)| *s).unwrap_or_default();
        let counted = [s.persons, s.leads, s.mqls, s.sqls, s.customers];
        assert_eq!(&counted, expected, "the cohort of day {cohort}");
    }
}

/// One view, replayed from the raw events.
#[derive(Default)]
struct View {
    shown: Option<Vec<String>>,
    reached: Vec<String>,
    stopped: Option<String>,
    sent: bool,
}

async fn forms(store: &dyn Store, events: &[&StoredEvent]) {
    let catalog = ConfigFile::load(&config()).expect("config").compile().expect("compiles");
    let site = catalog.site(SITE).expect("the site");
    let counts = store.form_counts(SITE, ALL).await.expect("form counts");
    let built = report::build(site, &counts, 0, ALL.1 * DAY_MS);
    let sections = field_report::sections(site, built, &counts);
    assert!(sections.forms.iter().any(|form| form.counts.views > 0), "the history has views");
    for form in &site.forms {
        let views = replay_views(&form.id, events);
        let section = sections.forms.iter().find(|s| s.counts.form == form.id).expect("section");
        let starts =
            events.iter().filter(|e| e.kind == "form_start" && e.name.as_deref() == Some(&form.id));
        assert_eq!(section.counts.views, views.len() as u64, "views of {}", form.id);
        assert_eq!(section.counts.starts, starts.count() as u64, "starts of {}", form.id);
        let counted: Vec<(String, u64, u64, u64)> = section
            .fields
            .iter()
            .map(|line| (line.field.clone(), line.shown, line.passed, line.stopped))
            .collect();
        assert_eq!(counted, field_lines(form, &views), "the fields of {}", form.id);
    }
}

/// The views of `form`: a `form_view` and the visitor's events of the form after it,
/// until their next view of it; nothing counts after a view was sent.
fn replay_views(form: &str, events: &[&StoredEvent]) -> Vec<View> {
    let mut views: Vec<View> = Vec::new();
    let mut open: BTreeMap<&str, usize> = BTreeMap::new();
    for event in events.iter().filter(|e| e.name.as_deref() == Some(form)) {
        if event.kind == "form_view" {
            let props: serde_json::Value = event
                .props
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or_default();
            let shown = props["fields"].as_str().map(|listed| {
                listed.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect()
            });
            views.push(View { shown, ..View::default() });
            open.insert(&event.visitor, views.len() - 1);
            continue;
        }
        let Some(&at) = open.get(event.visitor.as_str()) else { continue };
        let view = &mut views[at];
        if view.sent {
            continue;
        }
        let target = event.target.clone().filter(|t| !t.is_empty());
        match event.kind.as_str() {
            "form_submit" => view.sent = true,
            "form_abandon" => {
                view.reached.extend(target.clone());
                view.stopped = target;
            }
            "form_start" | "form_field" => view.reached.extend(target),
            _ => {}
        }
    }
    views
}

/// Each field's (name, shown, passed, stopped) over `views`.
fn field_lines(form: &Form, views: &[View]) -> Vec<(String, u64, u64, u64)> {
    let order: Vec<(usize, &str)> = form
        .steps
        .iter()
        .enumerate()
        .flat_map(|(step, names)| names.iter().map(move |name| (step, name.as_str())))
        .collect();
    order
        .iter()
        .enumerate()
        .map(|(at, (step, name))| {
            let (mut shown, mut passed, mut stopped) = (0, 0, 0);
            for view in views {
                let furthest = view
                    .reached
                    .iter()
                    .filter_map(|r| order.iter().position(|(_, f)| f == r))
                    .max();
                let reached_step = furthest.map_or(0, |f| order[f].0);
                let showed = view.shown.as_ref().is_none_or(|s| s.iter().any(|f| f == name));
                if !showed || !(view.sent || *step <= reached_step) {
                    continue;
                }
                shown += 1;
                if !view.sent && view.stopped.as_deref() == Some(*name) {
                    stopped += 1;
                } else if view.sent || furthest.is_some_and(|f| f > at) {
                    passed += 1;
                }
            }
            ((*name).to_owned(), shown, passed, stopped)
        })
        .collect()
}
