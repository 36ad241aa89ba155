//! `fuse build app.ipa`: the IPA pipeline (`ios::process` with the shim and the fusion
//! set's policy) and its report; and the IPA side of `fuse verify --report`.
//!
//! Signing: `--p12` signs the app and its report. Without it the app is signed ad-hoc —
//! there is no key — and the report is signed with the per-user debug key
//! (`reportKey.source = debugKey`, warning `ADHOC_SIGNATURE`; docs/report-format.md).
//!
//! Build id: `report::fused_app_token(input SHA-256, fusion set SHA-256, certificate
//! SHA-256 or ad-hoc)`. IPAs record no origin, so re-fusing a fused IPA derives the id
//! from the fused input (docs/ios.md).
//!
//! Sizes: `ios::process` lists each changed entry with its SHA-256; the sizes come from
//! the central directories of the input and the output (the strict ZIP reader).

use std::path::Path;
use std::time::Instant;

use super::{PreviousFusion, add_fusion_set_warnings, after_output, check_previous, unhex32};
use crate::fusion_set::FusionSet;
use crate::ios::{self, IosFacts, IosOutcome};
use crate::keys::SigningIdentity;
use crate::report::{
    self, Clock, InputFacts, IosFacts as ReportIosFacts, KeyKind, MAX_POLICY_BYTES, OutputFacts,
    OutputIos, PackageFormat, PackageSigner, PackageView, ProvisioningProfile, ReportBuilder,
    SignerFacts, StepName, StepResult, TokenSigner, fused_app_token,
};
use crate::zip::Archive;

/// One `fuse build` of an IPA.
pub struct Request<'a> {
    pub input: &'a Path,
    pub output: &'a Path,
    pub force: bool,
    pub replace: bool,
    pub fusion_set: &'a FusionSet,
    /// `--p12`; `None` signs ad-hoc.
    pub identity: Option<&'a SigningIdentity>,
    pub profile: Option<&'a Path>,
    pub entitlements: Option<&'a Path>,
    pub clock: Clock,
}

/// A finished IPA build (the output is in place).
#[derive(Debug, Clone)]
pub struct IpaBuild {
    pub build_id: String,
    pub outcome: IosOutcome,
    pub output_size: u64,
    pub output_sha256: [u8; 32],
}

const SCHEME: &str = "codeSignature";

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// `Payload/<one component>.app/fuse/policy.bin`.
fn is_policy_path(name: &str) -> bool {
    let mut parts = name.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("Payload"), Some(bundle), Some("fuse"), Some("policy.bin"), None)
            if bundle.len() > 4 && bundle.ends_with(".app")
    )
}

