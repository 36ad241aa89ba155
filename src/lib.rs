//! fuse: post-build binary fusion of a certificate-pinning protection into mobile apps.
//!
//! Data flows one way: read container → plan changes → write container → sign →
//! verify → report. One folder per concept; see `docs/architecture.md` for the map.
#![forbid(unsafe_code)]

pub mod aab;
pub mod android;
pub mod apk;
pub mod atomic;
pub mod axml;
pub mod calendar;
pub mod certify;
pub mod cli;
pub mod embedded_policy;
pub mod error;
pub mod file_digest;
pub mod format;
pub mod fusion_set;
pub mod ios;
pub mod keys;
pub mod macho;
#[doc(hidden)]
pub mod pause;
pub mod payloads;
pub mod pin;
pub mod report;
pub mod short_lived;
pub mod zip;

pub use error::{Error, ExitStatus};
