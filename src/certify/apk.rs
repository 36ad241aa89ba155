//! The report of an APK build, from the facts `android::build` returns
//! (`android::Build`), and the APK side of `fuse verify --report`.
//!
//! The policy is compiled again from the fusion set with the build's id and date — the
//! same call the pipeline made, so the same bytes — and must hash to what the pipeline
//! embedded; a difference is refused as inconsistent rather than reported.

use std::time::Duration;

use sha2::{Digest as _, Sha256};

use super::{report_warning_code, unhex32};
use crate::android::Build;
use crate::android::abi::ShimStorage;
use crate::android::facts::{ChangeKind, Step};
use crate::apk::{self, Scheme};
use crate::fusion_set::FusionSet;
use crate::keys::SigningIdentity;
use crate::report::{
    self, AndroidFacts, Clock, InputFacts, OutputFacts, PackageFormat, PackageSigner, PackageView,
    ReportBuilder, SignerFacts, StepName, StepResult,
};
use crate::zip::Archive;

fn scheme_name(s: Scheme) -> String {
    match s {
        Scheme::V1 => "v1",
        Scheme::V2 => "v2",
        Scheme::V3 => "v3",
    }
    .to_owned()
}

fn inconsistent(detail: String) -> crate::Error {
    report::Error::Inconsistent { detail }.into()
}

fn digest(hex: &str, what: &str) -> Result<[u8; 32], crate::Error> {
    unhex32(hex).ok_or_else(|| inconsistent(format!("{what} is not a SHA-256 ({hex:?})")))
}

