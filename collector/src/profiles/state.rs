//! The profile state an answer carries back to the widget (score, temperature, stage,
//! segments), with what the commit did to it.

use std::sync::Arc;

use kindling_core::scoring::Temperature;

use crate::profiles::engine::{Changes, Person};
use crate::profiles::exposures::Refused;

/// The profile state returned to the widget, with what the commit did to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileState {
    pub score: i32,
    pub temperature: String,
    pub stage: String,
    pub segments: Vec<String>,
    /// Events the profile refused (impressions over caps); not stored.
    pub refused: Vec<Refused>,
    /// The person after the commit.
    pub person: Option<Arc<Person>>,
    /// The commit changed the temperature, stage or segments.
    pub changed: bool,
}

impl ProfileState {
    pub fn of(person: &Person) -> ProfileState {
        ProfileState {
            score: person.score,
            temperature: person.temperature.as_str().to_owned(),
            stage: person.stage.as_str().to_owned(),
            segments: person.segments.clone(),
            refused: Vec::new(),
            person: None,
            changed: false,
        }
    }

    /// The state after a commit that applied `changes` to a person (shared by the
    /// answer, the cache and the save) whose temperature was `temperature_before`
    /// (none: the person is new).
    pub fn after(
        after: &Arc<Person>,
        changes: &Changes,
        temperature_before: Option<Temperature>,
    ) -> ProfileState {
        let changed = temperature_before != Some(after.temperature)
            || !changes.stages.is_empty()
            || !changes.segments.is_empty();
        ProfileState {
            refused: changes.refused.clone(),
            person: Some(Arc::clone(after)),
            changed,
            ..ProfileState::of(after)
        }
    }
}
