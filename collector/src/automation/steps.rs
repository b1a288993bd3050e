//! Taking the due steps of a person's runs: pure, so the storage code can run it inside
//! the transaction that saves the person and stores the outbox messages the steps
//! produce — a step is taken once, with its messages, or not at all.
//!
//! Each message's id is the run's id and the step's index, so taking the same step again
//! (a second collector racing on the same person) stores nothing new, and the receiver
//! sees the same idempotency key.
//!
//! A step that changes the person (stage, score, tags) re-evaluates temperature, stage
//! and segments and may start other workflows; at most [`MAX_STEPS_PER_PASS`] steps are
//! taken per person per pass, so workflows that keep starting each other cannot spin.

use crate::automation::enroll::{self, Before};
use crate::automation::handoff;
use crate::automation::outbox::{self, Endpoint};
use crate::automation::workflow::Step;
use crate::profiles::engine::ScoreChange;
use crate::profiles::view::ProfileView;
use crate::profiles::{Changes, Person};
use crate::sites::Site;
use crate::store::OutboxMessage;

/// Most steps taken for one person in one pass.
pub const MAX_STEPS_PER_PASS: usize = 100;

/// What a pass did to a person.
#[derive(Debug, Default)]
pub struct Advanced {
    /// Workflows started (by an inactivity trigger, or by a step's changes).
    pub started: usize,
    /// Steps taken.
    pub steps: usize,
    pub changes: Changes,
    pub messages: Vec<OutboxMessage>,
    /// Each step taken, for the workflow report.
    pub taken: Vec<StepTaken>,
}

/// One step taken in a run, and what became of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepTaken {
    pub workflow: String,
    pub run: String,
    pub step: u32,
    pub outcome: Outcome,
}

/// What became of a run after one of its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It goes on with its next step.
    Next,
    /// It waits (the step was a `wait`).
    Wait,
    /// An `if` did not hold: it ended there.
    Stopped,
    /// That was its last step.
    Finished,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Next => "next",
            Outcome::Wait => "wait",
            Outcome::Stopped => "stopped",
            Outcome::Finished => "finished",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        [Outcome::Next, Outcome::Wait, Outcome::Stopped, Outcome::Finished]
            .into_iter()
            .find(|outcome| outcome.as_str() == text)
    }
}

/// Whether the due steps need the person's stored history (a CRM hand-off's score
/// reasons and timeline).
pub fn wants_history(person: &Person, site: &Site, now_ms: i64) -> bool {
    person.journeys.runs.iter().filter(|run| run.due_ms <= now_ms).any(|run| {
        site.profiles.workflows.iter().any(|workflow| {
            workflow.id == run.workflow
                && workflow
                    .steps
                    .iter()
                    .skip(run.step as usize)
                    .any(|step| matches!(step, Step::Crm(_)))
        })
    })
}

/// Takes every step due at `now_ms` of `person`'s runs, oldest run first.
pub fn advance(
    person: &mut Person,
    site: &Site,
    view: Option<&ProfileView>,
    now_ms: i64,
) -> Advanced {
    let mut advanced = Advanced::default();
    let model = &site.profiles;
    while advanced.steps < MAX_STEPS_PER_PASS {
        let Some(at) = person.journeys.runs.iter().position(|run| run.due_ms <= now_ms) else {
            break;
        };
        let run = person.journeys.runs[at].clone();
        let workflow = model.workflows.iter().find(|workflow| workflow.id == run.workflow);
        let Some(step) = workflow.and_then(|workflow| workflow.steps.get(run.step as usize)) else {
            // Finished, or its workflow is gone from the configuration.
            person.journeys.runs.remove(at);
            continue;
        };
        advanced.steps += 1;
        let before = Before::of(person);
        let mut changes = Changes::default();
        let mut go_on = true;
        let mut resume_at = now_ms;
        let cause = format!("workflow:{}", run.workflow);
        match step {
            Step::Wait(span) => resume_at = now_ms + span.0,
            Step::If(rule) => go_on = enroll::holds(Some(rule), person, now_ms),
            Step::Webhook(endpoint) => {
                let body = handoff::webhook(&site.key, &run, person);
                advanced
                    .messages
                    .extend(message(site, &run, person, endpoint, &body, None, now_ms));
            }
            Step::Crm(endpoint) => {
                let body = handoff::crm(&site.key, &run, person, view);
                let caused = Some(run.caused_ms);
                advanced
                    .messages
                    .extend(message(site, &run, person, endpoint, &body, caused, now_ms));
            }
            Step::Notify { webhook, text } => {
                let body = handoff::notify(&site.key, &run, person, text);
                advanced.messages.extend(message(site, &run, person, webhook, &body, None, now_ms));
            }
            Step::SetStage(stage) => person.set_stage(*stage, &cause, now_ms, &mut changes),
            Step::Score(points) => {
                person.score += points;
                changes.scores.push(ScoreChange {
                    at_ms: now_ms,
                    rule: cause.clone(),
                    reason: "workflow",
                    points: *points,
                    score: person.score,
                    event_id: None,
                });
            }
            Step::Tag(tag) => {
                if !person.tags.contains(tag) {
                    person.tags.push(tag.clone());
                }
            }
            Step::Untag(tag) => person.tags.retain(|mine| mine != tag),
            Step::ShowBlock(block) => person.journeys.show(block),
        }
        // The run moves on before anything it changed starts other workflows, so a
        // workflow re-entering itself finds this run over.
        let last = workflow.is_some_and(|workflow| run.step as usize + 1 >= workflow.steps.len());
        if let Some(mine) = person.journeys.runs.iter_mut().find(|mine| mine.id == run.id) {
            mine.step += 1;
            mine.due_ms = resume_at;
        }
        if !go_on || last {
            person.journeys.runs.retain(|mine| mine.id != run.id);
        }
        let outcome = match (go_on, last, step) {
            (false, ..) => Outcome::Stopped,
            (true, true, _) => Outcome::Finished,
            (true, false, Step::Wait(_)) => Outcome::Wait,
            (true, false, _) => Outcome::Next,
        };
        advanced.taken.push(StepTaken {
            workflow: run.workflow.clone(),
            run: run.id.clone(),
            step: run.step,
            outcome,
        });
        if matches!(step, Step::SetStage(_) | Step::Score(_) | Step::Tag(_) | Step::Untag(_)) {
            person.settle(model, now_ms, None, &mut changes);
            advanced.started +=
                enroll::enroll(person, &before, &[], &changes, &model.workflows, now_ms);
        }
        advanced.changes.extend(changes);
    }
    advanced
}

/// The message a step sends to the site's endpoint `name`. The configuration checks
/// that every workflow's webhooks exist, so none is only a safeguard.
fn message(
    site: &Site,
    run: &crate::profiles::journeys::Run,
    person: &Person,
    name: &str,
    body: &serde_json::Value,
    caused_ms: Option<i64>,
    now_ms: i64,
) -> Option<OutboxMessage> {
    let Some(endpoint) = site.webhooks.iter().find(|endpoint: &&Endpoint| endpoint.name == name)
    else {
        tracing::warn!(site = %site.key, workflow = %run.workflow, webhook = name, "webhook no longer configured; step skipped");
        return None;
    };
    let mut message = outbox::message(&site.key, &person.id, endpoint, body, now_ms);
    // The secret stays in the configuration: the dispatcher reads it there.
    message.secret.clear();
    message.id = format!("{}.{}", run.id, run.step);
    message.caused_ms = caused_ms;
    Some(message)
}
