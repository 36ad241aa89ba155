//! `fuse inspect` for an IPA: what the app is, which slices it has, who signed it, whether
//! and how it is fused.
//!
//! ```text
//! Payload/<App>.app/
//! ├── Info.plist                    app: bundle id, version, build, MinimumOSVersion
//! ├── <CFBundleExecutable>          slices: arch, platform + min OS (LC_BUILD_VERSION),
//! │                                 cryptid, LC_LOAD_DYLIB of the shim, signature
//! ├── _CodeSignature/CodeResources  signature: the checks of `fuse verify`
//! ├── embedded.mobileprovision      profile: name, team, expiry
//! ├── Frameworks/libfusepin.dylib   ┐ fusion: what the IPA pipeline injects
//! └── fuse/policy.bin               ┘ (and `fuse build` finds again when re-fusing)
//! ```
//! The facts come from the pipeline's reader (`pipeline::inspect_and_verify`: bounded
//! plist, Mach-O and archive readers); this file only shapes them the way the APK and
//! AAB inspectors name theirs. Read-only and descriptive: a signature that does not
//! verify and a partial fusion are facts; only an app fuse cannot read is an error.

use serde::Serialize;

use super::facts::{IosFacts, NestedFacts};
use super::pipeline::{DYLIB_PATH, POLICY_PATH, inspect_and_verify};
use crate::embedded_policy::EmbeddedPolicy;
use crate::report::hex;
use crate::zip::Archive;

/// Largest `policy.bin` read (the report verifier's bound).
const MAX_POLICY_BYTES: u64 = crate::report::MAX_POLICY_BYTES;

/// Everything `fuse inspect` says about an IPA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub path: String,
    /// Always `ipa`.
    pub format: &'static str,
    pub size: u64,
    pub sha256: String,
    pub app: AppFacts,
    /// The main executable's architectures, in file order (as `llvm-lipo -archs`).
    pub archs: Vec<String>,
    pub slices: Vec<SliceFacts>,
    /// Nested code (frameworks, extensions), deepest first.
    pub nested: Vec<NestedFacts>,
    /// `signed` (certificate or ad-hoc, and it verifies), `unsigned` or `invalid`.
    pub signature: &'static str,
    /// The main executable's signer (first slice); empty when unsigned. A list, as in
    /// the APK and AAB inspectors' `signers`.
    pub signers: Vec<SignerFacts>,
    /// Why the signatures or seals do not verify, when they do not.
    pub signature_problem: Option<String>,
    /// `embedded.mobileprovision`, when present.
    pub profile: Option<ProfileFacts>,
    pub fused: bool,
    pub fusion: Option<Fusion>,
    /// Why the app looks partly fused, when it does.
    pub fusion_problem: Option<String>,
}

/// The app's `Info.plist`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppFacts {
    pub bundle_id: String,
    pub name: Option<String>,
    /// `CFBundleShortVersionString`.
    pub version: Option<String>,
    /// `CFBundleVersion`.
    pub build: Option<String>,
    /// `MinimumOSVersion`.
    pub minimum_os: Option<String>,
    pub executable: String,
    /// `Payload/<App>.app`.
    pub app_path: String,
    /// `binary` or `xml`.
    pub info_plist_format: &'static str,
}

/// One slice of the main executable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SliceFacts {
    pub arch: String,
    /// `ios`, `ios-simulator`, … from `LC_BUILD_VERSION` / `LC_VERSION_MIN_IPHONEOS`.
    pub platform: Option<String>,
    pub minimum_os: Option<String>,
    /// `LC_ENCRYPTION_INFO(_64)` cryptid ≠ 0 (App Store encrypted; fuse cannot fuse it).
    pub encrypted: bool,
    /// `unsigned`, `adhoc` or `certificate`.
    pub signature: String,
    /// The install path of the shim's `LC_LOAD_DYLIB`, when the slice loads it.
    pub shim_load: Option<String>,
}

/// Who signed the main executable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerFacts {
    /// Ad-hoc: no certificate, no team (installs only where signing is not enforced).
    pub ad_hoc: bool,
    /// The signing certificate's common name (`Apple Distribution: … (TEAMID)`).
    pub identity: Option<String>,
    pub team_id: Option<String>,
    /// SHA-256 of the signing certificate (DER), hex.
    pub cert_sha256: Option<String>,
    /// The code signing identifier (usually the bundle id).
    pub identifier: Option<String>,
    /// The code directory hash (SHA-256 truncated to 20 bytes), hex.
    pub cdhash: Option<String>,
    /// Always `["codeSignature"]` (the report's name for Apple's scheme).
    pub schemes: Vec<&'static str>,
}

/// `embedded.mobileprovision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileFacts {
    pub name: String,
    pub uuid: Option<String>,
    pub team_ids: Vec<String>,
    pub application_identifier: String,
    /// RFC 3339.
    pub expires: String,
    pub expires_unix: i64,
}

