//! Everything that can go wrong making, signing, writing or checking a report. Each
//! `Display` is the whole line after `error: `; exit codes are decided in `src/error.rs`.

use std::path::PathBuf;

/// One way an app and a report disagree (`fuse verify APP --report R.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The app file's SHA-256 is not the report's `output.sha256`.
    OutputSha256 { report: String, app: String },
    /// The app's signer certificate is not the report's `output.signer`.
    Signer { report: String, app: String },
    /// The SHA-256 of the app's embedded `policy.bin` is not the report's `policy.sha256`.
    PolicySha256 { report: String, app: String },
    /// The app carries no `policy.bin` at any of the known places.
    PolicyMissing,
    /// The report key is declared the package key, but its certificate is not the output signer's.
    ReportKeyNotPackageKey,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::OutputSha256 { report, app } => write!(
                f,
                "output SHA-256 differs (report {}, app {})",
                short(report),
                short(app)
            ),
            Self::Signer { report, app } => write!(
                f,
                "signer certificate differs (report {}, app {})",
                short(report),
                short(app)
            ),
            Self::PolicySha256 { report, app } => write!(
                f,
                "policy SHA-256 differs (report {}, app {})",
                short(report),
                short(app)
            ),
            Self::PolicyMissing => f.write_str("the app contains no fuse policy.bin"),
            Self::ReportKeyNotPackageKey => f.write_str(
                "the report claims to be signed by the package key but its certificate is not the output signer's",
            ),
        }
    }
}

/// Digests in one-line messages: enough to tell them apart, short enough to read.
fn short(hex: &str) -> String {
    if hex.len() > 16 && hex.is_ascii() {
        format!("{}…", hex.get(..16).unwrap_or(hex))
    } else {
        hex.to_string()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "SOURCE_DATE_EPOCH is not a valid time ({value:?}) — set it to whole seconds since 1970-01-01 UTC, e.g. $(git log -1 --format=%ct)"
    )]
    SourceDateEpoch { value: String },

    #[error(
        "report is incomplete: {missing} was not provided — this is a bug in the build pipeline"
    )]
    Incomplete { missing: &'static str },

    #[error("report facts disagree: {detail} — this is a bug in the build pipeline")]
    Inconsistent { detail: String },

    #[error("cannot sign the report — {detail}")]
    Sign { detail: String },

    #[error(
        "cannot sign the report with this key — {detail} (report signing supports RSA and EC P-256 keys)"
    )]
    UnsupportedKey { detail: String },

    #[error("{} is not a Certified Secure report — {detail}", path.display())]
    Malformed { path: PathBuf, detail: String },

    #[error("{} uses report schema {found:?} — this fuse reads fuse/certified-secure@1; use the fuse version that wrote it", path.display())]
    UnsupportedSchema { path: PathBuf, found: String },

    #[error("report signature of {} does not verify — {detail}", path.display())]
    SignatureInvalid { path: PathBuf, detail: String },

    #[error("{} is not the output {} certifies — {}", app.display(), report.display(), join(mismatches))]
    Mismatch {
        app: PathBuf,
        report: PathBuf,
        mismatches: Vec<Mismatch>,
    },

    #[error("cannot render the PDF report — {detail}")]
    Pdf { detail: String },

    #[error("cannot write report {} — {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot read {} — {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn join(mismatches: &[Mismatch]) -> String {
    mismatches
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
