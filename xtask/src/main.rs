//! `cargo xtask`: the project's tasks, usable on a fresh Debian machine with only Rust.
//!
//! - `bundle`: build the widget (wasm32, size profile), run wasm-bindgen and wasm-opt,
//!   and write the content-hashed, precompressed bundle to `target/widget/dist`;
//! - `size [--json]`: loader, glue and wasm sizes (raw, gzip, brotli);
//! - `dist`: the release collector with the widget bundle embedded, one file to deploy;
//! - `demo [--port 8080] [--db PATH]`: the collector and the demo site, ready to browse;
//! - `cycles`: fail when module files of a crate import each other in a cycle;
//! - `faults [--kills N]`: the fault suite's long form (SIGKILLs under load, on both
//!   backends), with its figures;
//! - `test`: install what is missing, then run every test (unit, integration, widget
//!   tests in headless Chromium, end-to-end tests);
//! - `seed [--events N] [--database URL] [--days 90]`: a generated history of the demo
//!   site, written through the collector's own code, for the reports and their benchmark;
//! - `fuzz --seconds N [TARGET]`: run the fuzz targets in `fuzz/` (not part of `test`).

mod bench;
mod bundle;
mod cycles;
mod demo;
mod dist;
mod faults;
mod fuzz;
mod seed;
mod size;
mod task;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Kindling's project tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build the widget bundle into target/widget/dist.
    Bundle,
    /// Build the release collector with the widget bundle embedded.
    Dist,
    /// Print the bundle's sizes (raw, gzip, brotli).
    Size {
        /// Also print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// Run the collector (SQLite, seeded from demo.yaml) and the demo site.
    Demo {
        /// The collector's port; the demo site listens on the next one.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The SQLite file.
        #[arg(long, default_value = "target/demo/kindling.db")]
        db: PathBuf,
    },
    /// Fail when module files of collector, core, widget or xtask import each other in a cycle.
    Cycles,
    /// Install what is missing and run every test.
    Test,
    /// Kill the collector under load, again and again, on both backends; check that no
    /// acknowledged event is lost or doubled.
    Faults {
        /// SIGKILLs per backend.
        #[arg(long, default_value_t = 20)]
        kills: u32,
    },
    /// Run the fuzz targets in fuzz/ for a while each (not a test: never run by `test` or CI).
    Fuzz {
        /// How long to run each target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Only this target (event_batch, form_submission, config_yaml, rules, markdown).
        target: Option<String>,
    },
    /// Write a generated history of the demo site into a database (SQLite or PostgreSQL).
    Seed(seed::SeedArgs),
    /// Run a benchmark (not a test: never run by `test` or CI).
    Bench {
        #[command(subcommand)]
        bench: bench::Bench,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Bundle => {
            tools::ensure_bundle_tools().and_then(|tools| bundle::build(&tools).map(drop))
        }
        Task::Dist => dist::run(),
        Task::Size { json } => size::run(json),
        Task::Demo { port, db } => demo::run(port, &db),
        Task::Cycles => cycles::run(),
        Task::Test => test::run(),
        Task::Faults { kills } => faults::run(kills),
        Task::Fuzz { seconds, target } => fuzz::run_targets(seconds, target.as_deref()),
        Task::Bench { bench } => bench::run(bench),
        Task::Seed(args) => seed::run_seed(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}
