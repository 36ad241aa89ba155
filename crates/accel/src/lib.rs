//! Hardware and kernel fast paths for fuse, each behind a safe function with a portable
//! fallback that gives the same result.
//!
//! - [`sha256`]: SHA-256 of two independent messages at once on one core (SHA-NI). The
//!   SHA-NI round instruction has a latency of several cycles, so one message leaves
//!   the unit idle between rounds; interleaving a second one fills the gaps. Measured
//!   on the CI machine's CPU (AMD EPYC, `sha_ni`): 1.9 GB/s for one message, 2.9 GB/s
//!   for two. fuse hashes 160 MB APKs four to five times over (v1, v2/v3 chunks, the
//!   file digest, self-verification), so pairs of independent streams are worth it.
//! - [`writeback`]: asks the kernel to start writing a range of a file to disk now, so
//!   the final `fsync` of a large output finds most of it already on its way.
//!
//! The CLI's `unsafe` is here and nowhere else (the CPU intrinsics and one system call);
//! `fuse` itself forbids it. The device shim has its own (FFI).

pub mod sha256;
pub mod writeback;
