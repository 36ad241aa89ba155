//! The bundle commands end to end: fuse (read → plan → write + JAR-sign → self-verify).
//! `crate::cli` renders; the Certified Secure report takes [`Fused`] as plain facts
//! (`fuse inspect` is `inspect.rs`).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::bundle::BASE;
use super::plan::{
    BundleSource, FusionFacts, POLICY_PATH, Payloads, SHIM_NAME, plan_fusion, read_bundle,
};
use super::sign::{SignedBundle, VerifiedBundle, sign_file, verify};
use crate::apk::SigningKey;
use crate::report::hex;
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

/// The report's role of a path fuse touched in a bundle.
pub fn role_of(path: &str) -> &'static str {
    let rest = path.split_once('/').map_or(path, |(_, r)| r);
    if path.starts_with(super::bundle::METADATA_DIR) {
        "codeTransparency"
    } else if rest == super::manifest::MANIFEST_PATH {
        "manifest"
    } else if rest.starts_with("dex/") {
        "bridge"
    } else if rest.ends_with(SHIM_NAME) {
        "shim"
    } else if rest == POLICY_PATH {
        "policy"
    } else if rest == super::native::NATIVE_PATH {
        "nativeTargeting"
    } else {
        "file"
    }
}

/// What a bundle build knows besides the fusion itself, for the report.
pub struct ReportInputs<'a> {
    /// The input file (its name goes into the report).
    pub input: &'a Path,
    pub input_size: u64,
    pub input_sha256: [u8; 32],
    /// Signers of the input (its JAR signature), leaf DER each; empty when unsigned.
    pub input_signers: Vec<Vec<u8>>,
    /// The output file name.
    pub output: &'a Path,
    pub fusion_set_name: &'a str,
    pub fusion_set_sha256: [u8; 32],
    pub policy: &'a fuse_policy::Policy,
    pub policy_blob: &'a [u8],
    pub signer_certificate_der: &'a [u8],
    pub key_kind: crate::report::KeyKind,
}

/// Fills `b` with a bundle build's input, changes, output and self-verification facts
/// (the caller records workflow steps and durations, then `finish`es and signs).
pub fn fill_report(b: &mut crate::report::ReportBuilder, r: &ReportInputs<'_>, fused: &Fused) {
    use crate::apk::Change;
    use crate::report::{AndroidFacts, InputFacts, OutputFacts, PackageFormat, SignerFacts};
    let f = &fused.facts;
    let file_name = |p: &Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let input_abis: Vec<String> = if f.abis_added {
        Vec::new()
    } else {
        f.abis.clone()
    };
    b.input(InputFacts {
        name: file_name(r.input),
        format: PackageFormat::Aab,
        size: r.input_size,
        sha256: r.input_sha256,
        app_name: None,
        package_id: f.package.clone(),
        version: f.version_name.clone(),
        build_number: f.version_code.map_or_else(String::new, |v| v.to_string()),
        signers: r
            .input_signers
            .iter()
            .map(|c| SignerFacts {
                certificate_der: Some(c.clone()),
                schemes: vec!["jar".into()],
            })
            .collect(),
        android: Some(AndroidFacts {
            min_sdk: f.min_sdk,
            target_sdk: f.target_sdk,
            abis_added: if f.abis_added {
                f.abis.clone()
            } else {
                Vec::new()
            },
            abis: input_abis,
            // bundletool decides per generated APK; fuse stores nothing differently.
            extract_native_libs: f.extract_native_libs.unwrap_or(true),
        }),
        aab: Some(report_aab_facts(f)),
        ios: None,
    });
    b.fusion_set(r.fusion_set_name, &r.fusion_set_sha256);
    b.policy(r.policy, r.policy_blob, &format!("{BASE}/{POLICY_PATH}"));
    for c in &fused.signed.changes {
        let role = role_of(&c.name);
        match (c.change, &c.before, &c.after) {
            (Change::Added, _, Some((sha, size))) => b.added(&c.name, role, sha, *size),
            (Change::Replaced, Some(before), Some(after)) => {
                b.changed(&c.name, role, (&before.0, before.1), (&after.0, after.1));
            }
            (Change::Removed, Some((sha, size)), _) => b.removed(&c.name, role, sha, *size),
            _ => {}
        }
    }
    b.output(OutputFacts {
        name: file_name(r.output),
        size: fused.signed.size,
        sha256: fused.signed.sha256,
        signer: SignerFacts {
            certificate_der: Some(r.signer_certificate_der.to_vec()),
            schemes: vec!["jar".into()],
        },
        key_source: r.key_kind,
    });
    b.check(
        "bundleStructure",
        true,
        Some("bundletool's layout, manifest and native-targeting rules hold".into()),
    );
    b.check(
        "jarSignature",
        fused.verified.signer_cert_sha256 == [fused.signed.signer_cert_sha256],
        Some("every entry is listed in MANIFEST.MF and matches; .SF and its block verify".into()),
    );
}
