//! A site's profile model from its configuration: the scoring model, the segments,
//! the stage policy, the blocks' caps and goals and the workflows. Checked when the configuration is
//! loaded, so a typo in a rule's fact name is a configuration error, not a silently
//! empty segment.

use kindling_core::rules::Rule;
use kindling_core::scoring::ScoringModel;
use serde::{Deserialize, Serialize};

use crate::config::error::ConfigError;
use crate::profiles::facts::KNOWN_FACTS;
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
    /// Workflows, started by the changes this model makes.
    pub workflows: Vec<crate::automation::workflow::Workflow>,
}

impl ProfileModel {
    /// Checks every rule's facts; `path` locates the site in the configuration.
    pub fn check(&self, path: &str) -> Result<(), ConfigError> {
        for (index, segment) in self.segments.iter().enumerate() {
            segment.rule.validate(&KNOWN_FACTS).map_err(|error| {
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
            fit.rule.validate(&KNOWN_FACTS).map_err(|error| {
                ConfigError::at(
                    format!("{path}.scoring.fit[{index}].rule"),
                    format!("{}: {}", error.message(), error.fact()),
                )
            })?;
        }
        Ok(())
    }
}
