//! The processes a benchmark starts: servers waited for on `/healthz` and stopped
//! with SIGTERM (their CPU time measured), commands bounded in time, and a work folder
//! removed afterwards.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::common::*;
use super::wrk::WrkResult;
use crate::task::{TaskError, TaskResult, fail};

/// A server process, stopped (SIGTERM, then kill) when dropped, also on errors.
pub(super) struct Server {
    pub(super) name: &'static str,
    pub(super) child: Option<Child>,
    pub(super) addr: SocketAddr,
    pub(super) log: PathBuf,
}

impl Server {
    /// Spawns `command` with output to `log` and waits until `GET /healthz` answers 200.
    pub(super) fn start(
        name: &'static str,
        mut command: Command,
        addr: SocketAddr,
        log: &Path,
    ) -> TaskResult<Server> {
        let out = File::create(log)?;
        let err = out.try_clone()?;
        let child =
            command.stdin(Stdio::null()).stdout(out).stderr(err).spawn().map_err(|error| {
                TaskError(format!("cannot start {name} ({command:?}): {error}"))
            })?;
        let mut server = Server { name, child: Some(child), addr, log: log.to_path_buf() };
        server.wait_healthy()?;
        Ok(server)
    }

    pub(super) fn wait_healthy(&mut self) -> TaskResult<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                self.child = None;
                return fail(format!(
                    "{} exited ({status}) before answering: {}",
                    self.name,
                    tail(&self.log)
                ));
            }
            if healthz(self.addr) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return fail(format!(
                    "{} did not answer /healthz on {} within {START_TIMEOUT:?}: {}",
                    self.name,
                    self.addr,
                    tail(&self.log)
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `load` and notes the CPU time the server used meanwhile.
    pub(super) fn measuring_cpu(
        &self,
        load: impl FnOnce() -> TaskResult<WrkResult>,
    ) -> TaskResult<WrkResult> {
        let before = self.cpu_seconds();
        let mut measured = load()?;
        measured.server_cpu_s = before.zip(self.cpu_seconds()).map(|(start, end)| end - start);
        Ok(measured)
    }

    /// The CPU time (user and system, all threads, also those that ended) the server
    /// has used so far, from `/proc/PID/stat` in clock ticks of 1/100 s (Linux's
    /// `USER_HZ`); none where there is no such file.
    pub(super) fn cpu_seconds(&self) -> Option<f64> {
        let pid = self.child.as_ref()?.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // After the command name in parentheses: state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks = |field: usize| fields.get(field - 3)?.parse::<f64>().ok();
        Some((ticks(14)? + ticks(15)?) / USER_HZ)
    }

    /// Stops the server; fails when it had died during the run.
    pub(super) fn stop(mut self) -> TaskResult<()> {
        self.terminate()
    }

    pub(super) fn terminate(&mut self) -> TaskResult<()> {
        let Some(mut child) = self.child.take() else { return Ok(()) };
        if let Some(status) = child.try_wait()? {
            return fail(format!(
                "{} exited during the run ({status}): {}",
                self.name,
                tail(&self.log)
            ));
        }
        // SIGTERM: a graceful stop, as in production.
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        fail(format!("{} did not stop within {STOP_TIMEOUT:?} of SIGTERM; killed", self.name))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(error) = self.terminate() {
            eprintln!("xtask: {error}");
        }
    }
}

/// True when `GET /healthz` on `addr` answers 200.
pub(super) fn healthz(addr: SocketAddr) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
        stream.set_read_timeout(Some(Duration::from_secs(1)))?;
        stream.set_write_timeout(Some(Duration::from_secs(1)))?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer.starts_with("HTTP/1.1 200"))
    };
    attempt().unwrap_or(false)
}

/// The end of a log file, for error messages.
pub(super) fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let start = text.char_indices().rev().nth(1500).map_or(0, |(index, _)| index);
    format!("(log {}) {}", log.display(), &text[start..])
}

/// This run's folder under `target/bench/`, removed when dropped. Folders that runs
/// stopped by ctrl-c left behind are removed when the next run starts.
pub(super) struct WorkDir {
    pub(super) path: PathBuf,
}

impl WorkDir {
    /// `parent/BENCH-PID`, e.g. `target/bench/ingest-1234`.
    pub(super) fn create(parent: &Path, bench: &str) -> TaskResult<WorkDir> {
        std::fs::create_dir_all(parent)?;
        for entry in std::fs::read_dir(parent)?.flatten() {
            let name = entry.file_name();
            let stale = name
                .to_str()
                .and_then(|name| {
                    ["ingest-", "scoring-", "decide-", "reports-"]
                        .iter()
                        .find_map(|prefix| name.strip_prefix(prefix))
                })
                .is_some_and(|pid| !Path::new("/proc").join(pid).exists());
            if stale {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let path = parent.join(format!("{bench}-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path)?;
        Ok(WorkDir { path })
    }

    pub(super) fn remove(self) -> TaskResult<()> {
        std::fs::remove_dir_all(&self.path)
            .map_err(|error| TaskError(format!("cannot remove {}: {error}", self.path.display())))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.path.exists() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
