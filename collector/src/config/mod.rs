//! The configuration file (YAML): sites, their allowed origins, content blocks and
//! catalogue, forms, scoring, segments, stages, webhooks and workflows.
//!
//! The file is parsed into plain serde types ([`file`], [`blocks`], [`forms`]), then
//! checked and compiled into a [`Catalog`](crate::sites::Catalog) (`ConfigFile::compile`,
//! in `sites`) — origins parsed, block bodies rendered from markdown and sanitized, CTA
//! links checked — so the request path never sees raw configuration. Every problem is
//! reported with its path ([`error`]).

pub mod blocks;
pub mod error;
pub mod file;
pub mod forms;

pub use blocks::{
    BlockConfig, CtaConfig, GoalConfig, ImageConfig, RecommendConfig, ScheduleConfig, VariantConfig,
};
pub use error::ConfigError;
pub use file::{ConfigFile, IdentityConfig, SiteConfig};
pub use forms::{FormConfig, ProgressiveConfig, SpamConfig, SuccessConfig};
