//! The workflow report: for each configured workflow over a time range, how many runs
//! started, how many times each step was taken, and how runs ended — finished, or
//! stopped by an `if` (at which step) — from the steps the runner logged.

use serde::Serialize;

use crate::automation::steps::Outcome;
use crate::automation::workflow::Step;
use crate::sites::Site;
use crate::store::StepCountRow;

/// Steps taken, counted per workflow, step and outcome (from the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCount {
    pub workflow: String,
    pub step: u32,
    pub outcome: Outcome,
    pub taken: u64,
}

/// The report of one site's workflows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkflowsReport {
    pub site: String,
    pub from_ms: i64,
    pub until_ms: i64,
    pub workflows: Vec<WorkflowReport>,
}

/// One workflow's results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkflowReport {
    pub id: String,
    pub name: Option<String>,
    /// Runs whose first step was taken.
    pub started: u64,
    /// Runs that took their last step.
    pub finished: u64,
    /// Runs an `if` ended.
    pub stopped: u64,
    pub steps: Vec<StepReport>,
}

/// One step's results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StepReport {
    pub index: usize,
    /// `crm`, `webhook`, `notify`, `set_stage`, `tag`, `untag`, `score`, `show_block`,
    /// `wait` or `if`.
    pub action: &'static str,
    pub taken: u64,
    /// Runs this step (an `if`) ended.
    pub stopped: u64,
}

fn action(step: &Step) -> &'static str {
    match step {
        Step::Wait(_) => "wait",
        Step::If(_) => "if",
        Step::Webhook(_) => "webhook",
        Step::Crm(_) => "crm",
        Step::Notify { .. } => "notify",
        Step::SetStage(_) => "set_stage",
        Step::Tag(_) => "tag",
        Step::Untag(_) => "untag",
        Step::Score(_) => "score",
        Step::ShowBlock(_) => "show_block",
    }
}

impl StepCount {
    /// The counts of stored rows; a row with an outcome this collector does not know
    /// is left out (and logged).
    pub fn of_rows(rows: &[StepCountRow]) -> Vec<StepCount> {
        rows.iter()
            .filter_map(|row| {
                let Some(outcome) = Outcome::parse(&row.outcome) else {
                    tracing::warn!(outcome = %row.outcome, "unknown workflow step outcome left out");
                    return None;
                };
                Some(StepCount {
                    workflow: row.workflow.clone(),
                    step: row.step,
                    outcome,
                    taken: row.taken,
                })
            })
            .collect()
    }
}

/// The report for `site` from the stored step counts over `[from_ms, until_ms)`.
pub fn build(site: &Site, rows: &[StepCountRow], from_ms: i64, until_ms: i64) -> WorkflowsReport {
    let counts = StepCount::of_rows(rows);
    let workflows = site
        .profiles
        .workflows
        .iter()
        .map(|workflow| {
            let mine: Vec<&StepCount> =
                counts.iter().filter(|c| c.workflow == workflow.id).collect();
            let sum = |keep: &dyn Fn(&StepCount) -> bool| -> u64 {
                mine.iter().filter(|c| keep(c)).map(|c| c.taken).sum()
            };
            let steps = workflow
                .steps
                .iter()
                .enumerate()
                .map(|(index, step)| StepReport {
                    index,
                    action: action(step),
                    taken: sum(&|c| c.step as usize == index),
                    stopped: sum(&|c| c.step as usize == index && c.outcome == Outcome::Stopped),
                })
                .collect();
            WorkflowReport {
                id: workflow.id.clone(),
                name: workflow.name.clone(),
                started: sum(&|c| c.step == 0),
                finished: sum(&|c| c.outcome == Outcome::Finished),
                stopped: sum(&|c| c.outcome == Outcome::Stopped),
                steps,
            }
        })
        .collect();
    WorkflowsReport { site: site.key.clone(), from_ms, until_ms, workflows }
}
