//! `fuse sign`, `fuse verify` and `fuse inspect` for Android App Bundles: argument
//! handling and rendering around `crate::aab`.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::Output;
use super::args::{BuildArgs, SignArgs, VerifyArgs};
use super::certified;
use super::early_key::EarlyKey;
use super::inspect_lines;
use crate::aab::pipeline;
use crate::aab::plan::{Plan, read_bundle};
use crate::aab::sign;
use crate::apk;
use crate::error::Error;
use crate::report::hex;
use crate::zip::{Archive, DosTime};

/// `<stem>-<suffix>.aab` beside the input.
pub fn default_output(input: &Path, suffix: &str) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or_else(|| "app".into(), |s| s.to_string_lossy().into_owned());
    input.with_file_name(format!("{stem}-{suffix}.aab"))
}

/// `fuse sign APP.aab [-o OUT]`: JAR re-signing, nothing else changes.
pub fn sign(archive: &Archive, args: &SignArgs, key: EarlyKey, out: &Output) -> anyhow::Result<()> {
    read_bundle(archive)?;
    let output = args
        .output
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.app, "signed"));
    let identity = key.load(&args.signing)?;
    if let Some(w) = identity.origin().warning() {
        out.warn(&w);
    }
    let (signed, _) = sign::sign_file(
        archive,
        &output,
        args.output.force,
        &Plan::default(),
        &identity,
        &apk::identity::v1_signer_name(identity.origin()),
        DosTime::from_env(),
    )?;
    if out.json {
        out.json_result(&json!({
            "output": output.display().to_string(),
            "format": "aab",
            "size": signed.size,
            "sha256": hex(&signed.sha256),
            "schemes": ["jar"],
            "signerCertSha256": hex(&signed.signer_cert_sha256),
        }))?;
    } else {
        println!(
            "{} signed (jar) and verified, SHA-256 {}",
            output.display(),
            hex(&signed.sha256)
        );
    }
    Ok(())
}

/// `fuse build APP.aab --fusion-set FS.json`: fuse, JAR-sign, self-verify, certify.
pub fn build(
    archive: &Archive,
    args: &BuildArgs,
    key: EarlyKey,
    out: &Output,
) -> anyhow::Result<()> {
    if args.signing.p12.is_some()
        || args.signing.provisioning_profile.is_some()
        || args.signing.entitlements.is_some()
    {
        return Err(Error::Usage {
            what: "--p12/--provisioning-profile/--entitlements are iOS signing flags".into(),
            fix: "sign a bundle with --ks/--ks-pass or --key/--cert (or none for the debug key)"
                .into(),
        }
        .into());
    }
    let clock = crate::report::Clock::from_env().map_err(Error::from)?;
    let fs = crate::fusion_set::load_at(&args.fusion_set, clock.unix).map_err(Error::from)?;
    let identity = key.load(&args.signing)?;
    let output = args
        .output
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.app, "fused"));
    let options = certified::write_options(args);
    crate::certify::prepare(&output, &options, args.output.force)?;
    let (builder, built) = crate::certify::aab::build(
        archive,
        &crate::certify::aab::Request {
            input: &args.app,
            output: &output,
            force: args.output.force,
            replace: args.replace,
            fusion_set: &fs,
            identity: &identity,
            clock,
            time: DosTime::from_env(),
        },
    )?;
    let certified = crate::certify::certify(
        builder,
        crate::report::ReportKeySource::PackageSigningKey,
        &identity,
        &output,
        &options,
    )?;
    certified::print_warnings(out, &certified);
    let f = &built.fused.facts;
    let signed = &built.fused.signed;
    if out.json {
        out.json_result(&certified::build_json(
            &certified,
            &args.app,
            &output,
            json!({ "fusion": f }),
        ))?;
    } else {
        println!("fused {} → {}", args.app.display(), output.display());
        println!(
            "  app          {} {} ({}), minSdk {}, targetSdk {}",
            f.package,
            f.version_name.as_deref().unwrap_or("-"),
            f.version_code
                .map_or_else(|| "-".to_owned(), |c| c.to_string()),
            f.min_sdk,
            f.target_sdk
        );
        println!(
            "  fusion set   \"{}\" — {} ({}), {} domain(s), {} pin(s)",
            fs.id(),
            fs.name(),
            fs.stage().as_str(),
            fs.domains().len(),
            fs.pin_count()
        );
        println!("  build id     {}", built.build_id);
        println!(
            "  injected     {} (bridge), base/{} (policy, SHA-256 {})",
            f.bridge_dex,
            crate::aab::plan::POLICY_PATH,
            certified.report.policy.sha256
        );
        println!(
            "               base/lib/{{{}}}/{}",
            f.abis.join(","),
            crate::aab::plan::SHIM_NAME
        );
        println!(
            "  signed       jar by certificate SHA-256 {}",
            hex(&signed.signer_cert_sha256)
        );
        println!(
            "  verified     bundle rules and JAR signature, before the output was renamed into place"
        );
        println!(
            "  output       {} bytes, SHA-256 {}",
            signed.size,
            hex(&signed.sha256)
        );
        certified::print_report_paths(&certified);
    }
    Ok(())
}

