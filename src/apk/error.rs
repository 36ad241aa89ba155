//! APK signing and verification failures, one line each.

use crate::zip::ZipError;

/// An APK-level problem. `Display` is the whole user-facing line after `error: `.
#[derive(Debug, thiserror::Error)]
pub enum ApkError {
    /// The container itself is malformed (exit 3).
    #[error(transparent)]
    Zip(#[from] ZipError),

    /// A well-formed ZIP that is not a usable APK (exit 3).
    #[error("{what} — {why}")]
    NotAnApk { what: String, why: String },

    /// The binary manifest cannot be read (exit 3).
    #[error(transparent)]
    Manifest(#[from] crate::axml::Error),

    /// The input is an app bundle or an iOS app: recognised, not handled by this command yet (exit 1).
    #[error(
        "{path}: {format} input is not supported by `fuse {command}` yet — only APKs can be {command}ed for now"
    )]
    UnsupportedFormat {
        path: String,
        format: &'static str,
        command: &'static str,
    },

    /// The key cannot sign this APK the way Android needs (exit 5).
    #[error("cannot sign with this key — {0}")]
    Key(String),

    /// A signature check failed (exit 6). `check` names it.
    #[error("verification failed: {check} — {why}")]
    Verify { check: String, why: String },

    /// Writing the output failed (exit 1).
    #[error("cannot write {path} — {source}")]
    Output {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// The output exists and --force was not given (exit 1).
    #[error("{0} already exists — pass --force to overwrite it, or choose another path with -o")]
    OutputExists(String),
}

impl ApkError {
    pub(crate) fn verify(check: impl Into<String>, why: impl Into<String>) -> Self {
        Self::Verify {
            check: check.into(),
            why: why.into(),
        }
    }
    pub(crate) fn not_apk(what: impl Into<String>, why: impl Into<String>) -> Self {
        Self::NotAnApk {
            what: what.into(),
            why: why.into(),
        }
    }
}
