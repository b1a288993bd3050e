//! `kindling-bench seed`: a generated, realistic history of the demo site written
//! straight into the collector's database through the collector's own domain code, no
//! HTTP, so events can carry past times — for the analytics reports and their
//! benchmark (`cargo xtask seed`, `cargo xtask bench reports`).
//!
//! The site's profile model (scoring, stages, segments, workflows) and its forms come
//! from the configuration file (`--config`, by default `demo-site/demo.yaml`), compiled
//! as the collector compiles it at start ([`ConfigFile::compile`]). The store is opened
//! with [`store::open`]; requests are committed by [`group::commit`] inside
//! [`store::write_now`], several hundred [`WriteBatch`]es per transaction, in time
//! order, dated in the past (`seen_ms` and every row's `received_ms`). Customers are
//! then marked with [`set_stage`], some days after their last visit.
//!
//! Everything is deterministic (fixed seeds, splitmix64): the same options give the
//! same history, apart from the window ending now. About `events / 10` visitors over
//! `--days` days; see [`visitor`] (who does what), [`rhythm`] (when), [`arrival`]
//! (channels), [`visit`] (the events of a visit) and [`submission`] (lead forms).
//! A generator thread builds the batches while the caller's thread commits them.
//!
//! On PostgreSQL the database is vacuumed and analyzed at the end, as autovacuum would
//! do in time after such a load. Progress goes to stderr every 5 s; the last stdout line is
//! `seed events=.. visitors=.. leads=.. seconds=.. events_per_s=..`, counted afterwards
//! with plain SQL ([`crate::database`]).

mod arrival;
#[cfg(test)]
mod exactness;
mod rhythm;
mod schedule;
mod submission;
mod visit;
mod visitor;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use kindling_collector::ConfigFile;
use kindling_collector::lifecycle::group::{self, WriteBatch};
use kindling_collector::lifecycle::stage::set_stage;
use kindling_collector::profiles::Stage;
use kindling_collector::profiles::document::decode;
use kindling_collector::sites::Site;
use kindling_collector::store::{self, PersonKey, Store};

use crate::database::Database;

use self::rhythm::Window;
use self::schedule::{InOrder, PlannedVisit};
use self::visit::VisitPlan;
use self::visitor::Visitor;

/// The seed of every random draw.
const SEED: u64 = 0x6b69_6e64_6c69_6e67;
/// Requests committed per transaction.
const REQUESTS_PER_COMMIT: usize = 500;
/// Planned events per visitor, to size the visitor population.
const EVENTS_PER_VISITOR: u64 = 10;
/// How often progress is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// What to generate.
pub struct Options {
    pub events: u64,
    pub database: String,
    pub days: u32,
    pub config: PathBuf,
    pub site: String,
}

/// What was stored, counted in the database afterwards.
pub struct Report {
    pub events: i64,
    pub visitors: i64,
    pub leads: i64,
    pub seconds: f64,
}

impl Report {
    /// The machine-readable last line of `kindling-bench seed`.
    pub fn line(&self) -> String {
        format!(
            "seed events={} visitors={} leads={} seconds={:.3} events_per_s={:.1}",
            self.events,
            self.visitors,
            self.leads,
            self.seconds,
            self.events as f64 / self.seconds.max(1e-9)
        )
    }
}

/// A transaction's worth of batches, or the customers to mark once everything is in.
enum Work {
    Commit(Vec<WriteBatch>),
    Customers(Vec<(i64, String)>),
}

/// Generates and stores the history.
pub async fn run(options: &Options) -> Result<Report, String> {
    if options.events == 0 || options.days == 0 {
        return Err("--events and --days must be positive".to_owned());
    }
    let config =
        ConfigFile::load(&options.config).map_err(|error| format!("configuration: {error}"))?;
    let catalog = config.compile().map_err(|error| format!("configuration: {error}"))?;
    let site = catalog
        .site(&options.site)
        .ok_or_else(|| format!("{} has no site {}", options.config.display(), options.site))?;
    if let Some(file) = crate::database::sqlite_file(&options.database)
        && let Some(parent) = file.parent().filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    let store = store::open(&options.database)
        .await
        .map_err(|error| format!("cannot open {}: {error}", options.database))?;
    let before = Database::open(&options.database).await?.counts(&site.key).await?;
    if before.events > 0 {
        return Err(format!(
            "{} already holds {} events of {}: seed a fresh database",
            options.database, before.events, site.key
        ));
    }
    let now = i64::try_from(crate::body::now_ms()).unwrap_or(i64::MAX);
    let window = Window::ending(now, options.days);
    let visitors = u32::try_from((options.events / EVENTS_PER_VISITOR).max(1))
        .map_err(|_| "--events is too large".to_owned())?;
    let started = Instant::now();
    let planned = schedule::plan(SEED, visitors, &window);
    eprintln!(
        "seed: {visitors} visitors, {} visits over {} days, planned in {:.1} s",
        planned.len(),
        options.days,
        started.elapsed().as_secs_f64()
    );

    let (sender, receiver) = sync_channel::<Work>(4);
    let committed = tokio::task::block_in_place(|| {
        std::thread::scope(|scope| {
            let generator = scope.spawn(|| generate(site, &planned, &window, sender));
            let committed = commit_all(store.as_ref(), &receiver);
            drop(receiver);
            generator.join().map_err(|_| "the generator panicked".to_owned())?;
            committed
        })
    })?;
    let customers = mark_customers(&store, site, committed.customers).await?;
    let seconds = started.elapsed().as_secs_f64();
    drop(store);
    let database = Database::open(&options.database).await?;
    database.vacuum_analyze().await?;
    let counts = database.counts(&site.key).await?;
    eprintln!(
        "seed: committed {} requests ({} rows) in {} transactions; {customers} customers",
        committed.requests, committed.rows, committed.transactions
    );
    Ok(Report { events: counts.events, visitors: counts.visitors, leads: counts.leads, seconds })
}

