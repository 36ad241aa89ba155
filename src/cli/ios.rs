//! The `.ipa` branch of `build`, `sign`, `verify` and `inspect`: arguments in, library
//! calls, human or JSON output out.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::json;

use super::Output;
use super::args::{BuildArgs, InspectArgs, SignArgs, SigningArgs, VerifyArgs};
use crate::error::Error;
use crate::ios::{self, IosFacts};

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

pub fn build(_args: &BuildArgs, _out: &Output) -> Result<()> {
    // The pipeline is ready (`ios::process` with a `Payload`); it waits for the prebuilt
    // iOS shim (crate::payloads::ios_shim) and the fusion-set compiler to land on main.
    Err(Error::NotAvailable("build for .ipa files").into())
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

pub fn verify(args: &VerifyArgs, out: &Output) -> Result<()> {
    if args.report.is_some() {
        return Err(Error::NotAvailable("verify --report").into());
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

pub fn inspect(args: &InspectArgs, out: &Output) -> Result<()> {
    let facts = ios::inspect(&args.app).map_err(Error::from)?;
    if out.json {
        out.json_result(&serde_json::to_value(&facts)?)?;
        return Ok(());
    }
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    println!("format:       ipa ({})", facts.app_path);
    println!("bundle id:    {}", facts.bundle_id);
    println!(
        "version:      {} ({})",
        or_dash(&facts.version),
        or_dash(&facts.build)
    );
    println!("minimum iOS:  {}", or_dash(&facts.minimum_os));
    println!(
        "executable:   {} (Info.plist: {})",
        facts.executable, facts.info_plist_format
    );
    for s in &facts.slices {
        println!(
            "slice:        {} {} min {} — signature {}, shim {}",
            s.arch,
            s.platform.as_deref().unwrap_or("?"),
            s.minimum_os.as_deref().unwrap_or("?"),
            s.signature,
            s.shim_load.as_deref().unwrap_or("not loaded")
        );
    }
    for n in &facts.nested {
        println!(
            "nested:       {} ({}, {}, signature {})",
            n.path, n.kind, n.bundle_id, n.signature
        );
    }
    println!("signer:       {}", signer_line(&facts));
    if let Some(p) = &facts.profile {
        println!(
            "profile:      {} (team {}, {}, expires {})",
            p.name,
            p.team_ids.join(","),
            p.application_identifier,
            p.expires
        );
    }
    println!(
        "fused:        {}",
        if facts.fused.fused {
            format!(
                "yes (policy sha256 {})",
                facts.fused.policy_sha256.as_deref().unwrap_or("-")
            )
        } else {
            "no".to_owned()
        }
    );
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
