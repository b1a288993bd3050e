//! Embeds the widget bundle in the binary when `KINDLING_EMBED_WIDGET` names a built
//! bundle folder (`cargo xtask dist` sets it to `target/widget/dist`): the loader and
//! every file under `w/`, with their `.br` and `.gz` forms. Without it nothing is
//! embedded and the bundle comes from `--widget-dir`.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-env-changed=KINDLING_EMBED_WIDGET");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut code = String::from("&[\n");
    if let Ok(dir) = std::env::var("KINDLING_EMBED_WIDGET") {
        let dir = PathBuf::from(dir);
        let mut files = Vec::new();
        collect(&dir, &dir, &mut files);
        files.sort();
        assert!(
            files.iter().any(|(name, _)| name == "kindling.js"),
            "KINDLING_EMBED_WIDGET={} holds no kindling.js: run `cargo xtask bundle`",
            dir.display()
        );
        for (name, path) in files {
            println!("cargo::rerun-if-changed={}", path.display());
            code.push_str(&format!(
                "    ({name:?}, include_bytes!({:?})),\n",
                path.display().to_string()
            ));
        }
    }
    code.push_str("]\n");
    std::fs::write(out.join("embedded_widget.rs"), code).expect("OUT_DIR is writable");
}

/// Files under `dir`, named by their path below `root` with `/` between parts.
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let name = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.push((name, path.canonicalize().unwrap_or(path)));
        }
    }
}
