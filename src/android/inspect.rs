//! `fuse inspect` for an APK: what the package is, who signed it, whether it is fused.
//!
//! Read-only and descriptive: signatures that do not verify and a partial fusion are
//! reported as facts, not failures; only a package fuse cannot read is an error (exit 3).

use serde::Serialize;

use super::build_id::hex;
use super::error::Error;
use super::facts::{AppFacts, PreviousFacts, SignerFacts};
use super::read::App;

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
    pub signer: Option<SignerFacts>,
    pub signature_problem: Option<String>,
    pub fused: bool,
    pub fusion: Option<Fusion>,
    /// Why the app looks partly fused, when it does.
    pub fusion_problem: Option<String>,
}

/// The fusion found in an APK, from its embedded policy.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fusion {
    #[serde(flatten)]
    pub previous: PreviousFacts,
    pub bridge_dex: String,
    pub shims: Vec<String>,
    pub stage: Option<&'static str>,
    pub build_date_unix: Option<i64>,
    /// Pinned hosts (`*.` for one-label wildcards, `+subdomains` when included).
    pub domains: Vec<String>,
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
    let (signer, signature_problem) = match crate::apk::verify(&app.archive, None) {
        Ok(v) => (Some(SignerFacts::of(&v)), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let (fusion, fusion_problem) = match app.previous() {
        Ok(Some(p)) => {
            let policy = p.policy.as_ref().ok();
            (
                Some(Fusion {
                    previous: PreviousFacts::of(&p),
                    bridge_dex: p.bridge_dex.clone(),
                    shims: p.shims.clone(),
                    stage: policy.map(|p| crate::embedded_policy::stage_name(p.stage)),
                    build_date_unix: policy.map(|p| p.build_date_unix),
                    domains: policy
                        .map(crate::embedded_policy::domain_list)
                        .unwrap_or_default(),
                }),
                None,
            )
        }
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
        signer,
        signature_problem,
        fused: fusion.is_some(),
        fusion,
        fusion_problem,
    })
}
