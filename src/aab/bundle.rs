//! The module layout of an app bundle and bundletool's rules about it.
//!
//! ```text
//! BundleConfig.pb                          required (MandatoryFilesPresenceValidator)
//! BUNDLE-METADATA/<namespace>/<file>       tool metadata, not a module
//! META-INF/…                               JAR signature, not a module
//! <module>/manifest/AndroidManifest.xml    required per module (protobuf XmlNode)
//! <module>/dex/classes.dex, classes2.dex…  consecutive (DexFilesValidator)
//! <module>/lib/<abi>/<name>.so | wrap.sh   same ABI set in every module with libs (AbiParityValidator)
//! <module>/assets/… res/… root/… apex/…
//! <module>/resources.pb assets.pb native.pb apex.pb runtime_enabled_sdk_config.pb
//! ```
//! Google's bundletool cannot be fetched here, so fuse applies the rules of bundletool's
//! validators itself (`com.android.tools.build.bundletool.validation`, release 1.18.1):
//! `BundleZipValidator`, `MandatoryFilesPresenceValidator`, `BundleModuleName`,
//! `BundleFilesValidator`, `DexFilesValidator`, `AbiParityValidator`; the manifest
//! (`ModuleNamesValidator`, hasCode) and `native.pb` rules are checked where those files
//! are decoded. On top, module folders that differ only in case are refused: they are
//! different modules to bundletool but collide on a case-insensitive file system and are
//! never produced by a build.

use std::collections::{BTreeMap, BTreeSet};

use super::error::{Error, Result};
use super::manifest::MANIFEST_PATH;
use super::proto::abi_alias;

pub const BUNDLE_CONFIG: &str = "BundleConfig.pb";
pub const METADATA_DIR: &str = "BUNDLE-METADATA";
pub const BASE: &str = "base";
/// bundletool's `BundleFilesValidator.RESERVED_ROOT_APK_ENTRIES` (plus `classes*.dex`).
const RESERVED_ROOT: [&str; 6] = [
    "lib",
    "res",
    "AndroidManifest.xml",
    "resources.arsc",
    "manifest",
    "resources.pb",
];
const SPECIAL_FILES: [&str; 5] = [
    "resources.pb",
    "assets.pb",
    "native.pb",
    "apex.pb",
    "runtime_enabled_sdk_config.pb",
];
const FIX: &str = "rebuild the bundle with the Android Gradle Plugin or bundletool";

/// What fuse needs to know about one module.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Module {
    pub name: String,
    /// `dex/` file names, in index order (`classes.dex`, `classes2.dex`, …).
    pub dex: Vec<String>,
    /// Non-empty `lib/<dir>` directory names (the ABIs).
    pub abis: BTreeSet<String>,
    pub has_native_pb: bool,
    #[serde(skip)]
    pub has_manifest: bool,
    pub entries: usize,
}

impl Module {
    /// `lib/<abi>` paths relative to the module, for `native.pb` checks.
    pub fn lib_dirs(&self) -> BTreeSet<String> {
        self.abis.iter().map(|a| format!("lib/{a}")).collect()
    }

    /// The name of the next dex file: `classes{N+1}.dex`.
    pub fn next_dex(&self) -> String {
        match self.dex.len() {
            0 => "classes.dex".to_owned(),
            n => format!("classes{}.dex", n + 1),
        }
    }

    pub fn path(&self, relative: &str) -> String {
        format!("{}/{relative}", self.name)
    }
}

/// The modules of a bundle, by name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Layout {
    pub modules: BTreeMap<String, Module>,
}

