//! The group commit: every request waiting for the event writer, stored in one
//! transaction. All events of the group are inserted, all visitors counted, every
//! person the group touches loaded once, updated by [`apply_batch`] and saved once, the
//! lead form submissions stored; each request gets back what its batch did.
//!
//! A visitor whose new events reveal an email (`identify`, a lead form's
//! `form_submit`) is updated batch by batch instead ([`identify`]), which handles
//! identity merges. A lead form submission repeating an earlier one of the same form
//! and email within the form's window stores nothing, not its events either.

use std::borrow::Cow;
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};
use kindling_core::wire::VisitorSummary;

use crate::forms::views::FormTally;
use crate::lifecycle::device::Updated;
use crate::lifecycle::form_views;
use crate::lifecycle::identify::identify;
use crate::lifecycle::traffic::{self, Seen};
use crate::lifecycle::update::apply_batch;
use crate::profiles::document::{Persisted, decode, persist};
use crate::profiles::engine::{Changes, Person, reveals_email};
use crate::profiles::exposures::Refused;
use crate::profiles::model::ProfileModel;
use crate::profiles::state::ProfileState;
use crate::profiles::tally::Tally;
use crate::store::{
    StoreResult, StoredEvent, SubmissionRecord, VisitorCounts, VisitorSeen, WriteTx,
};

/// One request's events and what they say of their visitor, committed together.
#[derive(Debug, Clone)]
pub struct WriteBatch {
    pub site: String,
    pub visitor: String,
    /// The visitor's visit number, as the widget counts it.
    pub visit: u32,
    pub seen_ms: i64,
    pub bot: bool,
    pub events: Vec<StoredEvent>,
    /// How the site's profiles evolve (scoring, segments, stages, workflows).
    pub model: Arc<ProfileModel>,
    /// A lead form submission the batch's `form_submit` event carries: stored in the
    /// same transaction, or, when it repeats an earlier one, not stored at all.
    pub submission: Option<Box<SubmissionRecord>>,
    /// The email a signature of the site's backend vouches for (see
    /// [`identify`]), if the batch carries one that checks out.
    pub verified: Option<String>,
}

/// What a committed [`WriteBatch`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    pub outcome: InsertOutcome,
    pub visitor: VisitorSummary,
    /// Events refused by the profile (impressions over their block's caps), not stored.
    pub refused: Vec<Refused>,
    /// The visitor's person after the commit (none for bot traffic).
    pub person: Option<Arc<Person>>,
    /// What the visitor's browser may be shown: its person, or its device view when it
    /// has not proved its identity ([`crate::lifecycle::device`]). The answer's
    /// `visitor` is this one's.
    pub shown: Option<Arc<Person>>,
    /// The commit changed the person's temperature, stage or segments.
    pub changed: bool,
    /// The batch's submission repeated this earlier one, so nothing was stored.
    pub repeat_of: Option<String>,
}

/// What an insert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsertOutcome {
    pub inserted: u32,
    pub duplicates: u32,
}

/// Which of each batch's events the group inserted, batch by batch. An event whose id
/// is already stored, or repeats an earlier event of the group (even of its own batch),
/// is not new: it is counted, scored and answered as a duplicate.
struct Fresh(Vec<Vec<bool>>);

impl Fresh {
    /// Splits the flags [`WriteTx::insert_events`] returned for the group's events.
    fn split(batches: &[WriteBatch], flags: Vec<bool>) -> Self {
        let mut flags = flags.into_iter();
        Fresh(
            batches.iter().map(|batch| flags.by_ref().take(batch.events.len()).collect()).collect(),
        )
    }

    /// The new events of the batch at `at`.
    fn events<'b>(
        &self,
        at: usize,
        batch: &'b WriteBatch,
    ) -> impl Iterator<Item = &'b StoredEvent> {
        let flags = self.0.get(at).map(Vec::as_slice).unwrap_or_default();
        batch.events.iter().zip(flags).filter(|(_, new)| **new).map(|(event, _)| event)
    }

    fn count(&self, at: usize) -> usize {
        self.0.get(at).map_or(0, |flags| flags.iter().filter(|new| **new).count())
    }

    fn all_new(&self, at: usize, batch: &WriteBatch) -> bool {
        self.count(at) == batch.events.len()
    }
}

/// A (site, visitor) of the group.
type VisitorKey<'a> = (&'a str, &'a str);

