//! `fuse build app.aab`: the bundle pipeline (`aab::plan` + `aab::sign`, the steps of
//! `aab::pipeline::fuse_file`, timed one by one) with the fusion set's policy, and its
//! report. The facts go in through `aab::pipeline::fill_report`; this file adds what a
//! bundle build knows besides the fusion — the JAR signature files re-signing dropped
//! and wrote, the workflow, warnings.
//!
//! Build id: `report::fused_app_token(input SHA-256, fusion set SHA-256, signer
//! certificate SHA-256)`. Bundles record no origin (unlike APKs'
//! `assets/fuse/origin.sha256`), so re-fusing a fused bundle derives the id from the fused
//! input: another id than the first fusion's (docs/aab.md).

use std::path::Path;
use std::time::Instant;

use super::{PreviousFusion, add_fusion_set_warnings, after_output, check_previous};
use crate::aab::bundle::BASE;
use crate::aab::pipeline::{self, Fused, ReportInputs};
use crate::aab::plan::{POLICY_PATH, Payloads, plan_fusion, read_bundle};
use crate::aab::sign::sign_file_timed;
use crate::apk::{self, v1};
use crate::fusion_set::FusionSet;
use crate::keys::SigningIdentity;
use crate::report::{
    self, Clock, MAX_POLICY_BYTES, ReportBuilder, StepName, StepResult, TokenSigner,
    fused_app_token,
};
use crate::zip::{Archive, DosTime};

/// One `fuse build` of a bundle.
pub struct Request<'a> {
    pub input: &'a Path,
    pub output: &'a Path,
    pub force: bool,
    /// Replace a fusion made with another fusion set.
    pub replace: bool,
    pub fusion_set: &'a FusionSet,
    pub identity: &'a SigningIdentity,
    pub clock: Clock,
    /// Timestamp of every entry fuse writes.
    pub time: DosTime,
}

/// A finished bundle build (the output is in place).
#[derive(Debug, Clone)]
pub struct AabBuild {
    pub build_id: String,
    pub fused: Fused,
    pub input_size: u64,
    pub input_sha256: [u8; 32],
}

/// Runs the pipeline and fills a report builder. On error no output exists.
pub fn build(
    archive: &Archive,
    req: &Request<'_>,
) -> Result<(ReportBuilder, AabBuild), crate::Error> {
    let mut b = ReportBuilder::new(req.clock);
    let fs = req.fusion_set;

    // Read: the bundle rules, the input's hash and its JAR signers (one per core).
    let started = Instant::now();
    let bundle = read_bundle(archive)?;
    let (hashed, input_signers) = std::thread::scope(|scope| {
        let signers = scope.spawn(|| match apk::verify::v1::verify(archive) {
            // An unsigned or invalid input has no signer to name.
            Ok(Some(v)) => v.signer_certs,
            _ => Vec::new(),
        });
        let hashed = super::sha256_file(req.input);
        (hashed, signers.join().unwrap_or_default())
    });
    let (input_sha256, input_size) = hashed?;
    let previous = {
        let name = format!("{BASE}/{POLICY_PATH}");
        let blob = super::zip_read_entry(archive, &name, MAX_POLICY_BYTES)?;
        check_previous(
            &req.input.display().to_string(),
            blob.as_deref(),
            fs.id(),
            req.replace,
        )?
    };
    b.step(StepName::Read, StepResult::Ok, started.elapsed());

    // Inject: the build id goes into the policy, the policy into the plan.
    let started = Instant::now();
    let cert_sha: [u8; 32] = sha256(req.identity.certificate_der());
    let build_id = fused_app_token(
        &input_sha256,
        &fs.sha256(),
        TokenSigner::Certificate(&cert_sha),
    );
    let policy = fs.to_policy(&build_id, req.clock.unix);
    let blob = fuse_policy::encode(&policy);
    let payloads = Payloads {
        shim: &crate::payloads::android_shim,
        bridge_dex: crate::payloads::bridge_dex(),
        policy: &blob,
    };
    let (plan, facts) = plan_fusion(archive, &bundle, &payloads)?;
    b.step(StepName::Inject, StepResult::Ok, started.elapsed());

    // Write + sign (one pass), self-verify, rename.
    let (signed, verified, times) = sign_file_timed(
        archive,
        req.output,
        req.force,
        &plan,
        req.identity,
        &apk::identity::v1_signer_name(req.identity.origin()),
        req.time,
    )?;
    b.step(StepName::Write, StepResult::Ok, times.write_and_sign);
    b.step_untimed(StepName::Sign, StepResult::Ok);
    b.step(StepName::Verify, StepResult::Ok, times.verify);
    let fused = Fused {
        facts,
        signed,
        verified,
    };

    after_output(req.output, || {
        pipeline::fill_report(
            &mut b,
            &ReportInputs {
                input: req.input,
                input_size,
                input_sha256,
                input_signers,
                output: req.output,
                fusion_set_name: fs.name(),
                fusion_set_sha256: fs.sha256(),
                policy: &policy,
                policy_blob: &blob,
                signer_certificate_der: req.identity.certificate_der(),
                key_kind: report::key_kind_of(req.identity),
            },
            &fused,
        );
        signature_changes(&mut b, archive, req.output)?;
        add_fusion_set_warnings(&mut b, fs);
        if let PreviousFusion::Replaced { warning } = previous {
            b.warning("FUSION_REPLACED", warning);
        }
        Ok(())
    })?;
    Ok((
        b,
        AabBuild {
            build_id,
            fused,
            input_size,
            input_sha256,
        },
    ))
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// The JAR signature files: the input's are dropped, the output's written anew (the
/// bundle signer lists only the plan's entries). Same name with other bytes = changed.
fn signature_changes(
    b: &mut ReportBuilder,
    input: &Archive,
    output: &Path,
) -> Result<(), crate::Error> {
    let written = Archive::open(output).map_err(apk::ApkError::Zip)?;
    let digest = |a: &Archive, e: &crate::zip::Entry| -> Result<([u8; 32], u64), crate::Error> {
        Ok((
            a.stream_sha256(e).map_err(apk::ApkError::Zip)?,
            e.uncompressed_size(),
        ))
    };
    for e in input
        .entries()
        .iter()
        .filter(|e| v1::is_signature_file(&e.name))
    {
        let before = digest(input, e)?;
        match written.entry(&e.name) {
            Some(w) => {
                let after = digest(&written, w)?;
                if after != before {
                    b.changed(
                        &e.name,
                        "signature",
                        (&before.0, before.1),
                        (&after.0, after.1),
                    );
                }
            }
            None => b.removed(&e.name, "signature", &before.0, before.1),
        }
    }
    for w in written
        .entries()
        .iter()
        .filter(|w| v1::is_signature_file(&w.name) && input.entry(&w.name).is_none())
    {
        let after = digest(&written, w)?;
        b.added(&w.name, "signature", &after.0, after.1);
    }
    Ok(())
}
