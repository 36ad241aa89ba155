//! APK signing: v1 (JAR), v2 and v3 exactly as apksigner writes them, and the verifier.
//!
//! ```text
//! [entries][v1: META-INF/<N>.SF, <N>.RSA|EC, MANIFEST.MF][pad][APK Signing Block][CD][EOCD]
//!                                                         └ v2 0x7109871a, v3 0xf05368c0, padding
//! ```
//! `signer::write_signed` is the one entry point for producing a signed APK (used by
//! `fuse sign` and, with a non-empty [`Plan`], by `fuse build`); `verify::verify` checks
//! one. Byte layouts live in each scheme's file; apksig behaviours we match are listed
//! in `docs/quirks.md`.

pub mod algorithm;
pub mod detect;
pub mod digest;
pub mod error;
pub mod identity;
pub mod min_sdk;
pub mod observed;
pub mod sign_file;
pub mod signer;
pub mod signing_block;
pub mod stream;
pub mod v1;
pub mod v2;
pub mod v3;
pub mod verify;

pub use algorithm::SignatureAlgorithm;
pub use detect::PackageKind;
pub use digest::Hash;
pub use error::ApkError;
pub use sign_file::{
    SignedFile, default_output, open_apk, require_apk, sign_file, sign_file_checked,
};
pub use signer::{
    Change, EntryChange, InputDigest, KeyKind, LateEntries, NewEntry, NoProgress, Plan, Progress,
    Scheme, SignOptions, SignedApk, SigningKey, write_observed, write_signed,
};
pub use verify::{Verified, verify, verify_observed};
