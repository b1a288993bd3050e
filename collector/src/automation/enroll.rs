//! Which workflows a change starts. Called wherever a person changes — the group commit,
//! an identity merge, a stage set by hand, decay, a workflow's own step — with the
//! person as it was before ([`Before`]), the events just stored and the [`Changes`]
//! they made. A run started here is saved in the person's document, in the same
//! transaction, due at once; the [runner](super::runner) takes its steps.
//!
//! A trigger fires on a crossing, not on a state: `{temperature: hot}` starts when the
//! person becomes hot, not on every event of a hot person. Then the workflow's
//! conditions must hold on the person's facts, its [`Reentry`] policy must allow an
//! entry, and no run of it may be under way.

use kindling_core::rules::Rule;
use kindling_core::scoring::{ScoredEvent, Temperature};
use kindling_core::wire::EventKind;

use crate::automation::workflow::{Reentry, Trigger, Workflow};
use crate::profiles::engine::props_of;
use crate::profiles::journeys::{MAX_RUNS, Run};
use crate::profiles::{Changes, Person, Stage};
use crate::store::StoredEvent;

/// What triggers compare against: the person before the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Before {
    pub score: i32,
    pub temperature: Temperature,
    pub stage: Stage,
}

impl Before {
    pub fn of(person: &Person) -> Before {
        Before { score: person.score, temperature: person.temperature, stage: person.stage }
    }
}

/// Starts every workflow of `workflows` that `events` (newly stored, in order) and
/// `changes` trigger for `person`; returns how many started.
pub fn enroll(
    person: &mut Person,
    before: &Before,
    events: &[StoredEvent],
    changes: &Changes,
    workflows: &[Workflow],
    now_ms: i64,
) -> usize {
    let mut started = 0;
    for workflow in workflows {
        if let Some((cause, caused_ms)) = fired(&workflow.trigger, person, before, events, changes)
            && start(person, workflow, cause, caused_ms, now_ms)
        {
            started += 1;
        }
    }
    started
}

/// Starts `workflow`, whose trigger is inactivity, for a person quiet for long enough
/// and not entered since their last activity. Returns whether it started.
pub fn enroll_inactive(person: &mut Person, workflow: &Workflow, now_ms: i64) -> bool {
    let Some(span) = workflow.inactivity() else { return false };
    let quiet_since = person.last_activity_ms;
    let entered_since =
        person.journeys.entered.get(&workflow.id).is_some_and(|at| *at >= quiet_since);
    if quiet_since > now_ms - span.0 || entered_since {
        return false;
    }
    let cause = format!("inactive_since:{quiet_since}");
    start(person, workflow, cause, now_ms, now_ms)
}

/// The cause and time of `trigger` firing, if it does.
fn fired(
    trigger: &Trigger,
    person: &Person,
    before: &Before,
    events: &[StoredEvent],
    changes: &Changes,
) -> Option<(String, i64)> {
    let stored = || events.iter().chain(changes.derived.iter());
    let latest_score_at =
        || changes.scores.last().map_or(person.last_activity_ms, |line| line.at_ms);
    match trigger {
        Trigger::Event(matcher) => stored().find_map(|event| {
            let kind = EventKind::parse(&event.kind)?;
            let props = props_of(event);
            let scored = ScoredEvent {
                kind,
                name: event.name.as_deref(),
                url: &event.url,
                props: &props,
                at_ms: u64::try_from(event.received_ms).unwrap_or(0),
            };
            matcher.matches(&scored).then(|| (format!("event:{}", event.id), event.received_ms))
        }),
        Trigger::Form(form) => stored()
            .find(|e| e.kind == "form_submit" && e.name.as_deref() == Some(form))
            .map(|e| (format!("form:{form}"), e.received_ms)),
        Trigger::BlockConverted(block) => stored()
            .find(|e| e.kind == "block_conversion" && e.name.as_deref() == Some(block))
            .map(|e| (format!("block_converted:{block}"), e.received_ms)),
        Trigger::ScoreAbove(points) => (before.score < *points && person.score >= *points)
            .then(|| (format!("score_above:{points}"), latest_score_at())),
        Trigger::Temperature(temperature) => (before.temperature != *temperature
            && person.temperature == *temperature)
            .then(|| (format!("temperature:{}", temperature.as_str()), latest_score_at())),
        Trigger::Stage(stage) => (before.stage != *stage && person.stage == *stage).then(|| {
            let at = changes.stages.last().map_or(person.stage_since_ms, |line| line.at_ms);
            (format!("stage:{}", stage.as_str()), at)
        }),
        Trigger::SegmentEntered(segment) => changes
            .segments
            .iter()
            .find(|line| line.entered && line.segment == *segment)
            .map(|line| (format!("segment_entered:{segment}"), line.at_ms)),
        Trigger::SegmentLeft(segment) => changes
            .segments
            .iter()
            .find(|line| !line.entered && line.segment == *segment)
            .map(|line| (format!("segment_left:{segment}"), line.at_ms)),
        Trigger::Inactive(_) => None,
    }
}

