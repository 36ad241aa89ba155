//! A module's `native.pb`: bundletool's `NativeLibraries`, which says which `lib/<dir>`
//! holds which ABI so bundletool can split the APKs per ABI.
//!
//! ```text
//! NativeLibraries { directory 1*: TargetedNativeDirectory {
//!     path 1: "lib/arm64-v8a"
//!     targeting 2: NativeDirectoryTargeting { abi 1: Abi { alias 1: ARM64_V8A (3) } } } }
//! ```
//! When fuse adds `lib/<abi>/libfusepin.so` for an ABI whose directory is not targeted yet,
//! it appends one `directory` record per new ABI to the original bytes (nothing else
//! changes, unknown fields included). bundletool's `NativeTargetingValidator` rules are
//! checked on input and hold on output: every targeted directory has an ABI, is
//! `lib/<dir>`, is not empty, and every non-empty `lib/<dir>` is targeted.

use std::collections::BTreeSet;

use prost::Message;

use super::error::{Error, Result};
use super::proto::{
    Abi, NativeDirectoryTargeting, NativeLibraries, TargetedNativeDirectory, abi_alias,
};
use super::wire;

/// A module's native targeting file, relative to the module folder.
pub const NATIVE_PATH: &str = "native.pb";
/// Largest `native.pb` fuse reads (a real one is a few dozen bytes per ABI).
pub const MAX_NATIVE: u64 = 1 << 20;
const MESSAGE: &str = "android.bundle.NativeLibraries";

/// A decoded `native.pb` that keeps its exact bytes.
#[derive(Debug, Clone)]
pub struct NativeConfig {
    file: String,
    bytes: Vec<u8>,
    decoded: NativeLibraries,
}

