//! Tables a finishing command no longer needs, left to the operating system.
//!
//! A `fuse build` of a 21,000-entry APK used to end with ~6–10 ms of `free` on one core
//! while the other idled (perf, docs/performance.md change 29): the input's and the
//! output's parsed central directories, the observations — tens of thousands of small
//! allocations, and glibc's consolidation of them. The process exits moments later and
//! the kernel takes its memory back in one step, so the command line declares itself
//! short-lived and the pipelines hand such tables to [`release`] instead of dropping
//! them (compilers do the same: clang's `-disable-free`).
//!
//! Without the declaration — the library in tests or in a long-running host — [`release`]
//! is an ordinary drop. Only plain data goes through it: never a key (keys wipe
//! themselves on drop) or a temp file (its drop removes it).

use std::sync::atomic::{AtomicBool, Ordering};

static SHORT_LIVED: AtomicBool = AtomicBool::new(false);

/// This process ends when its one command does (the `fuse` binary's `main`).
pub fn declare() {
    SHORT_LIVED.store(true, Ordering::Relaxed);
}

/// Drops `value`, or, in a short-lived process, leaves it to the process's exit.
pub fn release<T>(value: T) {
    if SHORT_LIVED.load(Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}
