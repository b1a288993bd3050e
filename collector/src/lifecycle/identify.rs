//! A batch that reveals its visitor's email (`identify`, a lead form's `form_submit`):
//! applied to the visitor's person (created if new), which, when another person of the
//! site already has that email, is folded into that one — the same person on another
//! device — and the known person rebuilt from both histories.
//!
//! Unless the batch proves the email (a signature of the site's backend), the merge
//! links the visitor on the server only: its browser, and every other visitor of the
//! known person that has not proved it either, are shown device views ([`device`]).

use std::sync::Arc;

use crate::automation::enroll::{Before, enroll};
use crate::lifecycle::device::{self, Updated, view_for};
use crate::profiles::document::{decode, persist};
use crate::profiles::engine::{Changes, Person, ScoreChange, StageChange, rebuild};
use crate::profiles::model::ProfileModel;
use crate::profiles::state::ProfileState;
use crate::store::{PersonKey, StoreResult, StoredEvent, WriteTx};

/// What [`identify`] did: the person's state, and what the visitor's browser is shown
/// when that is its device view rather than the person.
#[derive(Debug, Clone)]
pub struct Identified {
    pub state: ProfileState,
    pub shown: Option<ProfileState>,
}

/// Applies a batch's newly stored events to `visitor`'s person, merging it into another
/// person that already has the email it just revealed. `proven` is the email a
/// signature of the site's backend vouches for, if any.
pub fn identify(
    tx: &mut dyn WriteTx,
    site: &str,
    visitor: &str,
    events: &[StoredEvent],
    model: &ProfileModel,
    (now, proven): (i64, Option<&str>),
) -> StoreResult<Identified> {
    let device = tx.device_state(site, visitor)?;
    let existing = tx.find_person(site, &PersonKey::Visitor(visitor.to_owned()))?;
    let existing = existing.as_deref().map(decode).transpose()?;
    let created = existing.is_none();
    let temperature_before = existing.as_ref().map(|person| person.temperature);
    let mut person = existing.unwrap_or_else(|| Person::new(visitor.to_owned(), now));
    let known_before = person.email.clone();
    let before = Before::of(&person);
    let changes = person.apply(events, model, now);
    if created {
        tx.attach_visitor(site, visitor, &person.id, now)?;
    }
    let twin = match &person.email {
        Some(email) if person.email != known_before => {
            let doc = tx.find_person(site, &PersonKey::Email(email.clone()))?;
            doc.as_deref().map(decode).transpose()?.filter(|twin| twin.id != person.id)
        }
        _ => None,
    };
    let proves = proven.is_some_and(|email| person.email.as_deref() == Some(email));
    let Some(twin) = twin else {
        enroll(&mut person, &before, events, &changes, &model.workflows, now);
        persist(tx, &[(site, &person, &changes)], now)?;
        let state = ProfileState::after(&Arc::new(person), &changes, temperature_before);
        let shown = match &device.device_view {
            _ if proves => {
                tx.verify_visitor(site, visitor, now)?;
                None
            }
            Some(doc) => {
                let mut view = Updated::load(doc)?;
                view.apply(events, model, now);
                Some(view.save(tx, site, visitor)?)
            }
            None => None,
        };
        return Ok(Identified { state, shown });
    };
    device::freeze_plain_visitors(tx, site, &twin)?;
    let view = match &device.device_view {
        _ if proves => None,
        Some(doc) => {
            let mut view = Updated::load(doc)?;
            view.apply(events, model, now);
            Some(view)
        }
        None => Some(Updated::new(view_for(&person, &twin.id))),
    };
    let state = merge(tx, site, person, twin, (events, &changes), model, now)?;
    let shown = match view {
        Some(view) => Some(view.save(tx, site, visitor)?),
        None => {
            tx.verify_visitor(site, visitor, now)?;
            None
        }
    };
    Ok(Identified { state, shown })
}

/// Folds `mine` (the visitor's person, `events` applied with `changes`) into `twin` and
/// rebuilds the known person from both histories.
fn merge(
    tx: &mut dyn WriteTx,
    site: &str,
    mine: Person,
    twin: Person,
    (events, changes): (&[StoredEvent], &Changes),
    model: &ProfileModel,
    now: i64,
) -> StoreResult<ProfileState> {
    let mut unsaved = mine.clone();
    unsaved.email = None;
    persist(tx, &[(site, &unsaved, changes)], now)?;
    let history = tx.history(site, &[&twin.id, &mine.id])?;
    let mut merged = rebuild(twin.id.clone(), &[&twin, &mine], &history, model, now);
    let lines_total = twin.score + mine.score;
    let mut merge_changes = Changes::default();
    if merged.score != lines_total {
        // Caps now count both histories together: one line makes the score's lines add
        // up to the rebuilt score.
        merge_changes.scores.push(ScoreChange {
            at_ms: now,
            rule: "identity_merge".to_owned(),
            reason: "merge",
            points: merged.score - lines_total,
            score: merged.score,
            event_id: None,
        });
    }
    if merged.stage != twin.stage {
        merge_changes.stages.push(StageChange {
            at_ms: now,
            from: twin.stage,
            to: merged.stage,
            cause: "identity_merge".to_owned(),
        });
    }
    merged.email = twin.email.clone();
    // The reports counted both persons; they now count the merged one.
    merge_changes.progress = vec![
        (twin.progress.clone(), -1),
        (mine.progress.clone(), -1),
        (merged.progress.clone(), 1),
    ];
    // Triggers compare the known person before with the merged one; the events are
    // this batch's.
    let mut trigger_changes = changes.clone();
    trigger_changes.extend(merge_changes.clone());
    enroll(&mut merged, &Before::of(&twin), events, &trigger_changes, &model.workflows, now);
    tx.fold_person(site, &mine.id, &twin.id)?;
    persist(tx, &[(site, &merged, &merge_changes)], now)?;
    let mut state = ProfileState::after(&Arc::new(merged), &merge_changes, None);
    state.refused = changes.refused.clone();
    Ok(state)
}
