//! The configuration file (YAML): sites, their allowed origins, content blocks and
//! catalogue, forms, scoring, segments, stages, webhooks and workflows.
//!
//! The file is parsed into these plain serde types, then checked and compiled into a
//! [`Catalog`](crate::sites::Catalog) — origins parsed, block bodies rendered from
//! markdown and sanitized, CTA links checked — so the request path never sees raw
//! configuration. Every problem is reported with its path (`sites[0].origins[1]`).

use std::path::Path;

use kindling_core::blocks::{Caps, CatalogItem, Placement, Trigger};
use kindling_core::rules::Rule;
use serde::Deserialize;

use crate::sites::Catalog;

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub sites: Vec<SiteConfig>,
}

/// One website that embeds the widget.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The public key pasted into the script tag (`data-site`).
    pub key: String,
    pub name: String,
    /// Origins allowed to call the public API: `https://www.example.com`,
    /// `https://*.example.com` (any subdomain), `http://localhost:*` (any port), or `*`.
    pub origins: Vec<String>,
    #[serde(default)]
    pub blocks: Vec<BlockConfig>,
    /// Content recommendation blocks choose from: title, URL, topic, funnel stage.
    #[serde(default)]
    pub catalog: Vec<CatalogItem>,
    /// Lead forms.
    #[serde(default)]
    pub forms: Vec<FormConfig>,
    /// Lead scoring: behaviour rules, fit rules, decay and temperature thresholds.
    #[serde(default)]
    pub scoring: kindling_core::scoring::ScoringModel,
    /// Named rules over profiles; members are kept up to date as profiles change.
    #[serde(default)]
    pub segments: Vec<crate::profiles::model::Segment>,
    /// When profiles move between lifecycle stages by themselves.
    #[serde(default)]
    pub stages: crate::profiles::stage::StagePolicy,
    /// Endpoints workflows send webhooks to.
    #[serde(default)]
    pub webhooks: Vec<crate::automation::workflow::WebhookConfig>,
    /// Nurturing workflows: trigger, conditions, steps, re-entry.
    #[serde(default)]
    pub workflows: Vec<crate::automation::workflow::Workflow>,
}

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

/// A lead form: its fields (checked by `kindling_core::forms`), steps, progressive
/// profiling, consent handling, success action and spam defences.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormConfig {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub fields: Vec<kindling_core::forms::Field>,
    /// Field names per step (a multi-step form); one step with every field if absent.
    #[serde(default)]
    pub steps: Vec<Vec<String>>,
    #[serde(default)]
    pub progressive: Option<ProgressiveConfig>,
    /// Known values may be filled in for the visitor.
    #[serde(default)]
    pub prefill: bool,
    /// Consent stays unconfirmed until the visitor follows a confirmation link.
    #[serde(default)]
    pub double_opt_in: bool,
    /// The submit button's label; the widget's own ("Send") when absent.
    #[serde(default)]
    pub submit: Option<String>,
    #[serde(default)]
    pub success: SuccessConfig,
    #[serde(default)]
    pub spam: SpamConfig,
}

/// Progressive profiling: questions asked a few at a time once earlier ones are known.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressiveConfig {
    pub ask_at_most: usize,
    pub queue: Vec<String>,
}

/// After sending: a message, and a redirect or a download link.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuccessConfig {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub redirect: Option<String>,
    #[serde(default)]
    pub download: Option<String>,
}

/// Spam defences of one form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpamConfig {
    /// Submissions sent sooner after the form was shown are refused as robots.
    #[serde(default = "three_seconds")]
    pub min_seconds: u32,
    /// The same person sending the same form within this window makes one lead.
    #[serde(default = "ten_minutes")]
    pub dedupe_minutes: u32,
}

impl Default for SpamConfig {
    fn default() -> Self {
        SpamConfig { min_seconds: three_seconds(), dedupe_minutes: ten_minutes() }
    }
}

fn three_seconds() -> u32 {
    3
}

fn ten_minutes() -> u32 {
    10
}

/// A configuration problem, located by its path in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

impl ConfigError {
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { path: path.into(), message: message.into() }
    }
}

impl ConfigFile {
    /// Parses YAML text, naming the path of the first problem.
    pub fn from_yaml(text: &str) -> Result<Self, ConfigError> {
        let deserializer = serde_yaml_ng::Deserializer::from_str(text);
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            ConfigError::at(path, error.into_inner().to_string())
        })
    }

    /// Reads and parses a YAML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ConfigError::at(path.display().to_string(), error.to_string()))?;
        Self::from_yaml(&text)
    }

    /// Checks the configuration and compiles it for serving.
    pub fn compile(&self) -> Result<Catalog, ConfigError> {
        Catalog::compile(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_configuration_compiles() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo-site/demo.yaml");
        let catalog = ConfigFile::load(&path)
            .and_then(|config| config.compile())
            .expect("demo.yaml is valid");
        let site = catalog.site("pk_demo_brightline").expect("the demo site");
        assert!(site.blocks.len() >= 5, "the demo shows every placement");
    }
}
