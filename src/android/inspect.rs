//! `fuse inspect` for an APK: what the package is, who signed it, whether it is fused.
//!
//! Read-only and descriptive: signatures that do not verify and a partial fusion are
//! reported as facts, not failures; only a package fuse cannot read is an error (exit 3).

use serde::Serialize;

use super::build_id::hex;
use super::error::Error;
use super::facts::{AppFacts, SignerFacts};
use super::previous::POLICY_PATH;
use super::read::App;
use crate::embedded_policy::EmbeddedPolicy;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub path: String,
    pub format: &'static str,
    pub size: u64,
    pub sha256: String,
    pub app: AppFacts,
    /// `lib/<abi>/` directories with files (fuse's shims included).
    pub abis: Vec<String>,
    pub dex_files: Vec<String>,
    /// `signed` (every scheme present verifies), `unsigned` (no signing block, no JAR
    /// signature) or `invalid` — the AAB and IPA inspectors' words.
    pub signature: &'static str,
    /// The verified signer (one for an APK; empty unless `signature` is `signed`).
    pub signers: Vec<SignerFacts>,
    /// Why the signatures do not verify, when they do not.
    pub signature_problem: Option<String>,
    pub fused: bool,
    pub fusion: Option<Fusion>,
    /// Why the app looks partly fused, when it does.
    pub fusion_problem: Option<String>,
}

/// The fusion found in an APK: its embedded policy (named as the AAB and IPA
/// inspectors name it), the bridge, the shims and the recorded origin.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fusion {
    #[serde(flatten)]
    pub policy: EmbeddedPolicy,
    pub bridge_dex: String,
    pub shims: Vec<String>,
    /// SHA-256 of the app first fused (`assets/fuse/origin.sha256`), when recorded.
    pub origin_sha256: Option<String>,
}

/// Describes the APK at `path`.
pub fn inspect(path: &std::path::Path) -> Result<Inspection, Error> {
    let archive = crate::zip::Archive::open(path).map_err(|z| Error::Apk(z.into()))?;
    inspect_archive(archive)
}

/// [`inspect`] on an archive the caller opened.
pub fn inspect_archive(archive: crate::zip::Archive) -> Result<Inspection, Error> {
    let path = archive.path().to_path_buf();
    let path = path.as_path();
    let app = App::from_archive(archive)?;
    let (sha256, bytes) = super::build::sha256_file(path)?;
    let sha256 = hex(&sha256);
    let (signature, signers, signature_problem) = match crate::apk::verify(&app.archive, None) {
        Ok(v) => ("signed", vec![SignerFacts::of(&v)], None),
        Err(_) if !has_signature(&app.archive) => (
            "unsigned",
            Vec::new(),
            Some(
                "the APK has no signature (no APK Signing Block, no META-INF/*.RSA|EC|DSA)"
                    .to_owned(),
            ),
        ),
        Err(e) => ("invalid", Vec::new(), Some(e.to_string())),
    };
    let (fusion, fusion_problem) = match app.previous() {
        Ok(Some(p)) => (
            Some(Fusion {
                policy: EmbeddedPolicy::of(POLICY_PATH, &p.policy_blob),
                bridge_dex: p.bridge_dex.clone(),
                shims: p.shims.clone(),
                origin_sha256: p.origin_sha256.as_ref().map(|s| hex(s)),
            }),
            None,
        ),
        Ok(None) => (None, None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(Inspection {
        path: app.display.clone(),
        format: "apk",
        size: bytes,
        sha256,
        app: AppFacts::of(&app.facts),
        abis: app.shipped_abis(false).into_iter().collect(),
        dex_files: app.dex.names().to_vec(),
        signature,
        signers,
        signature_problem,
        fused: fusion.is_some(),
        fusion,
        fusion_problem,
    })
}

/// Whether the APK carries any signature at all: an APK Signing Block (v2/v3) or a JAR
/// signature block file (v1). Telling `unsigned` from `invalid` needs no verification.
fn has_signature(archive: &crate::zip::Archive) -> bool {
    archive.signing_block().is_some()
        || archive
            .entries()
            .iter()
            .any(|e| crate::apk::v1::is_signature_block(&e.name))
}
