//! The report tables as CSV, exactly what the pages show: the funnel's breakdown (with
//! its `All` row), the traffic series, or one traffic breakdown. Cells a spreadsheet
//! would run as formulas are defused as in the leads export.

use crate::console::traffic_page::point_label;
use crate::export::defuse;
use crate::reporting::funnel::{FunnelReport, Stages};
use crate::reporting::traffic::TrafficReport;

/// The funnel's breakdown table.
pub fn funnel(report: &FunnelReport) -> Vec<u8> {
    let mut rows = vec![
        ["value", "visitors", "leads", "mqls", "sqls", "customers"].map(str::to_owned).to_vec(),
    ];
    let line = |value: &str, s: &Stages| {
        [
            value.to_owned(),
            s.visitors.to_string(),
            s.leads.to_string(),
            s.mqls.to_string(),
            s.sqls.to_string(),
            s.customers.to_string(),
        ]
        .to_vec()
    };
    rows.extend(report.rows.iter().map(|row| line(&row.value, &row.stages)));
    rows.push(line("All", &report.total));
    write(&rows)
}

/// The traffic series, or the breakdown `table`; none for an unknown table.
pub fn traffic(report: &TrafficReport, table: &str) -> Option<Vec<u8>> {
    if table == "series" {
        let mut rows = vec![
            ["start", "visitors", "visits", "pageviews", "leads", "mqls"]
                .map(str::to_owned)
                .to_vec(),
        ];
        rows.extend(report.series.iter().map(|point| {
            let t = &point.totals;
            vec![
                point_label(point, report.interval),
                t.visitors.to_string(),
                t.visits.to_string(),
                t.pageviews.to_string(),
                t.leads.to_string(),
                t.mqls.to_string(),
            ]
        }));
        return Some(write(&rows));
    }
    let breakdown = report.breakdowns.iter().find(|b| b.dimension == table)?;
    let mut rows =
        vec![["value", "visits", "pageviews", "leads", "mqls"].map(str::to_owned).to_vec()];
    rows.extend(breakdown.rows.iter().map(|row| {
        vec![
            row.value.clone(),
            row.visits.to_string(),
            row.pageviews.to_string(),
            row.leads.to_string(),
            row.mqls.to_string(),
        ]
    }));
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
