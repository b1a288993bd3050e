//! Block results: per block and variant, impressions, unique visitors, clicks, CTR,
//! dismissals, conversions and conversion rate, and for every variant after the first
//! (the control) the probability that it converts better than the control.
//!
//! The probability is Bayesian: each variant's conversion rate gets a Beta(1 + c,
//! 1 + n − c) posterior (uniform prior; n unique visitors who saw it, c of them
//! converted), and P(variant > control) is computed with the normal approximation of
//! the difference of the two posteriors. It is stated in every answer (`method`).

use serde::Serialize;

use crate::sites::Site;
pub use crate::store::VariantCounts;

/// How the probability to beat the control is computed, as stated in answers.
pub const METHOD: &str = "bayesian: Beta(1+conversions, 1+visitors-conversions) posteriors, \
     P(variant rate > control rate) by normal approximation";

/// The report for a site.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BlocksReport {
    pub site: String,
    pub from_ms: i64,
    pub until_ms: i64,
    pub method: &'static str,
    pub blocks: Vec<BlockReport>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BlockReport {
    pub block: String,
    pub name: String,
    pub placement: &'static str,
    /// The first configured variant is the control.
    pub variants: Vec<VariantReport>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VariantReport {
    pub variant: String,
    pub control: bool,
    pub impressions: u64,
    pub visitors: u64,
    pub clicks: u64,
    /// Clicks per impression.
    pub ctr: f64,
    pub dismissals: u64,
    pub conversions: u64,
    /// Conversions per unique visitor.
    pub conversion_rate: f64,
    /// P(this variant's conversion rate > the control's); absent for the control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability_to_beat_control: Option<f64>,
}

/// Builds the report of every configured block (and of blocks no longer configured
/// that have data) from stored `counts`.
pub fn build(site: &Site, counts: &[VariantCounts], from_ms: i64, until_ms: i64) -> BlocksReport {
    let mut blocks: Vec<BlockReport> = Vec::new();
    for block in &site.blocks {
        let mut ids: Vec<&str> = block.variants.iter().map(|variant| variant.id.as_str()).collect();
        for row in counts.iter().filter(|row| row.block == block.id) {
            if !ids.contains(&row.variant.as_str()) {
                ids.push(&row.variant);
            }
        }
        blocks.push(BlockReport {
            block: block.id.clone(),
            name: block.name.clone(),
            placement: block.placement.as_str(),
            variants: variants(&block.id, &ids, counts),
        });
    }
    let mut retired: Vec<&str> = counts
        .iter()
        .map(|row| row.block.as_str())
        .filter(|id| !site.blocks.iter().any(|block| block.id == *id))
        .collect();
    retired.sort_unstable();
    retired.dedup();
    for id in retired {
        let ids: Vec<&str> =
            counts.iter().filter(|row| row.block == id).map(|row| row.variant.as_str()).collect();
        blocks.push(BlockReport {
            block: id.to_owned(),
            name: id.to_owned(),
            placement: "",
            variants: variants(id, &ids, counts),
        });
    }
    BlocksReport { site: site.key.clone(), from_ms, until_ms, method: METHOD, blocks }
}

fn variants(block: &str, ids: &[&str], counts: &[VariantCounts]) -> Vec<VariantReport> {
    let zero = VariantCounts::default();
    let count_of = |id: &str| {
        counts.iter().find(|row| row.block == block && row.variant == id).unwrap_or(&zero)
    };
    let control = ids.first().map(|id| count_of(id));
    ids.iter()
        .enumerate()
        .map(|(index, id)| {
            let row = count_of(id);
            VariantReport {
                variant: (*id).to_owned(),
                control: index == 0,
                impressions: row.impressions,
                visitors: row.visitors,
                clicks: row.clicks,
                ctr: ratio(row.clicks, row.impressions),
                dismissals: row.dismissals,
                conversions: row.conversions,
                conversion_rate: ratio(row.conversions, row.visitors),
                probability_to_beat_control: match control {
                    Some(control) if index > 0 => Some(probability_to_beat(
                        (control.conversions, control.visitors),
                        (row.conversions, row.visitors),
                    )),
                    _ => None,
                },
            }
        })
        .collect()
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// P(rate of `variant` > rate of `control`), each given as (conversions, visitors).
pub fn probability_to_beat(control: (u64, u64), variant: (u64, u64)) -> f64 {
    let (mean_control, var_control) = beta_posterior(control);
    let (mean_variant, var_variant) = beta_posterior(variant);
    let spread = (var_control + var_variant).sqrt();
    normal_cdf((mean_variant - mean_control) / spread)
}

/// Mean and variance of Beta(1 + c, 1 + n − c).
pub fn beta_posterior((conversions, visitors): (u64, u64)) -> (f64, f64) {
    let alpha = 1.0 + conversions.min(visitors) as f64;
    let beta = 1.0 + (visitors - conversions.min(visitors)) as f64;
    let total = alpha + beta;
    (alpha / total, alpha * beta / (total * total * (total + 1.0)))
}

/// The standard normal distribution function, by the complementary error function
/// (Numerical Recipes' `erfcc`, fractional error below 1.2e-7).
pub fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let polynomial = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * polynomial.exp();
    if x >= 0.0 { 1.0 - 0.5 * erfc } else { 0.5 * erfc }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_known_values() {
        for (x, expected) in [
            (0.0, 0.5),
            (1.0, 0.841_344_7),
            (-1.0, 0.158_655_3),
            (1.96, 0.975_002_1),
            (-3.0, 0.001_349_9),
        ] {
            assert!((normal_cdf(x) - expected).abs() < 1e-6, "{x}: {}", normal_cdf(x));
        }
    }

    #[test]
    fn equal_results_are_a_coin_flip_and_better_results_win() {
        assert!((probability_to_beat((50, 1000), (50, 1000)) - 0.5).abs() < 1e-6);
        assert!((probability_to_beat((0, 0), (0, 0)) - 0.5).abs() < 1e-6);
        let better = probability_to_beat((50, 1000), (80, 1000));
        assert!(better > 0.99, "{better}");
        let worse = probability_to_beat((80, 1000), (50, 1000));
        assert!((better + worse - 1.0).abs() < 1e-6);
        // Few visitors: a small lead is far from certain.
        let early = probability_to_beat((1, 20), (2, 20));
        assert!((0.6..0.85).contains(&early), "{early}");
    }

    #[test]
    fn rates_guard_against_empty_denominators() {
        assert_eq!(ratio(3, 0), 0.0);
        assert_eq!(ratio(1, 4), 0.25);
    }
}
