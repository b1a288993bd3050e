//! Sites as the collector serves them: public key, allowed origins, compiled blocks
//! and content catalogue, looked up by key on every public request.

use crate::profiles::verification::IdentitySecret;
use std::collections::HashMap;
use std::sync::Arc;

use kindling_core::blocks::CatalogItem;

use crate::automation::outbox::Endpoint;
use crate::automation::workflow::Names;
use crate::config::error::ConfigError;
use crate::config::file::{ConfigFile, SiteConfig};
use crate::content;
use crate::forms::definition::Form;
use crate::personalize::blocks::{Block, check_id};
use crate::profiles::model::ProfileModel;

/// Every configured site, by public key.
#[derive(Debug, Default)]
pub struct Catalog {
    sites: HashMap<String, Arc<Site>>,
}

/// A site ready to serve.
#[derive(Debug)]
pub struct Site {
    pub key: String,
    pub name: String,
    origins: Vec<OriginPattern>,
    /// Personalization blocks, highest priority first.
    pub blocks: Vec<Block>,
    /// Content recommendation blocks choose from.
    pub catalog: Vec<CatalogItem>,
    /// Lead forms.
    pub forms: Vec<Form>,
    /// Scoring, segments, stages and workflows of this site's profiles.
    pub profiles: Arc<ProfileModel>,
    /// Endpoints workflows send webhooks to.
    pub webhooks: Vec<Endpoint>,
    /// The secret proving identities (none: no visitor can prove one).
    pub identity: Option<IdentitySecret>,
}

impl Catalog {
    /// Checks `config` and compiles every site in it.
    pub fn compile(config: &ConfigFile) -> Result<Self, ConfigError> {
        let mut sites = HashMap::new();
        for (index, site) in config.sites.iter().enumerate() {
            let path = format!("sites[{index}]");
            let compiled = Site::compile(site, &path)?;
            if sites.insert(compiled.key.clone(), Arc::new(compiled)).is_some() {
                return Err(ConfigError::at(format!("{path}.key"), "duplicate site key"));
            }
        }
        Ok(Catalog { sites })
    }

    /// Every site.
    pub fn sites(&self) -> impl Iterator<Item = &Arc<Site>> {
        self.sites.values()
    }

    pub fn site(&self, key: &str) -> Option<&Arc<Site>> {
        self.sites.get(key)
    }

    /// True when some site allows `origin`: enough to answer a CORS preflight, which
    /// carries no site key.
    pub fn any_site_allows(&self, origin: &str) -> bool {
        self.sites.values().any(|site| site.allows_origin(origin))
    }
}

