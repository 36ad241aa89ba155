//! The fusion half of self-verification: the written APK (its signatures already
//! verified) must carry exactly the fusion that was planned before it gets its name.
//!
//! Checked: the manifest decodes, keeps package / versions / SDKs, and declares the
//! bridge provider with its authority, not exported, highest initOrder; the dex set is
//! consecutive and ends with the bridge; every injected entry holds the planned bytes;
//! stored shims sit on a 16 KiB boundary.

use super::dex;
use super::error::Error;
use crate::apk::ApkError;
use crate::axml::manifest::BRIDGE_PROVIDER;
use crate::axml::{Document, ManifestFacts};
use crate::zip::Archive;

/// What the output must contain: entry name → SHA-256 of its uncompressed bytes, and
/// whether it must be stored at a 16 KiB boundary.
#[derive(Clone)]
pub struct Expected {
    pub facts: ManifestFacts,
    pub authority: String,
    pub bridge_dex: String,
    pub entries: Vec<(String, [u8; 32], bool)>,
}

const PAGE_16K: u64 = 16 * 1024;

fn fail(why: String) -> Error {
    Error::Apk(ApkError::Verify {
        check: "self-verification of the fusion".into(),
        why,
    })
}

/// Checks `written` against `expected`.
pub fn fusion(written: &Archive, expected: &Expected) -> Result<(), Error> {
    let manifest = written
        .entry("AndroidManifest.xml")
        .ok_or_else(|| fail("the output has no AndroidManifest.xml".into()))?;
    let bytes = written
        .read_entry(manifest, super::read::MAX_MANIFEST_BYTES)
        .map_err(|e| fail(e.to_string()))?;
    let doc = Document::decode(&bytes).map_err(|e| fail(format!("the patched manifest: {e}")))?;
    let facts = crate::axml::read_facts(&doc).map_err(|e| fail(e.to_string()))?;
    let e = &expected.facts;
    if (
        &facts.package,
        facts.version_code,
        &facts.version_name,
        facts.min_sdk,
        facts.target_sdk,
    ) != (
        &e.package,
        e.version_code,
        &e.version_name,
        e.min_sdk,
        e.target_sdk,
    ) {
        return Err(fail(
            "the patched manifest changed the package, versions or SDK levels".into(),
        ));
    }
    let ours: Vec<_> = facts
        .providers
        .iter()
        .filter(|p| p.name.as_deref() == Some(BRIDGE_PROVIDER))
        .collect();
    match ours.as_slice() {
        [p] if p.authorities == [expected.authority.clone()] && p.exported == Some(false) => {}
        _ => {
            return Err(fail(format!(
                "the manifest does not declare exactly one {BRIDGE_PROVIDER} with authority {}, not exported",
                expected.authority
            )));
        }
    }
    let set = dex::read_set(written, &written.path().display().to_string())
        .map_err(|e| fail(e.to_string()))?;
    if set.last() != Some(expected.bridge_dex.as_str()) {
        return Err(fail(format!(
            "the bridge {} is not the last dex file",
            expected.bridge_dex
        )));
    }
    for (name, sha, aligned) in &expected.entries {
        let entry = written
            .entry(name)
            .ok_or_else(|| fail(format!("{name} is missing from the output")))?;
        let got = written
            .stream_sha256(entry)
            .map_err(|e| fail(e.to_string()))?;
        if &got != sha {
            return Err(fail(format!("{name} does not hold the bytes fuse planned")));
        }
        if *aligned && !(entry.is_stored() && entry.data_offset % PAGE_16K == 0) {
            return Err(fail(format!(
                "{name} must be stored at a 16 KiB boundary (extractNativeLibs=false)"
            )));
        }
    }
    Ok(())
}
