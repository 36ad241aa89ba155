//! Everything the APK pipeline (`fuse build`, `fuse inspect`) can refuse, one line each.
//!
//! Container, signing and verification failures come from `crate::apk` / `crate::zip`
//! unchanged (their exit codes are decided in `src/error.rs`); this enum adds what only
//! fusion can get wrong: the dex set, the ABIs, a previous fusion, the kind of package.

use crate::apk::ApkError;

/// A failure of the Android pipeline. `Display` is the whole line after `error: `.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// ZIP structure, signing, self-verification, output file (exit code per `ApkError`).
    #[error(transparent)]
    Apk(#[from] ApkError),

    /// The binary manifest cannot be read or patched (exit 3).
    #[error("{path}: AndroidManifest.xml: {problem}")]
    Manifest {
        path: String,
        /// Its `Display` is already a whole line; kept out of the source chain so the
        /// CLI does not print it twice.
        problem: crate::axml::Error,
    },

    /// A ZIP that is an app bundle or an iOS app, handed to the APK pipeline (exit 3).
    #[error("{path} is {format}, not an APK — {hint}")]
    NotAnApk {
        path: String,
        format: &'static str,
        hint: &'static str,
    },

    /// `classes.dex, classes2.dex, …` broken: gaps, odd names, not DEX files (exit 3).
    #[error("{path}: {what} — {why}")]
    DexSet {
        path: String,
        what: String,
        why: String,
    },

    /// Native code for an ABI fuse has no shim for (exit 3).
    #[error(
        "{path}: the app ships native code for {abi} (lib/{abi}/), and fuse has no shim for it (it has {supported}) — {fix}"
    )]
    UnsupportedAbi {
        path: String,
        abi: String,
        supported: String,
        fix: &'static str,
    },

    /// `android:hasCode="false"`: the platform would never load the bridge (exit 3).
    #[error(
        "{path}: <application android:hasCode=\"false\"> — the platform loads no code for this app, so the bridge could never run; fuse protects apps that have code"
    )]
    HasNoCode { path: String },

    /// Parts of a previous fusion without the rest, or an app's own file where fuse's
    /// would go (exit 3).
    #[error("{path}: {what} — {why}")]
    Inconsistent {
        path: String,
        what: String,
        why: String,
    },

    /// Already fused with another fusion set and `--replace` not given (exit 2).
    #[error(
        "{path} is already fused with fusion set {existing} — pass --replace to replace that fusion with {new}, or start from the unfused app"
    )]
    FusedByOther {
        path: String,
        existing: String,
        new: String,
    },
}

impl Error {
    pub(crate) fn dex(path: &str, what: impl Into<String>, why: impl Into<String>) -> Self {
        Self::DexSet {
            path: path.to_owned(),
            what: what.into(),
            why: why.into(),
        }
    }

    pub(crate) fn inconsistent(
        path: &str,
        what: impl Into<String>,
        why: impl Into<String>,
    ) -> Self {
        Self::Inconsistent {
            path: path.to_owned(),
            what: what.into(),
            why: why.into(),
        }
    }
}
