//! A person's place in the site's workflows, kept in the person's own document so it is
//! saved in the same transaction as the change that started or advanced a run: when the
//! person last entered each workflow (for re-entry), the runs under way with their next
//! step and when it is due, and the blocks a workflow asked to show.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Runs under way at once for one person, at most; a trigger past it starts nothing.
pub const MAX_RUNS: usize = 32;

/// One person's workflows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journeys {
    /// When the person last entered each workflow.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entered: BTreeMap<String, i64>,
    /// Runs under way, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<Run>,
    /// Blocks to show on the next page with a place for them (until shown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub show: Vec<String>,
}

/// A workflow under way for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// UUIDv7; with the step index, the idempotency key of the step's webhook.
    pub id: String,
    pub workflow: String,
    /// The index of the next step.
    pub step: u32,
    /// When the next step is due.
    pub due_ms: i64,
    pub started_ms: i64,
    /// When the collector received what triggered the run.
    pub caused_ms: i64,
    /// What triggered it: `temperature:hot`, `form:ebook`, `event:<id>`, ...
    pub cause: String,
}

impl Journeys {
    pub fn is_empty(&self) -> bool {
        self.entered.is_empty() && self.runs.is_empty() && self.show.is_empty()
    }

    /// When the earliest run's next step is due.
    pub fn next_due(&self) -> Option<i64> {
        self.runs.iter().map(|run| run.due_ms).min()
    }

    /// Whether a run of `workflow` is under way.
    pub fn running(&self, workflow: &str) -> bool {
        self.runs.iter().any(|run| run.workflow == workflow)
    }

    /// Asks for `block` to be shown (once, however often asked).
    pub fn show(&mut self, block: &str) {
        if !self.show.iter().any(|queued| queued == block) {
            self.show.push(block.to_owned());
        }
    }

    /// Folds in another person's journeys (an identity merge): the later entry of each
    /// workflow, every run (one per workflow: the earlier started), every block to show.
    pub fn merge(&mut self, other: &Journeys) {
        for (workflow, at) in &other.entered {
            let entry = self.entered.entry(workflow.clone()).or_insert(*at);
            *entry = (*entry).max(*at);
        }
        for run in &other.runs {
            match self.runs.iter_mut().find(|mine| mine.workflow == run.workflow) {
                Some(mine) if mine.started_ms <= run.started_ms => {}
                Some(mine) => *mine = run.clone(),
                None => self.runs.push(run.clone()),
            }
        }
        self.runs.sort_by(|a, b| a.started_ms.cmp(&b.started_ms).then_with(|| a.id.cmp(&b.id)));
        for block in &other.show {
            self.show(block);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(workflow: &str, started: i64) -> Run {
        Run {
            id: format!("{workflow}-{started}"),
            workflow: workflow.to_owned(),
            step: 0,
            due_ms: started + 10,
            started_ms: started,
            caused_ms: started,
            cause: "form:x".to_owned(),
        }
    }

    #[test]
    fn a_merge_keeps_the_later_entry_and_one_run_per_workflow() {
        let mut mine = Journeys::default();
        mine.entered.insert("a".to_owned(), 5);
        mine.runs.push(run("a", 5));
        mine.show("banner");
        let mut other = Journeys::default();
        other.entered.insert("a".to_owned(), 9);
        other.entered.insert("b".to_owned(), 1);
        other.runs.push(run("a", 3));
        other.runs.push(run("b", 1));
        other.show("banner");
        mine.merge(&other);
        assert_eq!(mine.entered.get("a"), Some(&9));
        assert_eq!(mine.entered.get("b"), Some(&1));
        let runs: Vec<(&str, i64)> =
            mine.runs.iter().map(|r| (r.workflow.as_str(), r.started_ms)).collect();
        assert_eq!(runs, vec![("b", 1), ("a", 3)]);
        assert_eq!(mine.show, vec!["banner".to_owned()]);
        assert_eq!(mine.next_due(), Some(11));
    }
}
