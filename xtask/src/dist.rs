//! `cargo xtask dist`: the one file to deploy. Builds the widget bundle, then the
//! release collector with the bundle embedded (`KINDLING_EMBED_WIDGET`, read by
//! `collector/build.rs`), and prints where the binary is and how large.

use std::process::Command;

use crate::bundle;
use crate::task::TaskResult;
use crate::tools::{ensure_bundle_tools, run as run_command, workspace_root};

pub fn run() -> TaskResult<()> {
    let tools = ensure_bundle_tools()?;
    bundle::build(&tools)?;
    let root = workspace_root();
    run_command(
        Command::new(env!("CARGO"))
            .current_dir(&root)
            .env("KINDLING_EMBED_WIDGET", bundle::dist_dir())
            .args(["build", "--release", "-p", "kindling-collector"]),
    )?;
    let binary = root.join("target/release/kindling-collector");
    let bytes = std::fs::metadata(&binary)?.len();
    println!(
        "xtask: {} ({:.1} MB), the widget bundle embedded: it serves /kindling.js without --widget-dir",
        binary.display(),
        bytes as f64 / 1_000_000.0
    );
    Ok(())
}
