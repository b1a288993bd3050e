//! The line chart: values over a run of labels (days, weeks), one line per series, on
//! a y axis of 3 to 5 rounded gridlines and an x axis of at most [`MAX_X_LABELS`]
//! labels. The first series is the main line; the second (a previous period, say) is
//! dashed by its class. Values that are not finite count as 0.

use maud::{Markup, html};

use super::{Figure, coordinate, empty, figure};
use crate::console::numbers;

/// The most series one chart draws, each with its class `series-0` to `series-3`.
pub const MAX_SERIES: usize = 4;

/// The most labels the x axis shows; the others are skipped evenly.
pub const MAX_X_LABELS: usize = 8;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 36.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
const PLOT_WIDTH: f64 = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT: f64 = HEIGHT - TOP - BOTTOM;

/// One line: a name for the legend and the table, and a value per label.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<f64>,
}

/// What a line chart shows.
#[derive(Clone, Copy, Debug)]
pub struct LineChart<'a> {
    /// The figure's id, and the prefix of its title's and description's.
    pub id: &'a str,
    pub caption: &'a str,
    /// The x axis, one label per point (dates, say).
    pub labels: &'a [String],
    /// Up to [`MAX_SERIES`]; the first is the main line.
    pub series: &'a [Series],
}

/// The chart, or an empty-state figure when there are no labels or no series.
pub fn line_chart(chart: &LineChart) -> Markup {
    let series = &chart.series[..chart.series.len().min(MAX_SERIES)];
    if chart.labels.is_empty() || series.is_empty() {
        return empty(chart.id, "chart-line", chart.caption);
    }
    let points = chart.labels.len();
    let axis = Axis::fitting(series, points);
    figure(Figure {
        id: chart.id,
        kind: "chart-line",
        caption: chart.caption,
        title: chart.caption.to_owned(),
        description: description(chart.labels, series),
        view_box: (WIDTH as u32, HEIGHT as u32),
        drawing: html! {
            (gridlines(&axis))
            (x_labels(chart.labels))
            @for (index, one) in series.iter().enumerate() {
                (line(index, one, points, &axis))
            }
        },
        after_drawing: legend(series),
        table_head: html! {
            tr {
                th scope="col" { "Period" }
                @for one in series { th.num scope="col" { (one.name) } }
            }
        },
        table_body: html! {
            @for (index, label) in chart.labels.iter().enumerate() {
                tr {
                    th scope="row" { (label) }
                    @for one in series {
                        td.num { (one.points.get(index).map_or(numbers::NONE.to_owned(), |value| numbers::decimal(*value))) }
                    }
                }
            }
        },
    })
}

/// The y axis: from `bottom` to `top` in steps of `step`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Axis {
    bottom: f64,
    top: f64,
    step: f64,
}

impl Axis {
    /// The rounded axis holding every drawn value and 0, in 2 to 4 steps; whole
    /// steps when every value is whole.
    fn fitting(series: &[Series], points: usize) -> Axis {
        let drawn =
            || series.iter().flat_map(|one| one.points.iter().take(points)).map(|v| finite(*v));
        let (low, high) =
            drawn().fold((0.0_f64, 0.0_f64), |(low, high), v| (low.min(v), high.max(v)));
        let high = if high > low { high } else { low + 1.0 };
        let whole = drawn().all(|v| v.fract() == 0.0);
        let mut step = nice_step((high - low) / 4.0);
        if whole {
            step = step.max(1.0);
        }
        loop {
            let bottom = (low / step).floor() * step;
            let top = ((high / step).ceil() * step).max(bottom + 2.0 * step);
            if (top - bottom) / step <= 4.5 || !step.is_finite() {
                return Axis { bottom, top, step };
            }
            step = nice_step(step * 1.01);
        }
    }

    fn gridlines(&self) -> impl Iterator<Item = f64> + '_ {
        let steps = ((self.top - self.bottom) / self.step).round() as usize;
        (0..=steps).map(|index| self.bottom + index as f64 * self.step)
    }

    fn y(&self, value: f64) -> f64 {
        let share = (finite(value) - self.bottom) / (self.top - self.bottom);
        TOP + PLOT_HEIGHT * (1.0 - share)
    }
}

/// Where the point at `index` of `points` sits across: spread edge to edge, a lone
/// point in the middle.
fn x(index: usize, points: usize) -> f64 {
    match points {
        0 | 1 => LEFT + PLOT_WIDTH / 2.0,
        many => LEFT + PLOT_WIDTH * index as f64 / (many - 1) as f64,
    }
}

