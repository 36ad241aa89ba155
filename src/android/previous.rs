//! A previous fusion inside the input: found, checked for completeness, taken apart.
//!
//! ```text
//! AndroidManifest.xml   <provider android:name="fuse.bridge.FuseProvider" …/>
//! classesN.dex          the last dex, defining Lfuse/bridge/FuseProvider;
//! lib/<abi>/libfusepin.so
//! assets/fuse/policy.bin       fusion set id, build id, … (decoded by fuse_policy)
//! assets/fuse/origin.sha256    SHA-256 of the app that was first fused (hex + "\n")
//! ```
//!
//! Re-fusing removes all of it before injecting again, so fusing twice gives the bytes of
//! fusing once. A package holding only some of these parts was changed after fusion (or
//! happens to use fuse's names); it is refused rather than guessed at.

use super::dex::{self, DexSet};
use super::error::Error;
use crate::axml::ManifestFacts;
use crate::payloads::ANDROID_SHIM_NAME;
use crate::zip::Archive;

/// Where the policy blob lives in an APK.
pub const POLICY_PATH: &str = "assets/fuse/policy.bin";
/// Where a fused APK records the SHA-256 of the app it was made from.
pub const ORIGIN_PATH: &str = "assets/fuse/origin.sha256";

/// What a previous fusion left in the package.
#[derive(Debug, Clone)]
pub struct PreviousFusion {
    /// The decoded policy, or why it does not decode.
    pub policy: Result<fuse_policy::Policy, String>,
    pub policy_sha256: [u8; 32],
    /// The blob itself (at most `fuse_policy::limits::MAX_BLOB_LEN` bytes), for
    /// `fuse inspect`'s description of it.
    pub policy_blob: Vec<u8>,
    /// The bridge's dex file (the last of the set).
    pub bridge_dex: String,
    /// `lib/<abi>/libfusepin.so` entries.
    pub shims: Vec<String>,
    /// The originally fused app's SHA-256, when recorded.
    pub origin_sha256: Option<[u8; 32]>,
}

impl PreviousFusion {
    pub fn fusion_set_id(&self) -> Option<&str> {
        self.policy.as_ref().ok().map(|p| p.fusion_set_id.as_str())
    }

    /// Every entry this fusion added (the manifest is patched, not listed).
    pub fn entries(&self) -> Vec<String> {
        let mut v = vec![POLICY_PATH.to_owned(), self.bridge_dex.clone()];
        v.extend(self.shims.iter().cloned());
        if self.origin_sha256.is_some() {
            v.push(ORIGIN_PATH.to_owned());
        }
        v
    }
}

fn shim_entries(archive: &Archive) -> Vec<String> {
    archive
        .entries()
        .iter()
        .filter(|e| {
            e.name
                .strip_prefix("lib/")
                .and_then(|r| r.split_once('/'))
                .is_some_and(|(abi, file)| !abi.is_empty() && file == ANDROID_SHIM_NAME)
        })
        .map(|e| e.name.clone())
        .collect()
}

/// Finds a previous fusion. `Ok(None)`: the app was never fused.
pub fn detect(
    archive: &Archive,
    facts: &ManifestFacts,
    dex_set: &DexSet,
    path: &str,
) -> Result<Option<PreviousFusion>, Error> {
    let shims = shim_entries(archive);
    let policy_entry = archive.entry(POLICY_PATH);
    let origin_entry = archive.entry(ORIGIN_PATH);
    let manifest_fused = facts.is_fused();
    if !manifest_fused && policy_entry.is_none() && origin_entry.is_none() {
        if let Some(s) = shims.first() {
            return Err(Error::inconsistent(
                path,
                format!("{s} exists but the app is not fused"),
                "fuse's shim has that name; rename the app's own library and rebuild it",
            ));
        }
        return Ok(None);
    }

    // Some part of a fusion is there: all of it must be.
    let bridge = match dex_set.last() {
        Some(last) => {
            let e = archive
                .entry(last)
                .ok_or_else(|| Error::inconsistent(path, last.to_owned(), "listed but missing"))?;
            if e.uncompressed_size() > dex::MAX_BRIDGE_BYTES {
                None
            } else {
                let bytes = archive
                    .read_entry(e, dex::MAX_BRIDGE_BYTES)
                    .map_err(|z| Error::Apk(z.into()))?;
                match dex::defines_class(&bytes, dex::BRIDGE_DESCRIPTOR) {
                    Ok(true) => Some(last.to_owned()),
                    Ok(false) => None,
                    Err(why) => return Err(Error::dex(path, format!("dex file {last}"), why)),
                }
            }
        }
        None => None,
    };
    let mut missing = Vec::new();
    if !manifest_fused {
        missing.push("the bridge provider in AndroidManifest.xml");
    }
    if policy_entry.is_none() {
        missing.push(POLICY_PATH);
    }
    if bridge.is_none() {
        missing.push("the bridge as the last dex file");
    }
    let (Some(policy_entry), Some(bridge_dex), true) = (policy_entry, bridge, missing.is_empty())
    else {
        return Err(Error::inconsistent(
            path,
            "the app holds parts of a fuse fusion but not all of them",
            format!(
                "missing: {}; it was changed after fusion — fuse the original app instead",
                missing.join(", ")
            ),
        ));
    };

    let max = fuse_policy::limits::MAX_BLOB_LEN as u64;
    let blob = archive
        .read_entry(policy_entry, max)
        .map_err(|z| Error::Apk(z.into()))?;
    let policy_sha256 = <sha2::Sha256 as sha2::Digest>::digest(&blob).into();
    let policy = fuse_policy::decode(&blob).map_err(|e| e.to_string());
    let origin_sha256 = match origin_entry {
        Some(e) => {
            let text = archive
                .read_entry(e, 128)
                .map_err(|z| Error::Apk(z.into()))?;
            Some(parse_origin(&text).ok_or_else(|| {
                Error::inconsistent(
                    path,
                    ORIGIN_PATH,
                    "it is not one SHA-256 in hex; it was changed after fusion — fuse the original app instead",
                )
            })?)
        }
        None => None,
    };
    Ok(Some(PreviousFusion {
        policy,
        policy_sha256,
        policy_blob: blob,
        bridge_dex,
        shims,
        origin_sha256,
    }))
}

/// The content of `assets/fuse/origin.sha256`.
pub fn origin_text(sha256: &[u8; 32]) -> Vec<u8> {
    format!("{}\n", super::build_id::hex(sha256)).into_bytes()
}

fn parse_origin(text: &[u8]) -> Option<[u8; 32]> {
    let hex = std::str::from_utf8(text).ok()?.strip_suffix('\n')?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_round_trips() {
        let sha = [0x5a; 32];
        assert_eq!(parse_origin(&origin_text(&sha)), Some(sha));
        assert_eq!(parse_origin(b"5a5a\n"), None);
        assert_eq!(parse_origin(&origin_text(&sha)[..64]), None);
        assert_eq!(parse_origin(&[b'z'; 65]), None);
    }
}
