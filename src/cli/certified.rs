//! Rendering shared by every format's `build` and `verify --report`: the report files a
//! build wrote, and what matched when an app was checked against its report.

use std::path::Path;

use serde_json::{Value, json};

use super::Output;
use super::args::BuildArgs;
use crate::certify::Certified;
use crate::report::{ReportKeySource, VerifiedReport, WriteOptions};

/// `--report-dir` and `--no-pdf`.
pub fn write_options(args: &BuildArgs) -> WriteOptions {
    WriteOptions {
        report_dir: args.report_dir.clone(),
        no_pdf: args.no_pdf,
    }
}

/// Each report warning on stderr, once.
pub fn print_warnings(out: &Output, certified: &Certified) {
    for line in crate::certify::warning_lines(&certified.report) {
        out.warn(line);
    }
}

/// The `report` member of `build --json`.
pub fn report_json(certified: &Certified) -> Value {
    json!({
        "json": certified.paths.json.display().to_string(),
        "pdf": certified.paths.pdf.as_ref().map(|p| p.display().to_string()),
        "result": certified.report.result,
        "buildId": certified.report.build_id,
        "warnings": certified.report.warnings,
    })
}

/// `build --json` for every format: the keys all three share, taken from the report just
/// written (so the summary and the signed report cannot disagree), merged with the
/// format's own `extras`. Objects merge one level deep (`input`, `output`, `fusionSet`
/// gain the format's facts); where both name the same key, the shared value wins.
/// The shape is documented in docs/json-output.md and checked by tests/e2e/json_output.rs.
pub fn build_json(certified: &Certified, input: &Path, output: &Path, extras: Value) -> Value {
    let r = &certified.report;
    let mut core = json!({
        "command": "build",
        "format": r.input.format.as_str(),
        "buildId": r.build_id,
        "input": {
            "path": input.display().to_string(),
            "size": r.input.size,
            "sha256": r.input.sha256,
            "packageId": r.input.package_id,
        },
        "output": {
            "path": output.display().to_string(),
            "size": r.output.size,
            "sha256": r.output.sha256,
            "schemes": r.output.signer.schemes,
            "signerCertSha256": r.output.signer.cert_sha256,
        },
        "fusionSet": {
            "id": r.fusion_set.id,
            "name": r.fusion_set.name,
            "stage": r.fusion_set.stage,
            "sha256": r.fusion_set.sha256,
        },
        "policy": { "sha256": r.policy.sha256, "size": r.policy.size },
        "warnings": r.warnings,
        "report": report_json(certified),
    });
    merge_shared_first(&mut core, extras);
    core
}

/// Adds `extras` to `core` without replacing anything `core` says (see [`build_json`]).
fn merge_shared_first(core: &mut Value, extras: Value) {
    let (Some(core), Value::Object(extras)) = (core.as_object_mut(), extras) else {
        return;
    };
    for (key, value) in extras {
        match (core.get_mut(&key), value) {
            (Some(Value::Object(shared)), Value::Object(more)) => {
                for (k, v) in more {
                    shared.entry(k).or_insert(v);
                }
            }
            (Some(_), _) => {}
            (None, value) => {
                core.insert(key, value);
            }
        }
    }
}

/// The report lines of the human build summary.
pub fn print_report_paths(certified: &Certified) {
    println!("  report       {}", certified.paths.json.display());
    if let Some(pdf) = &certified.paths.pdf {
        println!("               {}", pdf.display());
    }
}

/// `fuse verify APP --report R.json` succeeded: say what matched. `extra` goes into
/// `--json` beside the report facts (the format's own verification facts).
pub fn print_report_match(
    out: &Output,
    app: &Path,
    format: &str,
    report_path: &Path,
    verified: &VerifiedReport,
    extra: Value,
) -> anyhow::Result<()> {
    let r = &verified.report;
    let signer = r
        .output
        .signer
        .cert_sha256
        .clone()
        .unwrap_or_else(|| "ad-hoc".to_owned());
    if out.json {
        let mut v = json!({
            "path": app.display().to_string(),
            "format": format,
            "verified": true,
            "report": {
                "path": report_path.display().to_string(),
                "matches": true,
                "buildId": r.build_id,
                "result": r.result,
                "signature": verified.signature.algorithm,
                "reportKey": r.report_key.source,
                "reportCertSha256": verified.signature.cert_sha256,
                "outputSha256": r.output.sha256,
                "signerCertSha256": signer,
                "policySha256": r.policy.sha256,
                "fusionSetId": r.fusion_set.id,
            },
        });
        if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), extra) {
            obj.extend(extra);
        }
        out.json_result(&v)?;
    } else {
        println!(
            "{}: signatures verify and it matches {}, the output it certifies (build {})",
            app.display(),
            report_path.display(),
            r.build_id
        );
        let key = match r.report_key.source {
            ReportKeySource::PackageSigningKey => "the package signing key",
            ReportKeySource::DebugKey => "the per-user debug key (ad-hoc build)",
        };
        println!(
            "  report signature   valid, by {key} (certificate SHA-256 {})",
            verified.signature.cert_sha256
        );
        println!("  output SHA-256     {}", r.output.sha256);
        println!("  signer             {signer}");
        println!("  policy SHA-256     {}", r.policy.sha256);
        println!(
            "  fusion set         \"{}\" — {}",
            r.fusion_set.id, r.fusion_set.name
        );
    }
    Ok(())
}
