//! The pure cost of profiles: what the collector does in memory, per event, to keep a
//! person up to date — measured in-process, with no HTTP, no SQL and no fsync, so
//! `cargo xtask bench scoring` can set it next to the collector's ingest time per event.
//!
//! **What is timed**, per request-sized batch of one visitor's events, exactly as the
//! collector's `apply_batch` does it inside its commit:
//!
//! 1. decode the person's stored JSON document (`serde_json::from_str::<Person>`), or
//!    make a new person on the visitor's first batch (the collector decodes nothing
//!    then either);
//! 2. [`Person::apply`]: aggregates, traits and email from `identify`, behaviour points
//!    with caps, fit re-scoring, temperature, the stage policy and every segment;
//! 3. encode the person back to JSON (`serde_json::to_string`), as the collector stores it.
//!
//! `scoring_us_per_event` is the sum of those three over the measured batches divided
//! by their events. Reading the phases costs four `Instant::now()` per batch (tens of
//! nanoseconds), counted in. Not timed: building the stream, resetting the persons at
//! the end of a pass, and what only the database does (the SQL, the score/stage/segment
//! history rows). Identity merges (a second device revealing a known email) do not
//! happen: every identified visitor has an email of its own.
//!
//! **The stream** is generated once, from a fixed seed (the same on every run): many
//! visitors of the demo site, each with 5 to 50 events over one to several sessions days
//! apart, arriving from search, LinkedIn ads, a newsletter or directly. Per page: a
//! pageview (`/`, `/pricing.html`, `/blog/...`, `/customers/northwind.html`, `/tour/`,
//! ...), then perhaps scroll milestones, a click on a named CTA (`cta_book_demo`,
//! `cta_case_study`, ...) and an engagement event. A quarter of the visitors end their
//! last session on a form: `ebook` or `demo-request` (`form_start`, `form_submit`, then
//! `identify` with the email, `company_size`, `role` and marketing consent). Events go
//! out in batches of 1 to 5, as the widget sends them; each batch is turned into stored
//! rows by the collector's own [`validate::batch`] (channels, campaigns, props JSON),
//! dated when the batch arrives. Batches of all visitors are then put in arrival order,
//! so visitors interleave as on a live site. The model is the site's
//! [`ProfileModel`], compiled from the configuration file by [`ConfigFile::compile`]
//! (by default `demo-site/demo.yaml`, site `pk_demo_brightline`).
//!
//! One pass over the stream (unmeasured) first checks that the model does fire (the
//! outcome is printed: stages, temperatures, segments), then the warm-up repeats passes,
//! then the measurement runs for `seconds`, starting a fresh pass (every person new)
//! whenever the stream ends.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kindling_collector::ConfigFile;
use kindling_collector::ingest::validate::{self, RawBatch};
use kindling_collector::profiles::{Person, ProfileModel, Stage};
use kindling_collector::store::StoredEvent;
use kindling_core::bots::is_bot;
use kindling_core::scoring::Temperature;
use kindling_core::wire::{ClientEvent, Context, EventKind, PropValue};

use crate::body::{self, Ids};

/// The demo site's key in `demo-site/demo.yaml`.
pub const DEMO_SITE: &str = "pk_demo_brightline";

/// The demo configuration, found from this crate's folder.
pub fn demo_config() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../demo-site/demo.yaml"))
}

/// What to measure.
pub struct Options {
    /// Measure for this long.
    pub seconds: f64,
    /// Run (unmeasured) for this long first, after the checking pass.
    pub warmup_seconds: f64,
    /// Visitors in the stream.
    pub visitors: usize,
    /// The configuration file holding `site`.
    pub config: PathBuf,
    /// The site whose profile model is used.
    pub site: String,
}

/// What was measured.
#[derive(Default)]
pub struct Report {
    pub events: u64,
    pub batches: u64,
    /// Decoding stored persons.
    pub decode: Duration,
    /// `Person::apply`.
    pub engine: Duration,
    /// Encoding persons.
    pub encode: Duration,
}

impl Report {
    fn total(&self) -> Duration {
        self.decode + self.engine + self.encode
    }

    fn per_event_us(&self, time: Duration) -> f64 {
        time.as_secs_f64() * 1e6 / self.events as f64
    }

