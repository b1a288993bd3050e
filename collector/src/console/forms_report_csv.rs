//! One form's field table as CSV, what the forms page shows: each field in the form's
//! order with its step, the views that showed it, passed it and stopped at it, and the
//! drop-off. Cells a spreadsheet would run as formulas are defused as in the leads
//! export.

use crate::export::defuse;
use crate::forms::field_report::FormSection;

/// The field table of `section`.
pub fn fields(section: &FormSection) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = ["field", "label", "step", "shown", "passed", "stopped", "drop_off"];
    // Writing to memory cannot fail.
    let _ = out.write_record(header);
    for line in &section.fields {
        let drop_off = line.drop_off.map_or_else(String::new, |rate| format!("{rate:.4}"));
        let row = [
            line.field.clone(),
            line.label.clone(),
            line.step.to_string(),
            line.shown.to_string(),
            line.passed.to_string(),
            line.stopped.to_string(),
            drop_off,
        ];
        let _ = out.write_record(row.iter().map(|cell| defuse(cell).into_owned()));
    }
    out.into_inner().unwrap_or_default()
}