impl Site {
    fn compile(config: &SiteConfig, path: &str) -> Result<Self, ConfigError> {
        check_id(&config.key, &format!("{path}.key"))?;
        let origins = config
            .origins
            .iter()
            .enumerate()
            .map(|(index, origin)| {
                OriginPattern::parse(origin)
                    .ok_or_else(|| ConfigError::at(format!("{path}.origins[{index}]"), ORIGIN_HELP))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut blocks: Vec<Block> = Vec::with_capacity(config.blocks.len());
        for (index, block) in config.blocks.iter().enumerate() {
            let block_path = format!("{path}.blocks[{index}]");
            let compiled = Block::compile(block, &config.catalog, &block_path)?;
            if blocks.iter().any(|other| other.id == compiled.id) {
                return Err(ConfigError::at(format!("{block_path}.id"), "duplicate block id"));
            }
            blocks.push(compiled);
        }
        // Highest priority first; configuration order among equals.
        blocks.sort_by_key(|block| std::cmp::Reverse(block.priority));
        for (index, item) in config.catalog.iter().enumerate() {
            if !content::is_safe_link(&item.url) {
                return Err(ConfigError::at(
                    format!("{path}.catalog[{index}].url"),
                    content::LINK_HELP,
                ));
            }
        }
        let mut forms: Vec<Form> = Vec::with_capacity(config.forms.len());
        for (index, form) in config.forms.iter().enumerate() {
            let form_path = format!("{path}.forms[{index}]");
            let compiled = Form::compile(form, &form_path)?;
            if forms.iter().any(|other| other.id == compiled.id) {
                return Err(ConfigError::at(format!("{form_path}.id"), "duplicate form id"));
            }
            forms.push(compiled);
        }
        for (index, block) in config.blocks.iter().enumerate() {
            for (at, variant) in block.variants.iter().enumerate() {
                for (position, cta) in variant.ctas.iter().enumerate() {
                    if let Some(form) = &cta.form
                        && !forms.iter().any(|known| known.id == *form)
                    {
                        return Err(ConfigError::at(
                            format!("{path}.blocks[{index}].variants[{at}].ctas[{position}].form"),
                            "no form of this site has this id",
                        ));
                    }
                }
            }
        }
        let profiles = ProfileModel {
            scoring: config.scoring.clone(),
            segments: config.segments.clone(),
            stages: config.stages.clone(),
            blocks: blocks.iter().map(|block| block.policy.clone()).collect(),
            workflows: config.workflows.clone(),
        };
        profiles.check(path)?;
        let webhooks = webhooks(config, path)?;
        check_workflows(config, &webhooks, &forms, &blocks, path)?;
        let identity = config
            .identity
            .as_ref()
            .map(|identity| IdentitySecret::compile(identity, &format!("{path}.identity")))
            .transpose()?;
        Ok(Site {
            identity,
            key: config.key.clone(),
            name: config.name.clone(),
            origins,
            blocks,
            catalog: config.catalog.clone(),
            forms,
            profiles: Arc::new(profiles),
            webhooks,
        })
    }

    /// The lead form `id`.
    pub fn form(&self, id: &str) -> Option<&Form> {
        self.forms.iter().find(|form| form.id == id)
    }

    /// True when a browser page on `origin` may call the public API with this key.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.origins.iter().any(|pattern| pattern.matches(origin))
    }
}

/// The site's webhook endpoints: URL checked, secret read (from the environment when
/// named there).
fn webhooks(config: &SiteConfig, path: &str) -> Result<Vec<Endpoint>, ConfigError> {
    let mut endpoints: Vec<Endpoint> = Vec::with_capacity(config.webhooks.len());
    for (index, webhook) in config.webhooks.iter().enumerate() {
        let at = format!("{path}.webhooks[{index}]");
        check_id(&webhook.id, &format!("{at}.id"))?;
        if endpoints.iter().any(|other| other.name == webhook.id) {
            return Err(ConfigError::at(format!("{at}.id"), "duplicate webhook id"));
        }
        crate::automation::target::parse(&webhook.url, true)
            .map_err(|error| ConfigError::at(format!("{at}.url"), error.to_string()))?;
        let secret = match (&webhook.secret, &webhook.secret_env) {
            (Some(secret), None) => secret.clone(),
            (None, Some(variable)) => std::env::var(variable).map_err(|_| {
                ConfigError::at(
                    format!("{at}.secret_env"),
                    format!("the environment variable {variable} is not set"),
                )
            })?,
            _ => {
                return Err(ConfigError::at(at, "a webhook has exactly one of secret, secret_env"));
            }
        };
        if secret.len() < 16 {
            return Err(ConfigError::at(
                format!("{at}.secret"),
                "a webhook secret has at least 16 characters",
            ));
        }
        endpoints.push(Endpoint { name: webhook.id.clone(), url: webhook.url.clone(), secret });
    }
    Ok(endpoints)
}

/// Checks every workflow against what the site defines.
fn check_workflows(
    config: &SiteConfig,
    webhooks: &[Endpoint],
    forms: &[Form],
    blocks: &[Block],
    path: &str,
) -> Result<(), ConfigError> {
    let webhook_ids: Vec<String> = webhooks.iter().map(|endpoint| endpoint.name.clone()).collect();
    let form_ids: Vec<&str> = forms.iter().map(|form| form.id.as_str()).collect();
    let block_ids: Vec<&str> = blocks.iter().map(|block| block.id.as_str()).collect();
    let segment_ids: Vec<&str> =
        config.segments.iter().map(|segment| segment.id.as_str()).collect();
    let names = Names {
        webhooks: &webhook_ids,
        forms: &form_ids,
        blocks: &block_ids,
        segments: &segment_ids,
        facts: &crate::profiles::facts::KNOWN_FACTS,
    };
    for (index, workflow) in config.workflows.iter().enumerate() {
        let at = format!("{path}.workflows[{index}]");
        workflow.check(&names, &at)?;
        if config.workflows[..index].iter().any(|other| other.id == workflow.id) {
            return Err(ConfigError::at(format!("{at}.id"), "duplicate workflow id"));
        }
    }
    Ok(())
}

const ORIGIN_HELP: &str = "expected an origin such as https://www.example.com, \
     https://*.example.com, http://localhost:* or *";

/// An allowed origin: exact, any subdomain (`*.example.com`), any port (`:*`), or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OriginPattern {
    Any,
    Pattern { scheme: String, host: HostPattern, port: PortPattern },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    /// `*.example.com`: stored as `.example.com`; the bare domain does not match.
    SubdomainOf(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Default,
    Exact(u16),
    Any,
}

impl OriginPattern {
    fn parse(text: &str) -> Option<Self> {
        if text == "*" {
            return Some(OriginPattern::Any);
        }
        let (scheme, rest) = text.split_once("://")?;
        if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains('/') {
            return None;
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, "*")) => (host, PortPattern::Any),
            Some((host, port)) => (host, PortPattern::Exact(port.parse().ok()?)),
            None => (rest, PortPattern::Default),
        };
        let host = host.to_ascii_lowercase();
        let host = match host.strip_prefix("*.") {
            Some(domain) if is_hostname(domain) => HostPattern::SubdomainOf(format!(".{domain}")),
            Some(_) => return None,
            None if is_hostname(&host) => HostPattern::Exact(host),
            None => return None,
        };
        Some(OriginPattern::Pattern { scheme: scheme.to_owned(), host, port })
    }

    fn matches(&self, origin: &str) -> bool {
        let OriginPattern::Pattern { scheme, host, port } = self else {
            return true;
        };
        let Some(rest) = origin.strip_prefix(scheme.as_str()).and_then(|r| r.strip_prefix("://"))
        else {
            return false;
        };
        let (origin_host, origin_port) = match rest.rsplit_once(':') {
            Some((host, port)) => match port.parse::<u16>() {
                Ok(port) => (host, Some(port)),
                Err(_) => return false,
            },
            None => (rest, None),
        };
        let origin_host = origin_host.to_ascii_lowercase();
        let host_ok = match host {
            HostPattern::Exact(exact) => origin_host == *exact,
            HostPattern::SubdomainOf(suffix) => {
                origin_host.ends_with(suffix.as_str()) && origin_host.len() > suffix.len()
            }
        };
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port_ok = match port {
            PortPattern::Any => true,
            PortPattern::Default => origin_port.is_none_or(|p| p == default_port),
            PortPattern::Exact(exact) => origin_port.unwrap_or(default_port) == *exact,
        };
        host_ok && port_ok
    }
}

