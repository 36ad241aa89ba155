//! The one place where failures become exit codes (DESIGN §1).
//!
//! Every module has its own error enum; this file gathers them into [`Error`] and maps
//! each to an [`ExitStatus`]. A module error's `Display` is the whole user-facing line
//! after `error: ` — `<what> — <why/how to fix>` — so the CLI never adds detail or
//! prints a chain.

use std::path::PathBuf;

/// Process exit codes. Stable: CI pipelines branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ExitStatus {
    Ok = 0,
    /// Anything not covered below (I/O, internal errors).
    Failure = 1,
    /// Wrong command-line usage.
    Usage = 2,
    /// The input package is malformed, hostile or of the wrong kind.
    BadPackage = 3,
    /// The fusion set is invalid.
    BadFusionSet = 4,
    /// Keys, keystores, passwords, signing.
    Signing = 5,
    /// A signature, digest or report check failed.
    Verification = 6,
}

impl ExitStatus {
    pub const fn code(self) -> u8 {
        self as u8
    }
}

/// Every failure the library reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Command-line usage the argument parser cannot catch (e.g. mutually dependent flags).
    #[error("{what} — {fix}")]
    Usage { what: String, fix: String },

    /// APK container, signing and verification (src/zip, src/apk).
    #[error(transparent)]
    Apk(#[from] crate::apk::ApkError),
    /// Making, signing, writing or checking a Certified Secure report.
    #[error(transparent)]
    Report(#[from] crate::report::Error),

    /// File-system trouble outside any format parser.
    #[error("cannot {action} {} — {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Fusion-set reading, validation and `fusion-set init` (src/fusion_set/).
    #[error(transparent)]
    FusionSet(#[from] crate::fusion_set::Error),

    /// `fuse pin` (src/pin/).
    #[error(transparent)]
    Pin(#[from] crate::pin::Error),
    /// Malformed or unpatchable binary XML (AndroidManifest.xml).
    #[error(transparent)]
    Axml(#[from] crate::axml::Error),

    /// Keys, keystores, passwords, signing (src/keys/).
    #[error(transparent)]
    Keys(#[from] crate::keys::Error),
    /// APK fusion: `fuse build` / `fuse inspect` for APKs (src/android/).
    #[error(transparent)]
    Android(#[from] crate::android::Error),

    /// Malformed app bundle: protobuf files, manifest, module layout.
    #[error(transparent)]
    Aab(#[from] crate::aab::Error),

    /// A Mach-O binary fuse cannot change (malformed, encrypted, no header room).
    #[error(transparent)]
    MachO(#[from] crate::macho::Error),

    /// IPA reading, bundle, signing and verification problems.
    #[error(transparent)]
    Ios(#[from] crate::ios::Error),
}

impl Error {
    /// The exit code of this failure: the single mapping the CLI uses.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Usage { .. } => ExitStatus::Usage,
            Self::Io { .. } => ExitStatus::Failure,
            Self::Apk(e) => apk_exit_status(e),
            Self::FusionSet(e) => {
                use crate::fusion_set::Error as E;
                match e {
                    // The fusion set given is missing, unreadable or invalid.
                    E::Read { .. } | E::Invalid { .. } => ExitStatus::BadFusionSet,
                    // `init` would overwrite a file: add --force.
                    E::OutputExists { .. } => ExitStatus::Usage,
                    E::SourceDateEpoch { .. } | E::Write { .. } => ExitStatus::Failure,
                }
            }
            Self::Pin(e) => {
                use crate::pin::Error as E;
                match e {
                    // The certificate input is missing, unreadable or not certificates.
                    E::Read { .. } | E::Malformed { .. } => ExitStatus::BadPackage,
                    E::BadTarget { .. } => ExitStatus::Usage,
                    E::Resolve { .. } | E::Connect { .. } | E::Timeout { .. } | E::Tls { .. } => {
                        ExitStatus::Failure
                    }
                }
            }
            Self::Axml(_) => ExitStatus::BadPackage,
            Self::Keys(
                crate::keys::Error::BadPasswordSpec { .. } | crate::keys::Error::Usage { .. },
            ) => ExitStatus::Usage,
            Self::Keys(_) => ExitStatus::Signing,
            Self::Android(e) => android_exit_status(e),
            Self::Report(e) => {
                use crate::report::Error as R;
                match e {
                    R::Malformed { .. }
                    | R::UnsupportedSchema { .. }
                    | R::SignatureInvalid { .. }
                    | R::Mismatch { .. } => ExitStatus::Verification,
                    R::Sign { .. } | R::UnsupportedKey { .. } => ExitStatus::Signing,
                    R::SourceDateEpoch { .. } => ExitStatus::Usage,
                    R::Incomplete { .. }
                    | R::Inconsistent { .. }
                    | R::Pdf { .. }
                    | R::Write { .. }
                    | R::Read { .. } => ExitStatus::Failure,
                }
            }
            Self::Aab(_) => ExitStatus::BadPackage,
            Self::MachO(_) => ExitStatus::BadPackage,
            Self::Ios(e) => {
                use crate::ios::Error as E;
                match e {
                    E::NotZip { .. }
                    | E::UnsafeEntry { .. }
                    | E::NoApp
                    | E::SeveralApps { .. }
                    | E::InfoPlist { .. }
                    | E::MissingExecutable { .. }
                    | E::MachO(_) => ExitStatus::BadPackage,
                    E::BadProfile { .. }
                    | E::ProfileMismatch { .. }
                    | E::BadEntitlements { .. }
                    | E::Signing { .. }
                    | E::BadIdentity { .. } => ExitStatus::Signing,
                    E::Verification { .. } => ExitStatus::Verification,
                    E::OutputExists { .. } => ExitStatus::Usage,
                    E::Io { .. } => ExitStatus::Failure,
                }
            }
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// Container/signing problems as for `fuse sign`; a package fusion cannot take → 3;
/// already fused by another fusion set → 2 (the fix is `--replace`).
fn android_exit_status(e: &crate::android::Error) -> ExitStatus {
    use crate::android::Error as E;
    match e {
        E::Apk(a) => apk_exit_status(a),
        E::Manifest { .. }
        | E::NotAnApk { .. }
        | E::DexSet { .. }
        | E::UnsupportedAbi { .. }
        | E::HasNoCode { .. }
        | E::Inconsistent { .. } => ExitStatus::BadPackage,
        E::FusedByOther { .. } => ExitStatus::Usage,
    }
}

/// Bad ZIP/APK → 3, key → 5, verification → 6, the rest (I/O, not yet supported) → 1.
fn apk_exit_status(e: &crate::apk::ApkError) -> ExitStatus {
    use crate::apk::ApkError as A;
    use crate::zip::ZipError as Z;
    match e {
        A::Zip(Z::Malformed { .. }) | A::NotAnApk { .. } | A::Manifest(_) => ExitStatus::BadPackage,
        A::Zip(Z::Io { .. } | Z::Write(_) | Z::Unwritable { .. }) => ExitStatus::Failure,
        A::UnsupportedFormat { .. } | A::Output { .. } | A::OutputExists(_) => ExitStatus::Failure,
        A::Key(_) => ExitStatus::Signing,
        A::Verify { .. } => ExitStatus::Verification,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_match_the_design_table() {
        let table = [
            (ExitStatus::Ok, 0),
            (ExitStatus::Failure, 1),
            (ExitStatus::Usage, 2),
            (ExitStatus::BadPackage, 3),
            (ExitStatus::BadFusionSet, 4),
            (ExitStatus::Signing, 5),
            (ExitStatus::Verification, 6),
        ];
        for (status, code) in table {
            assert_eq!(status.code(), code, "{status:?}");
        }
    }

    #[test]
    fn fusion_set_and_pin_errors_map_to_their_documented_codes() {
        use crate::{fusion_set, pin};
        let invalid = Error::from(fusion_set::Error::Invalid {
            file: "fs.json".into(),
            problems: Vec::new(),
            warnings: Vec::new(),
        });
        assert_eq!(invalid.exit_status(), ExitStatus::BadFusionSet);
        let exists = Error::from(fusion_set::Error::OutputExists {
            path: "fs.json".into(),
        });
        assert_eq!(exists.exit_status(), ExitStatus::Usage);
        let malformed = Error::from(pin::Error::Malformed {
            file: "c.pem".into(),
            why: "empty file".into(),
        });
        assert_eq!(malformed.exit_status(), ExitStatus::BadPackage);
        assert_eq!(malformed.to_string(), "c.pem: empty file");
        let tls = Error::from(pin::Error::Tls {
            target: "h:443".into(),
            why: "x".into(),
        });
        assert_eq!(tls.exit_status(), ExitStatus::Failure);
    }
}
