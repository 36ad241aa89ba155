//! The Certified Secure report as data: one serde tree, schema `fuse/certified-secure@1`.
//!
//! Every field here is documented in `docs/report-format.md` and constrained by
//! `docs/report.schema.json`; a test walks a fully populated report and fails when a JSON
//! path is missing from the document. Field names are camelCase, enum values camelCase
//! (warning codes SCREAMING_SNAKE like threat-event reason codes), digests lowercase hex,
//! numbers integers only (the canonical form in `canonical.rs` relies on that).
//!
//! Optional members are left out when absent (never `null`), so the JSON of a report with
//! the same facts is always the same bytes.
//!
//! Platform facts live in optional sub-objects: `input.android` (APK and AAB),
//! `input.aab` (bundle layout), `input.ios` (IPA). One model serves every format.

use serde::{Deserialize, Serialize};

/// The schema id every report carries in `schema`. A reader rejects any other value.
pub const SCHEMA_ID: &str = "fuse/certified-secure@1";

/// The whole report. `signature` is absent only while the report is being built; every
/// written report carries one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Report {
    /// Always [`SCHEMA_ID`].
    pub schema: String,
    /// `pass` when every workflow step succeeded and every self-verification check passed.
    pub result: Verdict,
    pub tool: Tool,
    /// The `fusedAppToken`: see [`crate::report::fused_app_token`].
    pub build_id: String,
    pub time: ReportTime,
    /// read, inject, write, sign, verify — in that order.
    pub workflow: Vec<WorkflowStep>,
    pub input: Input,
    pub fusion_set: FusionSetInfo,
    pub policy: PolicyInfo,
    pub protections: Vec<Protection>,
    /// Every entry the fusion added, changed or removed, sorted by path.
    pub changes: Vec<EntryChange>,
    pub output: Output,
    pub self_verification: Vec<Check>,
    pub warnings: Vec<Warning>,
    /// Which key signs this report (inside the signed content, so it cannot be swapped).
    pub report_key: ReportKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    Pass,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// When the report was made. From `SOURCE_DATE_EPOCH` when that is set (reproducible
/// builds), else the system clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportTime {
    /// RFC 3339, UTC, whole seconds: `2026-11-23T13:34:00Z`.
    pub utc: String,
    /// The same instant in seconds since the Unix epoch.
    pub unix: i64,
    pub source: TimeSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TimeSource {
    SourceDateEpoch,
    Clock,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkflowStep {
    pub step: StepName,
    pub result: StepResult,
    /// Wall-clock milliseconds; left out when `SOURCE_DATE_EPOCH` is set so reproducible
    /// builds give byte-identical reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepName {
    Read,
    Inject,
    Write,
    Sign,
    Verify,
}

impl StepName {
    pub const ALL: [StepName; 5] = [
        StepName::Read,
        StepName::Inject,
        StepName::Write,
        StepName::Sign,
        StepName::Verify,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Inject => "inject",
            Self::Write => "write",
            Self::Sign => "sign",
            Self::Verify => "verify",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepResult {
    Ok,
    Failed,
    /// The step did not run (an earlier one failed).
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PackageFormat {
    Apk,
    Aab,
    Ipa,
}

impl PackageFormat {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Apk => "apk",
            Self::Aab => "aab",
            Self::Ipa => "ipa",
        }
    }
}

/// The package fuse was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Input {
    /// File name without directories (paths on the build machine are not the auditor's business).
    pub name: String,
    pub format: PackageFormat,
    pub size: u64,
    pub sha256: String,
    /// When the input was already fused: SHA-256 of the app first fused (recorded in the
    /// package); the build id is derived from it instead of `sha256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_sha256: Option<String>,
    /// The user-visible app name when the package states it literally (Android label
    /// string, `CFBundleDisplayName`/`CFBundleName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    /// Android package name or iOS bundle identifier.
    pub package_id: String,
    /// `versionName` / `CFBundleShortVersionString`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `versionCode` / `CFBundleVersion`.
    pub build_number: String,
    /// The signers the package had before fusion (empty when it was unsigned).
    pub signers: Vec<Signer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub android: Option<AndroidFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aab: Option<AabFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ios: Option<IosFacts>,
}

/// APK and AAB facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AndroidFacts {
    pub min_sdk: u32,
    pub target_sdk: u32,
    /// ABIs the input shipped native code for (`lib/<abi>/`), sorted; empty = no native code.
    pub abis: Vec<String>,
    /// ABIs that got native code only because of the shim (an app without native code gets all four).
    pub abis_added: Vec<String>,
    /// `android:extractNativeLibs` as the shim was stored for (false = stored, 16 KiB aligned).
    pub extract_native_libs: bool,
}

/// App-bundle layout facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AabFacts {
    /// Module names (`base` first, then sorted).
    pub modules: Vec<String>,
}

/// IPA facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IosFacts {
    /// `MinimumOSVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_os_version: Option<String>,
    /// Architecture slices of the main executable (`arm64`, `x86_64`, ...), in file order.
    pub arch_slices: Vec<String>,
    /// `CFBundleExecutable`.
    pub executable: String,
    /// Bundle folder name, `Payload/<bundle>`.
    pub bundle: String,
}

/// A signer of a package (before or after fusion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Signer {
    pub kind: SignerKind,
    /// SHA-256 of the signer certificate's DER (absent for ad-hoc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_sha256: Option<String>,
    /// Certificate subject, RFC 4514 string form (absent for ad-hoc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Signature schemes present: `v1`, `v2`, `v3`, `v3.1`, `v4` (APK), `jar` (AAB),
    /// `codeSignature` (iOS).
    pub schemes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignerKind {
    Certificate,
    /// iOS ad-hoc code signature: no certificate, no identity.
    AdHoc,
}

