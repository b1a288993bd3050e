//! The funnel chart: one horizontal bar per step, as wide as the step's count is
//! against the first step's, labelled with the step, its count and what it kept of
//! the step before; what the step lost is a lighter remainder up to the previous
//! step's width.

use maud::{Markup, html};

use super::{Figure, coordinate, empty, figure, scaled};
use crate::console::numbers;

const WIDTH: f64 = 640.0;
const ROW_HEIGHT: f64 = 52.0;
const BAR_TOP: f64 = 22.0;
const BAR_HEIGHT: f64 = 22.0;
const PADDING: f64 = 4.0;

/// One step of a funnel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub label: String,
    pub count: u64,
}

/// The funnel of `steps`, first to last, or an empty-state figure without steps.
pub fn funnel_chart(id: &str, caption: &str, steps: &[Step]) -> Markup {
    let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
        return empty(id, "chart-funnel", caption);
    };
    // Scaled to the first step; a later step counting more (a late join) fills the row.
    let whole = steps.iter().map(|step| step.count).max().unwrap_or(0) as f64;
    let width = |step: &Step| scaled(step.count as f64, whole, WIDTH);
    let height = ROW_HEIGHT * steps.len() as f64 + PADDING;
    figure(Figure {
        id,
        kind: "chart-funnel",
        caption,
        title: caption.to_owned(),
        description: format!(
            "Funnel of {}, from {} ({}) to {} ({}): {} of the first step.",
            super::counted(steps.len(), "step"),
            first.label,
            numbers::count(first.count),
            last.label,
            numbers::count(last.count),
            numbers::percent(last.count, first.count),
        ),
        view_box: (WIDTH as u32, height.ceil() as u32),
        drawing: html! {
            @for (index, step) in steps.iter().enumerate() {
                @let top = PADDING + ROW_HEIGHT * index as f64;
                @let previous = index.checked_sub(1).map(|before| &steps[before]);
                @let kept = width(step);
                @let lost = previous.map_or(0.0, |before| (width(before) - kept).max(0.0));
                g.funnel-step {
                    text.step-label x="0" y=(coordinate(top + 14.0)) { (step.label) }
                    text.step-figures x=(coordinate(WIDTH)) y=(coordinate(top + 14.0)) {
                        (numbers::count(step.count))
                        @if let Some(before) = previous {
                            " · " (numbers::percent(step.count, before.count)) " of previous"
                        }
                    }
                    rect.funnel-bar x="0" y=(coordinate(top + BAR_TOP)) width=(coordinate(kept)) height=(coordinate(BAR_HEIGHT)) {}
                    @if lost > 0.0 {
                        rect.funnel-remainder x=(coordinate(kept)) y=(coordinate(top + BAR_TOP)) width=(coordinate(lost)) height=(coordinate(BAR_HEIGHT)) {}
                    }
                }
            }
        },
        after_drawing: html! {},
        table_head: html! {
            tr {
                th scope="col" { "Step" }
                th.num scope="col" { "Count" }
                th.num scope="col" { "From previous" }
                th.num scope="col" { "From first" }
            }
        },
        table_body: html! {
            @for (index, step) in steps.iter().enumerate() {
                tr {
                    th scope="row" { (step.label) }
                    td.num { (numbers::count(step.count)) }
                    td.num {
                        @match index.checked_sub(1) {
                            Some(before) => (numbers::percent(step.count, steps[before].count)),
                            None => (numbers::NONE),
                        }
                    }
                    td.num { (numbers::percent(step.count, first.count)) }
                }
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_well_formed, attribute_values};
    use super::*;

    fn steps(counts: &[(&str, u64)]) -> Vec<Step> {
        counts
            .iter()
            .map(|(label, count)| Step { label: (*label).to_owned(), count: *count })
            .collect()
    }

    fn render(steps: &[Step]) -> String {
        funnel_chart("signups", "Sign-up funnel", steps).into_string()
    }

    #[test]
    fn bars_are_proportional_to_the_first_step() {
        let markup = render(&steps(&[("Visited", 1_000), ("Saw form", 500), ("Signed up", 125)]));
        assert_well_formed(&markup, "signups");
        assert_eq!(attribute_values(&markup, "funnel-bar", "width"), [640.0, 320.0, 80.0]);
        assert_eq!(attribute_values(&markup, "funnel-remainder", "width"), [320.0, 240.0]);
        assert_eq!(attribute_values(&markup, "funnel-remainder", "x"), [320.0, 80.0]);
        assert!(markup.contains("500 · 50% of previous"), "{markup}");
        assert!(markup.contains("125 · 25% of previous"), "{markup}");
        assert!(markup.contains("Funnel of 3 steps, from Visited (1,000)"), "{markup}");
        assert!(markup.contains("Signed up (125): 12% of the first step"), "{markup}");
    }

    #[test]
    fn the_table_has_every_step_and_both_conversions() {
        let markup = render(&steps(&[("Visited", 2_000), ("Signed up", 84)]));
        assert_eq!(markup.matches(r#"<th scope="row">"#).count(), 2);
        assert!(markup.contains(r#"<th scope="row">Visited</th><td class="num">2,000</td><td class="num">—</td><td class="num">100%</td>"#), "{markup}");
        assert!(markup.contains(r#"<th scope="row">Signed up</th><td class="num">84</td><td class="num">4.2%</td><td class="num">4.2%</td>"#), "{markup}");
    }

    #[test]
    fn an_empty_first_step_draws_no_bars_and_no_fractions() {
        let markup = render(&steps(&[("Visited", 0), ("Signed up", 0)]));
        assert_well_formed(&markup, "signups");
        assert_eq!(attribute_values(&markup, "funnel-bar", "width"), [0.0, 0.0]);
        assert!(!markup.contains("NaN") && markup.contains("—"), "{markup}");
    }

    #[test]
    fn a_later_step_counting_more_stays_inside_the_chart() {
        let markup = render(&steps(&[("Visited", 10), ("Signed up", 20)]));
        assert_eq!(attribute_values(&markup, "funnel-bar", "width"), [320.0, 640.0]);
        assert!(attribute_values(&markup, "funnel-remainder", "width").is_empty());
    }

    #[test]
    fn labels_are_escaped_and_no_steps_is_an_empty_state() {
        let markup = render(&steps(&[("<script>alert(1)</script>", 3)]));
        assert_well_formed(&markup, "signups");
        assert!(!markup.contains("<script>") && markup.contains("&lt;script&gt;"), "{markup}");
        let empty = render(&[]);
        assert!(empty.contains("empty-state") && empty.contains(super::super::NO_DATA));
        assert!(!empty.contains("style="));
    }
}