/// Stores every batch of a group in `tx`; returns, in order, what each batch did.
pub fn commit(tx: &mut dyn WriteTx, batches: &[WriteBatch]) -> StoreResult<Vec<Committed>> {
    let repeats = repeats(tx, batches)?;
    let kept: Cow<'_, [WriteBatch]> = if repeats.iter().any(Option::is_some) {
        batches
            .iter()
            .zip(&repeats)
            .map(|(batch, repeat)| match repeat {
                Some(_) => WriteBatch { events: Vec::new(), submission: None, ..batch.clone() },
                None => batch.clone(),
            })
            .collect()
    } else {
        Cow::Borrowed(batches)
    };
    let mut results = commit_kept(tx, &kept)?;
    for (committed, repeat) in results.iter_mut().zip(repeats) {
        committed.repeat_of = repeat;
    }
    Ok(results)
}

/// For each batch, the earlier submission its own repeats, if any.
fn repeats(tx: &mut dyn WriteTx, batches: &[WriteBatch]) -> StoreResult<Vec<Option<String>>> {
    let mut repeats: Vec<Option<String>> = Vec::with_capacity(batches.len());
    for (at, batch) in batches.iter().enumerate() {
        let Some(record) = &batch.submission else {
            repeats.push(None);
            continue;
        };
        // An earlier batch of this very group may carry the same lead.
        let in_group = batches[..at].iter().zip(&repeats).find_map(|(earlier, repeat)| {
            let other = earlier.submission.as_ref()?;
            (repeat.is_none()
                && earlier.site == batch.site
                && other.form == record.form
                && other.email == record.email
                && other.id != record.id)
                .then(|| other.id.clone())
        });
        let repeat = match in_group {
            Some(earlier) => Some(earlier),
            None => tx
                .submission_since(&batch.site, &record.form, &record.email, record.repeat_since_ms)?
                .filter(|earlier| *earlier != record.id),
        };
        repeats.push(repeat);
    }
    Ok(repeats)
}

/// [`commit`] of batches whose submissions are not repeats.
fn commit_kept(tx: &mut dyn WriteTx, batches: &[WriteBatch]) -> StoreResult<Vec<Committed>> {
    let all: Vec<&StoredEvent> = batches.iter().flat_map(|batch| batch.events.iter()).collect();
    let flags = tx.insert_events(&all)?;
    let inserted = Fresh::split(batches, flags);
    let visitors = upsert_visitors(tx, batches, &inserted)?;
    let identifying = identifying(batches, &inserted);
    let mut states = HashMap::new();
    let persons = persons_to_update(batches, &visitors, &identifying);
    let saved = update_persons(tx, batches, &inserted, persons, &mut states)?;
    let mut shown = update_device_views(tx, batches, &inserted, &visitors, &identifying)?;
    let persisted: Vec<Persisted<'_>> =
        saved.iter().map(|(site, person, changes)| (*site, person.as_ref(), changes)).collect();
    persist(tx, &persisted, now_of(batches))?;
    for (at, batch) in batches
        .iter()
        .enumerate()
        .filter(|(_, b)| identifying.contains(&(b.site.as_str(), b.visitor.as_str())))
    {
        let events: Vec<StoredEvent> = inserted.events(at, batch).cloned().collect();
        let identified = identify(
            tx,
            &batch.site,
            &batch.visitor,
            &events,
            &batch.model,
            (batch.seen_ms, batch.verified.as_deref()),
        )?;
        let key = (batch.site.as_str(), batch.visitor.as_str());
        let mut state = identified.state;
        // The visitor's earlier batches of the group had impressions refused too.
        if let Some(earlier) = states.remove(&key) {
            state.refused.splice(0..0, earlier.refused);
        }
        states.insert(key, state);
        match identified.shown {
            Some(view) => shown.insert(key, view),
            None => shown.remove(&key),
        };
    }
    let refused: HashSet<&str> = states
        .values()
        .flat_map(|state| state.refused.iter().map(|refused| refused.event_id.as_str()))
        .collect();
    count_traffic(tx, batches, &inserted, &visitors, &refused)?;
    let mut results = results(batches, &inserted, &visitors, (&states, &shown));
    for (batch, committed) in batches.iter().zip(&mut results) {
        if let (Some(record), Some(person)) = (&batch.submission, &committed.person) {
            tx.insert_submission(&batch.site, record, &person.id, &batch.visitor, batch.seen_ms)?;
        }
    }
    Ok(results)
}

/// The group's clock: its latest request.
fn now_of(batches: &[WriteBatch]) -> i64 {
    batches.iter().map(|b| b.seen_ms).max().unwrap_or(0)
}