/// The fusion set the protection came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FusionSetInfo {
    pub id: String,
    pub name: String,
    pub stage: Stage,
    /// SHA-256 of the fusion-set file bytes as read.
    pub sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    Development,
    Staging,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ThreatEvents {
    Off,
    Detection,
    Defense,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    Close,
    Alert,
    Warn,
    Log,
}

/// The policy blob embedded in the output and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyInfo {
    /// SHA-256 of `policy.bin` exactly as embedded.
    pub sha256: String,
    pub size: u64,
    /// Where the blob sits in the output package.
    pub path: String,
    pub detection: bool,
    pub threat_events: ThreatEvents,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub domains: Vec<DomainInfo>,
    pub enforce: EnforceInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DomainInfo {
    /// As written in the fusion set after normalisation (`api.example.com`, `*.example.com`).
    pub host: String,
    pub include_subdomains: bool,
    /// `sha256/<base64>` SPKI pins.
    pub pins: Vec<String>,
    /// Last UTC day the pins apply (`YYYY-MM-DD`); absent = no expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnforceInfo {
    pub ca_basic_constraints: bool,
    pub min_rsa_bits: u32,
    pub min_ec_bits: u32,
    pub sha256_signatures: bool,
}

/// One protection fused into the app and how it behaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Protection {
    /// `CertificatePinning` (the fusion-set feature name).
    pub kind: String,
    pub mode: ProtectionMode,
    pub action: Action,
    pub threat_events: ThreatEvents,
    pub stage: Stage,
    /// Whether a violation fails the connection (`mode == enforcing` and the action blocks).
    pub blocking: bool,
    /// Number of domain entries covered.
    pub domain_count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProtectionMode {
    /// Violations are handled by `action` (close/alert block; warn/log do not).
    Enforcing,
    /// `threatEvents: detection`: never blocks, raises a threat event.
    DetectionOnly,
    /// `stage: development`: never blocks, shows a notice.
    NonBlocking,
    /// `detection: false`: shipped but inactive.
    Disabled,
}

/// One entry of the package that fusion touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntryChange {
    /// Path inside the package (`lib/arm64-v8a/libfusepin.so`, `Payload/App.app/App`).
    pub path: String,
    pub change: ChangeKind,
    /// What the entry is: `shim`, `policy`, `bridge`, `manifest`, `executable`,
    /// `signature`, `codeResources`, `bundleMetadata`, `nativeTargeting`, `other`.
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_size: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

/// The package fuse wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Output {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    pub signer: Signer,
    pub key_source: KeyKind,
    /// iOS only: the team and provisioning profile the signed app carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ios: Option<OutputIos>,
}

/// What an iOS output's signature and `embedded.mobileprovision` say (issue 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutputIos {
    /// Team identifier in the main executable's code directory (absent for ad-hoc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// The embedded provisioning profile (`--provisioning-profile`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_profile: Option<ProvisioningProfile>,
}

/// An embedded provisioning profile, as its signed plist states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProvisioningProfile {
    /// `Name`.
    pub name: String,
    /// `UUID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// `TeamIdentifier`.
    pub team_ids: Vec<String>,
    /// The `application-identifier` entitlement, e.g. `ABCDE12345.com.example.*`.
    pub application_identifier: String,
    /// `ExpirationDate`, RFC 3339 UTC.
    pub expires: String,
}

/// Where the output's signing key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyKind {
    /// `--ks` (PKCS#12 or JKS) or `--p12`.
    Keystore,
    /// `--key` + `--cert`.
    KeyFiles,
    /// The per-user debug key (no key given).
    DebugKey,
    /// iOS ad-hoc signing (no identity given).
    AdHoc,
}

/// One self-verification check run on the written output before it was moved into place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Check {
    /// Stable camelCase name (`apkSignatureV2`, `zipAlignment`, `policyDecodes`, ...).
    pub name: String,
    pub result: CheckResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckResult {
    Pass,
    Fail,
}

/// Something a release engineer should know; also printed on stderr as `warning: ...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Warning {
    /// `DEBUG_KEY`, `ADHOC_SIGNATURE`, `DEVELOPMENT_STAGE`, `PROTECTION_DISABLED`,
    /// `PIN_EXPIRING`, `PIN_SET_EXPIRED`, `NO_BACKUP_PIN`, `ABIS_ADDED`, or a pipeline's own code.
    pub code: String,
    pub message: String,
}

/// The key that signs the report, named inside the signed content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportKey {
    pub source: ReportKeySource,
    /// SHA-256 of the certificate in `signature.certificate`.
    pub cert_sha256: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReportKeySource {
    /// The key that signed the output package (its certificate is `output.signer`'s).
    PackageSigningKey,
    /// The per-user debug key: used when the package has no signing identity (iOS ad-hoc).
    DebugKey,
}

/// The report's own signature over its canonical JSON without this member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Signature {
    pub algorithm: SignatureAlgorithm,
    /// Signer certificate, standard base64 of the DER.
    pub certificate: String,
    /// Standard base64 of the signature (ECDSA: DER `Ecdsa-Sig-Value`).
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// ECDSA on P-256 with SHA-256, DER-encoded signature.
    EcdsaP256Sha256,
}

impl Report {
    /// Warnings whose code is `code` (tests and the CLI's stderr lines use this).
    pub fn warnings_with(&self, code: &str) -> impl Iterator<Item = &Warning> {
        self.warnings.iter().filter(move |w| w.code == code)
    }
}
