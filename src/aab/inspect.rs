//! `fuse inspect` for an Android App Bundle: what the bundle is, who signed it, whether
//! and how it is fused.
//!
//! ```text
//! app.aab
//! ├── BundleConfig.pb                     bundletoolVersion
//! ├── <module>/lib/<abi>/, dex/, native.pb modules[]: abis, dexFiles, nativeTargeting
//! ├── base/manifest/AndroidManifest.xml   app: package, versions, SDKs, providers
//! ├── base/dex/classesN.dex               ┐
//! ├── base/lib/<abi>/libfusepin.so        │ fusion: the parts `plan.rs` injects (and
//! ├── base/assets/fuse/policy.bin         ┘ finds again when re-fusing)
//! └── META-INF/*.SF, *.RSA|EC|DSA         signers: the JAR verifier of `fuse verify`
//! ```
//! Read-only and descriptive, like the APK inspector (`android/inspect.rs`, whose JSON
//! names this follows): a signature that does not verify and a partial fusion are
//! reported as facts; only a bundle fuse cannot read is an error (exit 3), through the
//! same strict reader (`plan::read_bundle`) `fuse build` uses.

use std::collections::BTreeSet;

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::bundle::BASE;
use super::plan::{BundleSource as _, POLICY_PATH, SHIM_NAME, find_bridge_dex, read_bundle};
use crate::android::facts::AppFacts;
use crate::embedded_policy::EmbeddedPolicy;
use crate::report::hex;
use crate::zip::Archive;

/// Largest `policy.bin` read (the report verifier's bound).
const MAX_POLICY_BYTES: u64 = crate::report::MAX_POLICY_BYTES;

/// Everything `fuse inspect` says about a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub path: String,
    /// Always `aab`.
    pub format: &'static str,
    pub size: u64,
    pub sha256: String,
    /// The base module's manifest.
    pub app: AppFacts,
    pub bundletool_version: Option<String>,
    /// Every module, `base` first.
    pub modules: Vec<ModuleFacts>,
    /// `lib/<abi>/` directories of any module (fuse's shims included), sorted.
    pub abis: Vec<String>,
    /// `signed`, `unsigned` or `invalid`.
    pub signature: &'static str,
    /// The verified JAR signers (empty unless `signature` is `signed`).
    pub signers: Vec<SignerFacts>,
    /// Why the JAR signature does not verify, when it does not.
    pub signature_problem: Option<String>,
    pub fused: bool,
    pub fusion: Option<Fusion>,
    /// Why the bundle looks partly fused, when it does.
    pub fusion_problem: Option<String>,
}

/// One module of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleFacts {
    pub name: String,
    /// Its `lib/<abi>/` directories with files.
    pub abis: Vec<String>,
    pub dex_files: Vec<String>,
    /// Whether it has a `native.pb` (bundletool's native targeting).
    pub native_targeting: bool,
    pub entries: usize,
}

/// One JAR signer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerFacts {
    /// SHA-256 of the signer's certificate (DER), hex — `keytool -printcert -jarfile`'s.
    pub cert_sha256: String,
    /// Always `["jar"]`: bundles carry JAR signatures only.
    pub schemes: Vec<&'static str>,
}

/// The fusion found in the base module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fusion {
    #[serde(flatten)]
    pub policy: EmbeddedPolicy,
    /// `base/dex/classesN.dex` defining the bridge.
    pub bridge_dex: String,
    /// `base/lib/<abi>/libfusepin.so` entries.
    pub shims: Vec<String>,
}