/// `fuse verify APP.aab`: bundle rules and the JAR signature.
pub fn verify(archive: &Archive, args: &VerifyArgs, out: &Output) -> anyhow::Result<()> {
    read_bundle(archive)?;
    let v = sign::verify(archive).map_err(Error::from)?;
    if let Some(report) = &args.report {
        let verified = crate::report::verify_app_against_report(
            &args.app,
            report,
            &mut pipeline::BundleView(archive),
        )?;
        let certs: Vec<String> = v.signer_cert_sha256.iter().map(|c| hex(c)).collect();
        return super::certified::print_report_match(
            out,
            &args.app,
            "aab",
            report,
            &verified,
            json!({ "schemes": ["jar"], "signerCertSha256": certs }),
        );
    }
    let certs: Vec<String> = v.signer_cert_sha256.iter().map(|c| hex(c)).collect();
    if out.json {
        out.json_result(&json!({
            "path": args.app.display().to_string(),
            "format": "aab",
            "verified": true,
            "schemes": ["jar"],
            "signerCertSha256": certs,
        }))?;
    } else {
        println!(
            "{}: verified (jar), signer certificate SHA-256 {}",
            args.app.display(),
            certs.join(", ")
        );
    }
    Ok(())
}

/// `fuse inspect APP.aab`.
pub fn inspect(archive: &Archive, out: &Output) -> anyhow::Result<()> {
    let i = crate::aab::inspect::inspect(archive)?;
    if out.json {
        out.json_result(&serde_json::to_value(&i)?)?;
        return Ok(());
    }
    let m = &i.app;
    println!("{}: AAB, {} bytes, SHA-256 {}", i.path, i.size, i.sha256);
    println!("  package      {}", m.package);
    println!("  version      {}", m.version());
    println!("  SDK          min {}, target {}", m.min_sdk, m.target_sdk);
    if let Some(v) = &i.bundletool_version {
        println!("  bundletool   {v}");
    }
    for module in &i.modules {
        let abis = if module.abis.is_empty() {
            "no native code".to_owned()
        } else {
            module.abis.join(", ")
        };
        println!(
            "  module       {}: {abis}; {} dex",
            module.name,
            module.dex_files.len()
        );
    }
    match (i.signers.as_slice(), &i.signature_problem) {
        ([], Some(p)) => println!("  signer       {} — {p}", i.signature),
        ([], None) => println!("  signer       -"),
        (signers, _) => {
            for s in signers {
                println!("  signer       {} (jar)", s.cert_sha256);
            }
        }
    }
    match (&i.fusion, &i.fusion_problem) {
        (Some(f), _) => {
            let p = &f.policy;
            inspect_lines::print_fused(p);
            inspect_lines::print_policy(p);
        }
        (None, Some(p)) => println!("  fused        partly — {p}"),
        (None, None) => println!("  fused        no"),
    }
    Ok(())
}
