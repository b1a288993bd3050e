//! The configuration file (YAML): sites, their allowed origins and content blocks.
//!
//! The file is parsed into these plain serde types, then checked and compiled into a
//! [`Catalog`](crate::sites::Catalog) — origins parsed, block bodies rendered from
//! markdown and sanitized, CTA links checked — so the request path never sees raw
//! configuration. Every problem is reported with its path (`sites[0].origins[1]`).

use std::path::Path;

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
    /// Lead scoring: behaviour rules, fit rules, decay and temperature thresholds.
    #[serde(default)]
    pub scoring: kindling_core::scoring::ScoringModel,
    /// Named rules over profiles; members are kept up to date as profiles change.
    #[serde(default)]
    pub segments: Vec<crate::profiles::model::Segment>,
    /// When profiles move between lifecycle stages by themselves.
    #[serde(default)]
    pub stages: crate::profiles::stage::StagePolicy,
}

/// A content block shown in a page slot.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockConfig {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// The `data-kindling-slot` name the block is rendered into.
    pub slot: String,
    pub variants: Vec<VariantConfig>,
}

/// One version of a block's content.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantConfig {
    pub id: String,
    pub headline: String,
    /// Markdown; inline HTML is kept only where it is in the allowed subset.
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub cta: Option<CtaConfig>,
}

/// A call to action: a labelled link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CtaConfig {
    pub label: String,
    pub url: String,
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