    /// The machine-readable last line of `kindling-bench scoring`.
    pub fn line(&self) -> String {
        let json = self.decode + self.encode;
        format!(
            "scoring events={} batches={} seconds={:.3} us_per_event={:.4} engine_us_per_event={:.4} \
             decode_us_per_event={:.4} encode_us_per_event={:.4} json_share={:.4}",
            self.events,
            self.batches,
            self.total().as_secs_f64(),
            self.per_event_us(self.total()),
            self.per_event_us(self.engine),
            self.per_event_us(self.decode),
            self.per_event_us(self.encode),
            json.as_secs_f64() / self.total().as_secs_f64(),
        )
    }
}

/// Generates the stream, checks the model fires, warms up, measures. Prints what the
/// stream holds and what it made of the persons.
pub fn run(options: &Options) -> Result<Report, String> {
    let finite = options.seconds.is_finite() && options.warmup_seconds.is_finite();
    if !(finite && options.seconds > 0.0 && options.warmup_seconds >= 0.0) {
        return Err("--seconds must be positive and --warmup not negative".to_owned());
    }
    if options.visitors == 0 {
        return Err("--visitors must be positive".to_owned());
    }
    let config =
        ConfigFile::load(&options.config).map_err(|error| format!("configuration: {error}"))?;
    let catalog = config.compile().map_err(|error| format!("configuration: {error}"))?;
    let site = catalog
        .site(&options.site)
        .ok_or_else(|| format!("{} has no site {}", options.config.display(), options.site))?;
    let model: &ProfileModel = &site.profiles;
    if model.scoring.rules.is_empty() && model.segments.is_empty() {
        return Err(format!("site {} has no scoring rules and no segments", options.site));
    }

    let stream = Stream::generate(options.visitors, &site.key)?;
    println!("{}", stream.describe());
    let mut runner =
        Runner { stream: &stream, model, docs: vec![None; stream.persons.len()], next: 0 };
    let mut unmeasured = Report::default();
    while runner.next < stream.batches.len() {
        runner.step(&mut unmeasured)?;
    }
    println!("{}", runner.outcome()?);

    let warmup = Instant::now();
    while warmup.elapsed().as_secs_f64() < options.warmup_seconds {
        runner.step(&mut unmeasured)?;
    }

    let limit = Duration::from_secs_f64(options.seconds);
    let mut report = Report::default();
    let started = Instant::now();
    while runner.step(&mut report)? - started < limit {}
    if report.events == 0 || report.total().is_zero() {
        return Err("nothing was measured".to_owned());
    }
    Ok(report)
}

/// Drives persons through the stream, pass after pass.
struct Runner<'a> {
    stream: &'a Stream,
    model: &'a ProfileModel,
    /// Each visitor's person as stored: its JSON document.
    docs: Vec<Option<String>>,
    /// The next batch.
    next: usize,
}

impl Runner<'_> {
    /// Applies the next batch (after the last one, a new pass starts with no persons);
    /// returns when it finished.
    fn step(&mut self, report: &mut Report) -> Result<Instant, String> {
        if self.next == self.stream.batches.len() {
            self.next = 0;
            self.docs.iter_mut().for_each(|doc| *doc = None);
        }
        let batch = &self.stream.batches[self.next];
        self.next += 1;
        let stored = &mut self.docs[batch.visitor];

        let start = Instant::now();
        let mut person = match stored.as_deref() {
            Some(doc) => serde_json::from_str::<Person>(doc)
                .map_err(|error| format!("a stored person does not decode: {error}"))?,
            None => Person::new(self.stream.persons[batch.visitor].clone(), batch.now_ms),
        };
        let decoded = Instant::now();
        let changes = person.apply(&batch.events, self.model, batch.now_ms);
        drop(black_box(changes));
        let applied = Instant::now();
        let doc = serde_json::to_string(&person)
            .map_err(|error| format!("a person does not encode: {error}"))?;
        *stored = Some(doc);
        drop(person);
        let encoded = Instant::now();

        report.decode += decoded - start;
        report.engine += applied - decoded;
        report.encode += encoded - applied;
        report.events += batch.events.len() as u64;
        report.batches += 1;
        Ok(encoded)
    }

    /// What the last full pass made of the persons.
    fn outcome(&self) -> Result<String, String> {
        let mut persons = Vec::with_capacity(self.docs.len());
        for doc in self.docs.iter().flatten() {
            let person = serde_json::from_str::<Person>(doc)
                .map_err(|error| format!("a stored person does not decode: {error}"))?;
            persons.push(person);
        }
        let count = |test: &dyn Fn(&Person) -> bool| persons.iter().filter(|p| test(p)).count();
        let mut text = format!(
            "outcome of one pass: {} persons, mean score {:.1}, max {}; stages:",
            persons.len(),
            persons.iter().map(|p| f64::from(p.score)).sum::<f64>() / persons.len().max(1) as f64,
            persons.iter().map(|p| p.score).max().unwrap_or(0),
        );
        for stage in [Stage::Anonymous, Stage::Lead, Stage::Mql, Stage::Sql, Stage::Customer] {
            let _ = write!(text, " {} {}", stage.as_str(), count(&|p| p.stage == stage));
        }
        text.push_str("; temperatures:");
        for temperature in [Temperature::Cold, Temperature::Warm, Temperature::Hot] {
            let _ = write!(
                text,
                " {} {}",
                temperature.as_str(),
                count(&|p| p.temperature == temperature)
            );
        }
        text.push_str("; segments:");
        for segment in &self.model.segments {
            let _ =
                write!(text, " {} {}", segment.id, count(&|p| p.segments.contains(&segment.id)));
        }
        Ok(text)
    }
}

