//! `fuse build` and `fuse inspect` for APKs: arguments in, `crate::android` calls, a
//! human summary or one JSON object out.
//!
//! The kind of package is decided from its content by `crate::format::detect` before
//! these run (an `.aab` renamed `.apk` is still a bundle).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::Output;
use super::args::BuildArgs;
use super::certified;
use super::early_key::EarlyKey;
use super::inspect_lines;
use super::progress::Bar;
use crate::android::{self, Build, Inspection};
use crate::apk::Scheme;
use crate::error::Error;
use crate::zip::{Archive, DosTime};
use crate::{certify, fusion_set, report};

/// `<stem>-fused.apk` beside the input.
pub fn default_output(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or_else(|| "app".into(), |s| s.to_string_lossy().into_owned());
    input.with_file_name(format!("{stem}-fused.apk"))
}

/// `fuse build APP --fusion-set FS.json` for an APK (or a ZIP that is no known package:
/// the pipeline refuses it with the reason). `archive` comes from `crate::format::detect`
/// (reading starts there); bundles and iOS apps are dispatched elsewhere.
pub fn build(
    archive: Archive,
    args: &BuildArgs,
    key: EarlyKey,
    out: &Output,
) -> anyhow::Result<()> {
    let started = Instant::now();
    if args.signing.p12.is_some() || args.signing.provisioning_profile.is_some() {
        return Err(Error::Usage {
            what: "--p12/--provisioning-profile are iOS signing flags".into(),
            fix: "sign an APK with --ks/--ks-pass or --key/--cert (or none for the debug key)"
                .into(),
        }
        .into());
    }
    // One clock for the policy's build date and the report (SOURCE_DATE_EPOCH or now).
    let clock = report::Clock::from_env().map_err(Error::from)?;
    let fs = fusion_set::load_at(&args.fusion_set, clock.unix).map_err(Error::from)?;
    // The debug-key warning is the report's (DEBUG_KEY), printed once below.
    let identity = key.load(&args.signing)?;
    let output = args
        .output
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.app));
    let options = certified::write_options(args);
    certify::prepare(&output, &options, args.output.force)?;
    let bar = Bar::new(out, &args.app, "fusing");
    let build = android::build::build_archive(
        archive,
        started,
        &android::Request {
            input: &args.app,
            output: &output,
            force: args.output.force,
            replace: args.replace,
            fusion_set: &fs,
            fusion_set_path: &args.fusion_set,
            identity: &identity,
            build_date_unix: clock.unix,
            time: DosTime::from_env(),
            progress: &bar,
        },
    )
    .map_err(Error::from)?;
    bar.done();

    // The Certified Secure report, once the self-verified output is in place.
    let builder = certify::after_output(&output, || {
        certify::apk::fill(&build, &fs, &identity, clock)
    })?;
    let certified = certify::certify(
        builder,
        report::ReportKeySource::PackageSigningKey,
        &identity,
        &output,
        &options,
    )?;
    certified::print_warnings(out, &certified);
    if out.json {
        let extras = serde_json::to_value(&build)?;
        out.json_result(&certified::build_json(
            &certified, &args.app, &output, extras,
        ))?;
    } else {
        print_build(&build);
        certified::print_report_paths(&certified);
    }
    Ok(())
}

fn schemes(s: &[Scheme]) -> String {
    s.iter()
        .map(|s| match s {
            Scheme::V1 => "v1",
            Scheme::V2 => "v2",
            Scheme::V3 => "v3",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_build(b: &Build) {
    let m = &b.input.app;
    println!("fused {} → {}", b.input.path, b.output.path);
    println!(
        "  app          {} {}, minSdk {}, targetSdk {}",
        m.package,
        m.version(),
        m.min_sdk,
        m.target_sdk
    );
    println!(
        "  fusion set   \"{}\" — {} ({}), {} domain(s), {} pin(s)",
        b.fusion_set.id,
        b.fusion_set.name,
        b.fusion_set.stage.as_str(),
        b.fusion_set.domains,
        b.fusion_set.pins
    );
    println!("  build id     {}", b.build_id);
    println!(
        "  injected     {} (bridge), {} (policy, SHA-256 {})",
        b.injection.bridge_dex, b.injection.policy_entry, b.policy.sha256
    );
    for s in &b.injection.shims {
        let how = match s.storage {
            android::abi::ShimStorage::StoredAligned => "stored, 16 KiB aligned",
            android::abi::ShimStorage::Deflated => "deflated",
        };
        println!("               {} ({how})", s.entry);
    }
    println!(
        "  manifest     + provider fuse.bridge.FuseProvider, authority {}",
        b.injection.provider_authority
    );
    if !b.injection.replaced_previous.is_empty() {
        println!("  replaced     the previous fusion");
    }
    println!(
        "  signed       {} by certificate SHA-256 {}",
        schemes(&b.output.signer.schemes),
        b.output.signer.cert_sha256
    );
    println!("  verified     signatures and fusion, before the output was renamed into place");
    println!(
        "  output       {} bytes, SHA-256 {}",
        b.output.size, b.output.sha256
    );
}

/// `fuse inspect APP`.
/// Bundles and iOS apps are dispatched to their own inspectors before this.
pub fn inspect(archive: Archive, out: &Output) -> anyhow::Result<()> {
    let i = android::inspect::inspect_archive(archive).map_err(Error::from)?;
    if out.json {
        out.json_result(&serde_json::to_value(&i)?)?;
    } else {
        print_inspection(&i);
    }
    Ok(())
}

fn print_inspection(i: &Inspection) {
    let m = &i.app;
    println!("{}: APK, {} bytes, SHA-256 {}", i.path, i.size, i.sha256);
    println!("  package      {}", m.package);
    println!("  version      {}", m.version());
    println!("  SDK          min {}, target {}", m.min_sdk, m.target_sdk);
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join(", ")
        }
    };
    println!("  ABIs         {}", list(&i.abis));
    println!(
        "  dex          {} ({})",
        i.dex_files.len(),
        list(&i.dex_files)
    );
    if let Some(app) = &m.application_class {
        println!("  application  {app}");
    }
    match i.signers.first() {
        Some(s) => println!("  signer       {} ({})", s.cert_sha256, schemes(&s.schemes)),
        None => println!("  signer       -"),
    }
    inspect_lines::print_signature(i.signature, i.signature_problem.as_ref(), "");
    match (&i.fusion, &i.fusion_problem) {
        (Some(f), _) => {
            inspect_lines::print_fused(&f.policy);
            println!("  bridge       {}", f.bridge_dex);
            inspect_lines::print_policy(&f.policy);
        }
        (None, Some(p)) => println!("  fused        partly — {p}"),
        (None, None) => println!("  fused        no"),
    }
}
