//! Which kind of package a file is, from its content (DESIGN §1), never its extension.

use crate::zip::Archive;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageKind {
    Apk,
    Aab,
    Ipa,
    /// A valid ZIP that is none of the three.
    Unknown,
}

impl PackageKind {
    pub fn of(archive: &Archive) -> Self {
        if archive.entry("AndroidManifest.xml").is_some() {
            return Self::Apk;
        }
        if archive.entry("base/manifest/AndroidManifest.xml").is_some() {
            return Self::Aab;
        }
        let is_app_dir = |name: &str| {
            name.strip_prefix("Payload/")
                .and_then(|rest| rest.split_once('/'))
                .is_some_and(|(dir, _)| dir.ends_with(".app"))
        };
        if archive.entries().iter().any(|e| is_app_dir(&e.name)) {
            return Self::Ipa;
        }
        Self::Unknown
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Apk => "APK",
            Self::Aab => "Android App Bundle (AAB)",
            Self::Ipa => "iOS app (IPA)",
            Self::Unknown => "unknown",
        }
    }
}
