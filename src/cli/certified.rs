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
