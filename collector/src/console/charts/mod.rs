//! Report charts, drawn on the server as SVG: no script runs, and no markup carries a
//! `style` attribute or element, so the console's Content-Security-Policy holds. Every
//! look (colours, dashes, text sizes, the width of 100 %) comes from classes styled in
//! `console.css`; the markup sets only geometry (`x`, `y`, `width`, `points`, …) on a
//! `viewBox`, so a chart scales with its column.
//!
//! Each chart is a `<figure class="chart">` with a `<figcaption>`, then an
//! `<svg role="img" aria-labelledby="{id}-title">` holding a `<title>` and a `<desc>`
//! that says in words what the chart shows, then a
//! `<details class="chart-table"><summary>Table view</summary><table>…</table></details>`
//! with every value the chart draws. A chart without data is a figure saying so.
//! Labels and names come from data and are escaped by maud like any value.
//!
//! - [`line`]: values over time, one line per series (the current and a previous
//!   period, say);
//! - [`funnel`]: the steps of a conversion funnel and what each one keeps;
//! - [`bars`]: a distribution, one horizontal bar per bucket.

pub mod bars;
pub mod funnel;
pub mod line;

use maud::{Markup, html};

use crate::console::numbers;

/// What an empty chart says.
pub const NO_DATA: &str = "No data in this range";

/// The parts every chart's figure is made of.
struct Figure<'a> {
    id: &'a str,
    /// The class naming the kind of chart, next to `chart`.
    kind: &'a str,
    caption: &'a str,
    /// The SVG's accessible name.
    title: String,
    /// What the chart shows, in words.
    description: String,
    view_box: (u32, u32),
    /// The drawing, inside the `<svg>`.
    drawing: Markup,
    /// Shown between the drawing and the table (a legend).
    after_drawing: Markup,
    /// The table view's header row and body rows.
    table_head: Markup,
    table_body: Markup,
}

fn figure(parts: Figure<'_>) -> Markup {
    let Figure { id, kind, caption, title, description, view_box, .. } = &parts;
    let (width, height) = view_box;
    html! {
        figure class={ "chart " (kind) } id=(id) {
            figcaption { (caption) }
            svg viewBox={ "0 0 " (width) " " (height) } role="img"
                aria-labelledby={ (id) "-title" } aria-describedby={ (id) "-desc" } {
                title id={ (id) "-title" } { (title) }
                desc id={ (id) "-desc" } { (description) }
                (parts.drawing)
            }
            (parts.after_drawing)
            details.chart-table {
                summary { "Table view" }
                div.table-wrap role="region" aria-label=(caption) tabindex="0" {
                    table.report-table {
                        caption.visually-hidden { (caption) }
                        thead { (parts.table_head) }
                        tbody { (parts.table_body) }
                    }
                }
            }
        }
    }
}

/// The figure of a chart with nothing to draw.
fn empty(id: &str, kind: &str, caption: &str) -> Markup {
    html! {
        figure class={ "chart empty-state " (kind) } id=(id) {
            figcaption { (caption) }
            p { (NO_DATA) }
        }
    }
}

/// A coordinate as an attribute: at most one decimal, `0` rather than `-0`.
fn coordinate(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 || !rounded.is_finite() {
        "0".to_owned()
    } else if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// `1 step`, `4 steps`.
fn counted(how_many: usize, thing: &str) -> String {
    match how_many {
        1 => format!("1 {thing}"),
        _ => format!("{} {thing}s", numbers::count(how_many as u64)),
    }
}

/// `value` as a share of `whole` times `length`; 0 when `whole` is 0.
fn scaled(value: f64, whole: f64, length: f64) -> f64 {
    if whole > 0.0 { (value / whole).clamp(0.0, 1.0) * length } else { 0.0 }
}

#[cfg(test)]
mod test_support {
    //! What every chart's markup must hold, whatever it draws.

    /// Checks that `markup` is styled only by classes and names its SVG by its title.
    pub fn assert_well_formed(markup: &str, id: &str) {
        assert!(!markup.contains("style="), "inline style in {markup}");
        assert!(!markup.contains("<style"), "style element in {markup}");
        assert!(!markup.contains("<script"), "script in {markup}");
        assert!(markup.contains(&format!(r#"aria-labelledby="{id}-title""#)), "{markup}");
        assert!(markup.contains(&format!(r#"<title id="{id}-title">"#)), "{markup}");
        assert!(markup.contains(&format!(r#"<desc id="{id}-desc">"#)), "{markup}");
        assert!(markup.contains("<summary>Table view</summary>"), "{markup}");
    }

    /// The values of `attribute` on the elements of `class`, in order.
    pub fn attribute_values(markup: &str, class: &str, attribute: &str) -> Vec<f64> {
        let marker = format!(r#"class="{class}""#);
        markup
            .split('<')
            .filter(|element| element.contains(&marker))
            .filter_map(|element| {
                let start = element.find(&format!(r#" {attribute}=""#))? + attribute.len() + 3;
                let rest = &element[start..];
                rest[..rest.find('"')?].parse().ok()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_keep_one_decimal() {
        assert_eq!(coordinate(12.0), "12");
        assert_eq!(coordinate(12.345), "12.3");
        assert_eq!(coordinate(-0.01), "0");
        assert_eq!(coordinate(f64::NAN), "0");
    }

    #[test]
    fn counted_things_agree_in_number() {
        assert_eq!(counted(1, "step"), "1 step");
        assert_eq!(counted(1_200, "bar"), "1,200 bars");
    }

    #[test]
    fn scaling_stays_inside_the_length() {
        assert_eq!(scaled(50.0, 100.0, 400.0), 200.0);
        assert_eq!(scaled(150.0, 100.0, 400.0), 400.0);
        assert_eq!(scaled(5.0, 0.0, 400.0), 0.0);
    }
}
