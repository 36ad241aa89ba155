//! Step 1, read: the input opened strictly and the facts fusion depends on.
//!
//! ```text
//! app.apk ── zip::Archive (strict; central directory only in memory)
//!         ├─ kind from content: AndroidManifest.xml at the root = APK (AAB, IPA refused)
//!         ├─ AndroidManifest.xml ── axml::Document ── ManifestFacts (+ hasCode)
//!         ├─ classes.dex, classes2.dex, … ── DexSet (consecutive, DEX headers checked)
//!         └─ lib/<abi>/…  ── shipped ABIs
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use super::abi;
use super::dex::{self, DexSet};
use super::error::Error;
use super::previous::{self, PreviousFusion};
use crate::apk::PackageKind;
use crate::axml::{AttrName, Document, ManifestFacts};
use crate::zip::Archive;

/// Largest `AndroidManifest.xml` read (real ones are a few hundred KiB at most).
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;
const HAS_CODE: u32 = 0x0101_000c;

/// An opened APK and what fuse learned from it.
#[derive(Debug)]
pub struct App {
    pub archive: Archive,
    /// The input path as given, for messages.
    pub display: String,
    pub manifest_bytes: Vec<u8>,
    pub manifest_stored: bool,
    pub facts: ManifestFacts,
    pub has_code: bool,
    pub dex: DexSet,
}

impl App {
    /// Opens `path` and reads its manifest and dex set. Refuses anything but an APK.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let archive = Archive::open(path).map_err(|z| Error::Apk(z.into()))?;
        Self::from_archive(archive)
    }

    /// [`App::open`] for an archive already opened (e.g. to detect its kind first).
    pub fn from_archive(archive: Archive) -> Result<Self, Error> {
        let display = archive.path().display().to_string();
        match PackageKind::of(&archive) {
            PackageKind::Apk => {}
            PackageKind::Aab => {
                return Err(Error::NotAnApk {
                    path: display,
                    format: "an Android App Bundle (AAB)",
                    hint: "bundles are fused by `fuse build` through its AAB pipeline, not the APK one; or fuse the APKs `bundletool build-apks` makes from it",
                });
            }
            PackageKind::Ipa => {
                return Err(Error::NotAnApk {
                    path: display,
                    format: "an iOS app (IPA)",
                    hint: "iOS apps are fused by `fuse build` through its IPA pipeline, not the APK one",
                });
            }
            PackageKind::Unknown => {
                return Err(Error::NotAnApk {
                    path: display,
                    format: "a ZIP archive without AndroidManifest.xml at its root",
                    hint: "give the .apk the Android build produced",
                });
            }
        }
        let entry = archive
            .entry("AndroidManifest.xml")
            .ok_or_else(|| Error::inconsistent(&display, "AndroidManifest.xml", "missing"))?;
        let manifest_stored = entry.is_stored();
        let manifest_bytes = archive
            .read_entry(entry, MAX_MANIFEST_BYTES)
            .map_err(|z| Error::Apk(z.into()))?;
        let manifest_err = |problem| Error::Manifest {
            path: display.clone(),
            problem,
        };
        let doc = Document::decode(&manifest_bytes).map_err(manifest_err)?;
        let facts = crate::axml::read_facts(&doc).map_err(manifest_err)?;
        let has_code = has_code(&doc);
        let dex = dex::read_set(&archive, &display)?;
        Ok(Self {
            archive,
            display,
            manifest_bytes,
            manifest_stored,
            facts,
            has_code,
            dex,
        })
    }

    /// A previous fusion in this app, if any (refuses a partial one).
    pub fn previous(&self) -> Result<Option<PreviousFusion>, Error> {
        previous::detect(&self.archive, &self.facts, &self.dex, &self.display)
    }

    /// ABIs the app itself ships native code for (fuse's own shims of a previous
    /// fusion do not count).
    pub fn shipped_abis(&self, previously_fused: bool) -> BTreeSet<String> {
        abi::shipped(&self.archive, previously_fused)
    }
}

/// `<application android:hasCode>`; absent = true. A non-boolean value is left to the
/// platform's reading (anything non-zero is true).
fn has_code(doc: &Document) -> bool {
    let Some(root) = doc.root() else {
        return true;
    };
    let Some(&app) = doc.children_named(root, "application").first() else {
        return true;
    };
    match doc.attribute(app, &AttrName::android("hasCode", HAS_CODE)) {
        Some((_, a)) => match a.value.typed() {
            crate::axml::value::Typed::Boolean(b) => b,
            crate::axml::value::Typed::String(_) => doc.attribute_text(a) != Some("false"),
            _ => true,
        },
        None => true,
    }
}
