//! Test-only pause points for the kill test (`tests/e2e/atomic_output.rs`,
//! docs/testing.md "Atomic output").
//!
//! With `FUSE_TEST_PAUSE_AT=<phase>` in the environment, the process prints
//! `fuse: paused at <phase>` on stderr when it reaches that phase boundary and sleeps, so
//! a test can SIGKILL it there. It cannot change any output: after [`MAX_PAUSE`] it carries
//! on exactly as without the variable (a forgotten variable costs time, never a hang).
//!
//! Phases of an output file: `temp-created` (empty temp file exists), `writing` (half the
//! input streamed), `written` (all bytes written, not yet fsynced/verified), `verified`
//! (fsynced and self-verified, not yet renamed), `renamed` (in place). The report adds
//! `report-written` (JSON and PDF in place).

use std::time::Duration;

/// The variable naming the phase to pause at.
pub const ENV: &str = "FUSE_TEST_PAUSE_AT";

/// Longest pause; then the run continues unchanged.
pub const MAX_PAUSE: Duration = Duration::from_secs(60);

/// Pauses here when `FUSE_TEST_PAUSE_AT` names `phase`.
pub fn at(phase: &str) {
    if std::env::var_os(ENV).is_some_and(|want| want == phase) {
        eprintln!("fuse: paused at {phase} ({ENV})");
        std::thread::sleep(MAX_PAUSE);
    }
}

/// A [`crate::apk::Progress`] that pauses at `writing` once half of the bytes are through,
/// and passes everything on to `inner`.
pub struct Writing<'a> {
    inner: &'a dyn crate::apk::Progress,
    total: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
    paused: std::sync::atomic::AtomicBool,
}

impl<'a> Writing<'a> {
    pub fn new(inner: &'a dyn crate::apk::Progress) -> Self {
        Self {
            inner,
            total: 0.into(),
            done: 0.into(),
            paused: false.into(),
        }
    }
}

impl crate::apk::Progress for Writing<'_> {
    fn start(&self, total_bytes: u64) {
        self.total
            .store(total_bytes, std::sync::atomic::Ordering::Relaxed);
        self.inner.start(total_bytes);
    }

    fn advance(&self, bytes: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.inner.advance(bytes);
        let done = self.done.fetch_add(bytes, Relaxed) + bytes;
        if done.saturating_mul(2) >= self.total.load(Relaxed) && !self.paused.swap(true, Relaxed) {
            at("writing");
        }
    }
}
