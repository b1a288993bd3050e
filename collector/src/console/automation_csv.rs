//! The automation report's tables as CSV, exactly what the page shows: the workflows
//! (a row per workflow, then one per step) or the webhook deliveries per endpoint.
//! Cells a spreadsheet would run as formulas are defused as in the leads export.

use crate::console::automation_page::AutomationView;
use crate::export::defuse;

/// The table `table` (`workflows` or `deliveries`); none for an unknown table.
pub fn automation(view: &AutomationView, table: &str) -> Option<Vec<u8>> {
    let header = |names: &[&str]| names.iter().map(|name| (*name).to_owned()).collect();
    let rows: Vec<Vec<String>> = match table {
        "workflows" => {
            let mut rows =
                vec![header(&["workflow", "step", "action", "taken", "finished", "stopped"])];
            for workflow in &view.workflows.workflows {
                rows.push(vec![
                    workflow.id.clone(),
                    String::new(),
                    String::new(),
                    workflow.started.to_string(),
                    workflow.finished.to_string(),
                    workflow.stopped.to_string(),
                ]);
                rows.extend(workflow.steps.iter().map(|step| {
                    vec![
                        workflow.id.clone(),
                        (step.index + 1).to_string(),
                        step.action.to_owned(),
                        step.taken.to_string(),
                        String::new(),
                        step.stopped.to_string(),
                    ]
                }));
            }
            rows
        }
        "deliveries" => {
            let mut rows = vec![header(&["endpoint", "delivered", "retrying", "pending", "dead"])];
            rows.extend(view.endpoints.iter().map(|e| {
                vec![
                    e.endpoint.clone(),
                    e.delivered.to_string(),
                    e.retrying.to_string(),
                    e.pending.to_string(),
                    e.dead.to_string(),
                ]
            }));
            rows
        }
        _ => return None,
    };
    Some(write(&rows))
}

fn write(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = out.write_record(row.iter().map(|cell| defuse(cell).into_owned()));
    }
    out.into_inner().unwrap_or_default()
}
