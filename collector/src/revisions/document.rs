//! A configuration document: YAML text checked by the configuration's validator and
//! compiled for serving. The text itself is what is stored, so an export gives back
//! exactly what was imported, comments and all.

use crate::config::error::ConfigError;
use crate::config::file::ConfigFile;
use crate::sites::Catalog;

/// The largest document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// Checks `text` and compiles it; the error names the path of the first problem
/// (`sites[0].blocks[2].audience`).
pub fn compile(text: &str) -> Result<Catalog, ConfigError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(ConfigError::at(
            "",
            format!("the document is larger than {MAX_DOCUMENT_BYTES} bytes"),
        ));
    }
    if text.contains('\0') {
        return Err(ConfigError::at("", "the document contains a NUL character"));
    }
    ConfigFile::from_yaml(text)?.compile()
}

/// The parts of a document only an owner may change: the sites themselves (keys,
/// names, origins), their webhooks and their identity secrets. Compared as parsed
/// YAML, so formatting and comments do not count.
pub fn owner_parts(text: &str) -> Option<serde_yaml_ng::Value> {
    use serde_yaml_ng::Value;
    let parsed: Value = serde_yaml_ng::from_str(text).ok()?;
    let sites = parsed.get("sites").and_then(Value::as_sequence).cloned().unwrap_or_default();
    let parts = sites
        .iter()
        .map(|site| {
            let mut kept = serde_yaml_ng::Mapping::new();
            for key in ["key", "name", "origins", "webhooks", "identity"] {
                if let Some(value) = site.get(key) {
                    kept.insert(Value::from(key), value.clone());
                }
            }
            Value::Mapping(kept)
        })
        .collect();
    Some(Value::Sequence(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "sites:\n  - key: pk_a\n    name: A\n    origins: ['*']\n";

    #[test]
    fn problems_name_their_path() {
        assert!(compile(SITE).is_ok());
        let error = compile("sites:\n  - key: pk_a\n    name: A\n    origins: [nope]\n")
            .expect_err("bad origin");
        assert_eq!(error.path, "sites[0].origins[0]");
        assert!(compile("sites: [\0]").is_err());
    }

    #[test]
    fn owner_parts_ignore_formatting_and_other_sections() {
        let reformatted = "# comment\nsites:\n- {key: pk_a, name: A, origins: ['*']}\n";
        assert_eq!(owner_parts(SITE), owner_parts(reformatted));
        let with_blocks = format!("{SITE}    blocks: []\n");
        assert_eq!(owner_parts(SITE), owner_parts(&with_blocks));
        let renamed = SITE.replace("name: A", "name: B");
        assert_ne!(owner_parts(SITE), owner_parts(&renamed));
    }
}
