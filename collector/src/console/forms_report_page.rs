//! The markup of the forms report page ([`forms_report`](super::forms_report)): the
//! range picker, then a section per form, the busiest first: its key figures against
//! the previous period (and the median time to complete) with the views → starts →
//! submissions funnel, its drop-off per field (the biggest called out), refused spam
//! per reason and consents per text version. Field labels and names come from the configuration and consent versions
//! from submissions: maud escapes them like any value.

use maud::{Markup, html};

use crate::console::charts::funnel::{Step, funnel_chart};
use crate::console::format::query;
use crate::console::layout::{Chrome, page};
use crate::console::numbers::{NONE, count, duration_ms, percent, ratio_percent};
use crate::console::report_parts::{kpi, report_tabs};
use crate::console::report_range::{Chosen, compared_picker, pairs};
use crate::forms::field_report::{FieldLine, FormSection, FormSections};

const PATH: &str = "/admin/reports/forms";

/// The forms page: `now` for the range, `before` for the period just before it.
pub fn render(
    chrome: &Chrome<'_>,
    chosen: &Chosen,
    now: &FormSections,
    before: &FormSections,
) -> Markup {
    let site = chrome.sites.key();
    let csv = |form: &str| {
        let mut all: Vec<(&str, String)> = vec![("site", site.to_owned())];
        all.extend(pairs(chosen));
        all.extend([("format", "csv".to_owned()), ("form", form.to_owned())]);
        [PATH, "?", &query(all.iter().map(|(k, v)| (*k, v.as_str())))].concat()
    };
    let content = html! {
        div.page-head { h1 { "Forms" } }
        (report_tabs(site, "forms"))
        (compared_picker(PATH, &[("site", site)], chosen))
        @if now.forms.is_empty() {
            p.empty-state { "This site has no lead forms. Add one in the configuration's forms section." }
        }
        @for (index, section) in now.forms.iter().enumerate() {
            @let previous = before.forms.iter().find(|b| b.counts.form == section.counts.form);
            (form_section(index, section, previous, &csv(&section.counts.form)))
        }
        p.muted {
            "A field counts only in the views that showed it: fields progressive profiling "
            "left out of a view, and fields of a step the visitor never reached, are not in "
            "its count. A view counts on the day it was shown, with what its visitor did after. "
            "Time to complete runs from the first field reached (else from the view) to the "
            "submission, by the collector's clock. Spam is counted per UTC day."
        }
    };
    page(chrome, "Forms", content)
}

fn form_section(
    index: usize,
    section: &FormSection,
    previous: Option<&FormSection>,
    csv: &str,
) -> Markup {
    let counts = &section.counts;
    let title_id = format!("form-{index}-title");
    let was = |pick: fn(&FormSection) -> u64| previous.map_or(0, pick);
    let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let steps =
        [("Views", counts.views), ("Starts", counts.starts), ("Submissions", counts.submissions)]
            .map(|(label, n)| Step { label: label.to_owned(), count: n });
    html! {
        section.form-report aria-labelledby=(title_id) {
            h2 id=(title_id) {
                (counts.name)
                @if counts.name != counts.form { " " span.muted { "(" (counts.form) ")" } }
            }
            div.kpis {
                (kpi("Views", signed(counts.views), signed(was(|s| s.counts.views))))
                (kpi("Starts", signed(counts.starts), signed(was(|s| s.counts.starts))))
                (kpi("Submissions", signed(counts.submissions), signed(was(|s| s.counts.submissions))))
                (figure("Conversion", rate(counts.conversion_rate), "submissions per view"))
                (figure("Abandonment", rate(counts.abandonment_rate), "abandons per start"))
                (figure("Median time to complete", section.median_seconds.map_or_else(|| NONE.to_owned(), |s| duration_ms(s * 1000)), "of the views sent"))
            }
            @if counts.views == 0 {
                p.empty-state { "Nobody saw this form in the range." }
            } @else {
                (funnel_chart(&format!("form-{index}-funnel"), &format!("{}: views, starts, submissions", counts.name), &steps))
                p.muted {
                    (count(counts.confirmed)) " of " (count(counts.submissions)) " submissions confirmed; "
                    (count(counts.views.saturating_sub(section.started_views))) " views left before starting."
                }
                (fields(index, section, csv))
            }
            div.report-pair {
                (spam(index, section))
                (consents(index, section))
            }
        }
    }
}

fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| NONE.to_owned(), ratio_percent)
}

/// A key figure without a previous period.
fn figure(label: &str, value: String, note: &str) -> Markup {
    html! {
        div.kpi {
            span.kpi-label { (label) }
            span.kpi-value { (value) }
            span.kpi-change.same { (note) }
        }
    }
}

fn fields(index: usize, section: &FormSection, csv: &str) -> Markup {
    let biggest = section.biggest_drop_off.as_deref();
    let biggest_line = section.fields.iter().find(|line| Some(line.field.as_str()) == biggest);
    html! {
        h3 { "Drop-off per field" }
        @if let Some(line) = biggest_line {
            p.notice.biggest-drop-off role="note" {
                strong { "Biggest drop-off: " } (name(line)) " (step " (line.step) "): "
                (count(line.stopped)) " of the " (count(line.shown)) " views that showed it stopped there ("
                (percent(line.stopped, line.shown)) ")."
            }
        }
        div.table-wrap role="region" aria-label={ "Drop-off per field of " (section.counts.name) } tabindex="0" {
            table.report-table {
                caption.visually-hidden { "Drop-off per field of " (section.counts.name) }
                thead { tr {
                    th scope="col" { "Field" }
                    th.num scope="col" { "Step" }
                    th.num scope="col" { "Views showing it" }
                    th.num scope="col" { "Got past it" }
                    th.num scope="col" { "Stopped there" }
                    th.num scope="col" { "Drop-off" }
                } }
                tbody {
                    @for line in &section.fields {
                        tr id={ "form-" (index) "-field-" (line.field) } aria-current=[(Some(line.field.as_str()) == biggest).then_some("true")] {
                            th scope="row" { (name(line)) }
                            td.num { (line.step) }
                            td.num { (count(line.shown)) }
                            td.num { (count(line.passed)) }
                            td.num { (count(line.stopped)) }
                            td.num { (rate(line.drop_off)) }
                        }
                    }
                }
            }
        }
        p { a href=(csv) download { "Download this table (CSV)" } }
    }
}

fn name(line: &FieldLine) -> String {
    if line.label.is_empty() || line.label == line.field {
        line.field.clone()
    } else {
        format!("{} ({})", line.label, line.field)
    }
}

fn spam(index: usize, section: &FormSection) -> Markup {
    let title_id = format!("form-{index}-spam");
    html! {
        div.form-part {
            h3 id=(title_id) { "Spam refused" }
            @if section.counts.spam.is_empty() {
                p.muted { "No submission was refused as spam." }
            } @else {
                table.report-table {
                    thead { tr { th scope="col" { "Reason" } th.num scope="col" { "Refused" } } }
                    tbody {
                        @for (reason, refused) in &section.counts.spam {
                            tr { th scope="row" { (reason_label(reason)) } td.num { (count(*refused)) } }
                        }
                    }
                }
            }
        }
    }
}

fn reason_label(reason: &str) -> &str {
    match reason {
        "honeypot" => "Honeypot filled",
        "too_fast" => "Sent too fast",
        "bot" => "Automated browser",
        "rate_limited" => "Too many sends",
        "disposable_email" => "Disposable email",
        other => other,
    }
}

fn consents(index: usize, section: &FormSection) -> Markup {
    let title_id = format!("form-{index}-consents");
    html! {
        div.form-part {
            h3 id=(title_id) { "Consents per text version" }
            @if section.counts.consents.is_empty() {
                p.muted { "No consent was given in the range." }
            } @else {
                table.report-table {
                    thead { tr {
                        th scope="col" { "Field" }
                        th scope="col" { "Version" }
                        th.num scope="col" { "Given" }
                        th.num scope="col" { "Confirmed" }
                    } }
                    tbody {
                        @for consent in &section.counts.consents {
                            tr {
                                th scope="row" { (consent.field) }
                                td { (consent.version) }
                                td.num { (count(consent.given)) }
                                td.num { (count(consent.confirmed)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