/// One request's newly stored events, as the collector hands them to `apply_batch`.
struct Batch {
    /// Index into [`Stream::persons`].
    visitor: usize,
    /// When the collector received the batch (every event's `received_ms`).
    now_ms: i64,
    events: Vec<StoredEvent>,
}

/// The generated traffic.
struct Stream {
    /// Each visitor's person id.
    persons: Vec<String>,
    /// Every visitor's batches, in arrival order.
    batches: Vec<Batch>,
    sessions: usize,
}

/// The seed of the stream: the same traffic on every run.
const SEED: u64 = 0x6b69_6e64_6c69_6e67;
/// When the simulated traffic starts (2025-11-24).
const START_MS: u64 = 1_764_000_000_000;
const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;
/// The demo site's origin in the simulated URLs.
const ORIGIN: &str = "https://www.brightline.example";

/// Pages of the demo site, with titles.
const PAGES: &[(&str, &str)] = &[
    ("/", "Brightline: close the books in days"),
    ("/pricing.html", "Pricing"),
    ("/blog/", "Blog"),
    ("/blog/month-end-close-checklist.html", "The month-end close checklist"),
    ("/blog/cash-flow-forecasting-mistakes.html", "Five cash-flow forecasting mistakes"),
    ("/customers/northwind.html", "Northwind closes in 4 days"),
    ("/tour/", "Product tour"),
    ("/ebook.html", "The CFO's guide to a faster close"),
    ("/demo.html", "Book a demo"),
];
/// Where visits land (indexes into [`PAGES`]).
const LANDINGS: &[usize] = &[0, 0, 1, 3, 4, 5, 2];
/// Tracked CTAs of the demo site: name and destination.
const CTAS: &[(&str, &str)] = &[
    ("cta_book_demo", "/demo.html"),
    ("cta_case_study", "/customers/northwind.html"),
    ("cta_ebook", "/ebook.html"),
    ("cta_see_pricing", "/pricing.html"),
    ("cta_product_tour", "/tour/"),
    ("cta_contact_sales", "/demo.html"),
    ("cta_start_starter", "/pricing.html#starter"),
];
/// Where visits come from: the landing URL's query and the referrer.
const SOURCES: &[(&str, Option<&str>)] = &[
    ("", Some("https://www.google.com/")),
    (
        "?utm_source=linkedin&utm_medium=paid_social&utm_campaign=cfo-q4",
        Some("https://www.linkedin.com/"),
    ),
    ("?utm_source=newsletter&utm_medium=email&utm_campaign=month-end", None),
    ("", None),
];
/// Forms: the form's name and its page.
const FORMS: &[(&str, &str)] = &[("ebook", "/ebook.html"), ("demo-request", "/demo.html")];
const ROLES: &[&str] =
    &["CFO", "Controller", "Finance Director", "VP Finance", "Accountant", "CEO"];
const COMPANY_SIZES: &[f64] = &[25.0, 150.0, 500.0, 2000.0];

/// A draw from `items` (which is never empty).
fn pick<'a, T>(rng: &mut Ids, items: &'a [T]) -> &'a T {
    let index = usize::try_from(rng.below(items.len() as u64)).unwrap_or(0);
    &items[index.min(items.len() - 1)]
}

/// A draw in `low..=high`.
fn between(rng: &mut Ids, low: u64, high: u64) -> u64 {
    low + rng.below(high - low + 1)
}

