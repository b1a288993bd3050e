//! Every YAML file in the repository is a collector configuration, and each one loads
//! through the validator the collector runs at start-up (`ConfigFile::load`, then
//! `compile`): the demo's, the benchmarks' and the tests' fixtures cannot break
//! silently. A fixture's `RECEIVER_URL` placeholder (the tests' webhook receiver) is
//! filled in with a local address first, as the tests that use it do.

use std::path::{Path, PathBuf};

use kindling_collector::ConfigFile;

/// The YAML files under `folder`, build output and version control left out.
fn yaml_files(folder: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !matches!(name.to_str(), Some("target" | ".git" | "node_modules")) {
                yaml_files(&path, found);
            }
        } else if path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml") {
            found.push(path);
        }
    }
}

#[test]
fn every_yaml_file_in_the_repository_loads_as_a_configuration() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    let relative: Vec<String> = files
        .iter()
        .map(|path| path.strip_prefix(&root).unwrap_or(path).display().to_string())
        .collect();
    for known in [
        "demo-site/demo.yaml",
        "xtask/bench/decide.yaml",
        "collector/tests/fixtures/site.yaml",
        "collector/tests/fixtures/forms.yaml",
        "collector/tests/fixtures/personalize.yaml",
        "collector/tests/fixtures/workflows.yaml",
        "tests/fixtures/workflows.yaml",
        "tests/fixtures/form-modal.yaml",
        "tests/fixtures/xss.yaml",
    ] {
        assert!(
            relative.iter().any(|found| found == known),
            "{known} not found among {relative:?}"
        );
    }
    let failures: Vec<String> = files
        .iter()
        .zip(&relative)
        .filter_map(|(path, name)| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let text = text.replace("RECEIVER_URL", "http://127.0.0.1:9/hooks/kindling");
            let loaded = ConfigFile::from_yaml(&text).and_then(|config| config.compile());
            loaded.err().map(|error| format!("{name}: {error}"))
        })
        .collect();
    assert!(failures.is_empty(), "configurations that do not load:\n{}", failures.join("\n"));
}
