//! Numbers as people read them: counts with thousands separators, percentages with
//! as many decimals as their size needs, changes against a previous period with a
//! sign (a real minus, U+2212), short axis labels (`1.2k`, `3.4M`) and durations in
//! the unit that fits. A dash stands for a value that cannot be told (nothing to
//! divide by, a negative duration).

/// The minus sign of negative numbers shown to people.
pub const MINUS: char = '\u{2212}';

/// What stands for a value that cannot be told.
pub const NONE: &str = "—";

/// `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// `+1,234`, `−56`, `0`.
pub fn signed_count(n: i64) -> String {
    match n {
        0 => "0".to_owned(),
        _ => format!("{}{}", sign(n < 0), count(n.unsigned_abs())),
    }
}

/// `part` as a share of `whole`: `12%`, `4.2%`, `0.35%`; a dash when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> String {
    match whole {
        0 => NONE.to_owned(),
        _ => ratio_percent(part as f64 / whole as f64),
    }
}

/// A fraction as a percentage, with [`percent`]'s precision: `0.042` is `4.2%`.
pub fn ratio_percent(value: f64) -> String {
    if !value.is_finite() {
        return NONE.to_owned();
    }
    let magnitude = percent_magnitude(value.abs() * 100.0);
    match magnitude.as_str() {
        "0" => "0%".to_owned(),
        _ if value < 0.0 => format!("{MINUS}{magnitude}%"),
        _ => format!("{magnitude}%"),
    }
}

/// The change from `previous` to `current`, relative to `previous`: `+12%`, `−3.5%`,
/// `0%`; none when there was nothing before to compare with.
pub fn change(current: u64, previous: u64) -> Option<String> {
    if previous == 0 {
        return None;
    }
    let difference = current as f64 - previous as f64;
    let magnitude = percent_magnitude(difference.abs() / previous as f64 * 100.0);
    Some(match magnitude.as_str() {
        "0" => "0%".to_owned(),
        _ => format!("{}{magnitude}%", sign(difference < 0.0)),
    })
}

/// How long `ms` milliseconds are: `45 s`, `12 min`, `3.5 h`, `2.1 days`; a dash when
/// negative.
pub fn duration_ms(ms: i64) -> String {
    const MINUTE: f64 = 60.0;
    const HOUR: f64 = 60.0 * MINUTE;
    const DAY: f64 = 24.0 * HOUR;
    if ms < 0 {
        return NONE.to_owned();
    }
    let seconds = ms as f64 / 1000.0;
    if seconds < 90.0 {
        format!("{} s", seconds.round())
    } else if seconds < 90.0 * MINUTE {
        format!("{} min", (seconds / MINUTE).round())
    } else if seconds < 48.0 * HOUR {
        format!("{} h", one_decimal_under_ten(seconds / HOUR))
    } else {
        format!("{} days", one_decimal_under_ten(seconds / DAY))
    }
}

/// A short label for an axis: `950`, `1.2k`, `12.5k`, `3.4M`, `2B`, `0.25`.
pub fn compact(value: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")];
    if !value.is_finite() {
        return NONE.to_owned();
    }
    let magnitude = value.abs();
    let short = UNITS
        .iter()
        .find(|(size, _)| magnitude >= *size * 0.99995)
        .map(|(size, unit)| {
            let scaled = magnitude / size;
            let decimals = if scaled < 100.0 { 1 } else { 0 };
            format!("{}{unit}", trimmed(scaled, decimals))
        })
        .unwrap_or_else(|| trimmed(magnitude, 2));
    match short.as_str() {
        "0" => short,
        _ if value < 0.0 => format!("{MINUS}{short}"),
        _ => short,
    }
}

/// A value in full, with thousands separators and at most two decimals: `1,234.5`.
pub fn decimal(value: f64) -> String {
    if !value.is_finite() {
        return NONE.to_owned();
    }
    let rounded = (value.abs() * 100.0).round() / 100.0;
    let whole = rounded.trunc();
    let fraction = trimmed(rounded - whole, 2);
    let mut text =
        if whole >= u64::MAX as f64 { format!("{whole:.0}") } else { count(whole as u64) };
    if let Some(decimals) = fraction.strip_prefix('0') {
        text.push_str(decimals);
    }
    match text.as_str() {
        "0" => text,
        _ if value < 0.0 => format!("{MINUS}{text}"),
        _ => text,
    }
}