/// Builds every planned visit's requests and sends them in time order, a transaction's
/// worth at a time; then the customers, as (time, email).
fn generate(site: &Site, planned: &[PlannedVisit], window: &Window, out: SyncSender<Work>) {
    let mut waiting = InOrder::new();
    let mut chunk = Vec::with_capacity(REQUESTS_PER_COMMIT);
    let mut customers = Vec::new();
    let send = |chunk: &mut Vec<WriteBatch>| {
        let full = std::mem::replace(chunk, Vec::with_capacity(REQUESTS_PER_COMMIT));
        out.send(Work::Commit(full)).is_ok()
    };
    let mut current: Option<Visitor> = None;
    for next in planned.iter().map(Some).chain([None]) {
        let until = next.map_or(i64::MAX, |visit| visit.start_ms);
        while let Some(batch) = waiting.pop_until(until) {
            chunk.push(batch);
            if chunk.len() == REQUESTS_PER_COMMIT && !send(&mut chunk) {
                return;
            }
        }
        let Some(planned) = next else { break };
        let visitor = match current.take() {
            Some(visitor) if visitor.index == planned.visitor => visitor,
            _ => Visitor::of(SEED, planned.visitor, window),
        };
        let plan = VisitPlan {
            seed: SEED,
            site,
            visitor: &visitor,
            visit: usize::from(planned.visit),
            device: planned.device,
            start_ms: planned.start_ms,
        };
        for request in visit::requests(&plan) {
            let batch = WriteBatch {
                site: site.key.clone(),
                visitor: request.visitor,
                visit: request.visit,
                seen_ms: request.seen_ms,
                bot: request.bot,
                events: request.events,
                model: Arc::clone(&site.profiles),
                submission: request.submission,
                verified: None,
            };
            waiting.push(batch.seen_ms, batch);
        }
        let last_visit = usize::from(planned.visit) + 1 == visitor.visits.len();
        if let Some(lead) = visitor.lead.as_ref().filter(|_| planned.device == 0 && last_visit)
            && let Some(at) = lead.customer_at
        {
            customers.push((at, lead.answers.email.clone()));
        }
        current = Some(visitor);
    }
    if !chunk.is_empty() && !send(&mut chunk) {
        return;
    }
    customers.sort();
    let _ = out.send(Work::Customers(customers));
}

/// What the committer did.
struct Committed {
    requests: u64,
    rows: u64,
    transactions: u64,
    customers: Vec<(i64, String)>,
}

/// Commits every chunk the generator sends, one transaction each, printing progress.
fn commit_all(store: &dyn Store, work: &Receiver<Work>) -> Result<Committed, String> {
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut done = Committed { requests: 0, rows: 0, transactions: 0, customers: Vec::new() };
    for item in work {
        let batches = match item {
            Work::Commit(batches) => batches,
            Work::Customers(customers) => {
                done.customers = customers;
                continue;
            }
        };
        let latest = batches.last().map_or(0, |batch| batch.seen_ms);
        let results = store::write_now(store, |tx| group::commit(tx, &batches))
            .map_err(|error| format!("commit failed: {error}"))?;
        done.requests += batches.len() as u64;
        done.rows += results.iter().map(|r| u64::from(r.outcome.inserted)).sum::<u64>();
        done.transactions += 1;
        if last_report.elapsed() >= PROGRESS_EVERY {
            last_report = Instant::now();
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "seed: {} rows, {} requests, {:.0} rows/s, history at {}",
                done.rows,
                done.requests,
                done.rows as f64 / seconds,
                day_of(latest)
            );
        }
    }
    Ok(done)
}

/// Marks each customer won at its time, through the collector's manual stage setting.
async fn mark_customers(
    store: &Arc<dyn Store>,
    site: &Site,
    customers: Vec<(i64, String)>,
) -> Result<usize, String> {
    let mut marked = 0;
    for (at, email) in customers {
        let key = site.key.clone();
        let doc = store::write(store, move |tx| tx.find_person(&key, &PersonKey::Email(email)))
            .await
            .map_err(|error| format!("finding a customer: {error}"))?;
        let Some(doc) = doc else { continue };
        let person = decode(&doc).map_err(|error| format!("a customer's profile: {error}"))?;
        let set =
            set_stage(store, &site.key, &person.id, Stage::Customer, "won", &site.profiles, at)
                .await
                .map_err(|error| format!("marking a customer: {error}"))?;
        marked += usize::from(set.is_some());
    }
    Ok(marked)
}

/// `YYYY-MM-DD` of a Unix time in milliseconds (UTC).
pub fn day_of(unix_ms: i64) -> String {
    let days = unix_ms.div_euclid(rhythm::DAY_MS);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_written_as_dates() {
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(day_of(1_764_979_200_000), "2025-12-06");
    }
}
