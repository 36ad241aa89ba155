//! `fuse sign` and `fuse verify` for APKs: argument handling, progress and rendering.

use serde_json::json;

use super::Output;
use super::args::{SignArgs, VerifyArgs};
use super::early_key::EarlyKey;
use super::progress::Bar;
use crate::apk::{self, Scheme, SignOptions};
use crate::error::Error;
use crate::keys;
use crate::report::hex;
use crate::zip::Archive;

fn scheme_names(s: &[Scheme]) -> Vec<&'static str> {
    s.iter()
        .map(|s| match s {
            Scheme::V1 => "v1",
            Scheme::V2 => "v2",
            Scheme::V3 => "v3",
        })
        .collect()
}

/// `fuse verify APP`; `archive` is the input as `crate::format::detect` opened it.
pub fn verify(archive: Archive, args: &VerifyArgs, out: &Output) -> anyhow::Result<()> {
    let archive = apk::require_apk(archive, &args.app, "verify").map_err(Error::from)?;
    if let Some(report) = &args.report {
        // The view verifies every scheme (as below) and names the signer.
        let mut view = crate::certify::apk::ApkView::new(&archive);
        let verified = crate::report::verify_app_against_report(&args.app, report, &mut view)?;
        let extra = view.verified.as_ref().map_or(json!({}), |v| {
            json!({
                "schemes": scheme_names(&v.schemes),
                "signerCertSha256": hex(&v.signer_cert_sha256),
            })
        });
        return super::certified::print_report_match(
            out, &args.app, "apk", report, &verified, extra,
        );
    }
    let v = apk::verify(&archive, None).map_err(Error::from)?;
    if out.json {
        out.json_result(&json!({
            "path": args.app.display().to_string(),
            "format": "apk",
            "verified": true,
            "schemes": scheme_names(&v.schemes),
            "signerCertSha256": hex(&v.signer_cert_sha256),
            "minSdkVersion": v.min_sdk_version,
            "signatureAlgorithms": v.algorithms,
            "v3SdkRange": v.v3_sdk_range.map(|(a, b)| json!([a, b])),
        }))?;
    } else {
        println!(
            "{}: verified ({}), signer certificate SHA-256 {}",
            args.app.display(),
            scheme_names(&v.schemes).join(", "),
            hex(&v.signer_cert_sha256)
        );
    }
    Ok(())
}

/// `fuse sign APP [-o OUT]`; `archive` is the input as `crate::format::detect` opened it.
pub fn sign(archive: Archive, args: &SignArgs, key: EarlyKey, out: &Output) -> anyhow::Result<()> {
    let archive = apk::require_apk(archive, &args.app, "sign").map_err(Error::from)?;
    let output = args
        .output
        .output
        .clone()
        .unwrap_or_else(|| apk::default_output(&args.app));
    let identity = key.load(&args.signing)?;
    if let Some(w) = identity.origin().warning() {
        out.warn(&w);
    }
    let opts = SignOptions {
        v1_signer_name: apk::identity::v1_signer_name(identity.origin()),
        ..SignOptions::default()
    };
    let bar = Bar::new(out, &args.app, "signing");
    let (signed, _verified) = apk::sign_file(
        &archive,
        &output,
        args.output.force,
        &apk::Plan::default(),
        &identity,
        &opts,
        &bar,
    )
    .map_err(Error::from)?;
    bar.done();
    if out.json {
        out.json_result(&json!({
            "output": output.display().to_string(),
            "size": signed.size,
            "sha256": hex(&signed.sha256),
            "schemes": scheme_names(&signed.schemes),
            "signerCertSha256": hex(&signed.signer_cert_sha256),
            "minSdkVersion": signed.min_sdk_version,
            "signatureAlgorithm": signed.algorithm.id(),
            "keyOrigin": key_origin(identity.origin()),
        }))?;
    } else {
        println!(
            "{} signed ({}) and verified, SHA-256 {}",
            output.display(),
            scheme_names(&signed.schemes).join(", "),
            hex(&signed.sha256)
        );
    }
    Ok(())
}

fn key_origin(origin: &keys::KeyOrigin) -> serde_json::Value {
    match origin {
        keys::KeyOrigin::DebugKey { path } => {
            json!({"kind": "debug", "path": path.display().to_string()})
        }
        keys::KeyOrigin::Keystore { path, alias } => {
            json!({"kind": "keystore", "path": path.display().to_string(), "alias": alias})
        }
        keys::KeyOrigin::KeyFiles { key, cert } => json!({
            "kind": "key-files",
            "key": key.display().to_string(),
            "cert": cert.display().to_string(),
        }),
    }
}