/// Fill a report builder with everything an APK build knows.
pub fn fill(
    build: &Build,
    fusion_set: &FusionSet,
    identity: &SigningIdentity,
    clock: Clock,
) -> Result<ReportBuilder, crate::Error> {
    let mut b = ReportBuilder::new(clock);

    // Workflow: the pipeline timed each step (none under SOURCE_DATE_EPOCH, when the
    // report leaves durations out anyway).
    for name in StepName::ALL {
        let step = match name {
            StepName::Read => Step::Read,
            StepName::Inject => Step::Inject,
            StepName::Write => Step::Write,
            StepName::Sign => Step::Sign,
            StepName::Verify => Step::Verify,
        };
        let millis = build
            .steps
            .iter()
            .find(|t| t.step == step)
            .map_or(0, |t| t.millis);
        b.step(name, StepResult::Ok, Duration::from_millis(millis));
    }

    let app = &build.input.app;
    let shim_abis: Vec<String> = build
        .injection
        .shims
        .iter()
        .map(|s| s.abi.to_owned())
        .collect();
    let stored = build
        .injection
        .shims
        .iter()
        .all(|s| s.storage == ShimStorage::StoredAligned);
    b.input(InputFacts {
        name: build.input.path.clone(),
        format: PackageFormat::Apk,
        size: build.input.size,
        sha256: digest(&build.input.sha256, "the input SHA-256")?,
        // The label is usually a resource reference; the manifest facts carry no literal.
        app_name: None,
        package_id: app.package.clone(),
        version: app.version_name.clone(),
        build_number: app.version_code.map_or_else(String::new, |c| c.to_string()),
        signers: build
            .input
            .signer
            .iter()
            .map(|s| SignerFacts {
                certificate_der: Some(s.certificate_der.clone()),
                schemes: s.schemes.iter().copied().map(scheme_name).collect(),
            })
            .collect(),
        android: Some(AndroidFacts {
            min_sdk: app.min_sdk,
            target_sdk: app.target_sdk,
            abis: build.input.abis.clone(),
            abis_added: if build.injection.abis_added {
                shim_abis
            } else {
                Vec::new()
            },
            extract_native_libs: !stored,
        }),
        aab: None,
        ios: None,
    });
    if let Some(origin) = build
        .input
        .previous_fusion
        .as_ref()
        .and_then(|p| p.origin_sha256.as_deref())
    {
        b.origin(&digest(origin, "the recorded origin SHA-256")?);
    }
    b.fusion_set(fusion_set.name(), &fusion_set.sha256());

    let policy = fusion_set.to_policy(&build.build_id, build.build_date_unix);
    let blob = fuse_policy::encode(&policy);
    let blob_sha = crate::report::hex(&Sha256::digest(&blob));
    if blob_sha != build.policy.sha256 {
        return Err(inconsistent(format!(
            "the policy compiled for the report ({blob_sha}) is not the one embedded ({})",
            build.policy.sha256
        )));
    }
    b.policy(&policy, &blob, build.policy.entry);

    for c in &build.changes {
        let sha = |h: &Option<String>, what: &str| -> Result<[u8; 32], crate::Error> {
            let h = h
                .as_deref()
                .ok_or_else(|| inconsistent(format!("{}: no {what} SHA-256", c.path)))?;
            digest(h, what)
        };
        let size = |s: Option<u64>, what: &str| {
            s.ok_or_else(|| inconsistent(format!("{}: no {what} size", c.path)))
        };
        match c.change {
            ChangeKind::Added => b.added(
                &c.path,
                c.role,
                &sha(&c.after_sha256, "after")?,
                size(c.after_size, "after")?,
            ),
            ChangeKind::Changed => b.changed(
                &c.path,
                c.role,
                (
                    &sha(&c.before_sha256, "before")?,
                    size(c.before_size, "before")?,
                ),
                (
                    &sha(&c.after_sha256, "after")?,
                    size(c.after_size, "after")?,
                ),
            ),
            ChangeKind::Removed => b.removed(
                &c.path,
                c.role,
                &sha(&c.before_sha256, "before")?,
                size(c.before_size, "before")?,
            ),
        }
    }

    let out = &build.output;
    b.output(OutputFacts {
        name: out.path.clone(),
        size: out.size,
        sha256: digest(&out.sha256, "the output SHA-256")?,
        signer: SignerFacts {
            certificate_der: Some(identity.certificate_der().to_vec()),
            schemes: out
                .signer
                .schemes
                .iter()
                .copied()
                .map(scheme_name)
                .collect(),
        },
        key_source: report::key_kind_of(identity),
    });

    // Self-verification, as the pipeline ran it on the temp file before the rename.
    let v = &build.verification;
    let identity_sha = crate::report::sha256_hex(identity.certificate_der());
    for scheme in &v.schemes {
        let (name, what) = match scheme {
            Scheme::V1 => (
                "apkSignatureV1",
                "JAR signature: every entry digest, .SF and its block",
            ),
            Scheme::V2 => (
                "apkSignatureV2",
                "APK Signature Scheme v2: content digests and signature",
            ),
            Scheme::V3 => (
                "apkSignatureV3",
                "APK Signature Scheme v3: content digests and signature",
            ),
        };
        b.check(name, v.signatures, Some(format!("{what} verify")));
    }
    b.check(
        "signerCertificate",
        v.signer_cert_sha256 == identity_sha,
        Some(format!(
            "every scheme names the signing key's certificate (SHA-256 {})",
            v.signer_cert_sha256
        )),
    );
    b.check(
        "fusion",
        v.fusion,
        Some(
            "manifest keeps package, versions and SDKs and declares the bridge provider once; dex set consecutive, ending with the bridge; every injected entry holds the planned bytes; stored shims on 16 KiB"
                .into(),
        ),
    );

    for w in &build.warnings {
        if let Some(code) = report_warning_code(w.code) {
            b.warning(&code, w.message.clone());
        }
    }
    Ok(b)
}

/// An APK as `fuse verify --report` sees it: signatures checked by `apk::verify` (all
/// schemes), entries read through the strict reader with a size limit.
pub struct ApkView<'a> {
    archive: &'a Archive,
    /// The verification result, once `signer()` ran (for the command's output).
    pub verified: Option<apk::Verified>,
}

impl<'a> ApkView<'a> {
    pub fn new(archive: &'a Archive) -> Self {
        Self {
            archive,
            verified: None,
        }
    }
}

impl PackageView for ApkView<'_> {
    fn signer(&mut self) -> Result<PackageSigner, crate::Error> {
        let v = apk::verify(self.archive, None)?;
        let sha = v.signer_cert_sha256;
        self.verified = Some(v);
        Ok(PackageSigner::CertificateSha256(sha))
    }

    fn entry_names(&mut self) -> Result<Vec<String>, crate::Error> {
        Ok(super::zip_entry_names(self.archive))
    }

    fn read_entry(&mut self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, crate::Error> {
        super::zip_read_entry(self.archive, name, limit)
    }
}
