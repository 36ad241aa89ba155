//! The `.ipa` branch of `build`, `sign`, `verify` and `inspect`: arguments in, library
//! calls, human or JSON output out.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::json;

use super::Output;
use super::args::{BuildArgs, SignArgs, SigningArgs, VerifyArgs};
use super::certified;
use super::inspect_lines;
use crate::error::Error;
use crate::ios::{self, IosFacts};
use crate::zip::Archive;

/// `<stem>-fused.ipa` beside the input unless `-o` says otherwise.
pub fn default_output(input: &Path, output: Option<&PathBuf>) -> PathBuf {
    if let Some(o) = output {
        return o.clone();
    }
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "app".to_owned());
    input.with_file_name(format!("{stem}-fused.ipa"))
}

fn reject_android_flags(signing: &SigningArgs) -> Result<(), Error> {
    if signing.ks.is_some() || signing.key.is_some() {
        return Err(Error::Usage {
            what: "--ks/--key are Android signing flags".to_owned(),
            fix: "sign an .ipa with --p12 <FILE> --p12-pass <SPEC>".to_owned(),
        });
    }
    Ok(())
}

/// `fuse build APP.ipa --fusion-set FS.json`: inject, sign (`--p12`, else ad-hoc),
/// self-verify, certify. `archive` is the input as `crate::format::detect` opened it.
pub fn build(archive: &Archive, args: &BuildArgs, out: &Output) -> Result<()> {
    reject_android_flags(&args.signing)?;
    let clock = crate::report::Clock::from_env().map_err(Error::from)?;
    let fs = crate::fusion_set::load_at(&args.fusion_set, clock.unix).map_err(Error::from)?;
    let identity = match crate::keys::p12_source_from_args(&args.signing).map_err(Error::from)? {
        Some(source) => Some(crate::keys::load(&source).map_err(Error::from)?),
        None => None,
    };
    // Ad-hoc: no key signs the app, so the per-user debug key signs the report (loaded
    // first, so a broken debug key stops the build before any output exists).
    let debug_key;
    let (key_source, report_signer) = match &identity {
        Some(id) => (crate::report::ReportKeySource::PackageSigningKey, id),
        None => {
            debug_key = crate::keys::load(&crate::keys::KeySource::Debug).map_err(Error::from)?;
            (crate::report::ReportKeySource::DebugKey, &debug_key)
        }
    };
    let output = default_output(&args.app, args.output.output.as_ref());
    let options = certified::write_options(args);
    crate::certify::prepare(&output, &options, args.output.force)?;
    let (builder, built) = crate::certify::ipa::build(
        archive,
        &crate::certify::ipa::Request {
            input: &args.app,
            output: &output,
            force: args.output.force,
            replace: args.replace,
            fusion_set: &fs,
            identity: identity.as_ref(),
            profile: args.signing.provisioning_profile.as_deref(),
            entitlements: args.signing.entitlements.as_deref(),
            clock,
        },
    )?;
    let certified = crate::certify::certify(builder, key_source, report_signer, &output, &options)?;
    // The pipeline's ad-hoc line is the report's ADHOC_SIGNATURE warning: printed once.
    certified::print_warnings(out, &certified);
    let outcome = &built.outcome;
    if out.json {
        out.json_result(&certified::build_json(
            &certified,
            &args.app,
            &output,
            serde_json::to_value(outcome)?,
        ))?;
    } else {
        let o = &outcome.output;
        println!("fused {} → {}", args.app.display(), output.display());
        println!(
            "  app          {} {} ({}), minimum iOS {}",
            o.bundle_id,
            o.version.as_deref().unwrap_or("-"),
            o.build.as_deref().unwrap_or("-"),
            o.minimum_os.as_deref().unwrap_or("-")
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
        for (arch, path) in &outcome.injected {
            println!("  injected     {arch}: LC_LOAD_DYLIB {path}");
        }
        println!(
            "               {}/{}, {}/{} (policy, SHA-256 {})",
            o.app_path,
            ios::pipeline::DYLIB_PATH,
            o.app_path,
            ios::pipeline::POLICY_PATH,
            certified.report.policy.sha256
        );
        println!("  signed       {}", signer_line(o));
        println!(
            "  verified     signatures, seals and the shim, before the output was renamed into place"
        );
        println!(
            "  output       {} bytes, SHA-256 {}",
            built.output_size,
            crate::report::hex(&built.output_sha256)
        );
        certified::print_report_paths(&certified);
    }
    Ok(())
}

pub fn sign(args: &SignArgs, out: &Output) -> Result<()> {
    reject_android_flags(&args.signing)?;
    let output = default_output(&args.app, args.output.output.as_ref());
    // --p12 goes through the same PKCS#12 loading as Android's --ks (CONTRACTS §3).
    let identity = match crate::keys::p12_source_from_args(&args.signing).map_err(Error::from)? {
        Some(source) => Some(crate::keys::load(&source).map_err(Error::from)?),
        None => None,
    };
    let pkcs8 = identity
        .as_ref()
        .map(crate::keys::SigningIdentity::pkcs8_der);
    let request = ios::Request {
        input: &args.app,
        output: &output,
        force: args.output.force,
        payload: None,
        key: identity
            .as_ref()
            .zip(pkcs8.as_ref())
            .map(|(id, pkcs8)| ios::KeyMaterial {
                pkcs8_der: pkcs8,
                chain_der: id.chain_der(),
            }),
        profile: args.signing.provisioning_profile.as_deref(),
        entitlements: args.signing.entitlements.as_deref(),
    };
    let outcome = ios::process(&request).map_err(Error::from)?;
    for warning in &outcome.warnings {
        out.warn(warning);
    }
    if out.json {
        out.json_result(&json!({
            "command": "sign",
            "format": "ipa",
            "input": args.app,
            "output": output,
            "result": outcome,
        }))?;
    } else {
        for line in &outcome.verification {
            out.info(&format!("verified: {line}"));
        }
        println!(
            "signed {} -> {} ({})",
            args.app.display(),
            output.display(),
            signer_line(&outcome.output)
        );
    }
    Ok(())
}

pub fn verify(archive: &Archive, args: &VerifyArgs, out: &Output) -> Result<()> {
    if let Some(report) = &args.report {
        // The view runs the same verification as below and names the signer.
        let mut view = crate::certify::ipa::IpaView::new(&args.app, archive);
        let verified = crate::report::verify_app_against_report(&args.app, report, &mut view)?;
        let extra = view.verified.as_ref().map_or(
            json!({}),
            |(facts, lines)| json!({ "checks": lines, "facts": facts }),
        );
        return certified::print_report_match(out, &args.app, "ipa", report, &verified, extra);
    }
    let (facts, lines) = ios::verify(&args.app, false).map_err(Error::from)?;
    if out.json {
        out.json_result(&json!({
            "command": "verify",
            "format": "ipa",
            "verified": true,
            "checks": lines,
            "facts": facts,
        }))?;
    } else {
        for line in &lines {
            println!("ok: {line}");
        }
        println!("verified {} ({})", args.app.display(), signer_line(&facts));
    }
    Ok(())
}

/// `fuse inspect APP.ipa`.
pub fn inspect(archive: &Archive, out: &Output) -> Result<()> {
    let i = ios::inspect::inspect(archive)?;
    if out.json {
        out.json_result(&serde_json::to_value(&i)?)?;
        return Ok(());
    }
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    let a = &i.app;
    println!("{}: IPA, {} bytes, SHA-256 {}", i.path, i.size, i.sha256);
    println!("  bundle id    {} ({})", a.bundle_id, a.app_path);
    println!(
        "  version      {} ({})",
        or_dash(&a.version),
        or_dash(&a.build)
    );
    println!("  minimum iOS  {}", or_dash(&a.minimum_os));
    println!(
        "  executable   {} (Info.plist: {})",
        a.executable, a.info_plist_format
    );
    for s in &i.slices {
        println!(
            "  slice        {} {} min {}{} — signature {}",
            s.arch,
            s.platform.as_deref().unwrap_or("?"),
            s.minimum_os.as_deref().unwrap_or("?"),
            if s.encrypted { ", encrypted" } else { "" },
            s.signature,
        );
    }
    for n in &i.nested {
        println!(
            "  nested       {} ({}, {}, signature {})",
            n.path, n.kind, n.bundle_id, n.signature
        );
    }
    match i.signers.first() {
        Some(s) if s.ad_hoc => println!("  signer       ad-hoc"),
        Some(s) => println!(
            "  signer       {} (team {}), certificate SHA-256 {}",
            s.identity.as_deref().unwrap_or("?"),
            s.team_id.as_deref().unwrap_or("-"),
            s.cert_sha256.as_deref().unwrap_or("?")
        ),
        None => println!("  signer       -"),
    }
    inspect_lines::print_signature(
        i.signature,
        i.signature_problem.as_ref(),
        " (code signatures and seals)",
    );
    if let Some(p) = &i.profile {
        println!(
            "  profile      {} (team {}, {}, expires {})",
            p.name,
            p.team_ids.join(","),
            p.application_identifier,
            p.expires
        );
    }
    match (&i.fusion, &i.fusion_problem) {
        (Some(f), _) => {
            let p = &f.policy;
            inspect_lines::print_fused(p);
            for l in &f.shim_loads {
                println!("  shim         {}: LC_LOAD_DYLIB {}", l.arch, l.path);
            }
            inspect_lines::print_policy(p);
        }
        (None, Some(p)) => println!("  fused        partly — {p}"),
        (None, None) => println!("  fused        no"),
    }
    Ok(())
}

fn signer_line(facts: &IosFacts) -> String {
    let s = &facts.signature;
    match s.kind {
        "certificate" => format!(
            "signed by {} (team {})",
            s.signer.as_deref().unwrap_or("?"),
            s.team_id.as_deref().unwrap_or("-")
        ),
        "adhoc" => "ad-hoc signature".to_owned(),
        _ => "unsigned".to_owned(),
    }
}
