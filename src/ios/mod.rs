//! iOS: fusing, re-signing, verifying and describing `.ipa` files (DESIGN §5).
//!
//! ```text
//! app.ipa ──archive──▶ temp tree ──bundle──▶ Payload/<App>.app + Info.plist + nested code
//!                                   │
//!           macho::add_shim_load ◀──┤ main executable: LC_LOAD_DYLIB libfusepin in every slice
//!           + Frameworks/libfusepin.dylib, fuse/policy.bin, embedded.mobileprovision
//!                                   │
//!           codesign (apple-codesign, in place, inside-out)
//!                                   │
//! app-fused.ipa ◀──archive (sorted, raw copies)── temp file ──seal/verify──▶ rename
//! ```
//! One concept per file: `archive` (ZIP in/out), `info_plist` (bounded plist),
//! `bundle` (app and nested bundles), `profile` (provisioning profiles), `codesign`
//! (apple-codesign driver), `seal` (our signature and CodeResources checks), `facts`
//! (what the CLI and the report consume), `pipeline` (the steps in order), `inspect`
//! (`fuse inspect`'s description).

pub mod archive;
pub mod bundle;
pub mod codesign;
mod error;
pub mod facts;
pub mod info_plist;
pub mod inspect;
pub mod pipeline;
pub mod profile;
pub mod seal;

pub use codesign::KeyMaterial;
pub use error::Error;
pub use facts::{EntryChange, IosFacts, IosOutcome, StepTimes};
pub use pipeline::{Payload, Request, inspect, process, verify};