/// One upsert row per visitor (a visitor may have several requests in a group); returns
/// each visitor's counters after.
fn upsert_visitors<'a>(
    tx: &mut dyn WriteTx,
    batches: &'a [WriteBatch],
    inserted: &Fresh,
) -> StoreResult<HashMap<VisitorKey<'a>, VisitorCounts>> {
    let mut merged: Vec<VisitorSeen<'a>> = Vec::new();
    let mut index: HashMap<VisitorKey<'a>, usize> = HashMap::new();
    for (at, batch) in batches.iter().enumerate() {
        let key = (batch.site.as_str(), batch.visitor.as_str());
        let new = i32::try_from(inserted.count(at)).unwrap_or(i32::MAX);
        let visit = i32::try_from(batch.visit).unwrap_or(i32::MAX);
        match index.get(&key).and_then(|&at| merged.get_mut(at)) {
            Some(row) => {
                row.seen_ms = row.seen_ms.max(batch.seen_ms);
                row.visit = row.visit.max(visit);
                row.new_events = row.new_events.saturating_add(new);
                row.bot |= batch.bot;
            }
            None => {
                index.insert(key, merged.len());
                merged.push(VisitorSeen {
                    site: key.0,
                    id: key.1,
                    seen_ms: batch.seen_ms,
                    visit,
                    new_events: new,
                    bot: batch.bot,
                });
            }
        }
    }
    let counts = tx.upsert_visitors(&merged)?;
    Ok(merged.iter().map(|row| (row.site, row.id)).zip(counts).collect())
}

/// Adds the group's new traffic (not bot traffic, not the impressions the profiles
/// refused) to the report rollups.
fn count_traffic(
    tx: &mut dyn WriteTx,
    batches: &[WriteBatch],
    inserted: &Fresh,
    visitors: &HashMap<VisitorKey<'_>, VisitorCounts>,
    refused: &HashSet<&str>,
) -> StoreResult<()> {
    let mut seen: Vec<Seen<'_>> = Vec::new();
    let mut index: HashMap<VisitorKey<'_>, usize> = HashMap::new();
    for (at, batch) in
        batches.iter().enumerate().filter(|(at, b)| !b.bot && inserted.count(*at) > 0)
    {
        let key = (batch.site.as_str(), batch.visitor.as_str());
        let Some(counts) = visitors.get(&key) else { continue };
        let entry = match index.get(&key) {
            Some(&known) => &mut seen[known],
            None => {
                index.insert(key, seen.len());
                seen.push(Seen {
                    site: key.0,
                    visitor: key.1,
                    seen_ms: batch.seen_ms,
                    counts,
                    events: Vec::new(),
                });
                let last = seen.len() - 1;
                &mut seen[last]
            }
        };
        entry.seen_ms = entry.seen_ms.max(batch.seen_ms);
        entry
            .events
            .extend(inserted.events(at, batch).filter(|e| !refused.contains(e.id.as_str())));
    }
    let mut tally = Tally::new();
    traffic::count_group(&mut tally, &seen);
    let mut forms = FormTally::default();
    form_views::count_group(tx, &seen, &mut forms)?;
    let mut counts = tally.into_counts();
    counts.forms = forms.into_counts();
    if !counts.is_empty() {
        tx.add_report_counts(&counts)?;
    }
    Ok(())
}

/// The visitors of the group whose new events reveal an email.
fn identifying<'a>(batches: &'a [WriteBatch], inserted: &Fresh) -> HashSet<VisitorKey<'a>> {
    batches
        .iter()
        .enumerate()
        .filter(|(at, b)| !b.bot && inserted.events(*at, b).any(reveals_email))
        .map(|(_, b)| (b.site.as_str(), b.visitor.as_str()))
        .collect()
}

/// A person the group changes: its site and id, and the group's visitors it has.
type PersonEntry<'a> = (&'a str, String, Vec<VisitorKey<'a>>);

/// Everyone else's persons, each once with the group's visitors it has.
fn persons_to_update<'a>(
    batches: &'a [WriteBatch],
    visitors: &HashMap<VisitorKey<'a>, VisitorCounts>,
    identifying: &HashSet<VisitorKey<'a>>,
) -> Vec<PersonEntry<'a>> {
    let mut persons: Vec<PersonEntry<'a>> = Vec::new();
    let mut person_index: HashMap<(&str, &str), usize> = HashMap::new();
    for batch in batches.iter().filter(|b| !b.bot) {
        let key = (batch.site.as_str(), batch.visitor.as_str());
        if identifying.contains(&key) {
            continue;
        }
        let Some(counts) = visitors.get(&key) else { continue };
        match person_index.get(&(key.0, counts.person.as_str())).and_then(|&at| persons.get_mut(at))
        {
            Some(entry) => {
                if !entry.2.contains(&key) {
                    entry.2.push(key);
                }
            }
            None => {
                person_index.insert((key.0, counts.person.as_str()), persons.len());
                persons.push((key.0, counts.person.clone(), vec![key]));
            }
        }
    }
    persons
}

