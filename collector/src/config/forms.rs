//! The configuration of lead forms: fields, steps, progressive profiling, consent,
//! success action and spam defences, as written in the file.

use serde::Deserialize;

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
