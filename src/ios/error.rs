//! Everything that can go wrong reading, changing, signing or verifying an IPA.

use std::path::PathBuf;

/// An IPA problem. `Display` is the whole user-facing line after `error: `; the exit code
/// is decided in `src/error.rs`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // ---- bad package (exit 3)
    #[error("{}: not a readable IPA ({detail}) — expected a ZIP archive with Payload/<App>.app/", path.display())]
    NotZip { path: PathBuf, detail: String },

    #[error(
        "IPA entry {name:?} is refused: {why} — the archive is corrupt or hostile; export it again"
    )]
    UnsafeEntry { name: String, why: String },

    #[error(
        "IPA has no Payload/<App>.app/ bundle — export the app as an .ipa (Xcode: Distribute App)"
    )]
    NoApp,

    #[error(
        "IPA holds {count} apps under Payload/ ({names}) — an IPA must contain exactly one .app"
    )]
    SeveralApps { count: usize, names: String },

    #[error("{path}: {detail} — the bundle's Info.plist is missing or malformed")]
    InfoPlist { path: String, detail: String },

    #[error(
        "{bundle}: CFBundleExecutable names {name:?}, which is not a file in the bundle — the bundle is incomplete"
    )]
    MissingExecutable { bundle: String, name: String },

    #[error(transparent)]
    MachO(#[from] crate::macho::Error),

    // ---- signing (exit 5)
    #[error("{}: {detail} — use the .mobileprovision file downloaded from the Apple Developer portal", path.display())]
    BadProfile { path: PathBuf, detail: String },

    #[error("provisioning profile {name:?} does not fit: {detail}")]
    ProfileMismatch { name: String, detail: String },

    #[error("{}: {detail} — pass an XML or binary plist dictionary of entitlements", path.display())]
    BadEntitlements { path: PathBuf, detail: String },

    #[error("code signing failed for {what}: {detail}")]
    Signing { what: String, detail: String },

    #[error(
        "the signing identity is unusable: {detail} — use a PKCS#12 with an RSA or EC P-256 key and its certificate"
    )]
    BadIdentity { detail: String },

    // ---- verification (exit 6)
    #[error("{what}: {detail}")]
    Verification { what: String, detail: String },

    // ---- usage (exit 2)
    #[error("{} already exists — pass --force to overwrite it or -o to choose another name", path.display())]
    OutputExists { path: PathBuf },

    // ---- anything else (exit 1)
    #[error("cannot {action} {} — {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn verification(what: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Verification {
            what: what.into(),
            detail: detail.into(),
        }
    }
}
