//! `cargo xtask seed [--events 1000000] [--database sqlite:target/seed/history.db]
//! [--days 90] [--config demo-site/demo.yaml] [--site pk_demo_brightline]`: builds the
//! release `kindling-bench` and runs its `seed`, which writes a generated history of
//! the demo site into the database through the collector's own group commit, dated
//! over the last `--days` days (see `bench/src/seed.rs`). Relative paths are the
//! workspace's. Its last line: `seed events=.. visitors=.. leads=.. seconds=..
//! events_per_s=..`.

use std::process::Command;

use crate::bench::build_bench_binary;
use crate::task::TaskResult;
use crate::tools::{run, workspace_root};

/// What `cargo xtask seed` was asked for.
#[derive(clap::Args)]
pub struct SeedArgs {
    /// Events to generate (about one visitor per ten).
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// The database: `sqlite:PATH` or `postgres://…`.
    #[arg(long, default_value = "sqlite:target/seed/history.db")]
    database: String,
    /// Days of history, ending now.
    #[arg(long, default_value_t = 90)]
    days: u32,
    /// The configuration file with the site.
    #[arg(long, default_value = "demo-site/demo.yaml")]
    config: String,
    /// The site the history is of.
    #[arg(long, default_value = "pk_demo_brightline")]
    site: String,
}

pub fn run_seed(args: &SeedArgs) -> TaskResult<()> {
    let root = workspace_root();
    let bench = build_bench_binary(&root)?;
    run(Command::new(bench)
        .current_dir(&root)
        .arg("seed")
        .args(["--events", &args.events.to_string()])
        .args(["--database", &args.database])
        .args(["--days", &args.days.to_string()])
        .args(["--config", &args.config])
        .args(["--site", &args.site]))
}
