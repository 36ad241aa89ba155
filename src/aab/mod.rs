//! Android App Bundles (`.aab`): the protobuf manifest, native targeting, module layout
//! and the fusion of the bridge, shim and policy into the base module (DESIGN §5).
//!
//! ```text
//! app.aab (ZIP)
//! ├── BundleConfig.pb                       kept as is
//! ├── BUNDLE-METADATA/…/code_transparency*  removed (it lists the old code's hashes)
//! ├── base/manifest/AndroidManifest.xml     aapt2 XmlNode + bridge provider   manifest.rs
//! ├── base/dex/classesN.dex                 + the bridge (next free N)        bundle.rs
//! ├── base/lib/<abi>/libfusepin.so          + the shim per ABI
//! ├── base/native.pb                        + targeting of new lib/<abi>      native.rs
//! ├── base/assets/fuse/policy.bin           + the policy blob
//! ├── <feature>/…                           kept; same ABI set
//! └── META-INF/MANIFEST.MF, *.SF, *.RSA|EC  JAR signature (re-signed)
//! ```
//! `fuse inspect` reads all of it back (`inspect.rs`).
//! Field numbers of every protobuf message live in `proto.rs`; edits are spliced at the
//! wire level (`wire.rs`) so unmodelled fields survive. Notes: `docs/aab.md`.

pub mod bundle;
pub mod error;
pub mod inspect;
pub mod manifest;
pub mod native;
pub mod pipeline;
pub mod plan;
pub mod proto;
pub mod sign;
pub mod wire;

pub use bundle::{Layout, Module};
pub use error::Error;
pub use manifest::Manifest;
pub use native::NativeConfig;