/// A new event `1..46` s after `at` (which moves on), with a fresh id.
fn event(rng: &mut Ids, kind: EventKind, session: &str, url: &str, at: &mut u64) -> ClientEvent {
    *at += between(rng, 1_000, 45_000);
    ClientEvent {
        id: rng.uuid(*at),
        kind,
        session: session.to_owned(),
        url: url.to_owned(),
        title: None,
        referrer: None,
        name: None,
        target: None,
        value: None,
        props: Vec::new(),
        ts: *at,
    }
}

/// One request, before the collector sees it.
struct Request {
    visitor: String,
    context: Context,
    events: Vec<ClientEvent>,
    received_ms: u64,
}

impl Stream {
    fn generate(visitors: usize, site: &str) -> Result<Stream, String> {
        let mut rng = Ids::seeded(SEED);
        let mut stream =
            Stream { persons: Vec::with_capacity(visitors), batches: Vec::new(), sessions: 0 };
        for index in 0..visitors {
            stream.persons.push(rng.uuid(START_MS));
            let (requests, sessions) = visitor_requests(&mut rng, index);
            stream.sessions += sessions;
            for request in requests {
                stream.batches.push(request.store(site, index)?);
            }
        }
        // Stable: a visitor's batches keep their order (their times only grow).
        stream.batches.sort_by_key(|batch| batch.now_ms);
        Ok(stream)
    }

    fn describe(&self) -> String {
        let events: usize = self.batches.iter().map(|batch| batch.events.len()).sum();
        let mut kinds: Vec<(&str, usize)> = Vec::new();
        for event in self.batches.iter().flat_map(|batch| &batch.events) {
            match kinds.iter_mut().find(|(kind, _)| *kind == event.kind) {
                Some((_, count)) => *count += 1,
                None => kinds.push((&event.kind, 1)),
            }
        }
        let span_days = match (self.batches.first(), self.batches.last()) {
            (Some(first), Some(last)) => (last.now_ms - first.now_ms) as f64 / DAY_MS as f64,
            _ => 0.0,
        };
        let mut text = format!(
            "stream: {} visitors, {} sessions ({:.1}/visitor), {events} events ({:.1}/visitor) in {} batches \
             ({:.2} events/batch), over {span_days:.1} days; kinds:",
            self.persons.len(),
            self.sessions,
            self.sessions as f64 / self.persons.len() as f64,
            events as f64 / self.persons.len() as f64,
            self.batches.len(),
            events as f64 / self.batches.len().max(1) as f64,
        );
        for (kind, count) in kinds {
            let _ = write!(text, " {kind} {:.1} %", 100.0 * count as f64 / events.max(1) as f64);
        }
        text
    }
}

impl Request {
    /// The rows the collector would store for this request: parsed and checked by its
    /// own validation, dated at arrival.
    fn store(self, site: &str, visitor: usize) -> Result<Batch, String> {
        let events = self
            .events
            .iter()
            .map(serde_json::value::to_raw_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| format!("cannot encode a generated event: {error}"))?;
        let raw = RawBatch {
            site: site.to_owned(),
            visitor: self.visitor,
            context: Some(self.context),
            events,
            slots: Vec::new(),
        };
        let now = i64::try_from(self.received_ms).unwrap_or(i64::MAX);
        let request = validate::Request {
            site,
            user_agent: body::USER_AGENT,
            bot: is_bot(body::USER_AGENT),
            now,
        };
        let checked = validate::batch(&raw, &request)
            .map_err(|error| format!("a generated batch is invalid: {error}"))?;
        if !checked.rejected.is_empty() {
            return Err(format!("generated events are refused: {:?}", checked.rejected));
        }
        Ok(Batch { visitor, now_ms: now, events: checked.events })
    }
}

