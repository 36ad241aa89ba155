//! The prebuilt payloads the CLI injects, embedded so an installed `fuse` is one
//! self-contained binary (DESIGN §6). They are built by `payloads/build` from
//! `payloads/shim` and `payloads/android`; `payloads/prebuilt/MANIFEST` records their
//! SHA-256 (checked by the tests below and by `scripts/test`).
//!
//! ```text
//! payloads/prebuilt/
//!   android/<abi>/libfusepin.so   one per ABI of ANDROID_ABIS   -> lib/<abi>/libfusepin.so
//!   android/bridge.dex            fuse.bridge.*                  -> classesN.dex
//!   ios/libfusepin.dylib          arm64, iOS >= 14               -> Frameworks/libfusepin.dylib
//!   MANIFEST                      sha256sum format
//! ```

/// The Android ABIs a shim is built for, in the order `payloads/build` lists them.
pub const ANDROID_ABIS: [&str; 4] = ["arm64-v8a", "armeabi-v7a", "x86", "x86_64"];

/// Name of the shim inside an app (`lib/<abi>/` on Android, `Frameworks/` on iOS).
pub const ANDROID_SHIM_NAME: &str = "libfusepin.so";
pub const IOS_SHIM_NAME: &str = "libfusepin.dylib";

static ANDROID_SHIMS: [(&str, &[u8]); 4] = [
    (
        "arm64-v8a",
        include_bytes!("../payloads/prebuilt/android/arm64-v8a/libfusepin.so"),
    ),
    (
        "armeabi-v7a",
        include_bytes!("../payloads/prebuilt/android/armeabi-v7a/libfusepin.so"),
    ),
    (
        "x86",
        include_bytes!("../payloads/prebuilt/android/x86/libfusepin.so"),
    ),
    (
        "x86_64",
        include_bytes!("../payloads/prebuilt/android/x86_64/libfusepin.so"),
    ),
];

static BRIDGE_DEX: &[u8] = include_bytes!("../payloads/prebuilt/android/bridge.dex");
static IOS_SHIM: &[u8] = include_bytes!("../payloads/prebuilt/ios/libfusepin.dylib");

/// `payloads/prebuilt/MANIFEST`: `<sha256 hex>  <path>` per file.
pub const MANIFEST: &str = include_str!("../payloads/prebuilt/MANIFEST");

/// The shim for an Android ABI (`arm64-v8a`, `armeabi-v7a`, `x86`, `x86_64`); `None`
/// for any other ABI (`mips`, `riscv64`, …), which fuse refuses to fuse.
pub fn android_shim(abi: &str) -> Option<&'static [u8]> {
    ANDROID_SHIMS
        .iter()
        .find(|(a, _)| *a == abi)
        .map(|(_, bytes)| *bytes)
}

/// The bridge's DEX (`fuse.bridge.FuseProvider` and its helpers).
pub fn bridge_dex() -> &'static [u8] {
    BRIDGE_DEX
}

/// The arm64 iOS dylib.
pub fn ios_shim() -> &'static [u8] {
    IOS_SHIM
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// What is embedded is what MANIFEST lists, file for file.
    #[test]
    fn embedded_files_match_manifest() {
        let mut embedded: Vec<(String, &[u8])> = ANDROID_ABIS
            .iter()
            .map(|abi| {
                (
                    format!("android/{abi}/libfusepin.so"),
                    android_shim(abi).unwrap(),
                )
            })
            .collect();
        embedded.push(("android/bridge.dex".into(), bridge_dex()));
        embedded.push(("ios/libfusepin.dylib".into(), ios_shim()));
        let listed: Vec<(&str, &str)> = MANIFEST
            .lines()
            .map(|l| l.split_once("  ").expect("sha256sum line"))
            .map(|(h, p)| (p, h))
            .collect();
        assert_eq!(
            listed.len(),
            embedded.len(),
            "MANIFEST lists every embedded file"
        );
        for (path, bytes) in embedded {
            let want = listed.iter().find(|(p, _)| *p == path).map(|(_, h)| *h);
            assert_eq!(want, Some(hex(&Sha256::digest(bytes)).as_str()), "{path}");
        }
    }

    #[test]
    fn abis_are_exactly_the_four_built() {
        assert!(ANDROID_ABIS.iter().all(|a| android_shim(a).is_some()));
        assert!(android_shim("riscv64").is_none());
        assert!(android_shim("").is_none());
        assert!(bridge_dex().starts_with(b"dex\n"));
        assert!(ios_shim().starts_with(&[0xcf, 0xfa, 0xed, 0xfe]));
    }
}
