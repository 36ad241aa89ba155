//! Step 2, inject: what the output changes, as an `apk::Plan` the signer applies while
//! it copies every other entry byte for byte.
//!
//! ```text
//! remove   a previous fusion's classesN.dex, lib/*/libfusepin.so, assets/fuse/*
//! replace  AndroidManifest.xml               (+ <provider fuse.bridge.FuseProvider>, in place)
//! add      assets/fuse/origin.sha256         deflated
//!          assets/fuse/policy.bin            deflated
//!          classesN.dex                      deflated   (N = next free number)
//!          lib/<abi>/libfusepin.so           stored + 16 KiB aligned, or deflated (ShimStorage)
//! ```
//! New entries are appended sorted by name after the app's own (the signer's rule), so a
//! re-fusion — which removes the old ones first — writes them at the same offsets.
//! The policy and the origin record depend on the input's SHA-256 (the build id), which
//! `build.rs` computes while the app's entries stream: they are the plan's late entries
//! ([`late_entries`], `apk::LateEntries`), appended in the same name order.

use super::abi::ShimStorage;
use super::dex::DexSet;
use super::previous::{ORIGIN_PATH, POLICY_PATH, PreviousFusion};
use crate::apk::{NewEntry, Plan};
use crate::payloads::{ANDROID_SHIM_NAME, android_shim, bridge_dex};
use crate::zip::Compression;

/// One shim fuse adds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InjectedShim {
    pub abi: &'static str,
    pub entry: String,
    pub storage: ShimStorage,
}

/// What fusion adds to the app (the summary and the report list it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Injection {
    pub bridge_dex: String,
    pub shims: Vec<InjectedShim>,
    /// The app shipped no native code: every ABI is new to it.
    pub abis_added: bool,
    pub policy_entry: &'static str,
    pub origin_entry: &'static str,
    /// The provider added to the manifest.
    pub provider_authority: String,
    /// Entries of a previous fusion taken out first.
    pub replaced_previous: Vec<String>,
}

/// Everything the plan needs, decided by the pipeline.
pub struct Inputs<'a> {
    pub dex: &'a DexSet,
    pub previous: Option<&'a PreviousFusion>,
    pub abis: &'a [&'static str],
    pub abis_added: bool,
    pub storage: ShimStorage,
    pub manifest: Vec<u8>,
    pub manifest_stored: bool,
    pub authority: String,
}

/// The signer's plan and its description.
pub fn plan(inputs: Inputs<'_>) -> (Plan, Injection) {
    let mut plan = Plan::default();
    let mut dex = inputs.dex.clone();
    let mut replaced_previous = Vec::new();
    if let Some(prev) = inputs.previous {
        for name in prev.entries() {
            plan.remove.insert(name.clone());
            replaced_previous.push(name);
        }
        // The bridge was the last dex: its number is free again.
        dex = dex.without_last();
    }
    replaced_previous.sort();

    let bridge_name = dex.next_name();
    plan.put.push(NewEntry {
        name: "AndroidManifest.xml".to_owned(),
        data: inputs.manifest,
        compression: if inputs.manifest_stored {
            Compression::Stored
        } else {
            Compression::Deflated
        },
        alignment: None,
    });
    plan.put.push(NewEntry {
        name: bridge_name.clone(),
        data: bridge_dex().to_vec(),
        compression: Compression::Deflated,
        alignment: None,
    });
    let mut shims = Vec::with_capacity(inputs.abis.len());
    for &abi in inputs.abis {
        // `abi::targets` only returns ABIs that have a shim.
        let Some(bytes) = android_shim(abi) else {
            continue;
        };
        let entry = format!("lib/{abi}/{ANDROID_SHIM_NAME}");
        plan.put.push(NewEntry {
            name: entry.clone(),
            data: bytes.to_vec(),
            compression: match inputs.storage {
                ShimStorage::StoredAligned => Compression::Stored,
                ShimStorage::Deflated => Compression::Deflated,
            },
            // None = the writer's rule for `.so`: 16 KiB.
            alignment: None,
        });
        shims.push(InjectedShim {
            abi,
            entry,
            storage: inputs.storage,
        });
    }
    (
        plan,
        Injection {
            bridge_dex: bridge_name,
            shims,
            abis_added: inputs.abis_added,
            policy_entry: POLICY_PATH,
            origin_entry: ORIGIN_PATH,
            provider_authority: inputs.authority,
            replaced_previous,
        },
    )
}

/// The entries that carry the build id: the policy blob and the origin record (the SHA-256
/// of the app first fused), both deflated.
pub fn late_entries(policy: Vec<u8>, origin: Vec<u8>) -> Vec<NewEntry> {
    vec![
        NewEntry {
            name: POLICY_PATH.to_owned(),
            data: policy,
            compression: Compression::Deflated,
            alignment: None,
        },
        NewEntry {
            name: ORIGIN_PATH.to_owned(),
            data: origin,
            compression: Compression::Deflated,
            alignment: None,
        },
    ]
}