/// Describes the bundle `archive` (opened by `crate::format::detect`).
pub fn inspect(archive: &Archive) -> Result<Inspection, crate::Error> {
    let path = archive.path().to_path_buf();
    let bundle = read_bundle(archive)?;
    let (sha256, size) = crate::certify::sha256_file(&path)?;

    let (signature, signers, signature_problem) = match crate::apk::verify::v1::verify(archive) {
        Ok(Some(v)) => (
            "signed",
            v.signer_certs
                .iter()
                .map(|der| SignerFacts {
                    cert_sha256: hex(&Sha256::digest(der)),
                    schemes: vec!["jar"],
                })
                .collect(),
            None,
        ),
        Ok(None) => (
            "unsigned",
            Vec::new(),
            Some("the bundle has no JAR signature (no META-INF/*.RSA|EC|DSA)".to_owned()),
        ),
        Err(e) => ("invalid", Vec::new(), Some(e.to_string())),
    };

    let mut modules: Vec<ModuleFacts> = bundle
        .layout
        .modules
        .values()
        .map(|m| ModuleFacts {
            name: m.name.clone(),
            abis: m.abis.iter().cloned().collect(),
            dex_files: m.dex.clone(),
            native_targeting: m.has_native_pb,
            entries: m.entries,
        })
        .collect();
    modules.sort_by_key(|m| (m.name != BASE, m.name.clone()));
    let abis: BTreeSet<String> = modules.iter().flat_map(|m| m.abis.clone()).collect();

    let (fusion, fusion_problem) = fusion(archive, &bundle)?;
    Ok(Inspection {
        path: path.display().to_string(),
        format: "aab",
        size,
        sha256: hex(&sha256),
        app: AppFacts::of(&bundle.facts),
        bundletool_version: bundle.bundletool_version.clone(),
        modules,
        abis: abis.into_iter().collect(),
        signature,
        signers,
        signature_problem,
        fused: fusion.is_some(),
        fusion,
        fusion_problem,
    })
}

/// The parts `plan::plan_fusion` injects, found the way it finds them when re-fusing:
/// all present → the fusion; none → not fused; some → why it is partial.
fn fusion(
    archive: &Archive,
    bundle: &super::plan::Bundle,
) -> Result<(Option<Fusion>, Option<String>), crate::Error> {
    let Some(base) = bundle.layout.base() else {
        return Ok((None, None));
    };
    let provider = bundle.facts.is_fused();
    let bridge = find_bridge_dex(archive, base)?;
    let policy_name = format!("{BASE}/{POLICY_PATH}");
    let policy = match archive.size(&policy_name) {
        Some(_) => Some(archive.read(&policy_name, MAX_POLICY_BYTES)?),
        None => None,
    };
    let shims: Vec<String> = base
        .abis
        .iter()
        .map(|abi| format!("{BASE}/lib/{abi}/{SHIM_NAME}"))
        .filter(|name| archive.size(name).is_some())
        .collect();

    if !provider && bridge.is_none() && policy.is_none() && shims.is_empty() {
        return Ok((None, None));
    }
    let mut missing = Vec::new();
    if !provider {
        missing.push("the bridge provider in base/manifest/AndroidManifest.xml".to_owned());
    }
    if bridge.is_none() {
        missing.push("the bridge dex in base/dex/".to_owned());
    }
    if base.abis.is_empty() {
        missing.push(format!("{BASE}/lib/<abi>/{SHIM_NAME}"));
    }
    missing.extend(
        base.abis
            .iter()
            .map(|abi| format!("{BASE}/lib/{abi}/{SHIM_NAME}"))
            .filter(|name| !shims.contains(name)),
    );
    if policy.is_none() {
        missing.push(policy_name.clone());
    }
    match (bridge, policy, missing.is_empty()) {
        (Some(dex), Some(blob), true) => Ok((
            Some(Fusion {
                policy: EmbeddedPolicy::of(&policy_name, &blob),
                bridge_dex: format!("{BASE}/dex/{dex}"),
                shims,
            }),
            None,
        )),
        _ => Ok((
            None,
            Some(format!(
                "the bundle holds parts of a fuse fusion but not all of them (missing: {}); it was changed after fusion",
                missing.join(", ")
            )),
        )),
    }
}
