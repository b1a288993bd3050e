//! Whether the store takes writes. Every write's outcome is noted here: while writes
//! fail, the failures are logged once per [`LOG_INTERVAL`] with their count (a full
//! disk must not also fill up with log lines), and readiness reports the store as
//! unable to write until a write succeeds again.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::store::error::StoreError;

/// Least time between two log lines about failing writes.
pub const LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The outcomes of the store's writes. One per store.
#[derive(Debug, Default)]
pub struct WriteHealth {
    /// A write failed because the store could not write, and none succeeded since.
    unavailable: AtomicBool,
    /// Some failure is not yet logged or its recovery not yet told.
    troubled: AtomicBool,
    log: Mutex<FailureLog>,
}

#[derive(Debug, Default)]
struct FailureLog {
    last_logged: Option<Instant>,
    /// Failures since the last line.
    unlogged: u64,
    /// Failures since the last success.
    since_success: u64,
}

impl WriteHealth {
    /// Notes a committed write.
    pub fn succeeded(&self) {
        if !self.troubled.load(Ordering::Relaxed) {
            return;
        }
        let mut log = self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.since_success > 0 {
            tracing::info!(failed = log.since_success, "the store takes writes again");
        }
        *log = FailureLog::default();
        self.unavailable.store(false, Ordering::Relaxed);
        self.troubled.store(false, Ordering::Relaxed);
    }

    /// Notes a failed write; logs it, or counts it for the next line.
    pub fn failed(&self, error: &StoreError) {
        if error.is_unavailable() {
            self.unavailable.store(true, Ordering::Relaxed);
        }
        self.troubled.store(true, Ordering::Relaxed);
        let mut log = self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        log.unlogged += 1;
        log.since_success += 1;
        let now = Instant::now();
        if log.last_logged.is_none_or(|at| now.duration_since(at) >= LOG_INTERVAL) {
            tracing::warn!(
                %error,
                failed = log.unlogged,
                interval_secs = LOG_INTERVAL.as_secs(),
                "store writes failing; requests told to retry"
            );
            log.last_logged = Some(now);
            log.unlogged = 0;
        }
    }

    /// Whether the last write failed because the store could not write.
    pub fn is_unavailable(&self) -> bool {
        self.unavailable.load(Ordering::Relaxed)
    }
}
