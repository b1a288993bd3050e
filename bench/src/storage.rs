//! The storage ceiling: how many event rows per second the collector's own SQLite store
//! takes when nothing else runs — no HTTP, no group-commit queue.
//!
//! Rows are made exactly as the collector makes them: a request body like the load
//! generator's ([`crate::body`]) is parsed and validated by the collector's own
//! [`validate`] code, giving the same [`WriteBatch`] a request would, with the site's
//! profile model compiled from the same configuration file the collector is given
//! (`--config`; by default [`body::SITE_CONFIG`]). Batches are then
//! stored through the collector's store ([`store::open`]) and group commit
//! ([`group::commit`]) on a blocking thread, as the collector's event writer does
//! (WAL, `synchronous=FULL`, one fsync per commit), in transactions of `per_commit`
//! rows, in a fresh database file on disk. Only the time spent committing counts; building the rows does not.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use kindling_collector::ConfigFile;
use kindling_collector::ingest::validate::{self, RawBatch};
use kindling_collector::lifecycle::group::{self, WriteBatch};
use kindling_collector::sites::Site;
use kindling_collector::store::{self, Store};
use kindling_core::bots::is_bot;
use kindling_core::limits::MAX_EVENTS_PER_BATCH;

use crate::body::{self, Ids};

/// What to measure.
pub struct Options {
    /// Stop after this many measured rows (whichever comes first with `seconds`).
    pub rows: Option<u64>,
    /// Stop after this long measuring.
    pub seconds: f64,
    /// Commit (unmeasured) for this long first.
    pub warmup_seconds: f64,
    /// Rows per transaction.
    pub per_commit: usize,
    /// Events per request-sized [`WriteBatch`] (each also updates its visitor).
    pub events_per_request: usize,
    /// Where to create the temporary database folder (default: the system's).
    pub dir: Option<PathBuf>,
    /// The collector's configuration file, with the site [`body::SITE`].
    pub config: Option<PathBuf>,
}

/// What was measured.
pub struct Report {
    pub rows: u64,
    pub commits: u64,
    pub commit_seconds: f64,
}

impl Report {
    pub fn rows_per_s(&self) -> f64 {
        self.rows as f64 / self.commit_seconds
    }
}

/// Runs the measurement in a temporary database, removed afterwards.
pub async fn run(options: &Options) -> Result<Report, String> {
    if options.events_per_request == 0 || options.events_per_request > MAX_EVENTS_PER_BATCH {
        return Err(format!("--events-per-request must be 1 to {MAX_EVENTS_PER_BATCH}"));
    }
    if options.per_commit == 0 || !options.per_commit.is_multiple_of(options.events_per_request) {
        return Err("--per-commit must be a positive multiple of --events-per-request".to_owned());
    }
    let finite = options.seconds.is_finite() && options.warmup_seconds.is_finite();
    if !(finite && options.seconds > 0.0 && options.warmup_seconds >= 0.0) {
        return Err("--seconds must be positive and --warmup not negative".to_owned());
    }
    let config = match &options.config {
        Some(path) => ConfigFile::load(path),
        None => ConfigFile::from_yaml(body::SITE_CONFIG),
    }
    .map_err(|error| format!("configuration: {error}"))?;
    let catalog = config.compile().map_err(|error| format!("configuration: {error}"))?;
    let site = catalog
        .site(body::SITE)
        .ok_or_else(|| format!("the configuration has no site {}", body::SITE))?;
    let builder = {
        let mut builder = tempfile::Builder::new();
        builder.prefix("kindling-storage-");
        builder
    };
    let dir = match &options.dir {
        Some(parent) => builder.tempdir_in(parent),
        None => builder.tempdir(),
    }
    .map_err(|error| format!("cannot create a temporary folder: {error}"))?;
    let url = format!("sqlite://{}", dir.path().join("storage.db").display());
    let store = store::open(&url).await.map_err(|error| format!("cannot open {url}: {error}"))?;
    let requests_per_commit = options.per_commit / options.events_per_request;
    let mut ids = Ids::new();

    let warmup = Instant::now();
    while warmup.elapsed().as_secs_f64() < options.warmup_seconds {
        let batches =
            make_batches(&mut ids, site, requests_per_commit, options.events_per_request)?;
        commit(&store, batches).await?;
    }

    let limit = Duration::from_secs_f64(options.seconds);
    let started = Instant::now();
    let mut report = Report { rows: 0, commits: 0, commit_seconds: 0.0 };
    while started.elapsed() < limit && options.rows.is_none_or(|rows| report.rows < rows) {
        let batches =
            make_batches(&mut ids, site, requests_per_commit, options.events_per_request)?;
        let committing = Instant::now();
        report.rows += commit(&store, batches).await?;
        report.commit_seconds += committing.elapsed().as_secs_f64();
        report.commits += 1;
    }
    drop(store);
    dir.close().map_err(|error| format!("cannot remove the temporary database: {error}"))?;
    if report.rows == 0 || report.commit_seconds <= 0.0 {
        return Err("nothing was committed".to_owned());
    }
    Ok(report)
}

/// Commits `batches` in one transaction; returns the rows inserted, failing on duplicates.
async fn commit(store: &Arc<dyn Store>, batches: Vec<WriteBatch>) -> Result<u64, String> {
    let writer = Arc::clone(store);
    let committed = tokio::task::spawn_blocking(move || {
        store::write_now(writer.as_ref(), |tx| group::commit(tx, &batches))
    })
    .await
    .map_err(|error| format!("the commit panicked: {error}"))?
    .map_err(|error| format!("commit failed: {error}"))?;
    let mut inserted = 0;
    for result in committed {
        if result.outcome.duplicates > 0 {
            return Err("an event id was stored twice: the ids are not fresh".to_owned());
        }
        inserted += u64::from(result.outcome.inserted);
    }
    Ok(inserted)
}

/// `requests` batches of `events` rows, as the collector would make them from requests.
fn make_batches(
    ids: &mut Ids,
    site: &Site,
    requests: usize,
    events: usize,
) -> Result<Vec<WriteBatch>, String> {
    let now = body::now_ms();
    let received = i64::try_from(now).unwrap_or(i64::MAX);
    (0..requests)
        .map(|_| {
            let text = body::request(ids, events, now);
            let Json(raw) = Json::<RawBatch>::from_bytes(text.as_bytes())
                .map_err(|error| format!("the benchmark's own body does not parse: {error}"))?;
            let request = validate::Request {
                site: &site.key,
                user_agent: body::USER_AGENT,
                bot: is_bot(body::USER_AGENT),
                now: received,
            };
            let checked = validate::batch(&raw, &request)
                .map_err(|error| format!("the benchmark's own body is invalid: {error}"))?;
            if !checked.rejected.is_empty() {
                return Err(format!(
                    "the benchmark's own events are refused: {:?}",
                    checked.rejected
                ));
            }
            Ok(WriteBatch {
                site: site.key.clone(),
                visitor: raw.visitor.clone(),
                visit: raw.context.as_ref().map_or(1, |context| context.visit.max(1)),
                seen_ms: received,
                bot: request.bot,
                events: checked.events,
                model: Arc::clone(&site.profiles),
                submission: None,
                verified: None,
            })
        })
        .collect()
}
