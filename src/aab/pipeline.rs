//! The bundle commands end to end: fuse (read → plan → write + JAR-sign → self-verify),
//! and inspect. `crate::cli` renders; the Certified Secure report takes [`Fused`] and
//! [`Inspection`] as plain facts.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::bundle::BASE;
use super::plan::{
    BundleSource, FusionFacts, POLICY_PATH, Payloads, SHIM_NAME, plan_fusion, read_bundle,
};
use super::sign::{SignedBundle, VerifiedBundle, sign_file, verify};
use crate::apk::SigningKey;
use crate::zip::{Archive, DosTime};

/// The result of fusing a bundle.
#[derive(Debug, Clone)]
pub struct Fused {
    pub facts: FusionFacts,
    pub signed: SignedBundle,
    pub verified: VerifiedBundle,
}

/// Fuses `input` into `output` (see `plan.rs` and `sign.rs`).
pub fn fuse_file(
    input: &Archive,
    output: &Path,
    force: bool,
    payloads: &Payloads<'_>,
    key: &dyn SigningKey,
    signer_name: &str,
    time: DosTime,
) -> Result<Fused, crate::Error> {
    let bundle = read_bundle(input)?;
    let (plan, facts) = plan_fusion(input, &bundle, payloads)?;
    let (signed, verified) = sign_file(input, output, force, &plan, key, signer_name, time)?;
    Ok(Fused {
        facts,
        signed,
        verified,
    })
}

/// What `fuse inspect` shows about a bundle.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inspection {
    pub format: &'static str,
    pub package: String,
    pub version_code: Option<u32>,
    pub version_name: Option<String>,
    pub min_sdk: u32,
    pub target_sdk: u32,
    pub modules: Vec<String>,
    /// ABIs of the modules with native code (empty: none).
    pub abis: Vec<String>,
    pub bundletool_version: Option<String>,
    /// JAR signature: `signed`, `unsigned` or `invalid: <why>`.
    pub signature: String,
    pub signer_cert_sha256: Vec<String>,
    pub schemes: Vec<&'static str>,
    /// Provider, shim and policy all present in the base module.
    pub fused: bool,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Reads a bundle strictly and describes it. A bad signature is reported, not an error
/// (`fuse verify` is the command that fails on it).
pub fn inspect(archive: &Archive) -> Result<Inspection, crate::Error> {
    let bundle = read_bundle(archive)?;
    let signed = archive.entries().iter().any(|e| {
        let n = e.name.to_ascii_uppercase();
        n.starts_with("META-INF/")
            && (n.ends_with(".RSA") || n.ends_with(".EC") || n.ends_with(".DSA"))
    });
    let (signature, certs) = match verify(archive) {
        Ok(v) => (
            "signed".to_owned(),
            v.signer_cert_sha256.iter().map(|c| hex(c)).collect(),
        ),
        Err(_) if !signed => ("unsigned".to_owned(), Vec::new()),
        Err(e) => (format!("invalid: {e}"), Vec::new()),
    };
    let base_has = |rel: &str| archive.size(&format!("{BASE}/{rel}")).is_some();
    let shims = bundle.layout.base().is_some_and(|b| {
        !b.abis.is_empty()
            && b.abis
                .iter()
                .all(|a| base_has(&format!("lib/{a}/{SHIM_NAME}")))
    });
    let f = &bundle.facts;
    Ok(Inspection {
        format: "aab",
        package: f.package.clone(),
        version_code: f.version_code,
        version_name: f.version_name.clone(),
        min_sdk: f.min_sdk,
        target_sdk: f.target_sdk,
        modules: bundle.layout.modules.keys().cloned().collect(),
        abis: bundle.abis.iter().flatten().cloned().collect(),
        bundletool_version: bundle.bundletool_version.clone(),
        schemes: if certs.is_empty() {
            vec![]
        } else {
            vec!["jar"]
        },
        signature,
        signer_cert_sha256: certs,
        fused: f.is_fused() && shims && base_has(POLICY_PATH),
    })
}

/// SHA-256 of a certificate, hex (for renderers).
pub fn cert_sha256(der: &[u8]) -> String {
    hex(&Sha256::digest(der))
}

/// A bundle as `fuse verify --report` sees it (`crate::report::PackageView`): the JAR
/// signature checked by the same verifier as `fuse verify`, entries read with bounds.
pub struct BundleView<'a>(pub &'a Archive);

impl crate::report::PackageView for BundleView<'_> {
    fn signer(&mut self) -> Result<crate::report::PackageSigner, crate::Error> {
        let v = verify(self.0)?;
        match v.signer_cert_sha256.as_slice() {
            [one] => Ok(crate::report::PackageSigner::CertificateSha256(*one)),
            many => Err(crate::apk::ApkError::Verify {
                check: "JAR signature".into(),
                why: format!(
                    "the bundle has {} signers; a fused bundle has exactly one",
                    many.len()
                ),
            }
            .into()),
        }
    }

    fn entry_names(&mut self) -> Result<Vec<String>, crate::Error> {
        Ok(self.0.entries().iter().map(|e| e.name.clone()).collect())
    }

    fn read_entry(&mut self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, crate::Error> {
        match self.0.size(name) {
            None => Ok(None),
            Some(_) => self.0.read(name, limit).map(Some),
        }
    }
}

/// The report's `input.aab` facts: module names, `base` first, then sorted.
pub fn report_aab_facts(facts: &FusionFacts) -> crate::report::AabFacts {
    let mut modules: Vec<String> = facts
        .modules
        .iter()
        .filter(|m| *m == BASE)
        .cloned()
        .collect();
    modules.extend(facts.modules.iter().filter(|m| *m != BASE).cloned());
    crate::report::AabFacts { modules }
}
