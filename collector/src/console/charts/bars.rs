//! The bar chart: one horizontal bar per bucket of a distribution (score bands, say),
//! as wide as its value is against the largest, with the label before it and the value
//! after it.

use maud::{Markup, html};

use super::{Figure, coordinate, empty, figure, scaled};
use crate::console::numbers;

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 170.0;
const VALUE_WIDTH: f64 = 70.0;
const BAR_AREA: f64 = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
const ROW_HEIGHT: f64 = 30.0;
const BAR_HEIGHT: f64 = 20.0;
const PADDING: f64 = 4.0;
/// The longest label drawn in full; the table view shows every label whole.
const MAX_LABEL_CHARS: usize = 18;

/// One bar: a bucket and how many fall in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
}

/// The bars, in the order given, or an empty-state figure without bars.
pub fn bar_chart(id: &str, caption: &str, bars: &[Bar]) -> Markup {
    let Some(largest) = bars.iter().max_by_key(|bar| bar.value) else {
        return empty(id, "chart-bars", caption);
    };
    let total: u64 = bars.iter().map(|bar| bar.value).fold(0, u64::saturating_add);
    let height = ROW_HEIGHT * bars.len() as f64 + PADDING;
    figure(Figure {
        id,
        kind: "chart-bars",
        caption,
        title: caption.to_owned(),
        description: format!(
            "Bar chart of {}, {} in all; the largest is {} with {}.",
            super::counted(bars.len(), "bar"),
            numbers::count(total),
            largest.label,
            numbers::count(largest.value),
        ),
        view_box: (WIDTH as u32, height.ceil() as u32),
        drawing: html! {
            @for (index, bar) in bars.iter().enumerate() {
                @let top = PADDING + ROW_HEIGHT * index as f64;
                @let width = scaled(bar.value as f64, largest.value as f64, BAR_AREA);
                g.bar-row {
                    text.bar-label x=(coordinate(LABEL_WIDTH - 8.0)) y=(coordinate(top + 15.0)) { (shortened(&bar.label)) }
                    rect.bar x=(coordinate(LABEL_WIDTH)) y=(coordinate(top)) width=(coordinate(width)) height=(coordinate(BAR_HEIGHT)) {}
                    text.bar-value x=(coordinate(LABEL_WIDTH + width + 6.0)) y=(coordinate(top + 15.0)) { (numbers::count(bar.value)) }
                }
            }
        },
        after_drawing: html! {},
        table_head: html! {
            tr {
                th scope="col" { "Bucket" }
                th.num scope="col" { "Count" }
                th.num scope="col" { "Share" }
            }
        },
        table_body: html! {
            @for bar in bars {
                tr {
                    th scope="row" { (bar.label) }
                    td.num { (numbers::count(bar.value)) }
                    td.num { (numbers::percent(bar.value, total)) }
                }
            }
        },
    })
}

/// `label`, cut to [`MAX_LABEL_CHARS`] with an ellipsis.
fn shortened(label: &str) -> String {
    match label.char_indices().nth(MAX_LABEL_CHARS) {
        Some((cut, _)) => format!("{}…", &label[..cut]),
        None => label.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_well_formed, attribute_values};
    use super::*;

    fn bars(values: &[(&str, u64)]) -> Vec<Bar> {
        values
            .iter()
            .map(|(label, value)| Bar { label: (*label).to_owned(), value: *value })
            .collect()
    }

    fn render(bars: &[Bar]) -> String {
        bar_chart("scores", "Leads by score", bars).into_string()
    }

    #[test]
    fn widths_are_proportional_to_the_largest_bar() {
        let markup = render(&bars(&[("0–24", 10), ("25–49", 40), ("50–74", 20), ("75–100", 0)]));
        assert_well_formed(&markup, "scores");
        assert_eq!(attribute_values(&markup, "bar", "width"), [100.0, 400.0, 200.0, 0.0]);
        assert!(markup.contains("the largest is 25–49 with 40"), "{markup}");
    }

    #[test]
    fn the_table_has_a_row_per_bar_with_its_share() {
        let markup = render(&bars(&[("Cold", 3), ("Warm", 1)]));
        assert_eq!(markup.matches(r#"<th scope="row">"#).count(), 2);
        assert!(
            markup.contains(
                r#"<th scope="row">Cold</th><td class="num">3</td><td class="num">75%</td>"#
            ),
            "{markup}"
        );
    }

    #[test]
    fn all_zero_bars_draw_nothing_wide() {
        let markup = render(&bars(&[("Cold", 0), ("Warm", 0)]));
        assert_well_formed(&markup, "scores");
        assert_eq!(attribute_values(&markup, "bar", "width"), [0.0, 0.0]);
        assert!(markup.contains(r#"<td class="num">—</td>"#), "{markup}");
    }

    #[test]
    fn long_labels_are_shortened_in_the_drawing_only() {
        let label = "A bucket with a very long name indeed";
        let markup = render(&bars(&[(label, 1)]));
        assert!(markup.contains("A bucket with a ve…"), "{markup}");
        assert!(markup.contains(&format!(r#"<th scope="row">{label}</th>"#)), "{markup}");
    }

    #[test]
    fn labels_are_escaped_and_no_bars_is_an_empty_state() {
        let markup = render(&bars(&[("<script>alert(1)</script>", 3)]));
        assert_well_formed(&markup, "scores");
        assert!(!markup.contains("<script>") && markup.contains("&lt;script&gt;"), "{markup}");
        let empty = render(&[]);
        assert!(empty.contains("empty-state") && empty.contains(super::super::NO_DATA));
        assert!(!empty.contains("style="));
    }
}
