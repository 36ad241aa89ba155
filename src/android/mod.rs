//! Android fusion of APKs (DESIGN §4): `fuse build` and `fuse inspect`.
//!
//! ```text
//! read.rs      App::open: strict ZIP, kind from content, manifest facts, dex set
//! previous.rs  a previous fusion: found, complete or refused, taken apart on re-fusion
//! abi.rs       shipped ABIs → shims to inject; how shims are stored (extractNativeLibs)
//! dex.rs       classes.dex, classes2.dex, …: consecutive, DEX headers, bridge recognition
//! build_id.rs  fusedAppToken
//! plan.rs      the apk::Plan: remove / replace / add entries
//! build.rs     the pipeline
//! facts.rs     what a build returns (summary, --json, the report's input)
//! changes.rs   the change list: every entry added / changed / removed, with hashes
//! inspect.rs   fuse inspect
//! ```
//! The container, the signatures and the binary XML are other modules' (`zip`, `apk`,
//! `axml`); this one decides what fusion changes. Decisions are written down in
//! `docs/android.md`.

pub mod abi;
pub mod build;
pub mod build_id;
pub mod changes;
pub mod check;
pub mod dex;
pub mod error;
pub mod facts;
pub mod inspect;
pub mod plan;
pub mod previous;
pub mod read;

pub use build::{Request, build};
pub use error::Error;
pub use facts::Build;
pub use inspect::{Inspection, inspect};
