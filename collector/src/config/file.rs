//! The configuration file (YAML) and each site in it, parsed into plain serde types;
//! a problem is reported with its path.

use std::path::Path;

use kindling_core::blocks::CatalogItem;
use serde::Deserialize;

use crate::automation::workflow::{WebhookConfig, Workflow};
use crate::config::blocks::BlockConfig;
use crate::config::error::ConfigError;
use crate::config::forms::FormConfig;
use crate::profiles::model::Segment;
use crate::profiles::stage::StagePolicy;

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
    pub segments: Vec<Segment>,
    /// When profiles move between lifecycle stages by themselves.
    #[serde(default)]
    pub stages: StagePolicy,
    /// Endpoints workflows send webhooks to.
    #[serde(default)]
    pub webhooks: Vec<WebhookConfig>,
    /// Nurturing workflows: trigger, conditions, steps, re-entry.
    #[serde(default)]
    pub workflows: Vec<Workflow>,
    /// The secret the site's backend signs its signed-in users' emails with.
    #[serde(default)]
    pub identity: Option<IdentityConfig>,
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

/// A site's `identity:` section: the secret its backend signs signed-in users' emails
/// with, given inline or named in the environment (see `docs/identity.md`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub secret_env: Option<String>,
}
