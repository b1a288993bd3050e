//! How one batch of newly stored events changes its person: the profile engine
//! (aggregates, traits, behaviour and fit points, temperature, stage, segments), then
//! the workflows that change starts. Pure: the group commit calls it inside the
//! transaction that stores the events and saves what it returns.

use crate::automation::enroll::{Before, enroll};
use crate::profiles::engine::{Changes, Person};
use crate::profiles::model::ProfileModel;
use crate::store::StoredEvent;

/// Applies `events` (newly stored, in order, not bot traffic) to `person` and enrols it
/// in the workflows the change triggers; returns the change.
pub fn apply_batch(
    person: &mut Person,
    events: &[StoredEvent],
    model: &ProfileModel,
    now_ms: i64,
) -> Changes {
    let before = Before::of(person);
    let changes = person.apply(events, model, now_ms);
    if !model.workflows.is_empty() {
        enroll(person, &before, events, &changes, &model.workflows, now_ms);
    }
    changes
}
