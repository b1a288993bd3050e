//! A site's profile model from its configuration: the scoring model, the segments,
//! the stage policy and the blocks' caps and goals. Checked when the configuration is
//! loaded, so a typo in a rule's fact name is a configuration error, not a silently
//! empty segment.

use kindling_core::rules::Rule;
use kindling_core::scoring::ScoringModel;
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::profiles::stage::StagePolicy;

/// A named rule; profiles matching it are members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub rule: Rule,
}

/// Everything that decides how profiles evolve on one site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileModel {
    pub scoring: ScoringModel,
    pub segments: Vec<Segment>,
    pub stages: StagePolicy,
    /// Each block's caps and goal.
    pub blocks: Vec<crate::personalize::blocks::BlockPolicy>,
}

/// Facts a segment or fit rule may read. Names ending in `.` are families.
pub const KNOWN_FACTS: &[&str] = &[
    "visits",
    "pageviews",
    "distinct_pages",
    "engaged_seconds",
    "forms_submitted",
    "blocks_seen",
    "blocks_clicked",
    "blocks_converted",
    "days_since_last_seen",
    "first_touch.",
    "last_touch.",
    "topics",
    "pages",
    "score",
    "temperature",
    "stage",
    "known",
    "email_domain",
    "marketing_consent",
    "trait.",
    "page.",
];

impl ProfileModel {
    /// Checks every rule's facts; `path` locates the site in the configuration.
    pub fn check(&self, path: &str) -> Result<(), ConfigError> {
        for (index, segment) in self.segments.iter().enumerate() {
            segment.rule.validate(KNOWN_FACTS).map_err(|error| {
                ConfigError::at(
                    format!("{path}.segments[{index}].rule"),
                    format!("{}: {}", error.message(), error.fact()),
                )
            })?;
            if self.segments[..index].iter().any(|other| other.id == segment.id) {
                return Err(ConfigError::at(
                    format!("{path}.segments[{index}].id"),
                    "duplicate segment id",
                ));
            }
        }
        for (index, fit) in self.scoring.fit.iter().enumerate() {
            fit.rule.validate(KNOWN_FACTS).map_err(|error| {
                ConfigError::at(
                    format!("{path}.scoring.fit[{index}].rule"),
                    format!("{}: {}", error.message(), error.fact()),
                )
            })?;
        }
        Ok(())
    }
}
