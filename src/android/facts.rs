//! The facts of a finished build: what the summary prints, what `--json` emits, what the
//! Certified Secure report is filled from. Plain data, camelCase in JSON.

use serde::Serialize;

use super::build_id::hex;
use super::plan::Injection;
use super::previous::PreviousFusion;
use crate::apk::{Scheme, Verified};
use crate::axml::ManifestFacts;

/// A finished build: everything the summary and the report need.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    /// `fusedAppToken`: in the policy, in every threat event, in the report.
    pub build_id: String,
    pub build_date_unix: i64,
    pub input: InputFacts,
    pub fusion_set: FusionSetFacts,
    pub policy: PolicyFacts,
    pub injection: Injection,
    /// Every entry added, changed or removed, with SHA-256 of its bytes before/after.
    pub changes: Vec<EntryChange>,
    pub output: OutputFacts,
    pub verification: VerificationFacts,
    /// Duration of each step; empty when `SOURCE_DATE_EPOCH` is set (reproducible output).
    pub steps: Vec<StepTiming>,
    pub warnings: Vec<BuildWarning>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputFacts {
    pub path: String,
    pub format: &'static str,
    pub size: u64,
    pub sha256: String,
    pub app: AppFacts,
    /// ABIs the app itself ships native code for (sorted; empty = none).
    pub abis: Vec<String>,
    pub dex_files: Vec<String>,
    /// The input's verified signer, when its signatures verify.
    pub signer: Option<SignerFacts>,
    /// Why the input's signatures do not verify (unsigned, tampered, …), when they do not.
    pub signature_problem: Option<String>,
    pub previous_fusion: Option<PreviousFacts>,
}

/// The manifest facts, as the summary, `inspect --json` and the report name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppFacts {
    pub package: String,
    pub version_code: Option<u32>,
    pub version_name: Option<String>,
    pub min_sdk: u32,
    pub target_sdk: u32,
    /// `android:extractNativeLibs`; `None` when absent.
    pub extract_native_libs: Option<bool>,
    pub application_class: Option<String>,
    pub providers: Vec<ProviderFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderFacts {
    pub name: Option<String>,
    pub authorities: Vec<String>,
    pub exported: Option<bool>,
}

impl AppFacts {
    pub fn of(m: &ManifestFacts) -> Self {
        Self {
            package: m.package.clone(),
            version_code: m.version_code,
            version_name: m.version_name.clone(),
            min_sdk: m.min_sdk,
            target_sdk: m.target_sdk,
            extract_native_libs: m.extract_native_libs,
            application_class: m.application_class.clone(),
            providers: m
                .providers
                .iter()
                .map(|p| ProviderFacts {
                    name: p.name.clone(),
                    authorities: p.authorities.clone(),
                    exported: p.exported,
                })
                .collect(),
        }
    }

    /// `1.7 (7)`.
    pub fn version(&self) -> String {
        match (&self.version_name, self.version_code) {
            (Some(n), Some(c)) => format!("{n} ({c})"),
            (Some(n), None) => n.clone(),
            (None, Some(c)) => format!("({c})"),
            (None, None) => "-".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerFacts {
    pub cert_sha256: String,
    pub schemes: Vec<Scheme>,
    /// The certificate itself, for the report (its subject); not in `--json`.
    #[serde(skip)]
    pub certificate_der: Vec<u8>,
}

impl SignerFacts {
    pub fn of(v: &Verified) -> Self {
        Self {
            cert_sha256: hex(&v.signer_cert_sha256),
            schemes: v.schemes.clone(),
            certificate_der: v.signer_certificate_der.clone(),
        }
    }
}

/// A fusion found in the input (and replaced).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousFacts {
    pub fusion_set_id: Option<String>,
    pub build_id: Option<String>,
    pub policy_sha256: String,
    /// Why its policy does not decode, when it does not.
    pub policy_problem: Option<String>,
    pub origin_sha256: Option<String>,
}

impl PreviousFacts {
    pub fn of(p: &PreviousFusion) -> Self {
        Self {
            fusion_set_id: p.fusion_set_id().map(str::to_owned),
            build_id: p.policy.as_ref().ok().map(|p| p.build_id.clone()),
            policy_sha256: hex(&p.policy_sha256),
            policy_problem: p.policy.as_ref().err().cloned(),
            origin_sha256: p.origin_sha256.as_ref().map(|s| hex(s)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FusionSetFacts {
    pub path: String,
    pub id: String,
    pub name: String,
    pub stage: crate::fusion_set::Stage,
    pub sha256: String,
    pub domains: usize,
    pub pins: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyFacts {
    pub entry: &'static str,
    pub size: usize,
    pub sha256: String,
}

/// One entry the build touched. `role`: manifest, bridge, shim, policy, origin,
/// signature (JAR signature files dropped or written by re-signing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryChange {
    pub path: String,
    pub change: ChangeKind,
    pub role: &'static str,
    pub before_sha256: Option<String>,
    /// Uncompressed bytes before / after.
    pub before_size: Option<u64>,
    pub after_sha256: Option<String>,
    pub after_size: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputFacts {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub signer: SignerFacts,
    /// v2/v3 signature algorithm id (0x0103 RSA PKCS#1 SHA-256, 0x0201 ECDSA SHA-256, …).
    pub signature_algorithm: u32,
    pub min_sdk_version: u32,
    pub entries: usize,
    /// Where the key came from: `debug`, `keystore`, `key-files`.
    pub key_source: &'static str,
}

/// Self-verification, done before the output got its name.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationFacts {
    pub signatures: bool,
    pub schemes: Vec<Scheme>,
    pub signer_cert_sha256: String,
    /// Manifest provider, dex set, injected bytes, shim alignment (check.rs).
    pub fusion: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    Read,
    Inject,
    Write,
    Sign,
    Verify,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepTiming {
    pub step: Step,
    pub millis: u64,
}

/// Something the user should know; `code` is stable for tools and the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildWarning {
    pub code: &'static str,
    pub message: String,
}
