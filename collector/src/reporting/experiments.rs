//! Blocks and experiments: per block and variant, from the rollups — impressions,
//! clicks, CTR and dismissals (events of the range), and of the persons first shown
//! the variant in the range: how many, how many reached the block's goal, and the
//! pipeline they produced (leads, MQLs and SQLs reached at or after that first
//! exposure). Every variant after the first (the control) is compared with it on each
//! metric ([`stats`]); the split of persons is checked against the weights; a verdict
//! says in words what the numbers support.

use serde::Serialize;

use crate::reporting::Range;
use crate::reporting::stats::{Comparison, SRM_P_VALUE, compare, sample_ratio_p_value};
use crate::sites::Site;
use crate::store::records::{BlockMeasures, ExposureMeasures};
use crate::store::{Store, StoreResult};

/// How the numbers are computed, as the report states it.
pub const METHOD: &str = "Bayesian: each rate gets a Beta(1 + hits, 1 + trials − hits) \
     posterior (uniform prior); P(beats control) and the 95% credible interval of the \
     difference use the normal approximation. CTR is clicks per impression; the other \
     rates are per person first shown the variant in the range. The split is checked \
     with a chi-square test against the weights (a mismatch below p = 0.001).";

/// A probability at which a difference is taken as real.
pub const DECISIVE: f64 = 0.95;

/// Persons per variant below which every verdict is "too early".
pub const EARLY_PERSONS: u64 = 100;

/// One metric of a variant.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Metric {
    /// `ctr`, `goal`, `leads`, `mqls` or `sqls`.
    pub metric: &'static str,
    pub hits: u64,
    pub trials: u64,
    pub rate: f64,
    /// Against the control; none for the control itself.
    pub versus_control: Option<Comparison>,
}

/// One variant's results.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VariantResult {
    pub variant: String,
    pub control: bool,
    pub weight: u32,
    pub persons: u64,
    pub impressions: u64,
    pub clicks: u64,
    pub dismissals: u64,
    pub metrics: Vec<Metric>,
}

/// One block's experiment.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BlockExperiment {
    pub block: String,
    pub name: String,
    pub variants: Vec<VariantResult>,
    /// The sample-ratio check's p-value; none with one variant or nobody shown.
    pub split_p_value: Option<f64>,
    pub sample_ratio_mismatch: bool,
    /// What the numbers support, one sentence per variant after the control.
    pub verdicts: Vec<String>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ExperimentsReport {
    pub range: Range,
    pub method: &'static str,
    pub blocks: Vec<BlockExperiment>,
}

/// Builds the report of every configured block with data in `range`.
pub async fn build(store: &dyn Store, site: &Site, range: Range) -> StoreResult<ExperimentsReport> {
    let events = store.block_rows(&site.key, range.as_pair()).await?;
    let exposures = store.exposure_rows(&site.key, range.as_pair()).await?;
    let mut blocks = Vec::new();
    for block in &site.blocks {
        let shown = events.iter().any(|(id, _, _)| *id == block.id)
            || exposures.iter().any(|(id, _, _)| *id == block.id);
        if !shown {
            continue;
        }
        let variants: Vec<VariantResult> = block
            .variants
            .iter()
            .enumerate()
            .map(|(at, variant)| {
                let event = find(&events, &block.id, &variant.id).unwrap_or_default();
                let exposed = find(&exposures, &block.id, &variant.id).unwrap_or_default();
                result(
                    &variant.id,
                    at == 0,
                    block.weights.get(at).copied().unwrap_or(1),
                    event,
                    exposed,
                )
            })
            .collect();
        let variants = compared(variants);
        let persons: Vec<u64> = variants.iter().map(|v| v.persons).collect();
        let weights: Vec<u32> = variants.iter().map(|v| v.weight).collect();
        let split_p_value = sample_ratio_p_value(&persons, &weights);
        let mismatch = split_p_value.is_some_and(|p| p < SRM_P_VALUE);
        let verdicts = variants.iter().skip(1).map(|v| verdict(v, mismatch)).collect();
        blocks.push(BlockExperiment {
            block: block.id.clone(),
            name: block.name.clone(),
            variants,
            split_p_value,
            sample_ratio_mismatch: mismatch,
            verdicts,
        });
    }
    Ok(ExperimentsReport { range, method: METHOD, blocks })
}

fn find<T: Copy>(rows: &[(String, String, T)], block: &str, variant: &str) -> Option<T> {
    rows.iter().find(|(b, v, _)| b == block && v == variant).map(|(_, _, row)| *row)
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn result(
    variant: &str,
    control: bool,
    weight: u32,
    events: BlockMeasures,
    exposed: ExposureMeasures,
) -> VariantResult {
    let persons = count(exposed.persons);
    let metric = |metric, hits: u64, trials: u64| Metric {
        metric,
        hits,
        trials,
        rate: if trials == 0 { 0.0 } else { hits as f64 / trials as f64 },
        versus_control: None,
    };
    VariantResult {
        variant: variant.to_owned(),
        control,
        weight,
        persons,
        impressions: count(events.impressions),
        clicks: count(events.clicks),
        dismissals: count(events.dismissals),
        metrics: vec![
            metric(
                "ctr",
                count(events.clicks).min(count(events.impressions)),
                count(events.impressions),
            ),
            metric("goal", count(exposed.converted), persons),
            metric("leads", count(exposed.leads), persons),
            metric("mqls", count(exposed.mqls), persons),
            metric("sqls", count(exposed.sqls), persons),
        ],
    }
}

/// The variants with every metric after the control's compared with the control's.
fn compared(mut variants: Vec<VariantResult>) -> Vec<VariantResult> {
    let Some(control) = variants.first().map(|c| c.metrics.clone()) else { return variants };
    for variant in variants.iter_mut().skip(1) {
        for (metric, base) in variant.metrics.iter_mut().zip(&control) {
            metric.versus_control =
                Some(compare((base.hits, base.trials), (metric.hits, metric.trials)));
        }
    }
    variants
}

/// How a metric reads: better, worse, or no difference yet.
fn reading(variant: &VariantResult, name: &str) -> Option<(&'static str, f64)> {
    let metric = variant.metrics.iter().find(|m| m.metric == name)?;
    let p = metric.versus_control?.probability_to_beat_control;
    Some((
        if p >= DECISIVE {
            "more"
        } else if p <= 1.0 - DECISIVE {
            "fewer"
        } else {
            "no difference in"
        },
        p,
    ))
}

/// The sentence for a variant after the control.
pub fn verdict(variant: &VariantResult, mismatch: bool) -> String {
    let name = &variant.variant;
    if mismatch {
        return format!(
            "Variant {name}: the split of visitors departs from the weights (sample ratio \
             mismatch); check how the block is shown before trusting any result."
        );
    }
    let (clicks, _) = reading(variant, "ctr").unwrap_or(("no difference in", 0.5));
    let (mqls, p_mqls) = reading(variant, "mqls").unwrap_or(("no difference in", 0.5));
    let clicks = if clicks == "no difference in" {
        "no difference in clicks".to_owned()
    } else {
        format!("{clicks} clicks")
    };
    let decision = if variant.persons < EARLY_PERSONS {
        format!("too early to tell (fewer than {EARLY_PERSONS} visitors) — keep running")
    } else if mqls == "more" {
        format!("more MQLs (P {:.0}%) — ship it", p_mqls * 100.0)
    } else if mqls == "fewer" {
        format!("fewer MQLs (P better {:.0}%) — stop it", p_mqls * 100.0)
    } else {
        "no difference in MQLs yet — keep running".to_owned()
    };
    format!("Variant {name}: {clicks}, {decision}.")
}
