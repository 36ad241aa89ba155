//! `fuse sign`, `fuse verify` and `fuse inspect` for Android App Bundles: argument
//! handling and rendering around `crate::aab`.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::Output;
use super::args::{InspectArgs, SignArgs, VerifyArgs};
use crate::aab::pipeline;
use crate::aab::plan::{Plan, read_bundle};
use crate::aab::sign;
use crate::apk;
use crate::error::Error;
use crate::keys;
use crate::zip::{Archive, DosTime};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `<stem>-<suffix>.aab` beside the input.
pub fn default_output(input: &Path, suffix: &str) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or_else(|| "app".into(), |s| s.to_string_lossy().into_owned());
    input.with_file_name(format!("{stem}-{suffix}.aab"))
}

/// `fuse sign APP.aab [-o OUT]`: JAR re-signing, nothing else changes.
pub fn sign(archive: &Archive, args: &SignArgs, out: &Output) -> anyhow::Result<()> {
    read_bundle(archive)?;
    let output = args
        .output
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.app, "signed"));
    let source = keys::key_source_from_args(&args.signing).map_err(Error::from)?;
    let identity = keys::load(&source).map_err(Error::from)?;
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
            "signer_cert_sha256": hex(&signed.signer_cert_sha256),
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
        if out.json {
            out.json_result(&json!({
                "path": args.app.display().to_string(),
                "format": "aab",
                "verified": true,
                "report": report.display().to_string(),
                "build_id": verified.report.build_id,
            }))?;
        } else {
            println!(
                "{}: verified (jar) and matches {} (build {})",
                args.app.display(),
                report.display(),
                verified.report.build_id
            );
        }
        return Ok(());
    }
    let certs: Vec<String> = v.signer_cert_sha256.iter().map(|c| hex(c)).collect();
    if out.json {
        out.json_result(&json!({
            "path": args.app.display().to_string(),
            "format": "aab",
            "verified": true,
            "schemes": ["jar"],
            "signer_cert_sha256": certs,
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
pub fn inspect(archive: &Archive, args: &InspectArgs, out: &Output) -> anyhow::Result<()> {
    let i = pipeline::inspect(archive)?;
    if out.json {
        let mut v = serde_json::to_value(&i)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("path".into(), json!(args.app.display().to_string()));
        }
        out.json_result(&v)?;
        return Ok(());
    }
    println!("{}", args.app.display());
    println!("  format            Android App Bundle (aab)");
    println!("  package           {}", i.package);
    println!(
        "  version           {} ({})",
        i.version_name.as_deref().unwrap_or("-"),
        i.version_code
            .map_or_else(|| "-".to_owned(), |c| c.to_string())
    );
    println!("  min / target SDK  {} / {}", i.min_sdk, i.target_sdk);
    println!("  modules           {}", i.modules.join(", "));
    let abis = if i.abis.is_empty() {
        "none (no native code)".to_owned()
    } else {
        i.abis.join(", ")
    };
    println!("  ABIs              {abis}");
    if let Some(v) = &i.bundletool_version {
        println!("  bundletool        {v}");
    }
    println!("  signature         {}", i.signature);
    for c in &i.signer_cert_sha256 {
        println!("  signer SHA-256    {c}");
    }
    println!("  fused             {}", if i.fused { "yes" } else { "no" });
    Ok(())
}
