//! The configuration of personalization blocks: placement, audience, schedule, caps,
//! goal, variants, images and calls to action, as written in the file.

use kindling_core::blocks::{Caps, Layout, Placement, Trigger};
use kindling_core::rules::Rule;
use serde::Deserialize;

/// A personalization block: where it shows, to whom, when, how often, and what.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockConfig {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `inline` (the default), `modal`, `slide_in`, `top_bar` or `bottom_bar`.
    #[serde(default = "inline")]
    pub placement: Placement,
    /// `standard` (the default), `image_beside`, `image_top` or `compact`.
    #[serde(default)]
    pub layout: Layout,
    /// For inline blocks: the `data-kindling-slot` name the block is rendered into.
    #[serde(default)]
    pub slot: Option<String>,
    /// Among blocks competing for the same slot or overlay, the highest wins.
    #[serde(default)]
    pub priority: i32,
    /// Who sees the block: a rule over visitor and page facts. Everyone if absent.
    #[serde(default)]
    pub audience: Option<Rule>,
    /// Shown only when a workflow's `show_block` step asks for it.
    #[serde(default)]
    pub workflow_only: bool,
    /// When an overlay appears; inline blocks always appear at once.
    #[serde(default)]
    pub trigger: Trigger,
    #[serde(default)]
    pub caps: Caps,
    #[serde(default)]
    pub schedule: ScheduleConfig,
    /// What counts as the block's conversion.
    #[serde(default)]
    pub goal: Option<GoalConfig>,
    /// Makes this a recommendation block listing catalogue items.
    #[serde(default)]
    pub recommend: Option<RecommendConfig>,
    pub variants: Vec<VariantConfig>,
}

fn inline() -> Placement {
    Placement::Inline
}

/// When a block may be shown: RFC 3339 times, both ends optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
}

/// A block's conversion: a click on its call to action, a form submitted or a named
/// event tracked after the visitor saw the block. Exactly one of the three.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoalConfig {
    #[serde(default)]
    pub click: bool,
    #[serde(default)]
    pub form: Option<String>,
    #[serde(default)]
    pub event: Option<String>,
}

/// A recommendation block's list length.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendConfig {
    #[serde(default = "three")]
    pub limit: usize,
}

fn three() -> usize {
    3
}

/// One version of a block's content.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantConfig {
    pub id: String,
    /// Share of visitors relative to the other variants' weights.
    #[serde(default = "one")]
    pub weight: u32,
    pub headline: String,
    /// Markdown; inline HTML is kept only where it is in the allowed subset.
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub image: Option<ImageConfig>,
    /// At most two.
    #[serde(default)]
    pub ctas: Vec<CtaConfig>,
}

fn one() -> u32 {
    1
}

/// An image and its text alternative.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageConfig {
    pub url: String,
    #[serde(default)]
    pub alt: String,
}

/// A call to action: a link (`url`), a form to open (`form`) or a close button
/// (`dismiss: true`). Exactly one of the three.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CtaConfig {
    pub label: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub form: Option<String>,
    #[serde(default)]
    pub dismiss: bool,
}
