//! The *Certified Secure* report (DESIGN §9): the proof of what `fuse build` did, as a
//! signed JSON document and a PDF for people.
//!
//! | file | concept |
//! |---|---|
//! | `model.rs` | the JSON model, schema `fuse/certified-secure@1` |
//! | `build_id.rs` | the build id (`fusedAppToken`) derivation |
//! | `clock.rs` | report time from `SOURCE_DATE_EPOCH` or the clock; UTC calendar |
//! | `builder.rs` | the API the build pipelines fill in |
//! | `warnings.rs` | warnings derived from the facts |
//! | `canonical.rs` | canonical JSON (RFC 8785 subset) the signature covers |
//! | `signature.rs` | signing with the package key; checking with the certificate |
//! | `verify.rs` | `fuse verify APP --report R.json` |
//! | `write.rs` | file names and atomic writing of `.certified.json` / `.pdf` |
//! | `pdf/` | the PDF rendering |
//!
//! Field-by-field documentation: `docs/report-format.md`; JSON Schema: `docs/report.schema.json`.

mod build_id;
mod builder;
mod canonical;
mod clock;
mod error;
mod model;
pub mod pdf;
mod signature;
mod verify;
mod warnings;
mod write;

pub use build_id::{TokenSigner, fused_app_token, hex, sha256_hex};
pub use builder::{InputFacts, OutputFacts, ReportBuilder, SignerFacts, key_kind_of};
pub use canonical::{CanonicalError, parse_strict, to_canonical};
pub use clock::{Clock, rfc3339};
pub use error::{Error, Mismatch};
pub use model::*;
pub use signature::{
    ReportSigner, SignatureError, VerifiedSignature, algorithm_of, sign, signed_message,
    verify_bytes, verify_value,
};
pub use verify::{
    MAX_POLICY_BYTES, MAX_REPORT_BYTES, POLICY_PATH_AAB, POLICY_PATH_APK, PackageSigner,
    PackageView, VerifiedReport, read_policy, read_verified, sha256_file,
    verify_app_against_report, verify_report_bytes,
};
pub use warnings::PIN_EXPIRY_WARNING_DAYS;
pub use write::{
    ReportPaths, WriteOptions, report_paths, sign_and_write, to_json_bytes, write_report,
};