/// Runs the pipeline and fills a report builder. On error no output exists.
/// `archive` is the input as the strict reader opened it (for the previous policy and
/// entry sizes).
pub fn build(
    archive: &Archive,
    req: &Request<'_>,
) -> Result<(ReportBuilder, IpaBuild), crate::Error> {
    let fs = req.fusion_set;
    let started = Instant::now();
    let (input_sha256, input_size) = super::sha256_file(req.input)?;
    let previous = match archive.entries().iter().find(|e| is_policy_path(&e.name)) {
        Some(e) => {
            let blob = super::zip_read_entry(archive, &e.name, MAX_POLICY_BYTES)?;
            check_previous(
                &req.input.display().to_string(),
                blob.as_deref(),
                fs.id(),
                req.replace,
            )?
        }
        None => PreviousFusion::None,
    };
    let cert_sha = req.identity.map(|id| sha256(id.certificate_der()));
    let build_id = fused_app_token(
        &input_sha256,
        &fs.sha256(),
        match &cert_sha {
            Some(sha) => TokenSigner::Certificate(sha),
            None => TokenSigner::AdHoc,
        },
    );
    let policy = fs.to_policy(&build_id, req.clock.unix);
    let blob = fuse_policy::encode(&policy);
    let prepared = started.elapsed();

    let pkcs8 = req.identity.map(SigningIdentity::pkcs8_der);
    let outcome = ios::process(&ios::Request {
        input: req.input,
        output: req.output,
        force: req.force,
        payload: Some(ios::Payload {
            dylib: crate::payloads::ios_shim(),
            policy: &blob,
        }),
        key: req
            .identity
            .zip(pkcs8.as_ref())
            .map(|(id, pkcs8)| ios::KeyMaterial {
                pkcs8_der: pkcs8,
                chain_der: id.chain_der(),
            }),
        profile: req.profile,
        entitlements: req.entitlements,
    })?;

    after_output(req.output, || {
        let mut b = ReportBuilder::new(req.clock);
        let t = outcome.times;
        // Hashing the input and compiling the policy happen before the pipeline reads.
        b.step(StepName::Read, StepResult::Ok, prepared + t.read);
        b.step(StepName::Inject, StepResult::Ok, t.inject);
        b.step(StepName::Write, StepResult::Ok, t.write);
        b.step(StepName::Sign, StepResult::Ok, t.sign);
        b.step(StepName::Verify, StepResult::Ok, t.verify);

        let (output_sha256, output_size) = super::sha256_file(req.output)?;
        let written = Archive::open(req.output).map_err(crate::apk::ApkError::Zip)?;
        let input = &outcome.input;
        b.input(InputFacts {
            name: req.input.display().to_string(),
            format: PackageFormat::Ipa,
            size: input_size,
            sha256: input_sha256,
            app_name: input.name.clone(),
            package_id: input.bundle_id.clone(),
            version: input.version.clone(),
            build_number: input.build.clone().unwrap_or_default(),
            signers: signer_of(input).into_iter().collect(),
            android: None,
            aab: None,
            ios: Some(ReportIosFacts {
                min_os_version: input.minimum_os.clone(),
                arch_slices: input.slices.iter().map(|s| s.arch.clone()).collect(),
                executable: input.executable.clone(),
                bundle: input
                    .app_path
                    .strip_prefix("Payload/")
                    .unwrap_or(&input.app_path)
                    .to_owned(),
            }),
        });
        b.fusion_set(fs.name(), &fs.sha256());
        let app = &outcome.output.app_path;
        b.policy(
            &policy,
            &blob,
            &format!("{app}/{}", ios::pipeline::POLICY_PATH),
        );
        changes(&mut b, &outcome, archive, &written)?;
        b.output(OutputFacts {
            name: req.output.display().to_string(),
            size: output_size,
            sha256: output_sha256,
            signer: SignerFacts {
                certificate_der: req.identity.map(|id| id.certificate_der().to_vec()),
                schemes: vec![SCHEME.into()],
            },
            key_source: req.identity.map_or(KeyKind::AdHoc, report::key_kind_of),
        });
        b.output_ios(output_ios(&outcome.output));
        checks(&mut b, &outcome, &blob, cert_sha);
        add_fusion_set_warnings(&mut b, fs);
        if let PreviousFusion::Replaced { warning } = &previous {
            b.warning("FUSION_REPLACED", warning.clone());
        }
        Ok((
            b,
            IpaBuild {
                build_id: build_id.clone(),
                outcome: outcome.clone(),
                output_size,
                output_sha256,
            },
        ))
    })
}

/// The team and provisioning profile the signed app carries.
fn output_ios(facts: &IosFacts) -> OutputIos {
    OutputIos {
        team_id: facts.signature.team_id.clone(),
        provisioning_profile: facts.profile.as_ref().map(|p| ProvisioningProfile {
            name: p.name.clone(),
            uuid: p.uuid.clone(),
            team_ids: p.team_ids.clone(),
            application_identifier: p.application_identifier.clone(),
            expires: p.expires.clone(),
        }),
    }
}

/// The main executable's signer, as the report names it (none when unsigned).
fn signer_of(facts: &IosFacts) -> Option<SignerFacts> {
    let s = &facts.signature;
    match s.kind {
        "certificate" => Some(SignerFacts {
            certificate_der: s.certificate_der.clone(),
            schemes: vec![SCHEME.into()],
        }),
        "adhoc" => Some(SignerFacts {
            certificate_der: None,
            schemes: vec![SCHEME.into()],
        }),
        _ => None,
    }
}

/// What an entry of the app is.
fn role(path: &str, outcome: &IosOutcome) -> &'static str {
    let app = &outcome.output.app_path;
    let Some(rel) = path
        .strip_prefix(app.as_str())
        .and_then(|r| r.strip_prefix('/'))
    else {
        return "other";
    };
    if rel == outcome.output.executable {
        "executable"
    } else if rel == ios::pipeline::DYLIB_PATH {
        "shim"
    } else if rel == ios::pipeline::POLICY_PATH {
        "policy"
    } else if rel == ios::pipeline::PROFILE_PATH {
        "provisioningProfile"
    } else if rel.ends_with("_CodeSignature/CodeResources") {
        "codeResources"
    } else if outcome
        .output
        .nested
        .iter()
        .any(|n| rel.starts_with(&format!("{}/", n.path)))
    {
        // Re-signing changes a nested bundle's executable (and its CodeResources, above).
        "executable"
    } else {
        "other"
    }
}