/// One visitor's requests, oldest first, and how many sessions they span.
fn visitor_requests(rng: &mut Ids, index: usize) -> (Vec<Request>, usize) {
    let visitor = rng.uuid(START_MS);
    let budget = between(rng, 5, 50) as usize;
    let sessions = 1 + rng.below(1 + budget as u64 / 12) as usize;
    // A quarter of the visitors end their last session on a form.
    let form = (rng.below(4) == 0).then(|| *pick(rng, FORMS));
    let mut at = START_MS + rng.below(7 * DAY_MS);
    let first_visit_ms = at;
    let mut requests = Vec::new();
    for session_index in 0..sessions {
        let last = session_index + 1 == sessions;
        let quota = budget / sessions + if last { budget % sessions } else { 0 };
        let session = rng.uuid(at);
        let (query, referrer) = *pick(rng, SOURCES);
        let landing_page = PAGES[*pick(rng, LANDINGS)];
        let converts = form.filter(|_| last);
        let browsing = quota.saturating_sub(if converts.is_some() { 4 } else { 0 }).max(1);
        let mut events = browse(rng, &session, landing_page, browsing, &mut at);
        if let Some(form) = converts {
            events.extend(convert(rng, &session, form, index, &mut at));
        }
        let context = Context {
            visit: u32::try_from(session_index + 1).unwrap_or(u32::MAX),
            first_visit_ms,
            landing: Some(format!("{ORIGIN}{}{query}", landing_page.0)),
            referrer: referrer.map(str::to_owned),
            language: Some("en-US".to_owned()),
            viewport: Some(1280),
            touch: 0,
            dropped: 0,
        };
        // The widget sends what it has queued: 1 to 5 events a request.
        let mut rest = events.as_slice();
        while !rest.is_empty() {
            let size = (between(rng, 1, 5) as usize).min(rest.len());
            let (chunk, tail) = rest.split_at(size);
            let sent = chunk.last().map_or(at, |event| event.ts);
            requests.push(Request {
                visitor: visitor.clone(),
                context: context.clone(),
                events: chunk.to_vec(),
                received_ms: sent + 40,
            });
            rest = tail;
        }
        at += HOUR_MS + rng.below(6 * DAY_MS);
    }
    (requests, sessions)
}

/// `count` events of browsing: per page a pageview, then perhaps scroll milestones, a
/// CTA click and an engagement event.
fn browse(
    rng: &mut Ids,
    session: &str,
    landing: (&str, &str),
    count: usize,
    at: &mut u64,
) -> Vec<ClientEvent> {
    let mut events = Vec::with_capacity(count + 4);
    let mut page = landing;
    let mut previous: Option<String> = None;
    while events.len() < count {
        let url = format!("{ORIGIN}{}", page.0);
        events.push(ClientEvent {
            title: Some(page.1.to_owned()),
            referrer: previous.take(),
            ..event(rng, EventKind::Pageview, session, &url, at)
        });
        for depth in 1..=rng.below(3) {
            events.push(ClientEvent {
                value: Some(25.0 * depth as f64),
                ..event(rng, EventKind::Scroll, session, &url, at)
            });
        }
        if rng.below(10) < 4 {
            let (name, target) = *pick(rng, CTAS);
            events.push(ClientEvent {
                name: Some(name.to_owned()),
                target: Some(format!("{ORIGIN}{target}")),
                ..event(rng, EventKind::Click, session, &url, at)
            });
        }
        if rng.below(10) < 6 {
            let engaged = between(rng, 5_000, 120_000) as f64;
            events.push(ClientEvent {
                value: Some(engaged),
                ..event(rng, EventKind::Engagement, session, &url, at)
            });
        }
        previous = Some(url);
        page = *pick(rng, PAGES);
    }
    events.truncate(count);
    events
}

/// A form on its page: pageview, `form_start`, `form_submit`, then `identify` with the
/// email and traits the demo's forms collect.
fn convert(
    rng: &mut Ids,
    session: &str,
    (form, path): (&str, &str),
    index: usize,
    at: &mut u64,
) -> [ClientEvent; 4] {
    let url = format!("{ORIGIN}{path}");
    let company = format!("Company {index}");
    let props = vec![
        ("email".to_owned(), PropValue::Text(format!("lead{index}@company{index}.example"))),
        ("name".to_owned(), PropValue::Text(format!("Lead {index}"))),
        ("company".to_owned(), PropValue::Text(company)),
        ("company_size".to_owned(), PropValue::Number(*pick(rng, COMPANY_SIZES))),
        ("role".to_owned(), PropValue::Text((*pick(rng, ROLES)).to_owned())),
        ("marketing_consent".to_owned(), PropValue::Bool(rng.below(2) == 0)),
    ];
    [
        event(rng, EventKind::Pageview, session, &url, at),
        ClientEvent {
            name: Some(form.to_owned()),
            ..event(rng, EventKind::FormStart, session, &url, at)
        },
        ClientEvent {
            name: Some(form.to_owned()),
            ..event(rng, EventKind::FormSubmit, session, &url, at)
        },
        ClientEvent { props, ..event(rng, EventKind::Identify, session, &url, at) },
    ]
}