/// The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `rough`.
fn nice_step(rough: f64) -> f64 {
    let power = 10_f64.powf(rough.log10().floor());
    let residual = rough / power;
    let nice = [1.0, 2.0, 2.5, 5.0].into_iter().find(|nice| residual <= *nice).unwrap_or(10.0);
    nice * power
}

fn finite(value: f64) -> f64 {
    if value.is_finite() { value } else { 0.0 }
}

fn gridlines(axis: &Axis) -> Markup {
    html! {
        g.gridlines {
            @for value in axis.gridlines() {
                @let y = coordinate(axis.y(value));
                line x1=(coordinate(LEFT)) x2=(coordinate(WIDTH - RIGHT)) y1=(y) y2=(y) {}
            }
        }
        g.axis.axis-y {
            @for value in axis.gridlines() {
                text x=(coordinate(LEFT - 6.0)) y=(coordinate(axis.y(value) + 4.0)) { (numbers::compact(value)) }
            }
        }
    }
}

/// The indexes of the labels the x axis shows: every nth, at most [`MAX_X_LABELS`].
fn shown_labels(count: usize) -> impl Iterator<Item = usize> {
    let stride = count.div_ceil(MAX_X_LABELS).max(1);
    (0..count).step_by(stride)
}

fn x_labels(labels: &[String]) -> Markup {
    html! {
        g.axis.axis-x {
            @for index in shown_labels(labels.len()) {
                text x=(coordinate(x(index, labels.len()))) y=(coordinate(HEIGHT - 8.0)) { (labels[index]) }
            }
        }
    }
}

fn line(index: usize, series: &Series, points: usize, axis: &Axis) -> Markup {
    let class = format!("series series-{index}");
    let drawn = &series.points[..series.points.len().min(points)];
    let at = |(point, value): (usize, &f64)| {
        format!("{},{}", coordinate(x(point, points)), coordinate(axis.y(*value)))
    };
    html! {
        @if let [only] = drawn {
            circle class=(class) cx=(coordinate(x(0, points))) cy=(coordinate(axis.y(*only))) r="3" {}
        } @else if !drawn.is_empty() {
            polyline class=(class) points=(drawn.iter().enumerate().map(at).collect::<Vec<_>>().join(" ")) {}
        }
    }
}

fn legend(series: &[Series]) -> Markup {
    html! {
        ul.chart-legend {
            @for (index, one) in series.iter().enumerate() {
                li class={ "series-" (index) } { (one.name) }
            }
        }
    }
}

/// The chart in words: its range, and each series' total and highest point.
fn description(labels: &[String], series: &[Series]) -> String {
    let (first, last) = (&labels[0], &labels[labels.len() - 1]);
    let range = if labels.len() == 1 { first.clone() } else { format!("{first} to {last}") };
    let summaries: Vec<String> = series
        .iter()
        .map(|one| {
            let drawn = one.points.iter().take(labels.len()).map(|v| finite(*v));
            let total: f64 = drawn.clone().sum();
            let highest =
                drawn.enumerate().reduce(|best, next| if next.1 > best.1 { next } else { best });
            match highest {
                Some((at, top)) => format!(
                    "{}: {} in all, highest {} on {}",
                    one.name,
                    numbers::decimal(total),
                    numbers::decimal(top),
                    labels[at]
                ),
                None => format!("{}: no values", one.name),
            }
        })
        .collect();
    format!("Line chart, {range}. {}.", summaries.join("; "))
}

#[cfg(test)]
mod tests {
    use super::super::NO_DATA;
    use super::super::test_support::assert_well_formed;
    use super::*;

    fn labels(count: usize) -> Vec<String> {
        (1..=count).map(|day| format!("2025-11-{day:02}")).collect()
    }

    fn series(name: &str, points: &[f64]) -> Series {
        Series { name: name.to_owned(), points: points.to_vec() }
    }

    fn render(labels: &[String], series: &[Series]) -> String {
        line_chart(&LineChart { id: "leads", caption: "Leads per day", labels, series })
            .into_string()
    }

