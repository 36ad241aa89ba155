//! Which kind of package a file is, decided from its content (DESIGN §1), never from its
//! extension: a ZIP with `AndroidManifest.xml` at the root is an APK, one with
//! `base/manifest/AndroidManifest.xml` an AAB, one with `Payload/<name>.app/` an IPA.
//! Only the central directory's names are read; each pipeline then reads the package
//! strictly itself. Shared by every command's dispatch.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// A package kind fuse handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageFormat {
    Apk,
    Aab,
    Ipa,
}

impl PackageFormat {
    /// The usual file extension (for default output names).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Apk => "apk",
            Self::Aab => "aab",
            Self::Ipa => "ipa",
        }
    }
}

/// Why a file is not a package fuse knows.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {} — {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is not a ZIP archive ({detail}) — expected an .apk, .aab or .ipa", path.display())]
    NotZip { path: PathBuf, detail: String },

    #[error("{} is a ZIP archive but not an app package — expected AndroidManifest.xml (APK), base/manifest/AndroidManifest.xml (AAB) or Payload/<App>.app/ (IPA)", path.display())]
    Unknown { path: PathBuf },
}

/// Classify entry names of a ZIP archive.
pub fn detect_from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<PackageFormat> {
    let (mut apk, mut aab, mut ipa) = (false, false, false);
    for name in names {
        apk |= name == "AndroidManifest.xml";
        aab |= name == "base/manifest/AndroidManifest.xml";
        ipa |= name
            .strip_prefix("Payload/")
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(app, _)| app.len() > 4 && app.ends_with(".app"));
    }
    // An APK wins over stray folders; bundles and IPAs have no root manifest.
    if apk {
        Some(PackageFormat::Apk)
    } else if aab {
        Some(PackageFormat::Aab)
    } else if ipa {
        Some(PackageFormat::Ipa)
    } else {
        None
    }
}

/// Detect the format of the package at `path` from its ZIP central directory.
pub fn detect(path: &Path) -> Result<PackageFormat, Error> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| Error::NotZip {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    detect_from_names(
        archive
            .file_names()
            .filter_map(Result::ok)
            .collect::<Vec<_>>()
            .iter()
            .map(|n| n.as_ref()),
    )
    .ok_or_else(|| Error::Unknown {
        path: path.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_kind_from_names() {
        assert_eq!(
            detect_from_names(["classes.dex", "AndroidManifest.xml"]),
            Some(PackageFormat::Apk)
        );
        assert_eq!(
            detect_from_names(["BundleConfig.pb", "base/manifest/AndroidManifest.xml"]),
            Some(PackageFormat::Aab)
        );
        assert_eq!(
            detect_from_names(["Payload/", "Payload/A.app/Info.plist"]),
            Some(PackageFormat::Ipa)
        );
        assert_eq!(detect_from_names(["Payload/.app/x", "README"]), None);
    }
}
