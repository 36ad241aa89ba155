//! Which ABIs the app ships (`lib/<abi>/…`) and which shims fuse injects.
//!
//! ```text
//! lib/arm64-v8a/libfoo.so     → the app ships arm64-v8a → lib/arm64-v8a/libfusepin.so
//! (no lib/<abi>/ at all)      → no native code          → all four ABIs get the shim
//! lib/mips/libfoo.so          → an ABI without a shim   → refused
//! ```
//!
//! Why every shipped ABI and only those: the platform picks *one* ABI directory per app
//! (the device's preferred ABI among those the APK ships), so the shim must be in each
//! of them; adding an ABI the app does not ship would make the platform pick it on some
//! devices and the app's own libraries would then be missing.

use std::collections::BTreeSet;

use super::error::Error;
use crate::payloads::{ANDROID_ABIS, ANDROID_SHIM_NAME};
use crate::zip::Archive;

/// ABIs Android defines that fuse has no shim for (deprecated or not built).
const ABIS_WITHOUT_SHIM: [&str; 4] = ["armeabi", "mips", "mips64", "riscv64"];

/// The ABI directories of `archive` that hold at least one file other than fuse's own
/// shim (`ignore_shim`: the app is being re-fused, its `libfusepin.so` files are ours).
pub fn shipped(archive: &Archive, ignore_shim: bool) -> BTreeSet<String> {
    archive
        .entries()
        .iter()
        .filter(|e| !e.is_dir())
        .filter_map(|e| {
            let rest = e.name.strip_prefix("lib/")?;
            let (abi, file) = rest.split_once('/')?;
            if abi.is_empty() || file.is_empty() || (ignore_shim && file == ANDROID_SHIM_NAME) {
                return None;
            }
            Some(abi.to_owned())
        })
        .collect()
}

/// The ABIs to inject a shim into: the shipped ones, or all four when there are none.
/// Refuses an ABI without a shim and a directory name that is no Android ABI.
pub fn targets(shipped: &BTreeSet<String>, path: &str) -> Result<Vec<&'static str>, Error> {
    if shipped.is_empty() {
        return Ok(ANDROID_ABIS.to_vec());
    }
    let supported = ANDROID_ABIS.join(", ");
    let mut out = Vec::with_capacity(shipped.len());
    for abi in shipped {
        match ANDROID_ABIS.iter().find(|a| **a == abi.as_str()) {
            Some(a) => out.push(*a),
            None => {
                let fix = if ABIS_WITHOUT_SHIM.contains(&abi.as_str()) {
                    "drop that ABI from the app (Gradle ndk.abiFilters) and rebuild it"
                } else {
                    "it is not an Android ABI name; remove the directory from the app"
                };
                return Err(Error::UnsupportedAbi {
                    path: path.to_owned(),
                    abi: abi.clone(),
                    supported,
                    fix,
                });
            }
        }
    }
    Ok(out)
}

/// How the shims are stored (DESIGN §4.2; the rule is documented in `docs/android.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ShimStorage {
    /// Stored, data on a 16 KiB boundary: the platform maps it straight from the APK.
    StoredAligned,
    /// Deflated: the platform extracts native libraries at install time.
    Deflated,
}

impl ShimStorage {
    /// `extractNativeLibs="false"` → stored (required: the platform maps the libraries
    /// in place and refuses compressed ones). `"true"` → deflated. Absent → the platform
    /// extracts, so both work; follow what AGP does by default for such apps: stored
    /// when targetSdk ≥ 23, deflated below.
    pub fn for_app(extract_native_libs: Option<bool>, target_sdk: u32) -> Self {
        match extract_native_libs {
            Some(false) => Self::StoredAligned,
            Some(true) => Self::Deflated,
            None if target_sdk >= 23 => Self::StoredAligned,
            None => Self::Deflated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(abis: &[&str]) -> BTreeSet<String> {
        abis.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn no_native_code_gets_all_four() {
        assert_eq!(targets(&set(&[]), "a").unwrap(), ANDROID_ABIS.to_vec());
    }

    #[test]
    fn shipped_abis_only() {
        assert_eq!(
            targets(&set(&["x86_64", "arm64-v8a"]), "a").unwrap(),
            ["arm64-v8a", "x86_64"]
        );
    }

    #[test]
    fn abis_without_a_shim_are_refused() {
        for abi in ["mips", "armeabi", "riscv64", "mips64", "sparc"] {
            let e = targets(&set(&["arm64-v8a", abi]), "app.apk").unwrap_err();
            let text = e.to_string();
            assert!(text.contains(&format!("lib/{abi}/")), "{text}");
            assert!(
                text.contains("arm64-v8a, armeabi-v7a, x86, x86_64"),
                "{text}"
            );
        }
    }

    #[test]
    fn storage_rule() {
        use ShimStorage::*;
        assert_eq!(ShimStorage::for_app(Some(false), 21), StoredAligned);
        assert_eq!(ShimStorage::for_app(Some(true), 34), Deflated);
        assert_eq!(ShimStorage::for_app(None, 23), StoredAligned);
        assert_eq!(ShimStorage::for_app(None, 22), Deflated);
    }
}