fn is_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
        && !host.starts_with('.')
        && !host.ends_with('.')
}

impl ConfigFile {
    /// Checks the configuration and compiles it for serving.
    pub fn compile(&self) -> Result<Catalog, ConfigError> {
        Catalog::compile(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(pattern: &str, origin: &str) -> bool {
        OriginPattern::parse(pattern).expect(pattern).matches(origin)
    }

    #[test]
    fn exact_origins_match_scheme_host_and_port() {
        assert!(allows("https://www.example.com", "https://www.example.com"));
        assert!(allows("https://www.example.com", "https://www.example.com:443"));
        assert!(allows("https://www.example.com", "https://WWW.example.com"));
        assert!(!allows("https://www.example.com", "http://www.example.com"));
        assert!(!allows("https://www.example.com", "https://www.example.com:8443"));
        assert!(!allows("https://www.example.com", "https://www.example.com.evil.net"));
        assert!(!allows("https://www.example.com", "null"));
    }

    #[test]
    fn wildcards_cover_subdomains_and_ports_only() {
        assert!(allows("https://*.example.com", "https://shop.example.com"));
        assert!(allows("https://*.example.com", "https://a.b.example.com"));
        assert!(!allows("https://*.example.com", "https://example.com"));
        assert!(!allows("https://*.example.com", "https://badexample.com"));
        assert!(allows("http://127.0.0.1:*", "http://127.0.0.1:40123"));
        assert!(allows("http://127.0.0.1:*", "http://127.0.0.1"));
        assert!(!allows("http://127.0.0.1:*", "http://127.0.0.2:40123"));
        assert!(allows("*", "https://anything.example"));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://example.com/",
            "https://*.",
            "https://a:b",
        ] {
            assert_eq!(OriginPattern::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn config_problems_name_their_path() {
        let config = ConfigFile::from_yaml(
            "sites:\n  - key: pk_a\n    name: A\n    origins: [\"https://a.example\", \"nope\"]\n",
        )
        .expect("parses");
        let error = Catalog::compile(&config).expect_err("bad origin");
        assert_eq!(error.path, "sites[0].origins[1]");

        let error =
            ConfigFile::from_yaml("sites:\n  - key: pk_a\n    nmae: A\n").expect_err("typo");
        assert!(error.message.contains("nmae"), "{error}");
    }
}
