//! `cargo xtask faults [--kills N]`: the fault suite's long form. Runs the collector's
//! fault tests (`collector/tests/faults.rs`) with `N` SIGKILLs per backend (20 by
//! default; every test run has the short form, 3) and prints their figures: kills,
//! requests, events acknowledged, lost, duplicated, visitors miscounted, requests cut
//! by SIGTERM.

use std::process::Command;

use crate::task::{TaskResult, fail};
use crate::test::ensure_postgres;
use crate::tools::workspace_root;

pub fn run(kills: u32) -> TaskResult<()> {
    ensure_postgres()?;
    let status = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args(["test", "-p", "kindling-collector", "--test", "faults", "--"])
        .args(["--nocapture", "--test-threads", "1"])
        .env("KINDLING_FAULT_KILLS", kills.to_string())
        .status()?;
    if status.success() { Ok(()) } else { fail(format!("the fault suite failed ({status})")) }
}