fn sign(negative: bool) -> char {
    if negative { MINUS } else { '+' }
}

/// A percentage's digits (no sign, no `%`): whole from 10 up, one decimal from 1, two
/// below; `<0.01` for a share too small to show.
fn percent_magnitude(percent: f64) -> String {
    if percent == 0.0 {
        "0".to_owned()
    } else if percent < 0.005 {
        "<0.01".to_owned()
    } else if percent < 1.0 {
        trimmed(percent, 2)
    } else {
        one_decimal_under_ten(percent)
    }
}

/// `3.5` below ten, `12` from there.
fn one_decimal_under_ten(value: f64) -> String {
    if value < 9.95 { trimmed(value, 1) } else { format!("{value:.0}") }
}

/// `value` with at most `decimals` decimals, without trailing zeros.
fn trimmed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn signed_counts_use_a_real_minus() {
        assert_eq!(signed_count(1_234), "+1,234");
        assert_eq!(signed_count(-56), "\u{2212}56");
        assert_eq!(signed_count(0), "0");
        assert_eq!(signed_count(i64::MIN), "\u{2212}9,223,372,036,854,775,808");
    }

    #[test]
    fn percentages_have_the_precision_their_size_needs() {
        assert_eq!(percent(1, 0), "—");
        assert_eq!(percent(0, 10), "0%");
        assert_eq!(percent(10, 10), "100%");
        assert_eq!(percent(12, 100), "12%");
        assert_eq!(percent(42, 1_000), "4.2%");
        assert_eq!(percent(4, 100), "4%");
        assert_eq!(percent(35, 10_000), "0.35%");
        assert_eq!(percent(1, 1_000_000), "<0.01%");
        assert_eq!(ratio_percent(0.042), "4.2%");
        assert_eq!(ratio_percent(-0.042), "\u{2212}4.2%");
        assert_eq!(ratio_percent(f64::NAN), "—");
    }

    #[test]
    fn changes_compare_with_the_previous_period() {
        assert_eq!(change(112, 100).as_deref(), Some("+12%"));
        assert_eq!(change(965, 1_000).as_deref(), Some("\u{2212}3.5%"));
        assert_eq!(change(100, 100).as_deref(), Some("0%"));
        assert_eq!(change(0, 50).as_deref(), Some("\u{2212}100%"));
        assert_eq!(change(5, 0), None);
    }

    #[test]
    fn durations_pick_the_unit_that_fits() {
        assert_eq!(duration_ms(-1), "—");
        assert_eq!(duration_ms(0), "0 s");
        assert_eq!(duration_ms(45_000), "45 s");
        assert_eq!(duration_ms(89_000), "89 s");
        assert_eq!(duration_ms(12 * 60_000), "12 min");
        assert_eq!(duration_ms(3 * 3_600_000 + 1_800_000), "3.5 h");
        assert_eq!(duration_ms(30 * 3_600_000), "30 h");
        assert_eq!(duration_ms(50 * 3_600_000 + 24 * 60_000), "2.1 days");
        assert_eq!(duration_ms(20 * 86_400_000), "20 days");
    }

    #[test]
    fn compact_labels_shorten_large_values() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(1_200.0), "1.2k");
        assert_eq!(compact(12_500.0), "12.5k");
        assert_eq!(compact(250_000.0), "250k");
        assert_eq!(compact(999_999.0), "1M");
        assert_eq!(compact(3_400_000.0), "3.4M");
        assert_eq!(compact(2e9), "2B");
        assert_eq!(compact(-1_500.0), "\u{2212}1.5k");
    }

    #[test]
    fn decimals_are_grouped_and_trimmed() {
        assert_eq!(decimal(0.0), "0");
        assert_eq!(decimal(1_234.5), "1,234.5");
        assert_eq!(decimal(1_234_567.0), "1,234,567");
        assert_eq!(decimal(0.125), "0.13");
        assert_eq!(decimal(-2.0), "\u{2212}2");
        assert_eq!(decimal(f64::INFINITY), "—");
    }
}