fn changes(
    b: &mut ReportBuilder,
    outcome: &IosOutcome,
    input: &Archive,
    output: &Archive,
) -> Result<(), crate::Error> {
    let inconsistent =
        |detail: String| -> crate::Error { report::Error::Inconsistent { detail }.into() };
    let size = |a: &Archive, path: &str| {
        a.entry(path)
            .map(crate::zip::Entry::uncompressed_size)
            .ok_or_else(|| {
                inconsistent(format!(
                    "{path} is listed as changed but is not in the package"
                ))
            })
    };
    let sha = |h: &Option<String>, path: &str| {
        h.as_deref()
            .and_then(unhex32)
            .ok_or_else(|| inconsistent(format!("{path}: the change list lacks a SHA-256")))
    };
    for c in &outcome.changes {
        let r = role(&c.path, outcome);
        match c.change {
            "added" => b.added(
                &c.path,
                r,
                &sha(&c.after_sha256, &c.path)?,
                size(output, &c.path)?,
            ),
            "changed" => b.changed(
                &c.path,
                r,
                (&sha(&c.before_sha256, &c.path)?, size(input, &c.path)?),
                (&sha(&c.after_sha256, &c.path)?, size(output, &c.path)?),
            ),
            "removed" => b.removed(
                &c.path,
                r,
                &sha(&c.before_sha256, &c.path)?,
                size(input, &c.path)?,
            ),
            other => {
                return Err(inconsistent(format!(
                    "{}: unknown change {other:?}",
                    c.path
                )));
            }
        }
    }
    Ok(())
}

/// Self-verification as `ios::process` ran it on the written temp file, plus what the
/// re-read output facts say about the signer and the embedded policy.
fn checks(b: &mut ReportBuilder, outcome: &IosOutcome, blob: &[u8], cert_sha: Option<[u8; 32]>) {
    let exe = &outcome.output.executable;
    for line in &outcome.verification {
        let name = if line.contains("loads libfusepin.dylib exactly once") {
            "shimLoadedOncePerSlice"
        } else if line.starts_with(&format!("{exe}: ")) {
            "appSignatureAndSeal"
        } else if line.ends_with(": signature verifies") {
            "dylibSignature"
        } else {
            "nestedSignatureAndSeal"
        };
        b.check(name, true, Some(line.clone()));
    }
    let out = &outcome.output;
    let signer_ok = match cert_sha {
        Some(sha) => {
            out.signature.kind == "certificate"
                && out.signature.certificate_sha256.as_deref() == Some(report::hex(&sha).as_str())
        }
        None => out.signature.kind == "adhoc",
    };
    b.check(
        "signer",
        signer_ok,
        Some(match cert_sha {
            Some(sha) => format!(
                "signed by the --p12 certificate (SHA-256 {})",
                report::hex(&sha)
            ),
            None => "ad-hoc signature (no --p12)".to_owned(),
        }),
    );
    let policy_sha = report::sha256_hex(blob);
    b.check(
        "policyEmbedded",
        out.fused.fused && out.fused.policy_sha256.as_deref() == Some(policy_sha.as_str()),
        Some(format!(
            "{}/{} is the compiled policy (SHA-256 {policy_sha})",
            out.app_path,
            ios::pipeline::POLICY_PATH
        )),
    );
}

/// An IPA as `fuse verify --report` sees it: every signature and seal checked by
/// `ios::verify` (as `fuse verify`), entries read through the strict ZIP reader.
pub struct IpaView<'a> {
    path: &'a Path,
    archive: &'a Archive,
    /// The verifier's facts and check lines, once `signer()` ran.
    pub verified: Option<(IosFacts, Vec<String>)>,
}

impl<'a> IpaView<'a> {
    pub fn new(path: &'a Path, archive: &'a Archive) -> Self {
        Self {
            path,
            archive,
            verified: None,
        }
    }
}

impl PackageView for IpaView<'_> {
    fn signer(&mut self) -> Result<PackageSigner, crate::Error> {
        let (facts, lines) = ios::verify(self.path, false)?;
        let signer = match facts.signature.kind {
            "certificate" => facts
                .signature
                .certificate_sha256
                .as_deref()
                .and_then(unhex32)
                .map(PackageSigner::CertificateSha256),
            "adhoc" => Some(PackageSigner::AdHoc),
            _ => None,
        };
        let signer = signer.ok_or_else(|| {
            crate::Error::from(ios::Error::verification(
                &facts.app_path,
                "the main executable is not signed",
            ))
        })?;
        self.verified = Some((facts, lines));
        Ok(signer)
    }

    fn entry_names(&mut self) -> Result<Vec<String>, crate::Error> {
        Ok(super::zip_entry_names(self.archive))
    }

    fn read_entry(&mut self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, crate::Error> {
        super::zip_read_entry(self.archive, name, limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_path_is_one_bundle_deep() {
        assert!(is_policy_path("Payload/A.app/fuse/policy.bin"));
        assert!(!is_policy_path(
            "Payload/A.app/Frameworks/B.framework/fuse/policy.bin"
        ));
        assert!(!is_policy_path("Payload/.app/fuse/policy.bin"));
    }
}
