//! Fusion sets: the JSON a user writes (DESIGN §2), strict validation with JSON paths,
//! and compilation to the policy the shim enforces.
//!
//! ```text
//! file bytes ──► json::parse ──► validate ──► FusionSet ──► to_policy ──► fuse_policy::Policy
//!  (≤ 1 MiB,      (UTF-8, depth,   (every problem   (normalised,   (compile.rs)
//!   read first)    duplicates kept) with its path)   + warnings)
//! ```
//!
//! Expiry ("expired", "within 30 days") is judged against `SOURCE_DATE_EPOCH` when it
//! is set, else the system clock; [`load_at`] and [`parse`] take the time explicitly.

mod compile;
mod date;
mod dialog;
mod error;
mod host;
mod json;
mod model;
mod pin;
mod problem;
mod reader;
mod starter;
mod validate;

use std::io::Read as _;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use compile::{DEFAULT_TITLE, default_message};
pub use date::Date;
pub use error::Error;
pub use host::Host;
pub use json::MAX_DEPTH;
pub use model::{
    Action, Button, ButtonAction, CertificatePinning, Domain, Enforce, FusionSet, Localized, Stage,
    ThreatEvents,
};
pub use pin::Pin;
pub use problem::{Problem, Warning, WarningCode};
pub use reader::COMMENT_PREFIX;
pub use starter::{PLACEHOLDER_PINS, starter, write as write_starter};
pub use validate::{EXPIRY_WARNING_SECONDS, PRODUCTION_MIN_VALIDITY_SECONDS};

/// Larger files are refused before parsing: a real fusion set is a few KiB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Read and validate the fusion set at `path`, judging expiry by [`now_unix`].
pub fn load(path: &Path) -> Result<FusionSet, Error> {
    load_at(path, now_unix()?)
}

/// [`load`] with an explicit "now" (seconds since the Unix epoch).
pub fn load_at(path: &Path, now_unix: i64) -> Result<FusionSet, Error> {
    let file_name = path.display().to_string();
    let read_err = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if meta.is_dir() {
        return Err(read_err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(file_name, meta.len()));
    }
    // The size can change under us (or the file is a pipe): never read past the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or_default());
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(file_name, bytes.len() as u64));
    }
    parse(&bytes, &file_name, now_unix)
}

fn too_large(file: String, size: u64) -> Error {
    Error::Invalid {
        file,
        problems: vec![Problem {
            path: "$".into(),
            message: format!(
                "the file is {size} bytes; a fusion set may be at most {MAX_FILE_BYTES} bytes (1 MiB)"
            ),
        }],
        warnings: Vec::new(),
    }
}

/// Validate fusion-set `bytes`; `file` names them in messages.
pub fn parse(bytes: &[u8], file: &str, now_unix: i64) -> Result<FusionSet, Error> {
    let root = json::parse(bytes).map_err(|message| Error::Invalid {
        file: file.to_owned(),
        problems: vec![Problem {
            path: "$".into(),
            message,
        }],
        warnings: Vec::new(),
    })?;
    let (validated, problems, warnings) = validate::validate(&root, now_unix);
    match validated {
        Some(v) if problems.is_empty() => Ok(FusionSet {
            fusion_set_id: v.id,
            name: v.name,
            stage: v.stage,
            certificate_pinning: v.pinning,
            sha256: Sha256::digest(bytes).into(),
            warnings,
        }),
        _ => Err(Error::Invalid {
            file: file.to_owned(),
            problems,
            warnings,
        }),
    }
}

/// The time expiry is judged by: `SOURCE_DATE_EPOCH` when set, else the system clock.
pub fn now_unix() -> Result<i64, Error> {
    date::now_unix().map_err(|value| Error::SourceDateEpoch { value })
}
