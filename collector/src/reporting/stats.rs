//! The statistics the experiment report states: Bayesian comparisons of a variant's
//! rate with the control's (P(beats control), and a 95 % credible interval of the
//! difference, both by the normal approximation of Beta posteriors with a uniform
//! prior), and the sample-ratio check (a chi-square test of persons per variant
//! against the configured weights, p-value by the Wilson–Hilferty approximation).

use crate::personalize::report::{beta_posterior, normal_cdf, probability_to_beat};

/// A p-value below which the split is a sample-ratio mismatch (as GrowthBook uses).
pub const SRM_P_VALUE: f64 = 0.001;

/// 95 % of a normal distribution lies within this many standard deviations.
const Z_95: f64 = 1.959_964;

/// A variant's rate compared with the control's.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Comparison {
    /// P(variant's rate > control's).
    pub probability_to_beat_control: f64,
    /// The 95 % credible interval of the difference of the rates (variant − control).
    pub difference_low: f64,
    pub difference_high: f64,
}

/// The comparison of `variant` with `control`, each as (hits, trials).
pub fn compare(control: (u64, u64), variant: (u64, u64)) -> Comparison {
    let (mean_c, var_c) = beta_posterior(control);
    let (mean_v, var_v) = beta_posterior(variant);
    let spread = (var_c + var_v).sqrt();
    let difference = mean_v - mean_c;
    Comparison {
        probability_to_beat_control: probability_to_beat(control, variant),
        difference_low: difference - Z_95 * spread,
        difference_high: difference + Z_95 * spread,
    }
}

/// The p-value of persons `observed` per variant against `weights` (the configured
/// split); none with fewer than two variants or no persons.
pub fn sample_ratio_p_value(observed: &[u64], weights: &[u32]) -> Option<f64> {
    let total: u64 = observed.iter().sum();
    let weight_total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
    if observed.len() < 2 || observed.len() != weights.len() || total == 0 || weight_total == 0 {
        return None;
    }
    let mut chi_square = 0.0;
    for (seen, weight) in observed.iter().zip(weights) {
        let expected = total as f64 * f64::from(*weight) / weight_total as f64;
        if expected > 0.0 {
            chi_square += (*seen as f64 - expected).powi(2) / expected;
        }
    }
    let freedom = (observed.len() - 1) as f64;
    // Wilson–Hilferty: (χ²/k)^(1/3) is about normal with mean 1 − 2/(9k).
    let spread = (2.0 / (9.0 * freedom)).sqrt();
    let z = ((chi_square / freedom).cbrt() - (1.0 - 2.0 / (9.0 * freedom))) / spread;
    Some(1.0 - normal_cdf(z))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sixty_forty_split_against_even_weights_is_a_mismatch() {
        let p = sample_ratio_p_value(&[600, 400], &[50, 50]).expect("a p-value");
        assert!(p < 1e-6, "{p}");
        let fine = sample_ratio_p_value(&[505, 495], &[50, 50]).expect("a p-value");
        assert!(fine > 0.5, "{fine}");
        let weighted = sample_ratio_p_value(&[700, 300], &[70, 30]).expect("a p-value");
        assert!(weighted > 0.5, "{weighted}");
        assert!(sample_ratio_p_value(&[10], &[1]).is_none());
    }

    #[test]
    fn the_interval_holds_the_difference_and_agrees_with_the_probability() {
        let clear = compare((50, 1000), (100, 1000));
        assert!(clear.probability_to_beat_control > 0.99);
        assert!(clear.difference_low > 0.0 && clear.difference_high < 0.1, "{clear:?}");
        let even = compare((50, 1000), (50, 1000));
        assert!(even.difference_low < 0.0 && even.difference_high > 0.0);
    }

    #[test]
    fn erfc_matches_known_values() {
        let erfc = |x: f64| 2.0 * (1.0 - normal_cdf(x * std::f64::consts::SQRT_2));
        assert!((erfc(0.0) - 1.0).abs() < 1e-6);
        assert!((erfc(1.0) - 0.157_299_2).abs() < 1e-6);
        assert!((normal_cdf(1.96) - 0.975_002).abs() < 1e-5);
    }
}