/// Loads each person once, applies its batches in order; returns the persons to save
/// with their changes, and notes each visitor's profile state.
fn update_persons<'a>(
    tx: &mut dyn WriteTx,
    batches: &'a [WriteBatch],
    inserted: &Fresh,
    persons: Vec<PersonEntry<'a>>,
    states: &mut HashMap<VisitorKey<'a>, ProfileState>,
) -> StoreResult<Vec<(&'a str, Arc<Person>, Changes)>> {
    let keys: Vec<(&str, &str)> =
        persons.iter().map(|(site, id, _)| (*site, id.as_str())).collect();
    let docs = tx.person_docs(&keys)?;
    let mut saved = Vec::with_capacity(persons.len());
    for ((site, person_id, visitors), doc) in persons.into_iter().zip(docs) {
        let loaded = doc.as_deref().map(decode).transpose()?;
        let temperature_before = loaded.as_ref().map(|person| person.temperature);
        let mut person = loaded.unwrap_or_else(|| Person::new(person_id, now_of(batches)));
        let mut changes = Changes::default();
        for (at, batch) in batches
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.bot && visitors.contains(&(b.site.as_str(), b.visitor.as_str())))
        {
            // As a rule every event of a batch is new: only resends need a copy.
            let events: Cow<'_, [StoredEvent]> = if inserted.all_new(at, batch) {
                Cow::Borrowed(&batch.events)
            } else {
                inserted.events(at, batch).cloned().collect()
            };
            changes.extend(apply_batch(&mut person, &events, &batch.model, batch.seen_ms));
        }
        // One copy of the person, shared by the answer, the cache and the save.
        let person = Arc::new(person);
        let state = ProfileState::after(&person, &changes, temperature_before);
        for key in &visitors {
            states.insert(*key, state.clone());
        }
        saved.push((site, person, changes));
    }
    Ok(saved)
}

/// Updates the device views of the group's visitors that have one (and reveal no email
/// now: [`identify`] sees to those); returns what each of those browsers is shown.
fn update_device_views<'a>(
    tx: &mut dyn WriteTx,
    batches: &'a [WriteBatch],
    inserted: &Fresh,
    visitors: &HashMap<VisitorKey<'a>, VisitorCounts>,
    identifying: &HashSet<VisitorKey<'a>>,
) -> StoreResult<HashMap<VisitorKey<'a>, ProfileState>> {
    let mut views: HashMap<VisitorKey<'a>, Updated> = HashMap::new();
    for (at, batch) in batches.iter().enumerate().filter(|(_, b)| !b.bot) {
        let key = (batch.site.as_str(), batch.visitor.as_str());
        if identifying.contains(&key) {
            continue;
        }
        let Some(doc) = visitors.get(&key).and_then(|counts| counts.device_view.as_deref()) else {
            continue;
        };
        let view = match views.entry(key) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => entry.insert(Updated::load(doc)?),
        };
        let events: Vec<StoredEvent> = inserted.events(at, batch).cloned().collect();
        view.apply(&events, &batch.model, batch.seen_ms);
    }
    let mut shown = HashMap::with_capacity(views.len());
    for ((site, visitor), view) in views {
        shown.insert((site, visitor), view.save(tx, site, visitor)?);
    }
    Ok(shown)
}

/// What each batch of the group did, in order. `profiles` holds each visitor's
/// person's state and, for visitors shown a device view, that view's.
fn results(
    batches: &[WriteBatch],
    inserted: &Fresh,
    visitors: &HashMap<VisitorKey<'_>, VisitorCounts>,
    (persons, views): (
        &HashMap<VisitorKey<'_>, ProfileState>,
        &HashMap<VisitorKey<'_>, ProfileState>,
    ),
) -> Vec<Committed> {
    batches
        .iter()
        .enumerate()
        .map(|(at, batch)| {
            let new = inserted.count(at);
            let key = (batch.site.as_str(), batch.visitor.as_str());
            let counts = visitors.get(&key).cloned().unwrap_or_default();
            let profile = persons.get(&key).cloned().unwrap_or_default();
            let shown = views.get(&key).unwrap_or(&profile);
            let refused: Vec<Refused> = profile
                .refused
                .iter()
                .filter(|refused| batch.events.iter().any(|event| event.id == refused.event_id))
                .cloned()
                .collect();
            let refused_count = refused.len() as u32;
            Committed {
                repeat_of: None,
                refused,
                shown: shown.person.clone(),
                changed: shown.changed,
                outcome: InsertOutcome {
                    inserted: (new as u32).saturating_sub(refused_count),
                    duplicates: (batch.events.len() - new) as u32,
                },
                visitor: VisitorSummary {
                    visits: counts.visits,
                    events: counts.events.saturating_sub(refused_count),
                    score: shown.score,
                    temperature: shown.temperature.clone(),
                    stage: shown.stage.clone(),
                    segments: shown.segments.clone(),
                },
                person: profile.person,
            }
        })
        .collect()
}