impl NativeConfig {
    pub fn decode(file: &str, bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() as u64 > MAX_NATIVE {
            return Err(Error::TooLarge {
                file: file.to_owned(),
                size: bytes.len() as u64,
                limit: MAX_NATIVE,
            });
        }
        let decoded = NativeLibraries::decode(bytes.as_slice())
            .map_err(|e| Error::protobuf(file, MESSAGE, super::error::decode_problem(&e)))?;
        // The splice appends at the top level; make sure that level is plain records.
        wire::records(&bytes).map_err(|p| Error::protobuf(file, MESSAGE, p))?;
        Ok(Self {
            file: file.to_owned(),
            bytes,
            decoded,
        })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The targeted directory paths (`lib/<dir>`).
    pub fn targeted(&self) -> BTreeSet<&str> {
        self.decoded
            .directory
            .iter()
            .map(|d| d.path.as_str())
            .collect()
    }

    /// bundletool's `NativeTargetingValidator` against the module's non-empty `lib/<dir>`s.
    pub fn check(&self, lib_dirs: &BTreeSet<String>) -> Result<()> {
        for d in &self.decoded.directory {
            let has_abi = d.targeting.as_ref().is_some_and(|t| t.abi.is_some());
            if !has_abi {
                return Err(self.invalid(format!("targets directory {:?} without an ABI", d.path)));
            }
            let parts: Vec<&str> = d.path.split('/').collect();
            if parts.len() != 2 || parts.first() != Some(&"lib") {
                return Err(self.invalid(format!(
                    "targets {:?}, which is not of the form lib/<directory>",
                    d.path
                )));
            }
            if !lib_dirs.contains(&d.path) {
                return Err(self.invalid(format!(
                    "targets directory {:?}, which holds no files",
                    d.path
                )));
            }
        }
        let targeted = self.targeted();
        if let Some(missing) = lib_dirs.iter().find(|d| !targeted.contains(d.as_str())) {
            return Err(self.invalid(format!("does not target native directory {missing:?}")));
        }
        Ok(())
    }

    fn invalid(&self, problem: String) -> Error {
        Error::layout(
            format!(
                "file {} {problem} (bundletool's NativeTargetingValidator refuses this)",
                self.file
            ),
            "rebuild the bundle with the Android Gradle Plugin",
        )
    }

    /// The bytes with a `directory` record appended for every ABI in `abis` whose
    /// `lib/<abi>` is not targeted yet (sorted, so the output is deterministic).
    pub fn with_abis(&self, abis: &BTreeSet<String>) -> Vec<u8> {
        let targeted = self.targeted();
        let mut out = self.bytes.clone();
        for abi in abis {
            let path = format!("lib/{abi}");
            if !targeted.contains(path.as_str()) {
                out.extend(wire::length_delimited(1, &directory(abi).encode_to_vec()));
            }
        }
        out
    }
}

/// A new `native.pb` targeting `abis` (for a module that had none and no native code).
pub fn new_config(abis: &BTreeSet<String>) -> Vec<u8> {
    NativeLibraries {
        directory: abis.iter().map(|a| directory(a)).collect(),
    }
    .encode_to_vec()
}

/// `TargetedNativeDirectory` for `lib/<abi>`. Unknown ABI names get alias 0, which never
/// happens: callers pass the names of the shims fuse ships.
fn directory(abi: &str) -> TargetedNativeDirectory {
    TargetedNativeDirectory {
        path: format!("lib/{abi}"),
        targeting: Some(NativeDirectoryTargeting {
            abi: Some(Abi {
                alias: abi_alias::of_dir(abi).unwrap_or(0),
            }),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn new_abis_are_appended_and_old_bytes_kept() {
        let original = new_config(&set(&["arm64-v8a"]));
        // An unknown field (99, varint 7) must survive.
        let mut bytes = original.clone();
        bytes.extend([0x98, 0x06, 0x07]);
        let c = NativeConfig::decode("base/native.pb", bytes.clone()).unwrap();
        let out = c.with_abis(&set(&["arm64-v8a", "x86_64"]));
        assert!(out.starts_with(&bytes));
        let decoded = NativeLibraries::decode(out.as_slice()).unwrap();
        let paths: Vec<&str> = decoded.directory.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["lib/arm64-v8a", "lib/x86_64"]);
        assert_eq!(
            decoded.directory[1]
                .targeting
                .as_ref()
                .unwrap()
                .abi
                .as_ref()
                .unwrap()
                .alias,
            abi_alias::X86_64
        );
        // Nothing to add: unchanged.
        assert_eq!(c.with_abis(&set(&["arm64-v8a"])), bytes);
    }

    #[test]
    fn bundletool_targeting_rules() {
        let c = NativeConfig::decode("base/native.pb", new_config(&set(&["x86"]))).unwrap();
        c.check(&set(&["lib/x86"])).unwrap();
        let e = c.check(&set(&["lib/x86", "lib/arm64-v8a"])).unwrap_err();
        assert!(
            e.to_string()
                .contains("does not target native directory \"lib/arm64-v8a\""),
            "{e}"
        );
        let e = c.check(&set(&[])).unwrap_err();
        assert!(e.to_string().contains("holds no files"), "{e}");
        let no_abi = NativeLibraries {
            directory: vec![TargetedNativeDirectory {
                path: "lib/x86".into(),
                targeting: None,
            }],
        };
        let c = NativeConfig::decode("f", no_abi.encode_to_vec()).unwrap();
        assert!(
            c.check(&set(&["lib/x86"]))
                .unwrap_err()
                .to_string()
                .contains("without an ABI")
        );
    }

    #[test]
    fn malformed_native_pb_is_a_protobuf_error() {
        for bad in [&[0x0a, 0x05, 0x0a][..], &[0x08, 0x01][..], &[0x0a][..]] {
            let e = NativeConfig::decode("base/native.pb", bad.to_vec()).unwrap_err();
            assert_eq!(e.kind(), "protobuf", "{bad:?}: {e}");
        }
    }
}