fn dex_index(file: &str) -> Option<u32> {
    let digits = file.strip_prefix("classes")?.strip_suffix(".dex")?;
    if digits.is_empty() {
        return Some(1);
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // classes0.dex / classes1.dex parse but are never valid: reported by the sequence check.
    digits.parse().ok().or(Some(u32::MAX))
}

fn valid_module_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Layout {
    /// Reads the layout from the entry names of the bundle ZIP and checks bundletool's
    /// name-level rules.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self> {
        let mut modules: BTreeMap<String, Module> = BTreeMap::new();
        let mut dex_files: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
        let mut has_config = false;
        for name in names {
            if name.ends_with('/') {
                return Err(Error::layout(
                    format!(
                        "has a directory entry {name:?} (bundletool's BundleZipValidator refuses directory entries)"
                    ),
                    FIX,
                ));
            }
            let Some((top, rest)) = name.split_once('/') else {
                has_config |= name == BUNDLE_CONFIG;
                continue; // Other root files are kept as they are.
            };
            if top == METADATA_DIR || top == "META-INF" {
                continue;
            }
            if !valid_module_name(top) {
                return Err(Error::layout(
                    format!(
                        "has a module folder {top:?}, which is not a valid module name (letters, digits and _ only, starting with a letter)"
                    ),
                    FIX,
                ));
            }
            let module = modules.entry(top.to_owned()).or_insert_with(|| Module {
                name: top.to_owned(),
                ..Module::default()
            });
            module.entries += 1;
            check_module_file(top, rest)?;
            if let Some(file) = rest.strip_prefix("dex/") {
                if let Some(i) = dex_index(file) {
                    dex_files
                        .entry(top.to_owned())
                        .or_default()
                        .push((i, file.to_owned()));
                }
            } else if let Some(lib) = rest.strip_prefix("lib/") {
                if let Some((abi, _)) = lib.split_once('/') {
                    module.abis.insert(abi.to_owned());
                }
            } else if rest == super::native::NATIVE_PATH {
                module.has_native_pb = true;
            } else if rest == MANIFEST_PATH {
                module.has_manifest = true;
            }
        }
        if !has_config {
            return Err(Error::layout(
                format!("has no {BUNDLE_CONFIG} at its root, so it is not an Android App Bundle"),
                "pass the .aab that the Android Gradle Plugin or bundletool built",
            ));
        }
        let mut folded: BTreeMap<String, &str> = BTreeMap::new();
        for name in modules.keys() {
            if let Some(other) = folded.insert(name.to_ascii_lowercase(), name) {
                return Err(Error::layout(
                    format!(
                        "has modules {other:?} and {name:?}, which differ only in case (duplicate modules)"
                    ),
                    "keep one of them; no build tool writes both",
                ));
            }
        }
        if !modules.contains_key(BASE) {
            return Err(Error::layout(
                format!("has no base module ({BASE}/{MANIFEST_PATH} is missing)"),
                "pass a complete app bundle; fuse adds its protection to the base module",
            ));
        }
        if let Some(m) = modules.values().find(|m| !m.has_manifest) {
            return Err(Error::layout(
                format!(
                    "module {:?} has no {}/{MANIFEST_PATH} (bundletool's MandatoryFilesPresenceValidator: every module needs its manifest)",
                    m.name, m.name
                ),
                FIX,
            ));
        }
        for (name, mut files) in dex_files {
            files.sort();
            for (expected, (_, file)) in (1..).zip(&files) {
                let want = if expected == 1 {
                    "classes.dex".to_owned()
                } else {
                    format!("classes{expected}.dex")
                };
                if *file != want {
                    return Err(Error::layout(
                        format!(
                            "module {name:?} has dex files that are not consecutive: expected {want} but found {file} (bundletool's DexFilesValidator)"
                        ),
                        FIX,
                    ));
                }
            }
            if let Some(m) = modules.get_mut(&name) {
                m.dex = files.into_iter().map(|(_, f)| f).collect();
            }
        }
        let layout = Self { modules };
        layout.common_abis()?;
        Ok(layout)
    }

    pub fn base(&self) -> Option<&Module> {
        self.modules.get(BASE)
    }

    /// The ABI set every module with native code ships (bundletool's AbiParityValidator:
    /// all must agree); `None` when no module has native code.
    pub fn common_abis(&self) -> Result<Option<&BTreeSet<String>>> {
        let mut with_libs = self.modules.values().filter(|m| !m.abis.is_empty());
        let Some(first) = with_libs.next() else {
            return Ok(None);
        };
        if let Some(other) = with_libs.find(|m| m.abis != first.abis) {
            return Err(Error::layout(
                format!(
                    "modules {:?} and {:?} ship native code for different ABIs ({} vs {}); bundletool's AbiParityValidator requires the same set",
                    first.name,
                    other.name,
                    join(&first.abis),
                    join(&other.abis)
                ),
                "build every module for the same ABIs",
            ));
        }
        Ok(Some(&first.abis))
    }
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// bundletool's `BundleFilesValidator.validateModuleFile` for `<module>/<rest>`.
fn check_module_file(module: &str, rest: &str) -> Result<()> {
    let parts: Vec<&str> = rest.split('/').collect();
    let file = parts.last().copied().unwrap_or_default();
    let bad = |why: String| {
        Err(Error::layout(
            format!("entry {module}/{rest} {why} (bundletool's BundleFilesValidator)"),
            FIX,
        ))
    };
    match parts.as_slice() {
        [special] if SPECIAL_FILES.contains(special) => Ok(()),
        ["assets", ..] | ["res", ..] => Ok(()),
        ["dex", ..] => {
            if parts.len() != 2 {
                return bad("is in a folder under dex/, which may not have folders".into());
            }
            if dex_index(file).is_none() {
                return bad("does not match the classes[0-9]*.dex pattern".into());
            }
            Ok(())
        }
        ["lib", abi, ..] => {
            if parts.len() != 3 {
                return bad("is not of the form lib/<abi>/<file>.so".into());
            }
            if !file.ends_with(".so") && file != "wrap.sh" {
                return bad("is not a .so file".into());
            }
            if abi_alias::of_dir(abi).is_none() {
                return bad(format!("is in lib/{abi}, which is not an ABI bundletool knows"));
            }
            Ok(())
        }
        ["manifest", ..] => {
            if rest != MANIFEST_PATH {
                return bad(format!("is not {MANIFEST_PATH}, the only file allowed under manifest/"));
            }
            Ok(())
        }
        ["root", first, ..] => {
            if RESERVED_ROOT.contains(first) || dex_index(first).is_some() {
                return bad(format!("uses the reserved APK name {first:?}"));
            }
            Ok(())
        }
        ["apex", ..] => {
            if parts.len() != 2 {
                return bad("is not of the form apex/<file>.img".into());
            }
            Ok(())
        }
        _ => bad("is outside the folders a module may have (manifest, dex, lib, res, assets, root, apex)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: [&str; 9] = [
        "BundleConfig.pb",
        "base/manifest/AndroidManifest.xml",
        "base/dex/classes.dex",
        "base/dex/classes2.dex",
        "base/lib/arm64-v8a/liba.so",
        "base/resources.pb",
        "feature/manifest/AndroidManifest.xml",
        "feature/lib/arm64-v8a/libb.so",
        "BUNDLE-METADATA/com.android.tools.build.obfuscation/proguard.map",
    ];

    fn layout(names: &[&str]) -> Result<Layout> {
        Layout::from_names(names.iter().copied())
    }

    fn err(names: &[&str]) -> String {
        layout(names).unwrap_err().to_string()
    }

    fn with(extra: &[&str]) -> Vec<&'static str> {
        let mut v: Vec<&str> = VALID.to_vec();
        v.extend(
            extra
                .iter()
                .map(|s| -> &'static str { Box::leak(s.to_string().into_boxed_str()) }),
        );
        v
    }

    #[test]
    fn a_valid_layout() {
        let l = layout(&VALID).unwrap();
        let base = l.base().unwrap();
        assert_eq!(base.dex, ["classes.dex", "classes2.dex"]);
        assert_eq!(base.next_dex(), "classes3.dex");
        assert_eq!(l.modules["feature"].next_dex(), "classes.dex");
        assert_eq!(
            l.common_abis().unwrap().unwrap().iter().collect::<Vec<_>>(),
            ["arm64-v8a"]
        );
        assert_eq!(l.modules.len(), 2);
    }

    #[test]
    fn bundletool_rules_are_enforced() {
        let cases: [(&[&str], &str); 10] = [
            (
                &["base/dex/classes4.dex"],
                "expected classes3.dex but found classes4.dex",
            ),
            (&["base/dex/classes1.dex"], "not consecutive"),
            (&["feature/lib/x86/libc.so"], "different ABIs"),
            (
                &["Base/manifest/AndroidManifest.xml"],
                "differ only in case",
            ),
            (&["base/lib/arm64/x.so"], "not an ABI bundletool knows"),
            (&["base/dex/sub/classes.dex"], "may not have folders"),
            (&["base/other/x"], "outside the folders"),
            (&["base/root/classes.dex"], "reserved APK name"),
            (&["base/assets/"], "directory entry"),
            (
                &["bad-name/manifest/AndroidManifest.xml"],
                "not a valid module name",
            ),
        ];
        for (extra, want) in cases {
            let e = err(&with(extra));
            assert!(e.contains(want), "{extra:?}: {e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn base_and_config_are_required() {
        assert!(
            err(&["BundleConfig.pb", "feature/manifest/AndroidManifest.xml"])
                .contains("no base module")
        );
        assert!(err(&["base/manifest/AndroidManifest.xml"]).contains("no BundleConfig.pb"));
        let e = err(&["BundleConfig.pb", "base/dex/classes.dex"]);
        assert!(
            e.contains("module \"base\" has no base/manifest/AndroidManifest.xml"),
            "{e}"
        );
    }

    #[test]
    fn dex_gaps_in_a_feature_module_count_too() {
        let e = err(&with(&["feature/dex/classes2.dex"]));
        assert!(e.contains("\"feature\""), "{e}");
    }
}
