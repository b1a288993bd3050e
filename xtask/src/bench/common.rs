//! What the benchmarks share: wrk's and the servers' settings, building the release
//! binaries, reading the `key=value` result lines the tools print, and formatting.

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::task::{TaskError, TaskResult, fail};
use crate::tools::run as run_command;

/// wrk's threads (`-t`): one, leaving the second core to the server.
pub(super) const WRK_THREADS: u32 = 1;
/// wrk's connections (`-c`).
pub(super) const WRK_CONNECTIONS: u32 = 32;
/// wrk's `--timeout`: an answer slower than this counts as an error.
pub(super) const WRK_TIMEOUT: &str = "5s";
/// Unmeasured load before every measurement.
pub(super) const WARMUP_SECONDS: u64 = 2;
/// Clock ticks per second of `/proc/PID/stat`'s CPU times (fixed for user space).
pub(super) const USER_HZ: f64 = 100.0;
/// Unmeasured seconds of the pure scoring measurement (after its checking pass).
pub(super) const SCORING_WARMUP_SECONDS: u64 = 1;
/// The share of the per-event ingest time the pure scoring should stay under.
pub(super) const SCORING_TARGET_RATIO: f64 = 0.10;
/// The demo configuration (relative to the workspace) and its site, whose profile model
/// the pure scoring uses.
pub(super) const DEMO_CONFIG: &str = "demo-site/demo.yaml";
pub(super) const DEMO_SITE: &str = "pk_demo_brightline";
/// Events per request of the batch measurement (and of the storage ceiling's batches).
pub(super) const BATCH_EVENTS: u32 = 50;
/// Rows per transaction of the storage ceiling.
pub(super) const STORAGE_ROWS_PER_COMMIT: u32 = 1000;
/// The benchmark's site, as in `bench/src/body.rs` and `xtask/bench/ingest.lua`; the
/// storage ceiling reads the same file.
pub(super) const SITE_CONFIG: &str =
    "sites:\n  - key: pk_bench\n    name: Ingest benchmark\n    origins: [\"*\"]\n";
/// How long a server may take to answer `/healthz` after starting.
pub(super) const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a server may take to stop after SIGTERM before it is killed.
pub(super) const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds the release `kindling-bench`.
pub(super) fn build_bench(root: &Path) -> TaskResult<()> {
    run_command(Command::new(env!("CARGO")).current_dir(root).args([
        "build",
        "--release",
        "-p",
        "kindling-bench",
    ]))
}

/// Builds the release collector and `kindling-bench`; returns their paths.
pub(super) fn build_release(root: &Path) -> TaskResult<(PathBuf, PathBuf)> {
    run_command(Command::new(env!("CARGO")).current_dir(root).args([
        "build",
        "--release",
        "-p",
        "kindling-collector",
        "-p",
        "kindling-bench",
    ]))?;
    let release = target_dir(root).join("release");
    Ok((release.join("kindling-collector"), release.join("kindling-bench")))
}

pub(super) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// `key=value` pairs of a line.
pub(super) fn fields(line: &str) -> impl Iterator<Item = (&str, &str)> {
    line.split_whitespace().filter_map(|word| word.split_once('='))
}

/// The value of the pair named `name` in a line.
pub(super) fn field<'l>(line: &'l str, name: &str) -> Option<&'l str> {
    fields(line).find(|(key, _)| *key == name).map(|(_, value)| value)
}

/// The number of the pair named `name` in a line.
pub(super) fn field_number(line: &str, name: &str) -> Option<f64> {
    field(line, name)?.parse().ok()
}

/// A JSON number with `decimals` decimals (`null` when not finite).
pub(super) fn number(value: f64, decimals: usize) -> String {
    if value.is_finite() { format!("{value:.decimals$}") } else { "null".to_owned() }
}

/// A free port on 127.0.0.1 (asked of the OS, then released for the server to take).
pub(super) fn free_loopback_addr() -> TaskResult<SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?)
}

/// A finished bounded run.
pub(super) struct Finished {
    pub(super) status: ExitStatus,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

/// A child killed when dropped.
pub(super) struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Runs `command` to completion, killing it after `limit`; its output goes to
/// `work/LABEL.out` and `work/LABEL.err`, read back when it ends.
pub(super) fn run_bounded(
    mut command: Command,
    limit: Duration,
    work: &Path,
    label: &str,
) -> TaskResult<Finished> {
    let out_path = work.join(format!("{label}.out"));
    let err_path = work.join(format!("{label}.err"));
    let shown = format!("{command:?}");
    let child = command
        .stdin(Stdio::null())
        .stdout(File::create(&out_path)?)
        .stderr(File::create(&err_path)?)
        .spawn()
        .map_err(|error| TaskError(format!("cannot run {shown}: {error}")))?;
    let mut child = KillOnDrop(child);
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.0.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            return fail(format!("{shown} did not finish within {limit:?}; killed"));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Ok(Finished {
        status,
        stdout: std::fs::read_to_string(&out_path)?,
        stderr: std::fs::read_to_string(&err_path)?,
    })
}