    #[test]
    fn draws_each_series_with_its_class_and_a_table_row_per_label() {
        let days = labels(3);
        let drawn =
            [series("This period", &[1.0, 5.0, 3.0]), series("Previous period", &[2.0, 2.0, 4.0])];
        let markup = render(&days, &drawn);
        assert_well_formed(&markup, "leads");
        assert!(markup.contains(r#"<polyline class="series series-0" points=""#), "{markup}");
        assert!(markup.contains(r#"<polyline class="series series-1" points=""#), "{markup}");
        assert!(markup.contains(r#"<li class="series-1">Previous period</li>"#), "{markup}");
        assert_eq!(markup.matches("<th scope=\"row\">").count(), 3);
        assert!(markup.contains(
            r#"<th scope="row">2025-11-02</th><td class="num">5</td><td class="num">2</td>"#
        ));
        assert!(markup.contains("highest 5 on 2025-11-02"), "{markup}");
    }

    #[test]
    fn the_y_axis_has_three_to_five_rounded_gridlines() {
        for high in [1.0, 3.0, 7.0, 10.0, 13.0, 99.0, 101.0, 1234.0, 5e9] {
            let axis = Axis::fitting(&[series("a", &[0.0, high])], 2);
            let lines: Vec<f64> = axis.gridlines().collect();
            assert!((3..=5).contains(&lines.len()), "{high}: {lines:?}");
            assert!(axis.top >= high && axis.bottom == 0.0, "{high}: {axis:?}");
        }
        let zeros = Axis::fitting(&[series("a", &[0.0, 0.0])], 2);
        assert_eq!(zeros.gridlines().collect::<Vec<_>>(), [0.0, 1.0, 2.0]);
        let shares = Axis::fitting(&[series("a", &[0.1, 0.4])], 2);
        let labels: Vec<String> = shares.gridlines().map(numbers::compact).collect();
        assert_eq!(labels, ["0", "0.1", "0.2", "0.3", "0.4"]);
        let axis = Axis::fitting(&[series("a", &[0.0, 1234.0])], 2);
        assert_eq!(axis.gridlines().collect::<Vec<_>>(), [0.0, 500.0, 1000.0, 1500.0]);
    }

    #[test]
    fn at_most_eight_x_labels_evenly_spaced() {
        let days = labels(30);
        let markup = render(&days, &[series("Leads", &[1.0; 30])]);
        let axis_x = &markup[markup.find("axis-x").expect("an x axis")..];
        let axis_x = &axis_x[..axis_x.find("</g>").expect("its end")];
        let shown = axis_x.matches("<text").count();
        assert!((2..=MAX_X_LABELS).contains(&shown), "{shown}");
        assert_eq!(shown_labels(30).collect::<Vec<_>>(), [0, 4, 8, 12, 16, 20, 24, 28]);
        assert_eq!(shown_labels(5).count(), 5);
    }

    #[test]
    fn no_labels_is_an_empty_state() {
        let markup = render(&[], &[series("Leads", &[])]);
        assert!(markup.contains("empty-state") && markup.contains(NO_DATA), "{markup}");
        assert!(!markup.contains("<svg") && !markup.contains("style="));
        assert!(render(&labels(2), &[]).contains(NO_DATA));
    }

    #[test]
    fn one_point_is_a_dot_and_zeros_sit_on_the_baseline() {
        let markup = render(&labels(1), &[series("Leads", &[0.0])]);
        assert_well_formed(&markup, "leads");
        assert!(markup.contains(r#"<circle class="series series-0""#), "{markup}");
        let baseline = coordinate(TOP + PLOT_HEIGHT);
        assert!(markup.contains(&format!(r#"cy="{baseline}""#)), "{markup}");
        let zeros = render(&labels(3), &[series("Leads", &[0.0, 0.0, 0.0])]);
        assert!(zeros.contains(&format!(",{baseline} ")), "{zeros}");
        assert!(!zeros.contains("NaN") && !zeros.contains("inf"), "{zeros}");
    }

    #[test]
    fn very_large_values_get_short_labels() {
        let markup = render(&labels(2), &[series("Views", &[3.4e9, 1.2e10])]);
        assert!(markup.contains(">5B<") && markup.contains(">15B<"), "{markup}");
        assert!(markup.contains("12,000,000,000"), "{markup}");
    }

    #[test]
    fn names_and_labels_are_escaped() {
        let days = vec!["<script>alert(1)</script>".to_owned(), "b".to_owned()];
        let markup = render(&days, &[series("<b>Leads</b>", &[1.0, 2.0])]);
        assert_well_formed(&markup, "leads");
        assert!(!markup.contains("<script>") && !markup.contains("<b>"), "{markup}");
        assert!(markup.contains("&lt;script&gt;") && markup.contains("&lt;b&gt;Leads"), "{markup}");
    }

    #[test]
    fn short_series_show_a_dash_and_extra_series_are_left_out() {
        let many: Vec<Series> = (0..6).map(|n| series(&format!("S{n}"), &[1.0])).collect();
        let markup = render(&labels(2), &many);
        assert!(markup.contains("series-3") && !markup.contains("series-4"), "{markup}");
        assert!(markup.contains(r#"<td class="num">—</td>"#), "{markup}");
    }
}