/// Starts a run of `workflow` if its conditions and re-entry policy allow.
fn start(
    person: &mut Person,
    workflow: &Workflow,
    cause: String,
    caused_ms: i64,
    now_ms: i64,
) -> bool {
    let journeys = &person.journeys;
    if journeys.running(&workflow.id) || journeys.runs.len() >= MAX_RUNS {
        return false;
    }
    let last_entry = journeys.entered.get(&workflow.id).copied();
    let allowed = match (workflow.reentry, last_entry) {
        (_, None) | (Reentry::Always, _) => true,
        (Reentry::Once, Some(_)) => false,
        (Reentry::Cooldown(span), Some(at)) => at + span.0 <= now_ms,
    };
    if !allowed || !holds(workflow.conditions.as_ref(), person, now_ms) {
        return false;
    }
    person.journeys.entered.insert(workflow.id.clone(), now_ms);
    person.journeys.runs.push(Run {
        id: uuid::Uuid::now_v7().to_string(),
        workflow: workflow.id.clone(),
        step: 0,
        due_ms: now_ms,
        started_ms: now_ms,
        caused_ms: caused_ms.min(now_ms),
        cause,
    });
    true
}

/// Whether `rule` (none: always) holds on the person's facts at `now_ms`.
pub fn holds(rule: Option<&Rule>, person: &Person, now_ms: i64) -> bool {
    rule.is_none_or(|rule| rule.evaluate(&person.facts(None, now_ms)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automation::workflow::Span;
    use crate::profiles::engine::SegmentChange;

    fn workflow(yaml: &str) -> Workflow {
        serde_yaml_ng::from_str(yaml).expect("workflow")
    }

    fn hot(person: &mut Person) -> Before {
        let before = Before::of(person);
        person.score = 80;
        person.temperature = Temperature::Hot;
        before
    }

    #[test]
    fn a_state_trigger_fires_on_the_crossing_only() {
        let flow = workflow(
            "id: w\ntrigger: { temperature: hot }\nreentry: always\nsteps: [ { tag: t } ]",
        );
        let mut person = Person::new("p".to_owned(), 0);
        let before = hot(&mut person);
        let flows = [flow];
        assert_eq!(enroll(&mut person, &before, &[], &Changes::default(), &flows, 10), 1);
        assert_eq!(person.journeys.runs[0].cause, "temperature:hot");
        person.journeys.runs.clear();
        // Hot before and after: no crossing, no run.
        let still = Before::of(&person);
        assert_eq!(enroll(&mut person, &still, &[], &Changes::default(), &flows, 20), 0);
    }

    #[test]
    fn reentry_once_cooldown_and_one_run_at_a_time() {
        let once = workflow("id: once\ntrigger: { segment_entered: s }\nsteps: [ { tag: t } ]");
        let cool = workflow(
            "id: cool\ntrigger: { segment_entered: s }\nreentry: { cooldown: 10s }\nsteps: [ { tag: t } ]",
        );
        let entered = Changes {
            segments: vec![SegmentChange { at_ms: 0, segment: "s".to_owned(), entered: true }],
            ..Changes::default()
        };
        let flows = [once, cool];
        let mut person = Person::new("p".to_owned(), 0);
        let before = Before::of(&person);
        assert_eq!(enroll(&mut person, &before, &[], &entered, &flows, 1_000), 2);
        // Both running: nothing new, whatever the policy.
        assert_eq!(enroll(&mut person, &before, &[], &entered, &flows, 20_000), 0);
        person.journeys.runs.clear();
        assert_eq!(enroll(&mut person, &before, &[], &entered, &flows, 5_000), 0, "cooling down");
        assert_eq!(enroll(&mut person, &before, &[], &entered, &flows, 11_000), 1, "cooled down");
        assert_eq!(person.journeys.runs[0].workflow, "cool");
    }

    #[test]
    fn conditions_are_checked_when_the_trigger_fires() {
        let flow = workflow(
            "id: w\ntrigger: { temperature: hot }\nconditions: { fact: known, op: eq, value: true }\nsteps: [ { tag: t } ]",
        );
        let flows = [flow];
        let mut anonymous = Person::new("a".to_owned(), 0);
        let before = hot(&mut anonymous);
        assert_eq!(enroll(&mut anonymous, &before, &[], &Changes::default(), &flows, 10), 0);
        let mut known = Person::new("k".to_owned(), 0);
        known.email = Some("k@acme.example".to_owned());
        let before = hot(&mut known);
        assert_eq!(enroll(&mut known, &before, &[], &Changes::default(), &flows, 10), 1);
    }

    #[test]
    fn an_inactivity_trigger_waits_for_the_quiet_spell_and_fires_once_in_it() {
        let flow = workflow(
            "id: w\ntrigger: { inactive_for: 60d }\nreentry: always\nsteps: [ { tag: t } ]",
        );
        assert_eq!(flow.inactivity(), Some(Span(60 * 86_400_000)));
        let mut person = Person::new("p".to_owned(), 0);
        person.last_activity_ms = 1_000;
        let day = 86_400_000;
        assert!(!enroll_inactive(&mut person, &flow, 1_000 + 59 * day), "not quiet long enough");
        assert!(enroll_inactive(&mut person, &flow, 1_000 + 60 * day));
        person.journeys.runs.clear();
        assert!(!enroll_inactive(&mut person, &flow, 1_000 + 90 * day), "same quiet spell");
        person.last_activity_ms = 1_000 + 91 * day;
        assert!(enroll_inactive(&mut person, &flow, 1_000 + 151 * day), "a new quiet spell");
    }
}