/// The fusion found in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fusion {
    #[serde(flatten)]
    pub policy: EmbeddedPolicy,
    /// `Payload/<App>.app/Frameworks/libfusepin.dylib`.
    pub dylib: String,
    /// Per slice: the shim's install path.
    pub shim_loads: Vec<ShimLoad>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShimLoad {
    pub arch: String,
    pub path: String,
}

/// Describes the IPA `archive` (opened by `crate::format::detect`).
pub fn inspect(archive: &Archive) -> Result<Inspection, crate::Error> {
    let path = archive.path().to_path_buf();
    let (facts, verified) = inspect_and_verify(&path)?;
    let (sha256, size) = crate::certify::sha256_file(&path)?;
    let policy_name = format!("{}/{POLICY_PATH}", facts.app_path);
    let policy = match archive.entry(&policy_name) {
        Some(e) => Some(
            archive
                .read_entry(e, MAX_POLICY_BYTES)
                .map_err(crate::apk::ApkError::Zip)?,
        ),
        None => None,
    };
    let s = &facts.signature;
    let signer = (s.kind != "unsigned").then(|| SignerFacts {
        ad_hoc: s.kind == "adhoc",
        identity: s.signer.clone(),
        team_id: s.team_id.clone(),
        cert_sha256: s.certificate_sha256.clone(),
        identifier: s.identifier.clone(),
        cdhash: s.cdhash.clone(),
        schemes: vec!["codeSignature"],
    });
    let (signature, signature_problem) = match (&verified, &signer) {
        (Ok(_), Some(_)) => ("signed", None),
        (_, None) => (
            "unsigned",
            Some(match verified {
                Err(e) => e.to_string(),
                Ok(_) => "the main executable has no code signature".to_owned(),
            }),
        ),
        (Err(e), Some(_)) => ("invalid", Some(e.to_string())),
    };
    let (fusion, fusion_problem) = fusion(&facts, policy.as_deref(), &policy_name);
    Ok(Inspection {
        path: path.display().to_string(),
        format: "ipa",
        size,
        sha256: hex(&sha256),
        app: AppFacts {
            bundle_id: facts.bundle_id.clone(),
            name: facts.name.clone(),
            version: facts.version.clone(),
            build: facts.build.clone(),
            minimum_os: facts.minimum_os.clone(),
            executable: facts.executable.clone(),
            app_path: facts.app_path.clone(),
            info_plist_format: facts.info_plist_format,
        },
        archs: facts.slices.iter().map(|s| s.arch.clone()).collect(),
        slices: facts
            .slices
            .iter()
            .map(|s| SliceFacts {
                arch: s.arch.clone(),
                platform: s.platform.clone(),
                minimum_os: s.minimum_os.clone(),
                encrypted: s.encrypted,
                signature: s.signature.clone(),
                shim_load: s.shim_load.clone(),
            })
            .collect(),
        nested: facts.nested.clone(),
        signature,
        signers: signer.into_iter().collect(),
        signature_problem,
        profile: facts.profile.as_ref().map(|p| ProfileFacts {
            name: p.name.clone(),
            uuid: p.uuid.clone(),
            team_ids: p.team_ids.clone(),
            application_identifier: p.application_identifier.clone(),
            expires: p.expires.clone(),
            expires_unix: p.expires_unix,
        }),
        fused: fusion.is_some(),
        fusion,
        fusion_problem,
    })
}

/// The parts the IPA pipeline injects: all present (the shim loaded exactly once by every
/// slice) → the fusion; none → not fused; some → why it is partial.
fn fusion(
    facts: &IosFacts,
    policy: Option<&[u8]>,
    policy_name: &str,
) -> (Option<Fusion>, Option<String>) {
    let f = &facts.fused;
    let loads: usize = facts.slices.iter().map(|s| s.shim_loads).sum();
    if !f.dylib_present && policy.is_none() && loads == 0 {
        return (None, None);
    }
    let mut missing = Vec::new();
    if !f.dylib_present {
        missing.push(DYLIB_PATH.to_owned());
    }
    if policy.is_none() {
        missing.push(POLICY_PATH.to_owned());
    }
    for s in &facts.slices {
        match s.shim_loads {
            1 => {}
            0 => missing.push(format!(
                "the LC_LOAD_DYLIB of libfusepin.dylib in {}",
                s.arch
            )),
            n => missing.push(format!(
                "a single LC_LOAD_DYLIB of libfusepin.dylib in {} (it has {n})",
                s.arch
            )),
        }
    }
    match (policy, missing.is_empty()) {
        (Some(blob), true) => (
            Some(Fusion {
                policy: EmbeddedPolicy::of(policy_name, blob),
                dylib: format!("{}/{DYLIB_PATH}", facts.app_path),
                shim_loads: facts
                    .slices
                    .iter()
                    .map(|s| ShimLoad {
                        arch: s.arch.clone(),
                        path: s.shim_load.clone().unwrap_or_default(),
                    })
                    .collect(),
            }),
            None,
        ),
        _ => (
            None,
            Some(format!(
                "the app holds parts of a fuse fusion but not all of them (missing: {}); it was changed after fusion",
                missing.join(", ")
            )),
        ),
    }
}
