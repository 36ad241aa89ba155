//! Which kind of package a file is, from its content (DESIGN §1), never its extension:
//! the one question every command asks first. The rules live in
//! `crate::apk::detect::PackageKind`; this is the shared entry point the commands use.

use std::path::Path;

pub use crate::apk::detect::PackageKind;
use crate::zip::Archive;

/// Opens `path` with the strict ZIP reader and says what it is.
pub fn detect(path: &Path) -> Result<(Archive, PackageKind), crate::Error> {
    let archive = Archive::open(path).map_err(crate::apk::ApkError::Zip)?;
    let kind = match PackageKind::of(&archive) {
        // A bundle without its base manifest is still a bundle (BundleConfig.pb at the
        // root); the AAB reader then says exactly what is missing.
        PackageKind::Unknown if archive.entry(crate::aab::bundle::BUNDLE_CONFIG).is_some() => {
            PackageKind::Aab
        }
        kind => kind,
    };
    Ok((archive, kind))
}
