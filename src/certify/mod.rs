//! Certifying a build: the step of `fuse build` that joins the three pipelines (APK, AAB,
//! IPA) to the Certified Secure report (DESIGN §9), and the package side of
//! `fuse verify APP --report R.json`.
//!
//! ```text
//! prepare      --report-dir created, existing report files refused without --force
//! <format>     run the pipeline (android::build · aab sign_file · ios::process), then
//!              hand every fact it learnt to a report::ReportBuilder         apk.rs aab.rs ipa.rs
//! certify      finish → refuse a failing verdict → sign (package key, or the debug key
//!              for iOS ad-hoc) → write .certified.json + .pdf atomically
//! view         report::PackageView over each format (verify --report)      apk.rs aab.rs ipa.rs
//! ```
//!
//! Decisions (docs/report-format.md, "Which builds get a report"):
//! - A report is written only for an output that passed self-verification, so every
//!   written report says `pass`. A build that fails self-verification leaves no output
//!   (DESIGN §8) and so nothing to certify; a failing verdict at this point is a bug and
//!   is refused.
//! - The output is renamed into place by the pipeline before the report is signed (the
//!   report carries the output's final name and hash). If anything after that fails —
//!   the facts disagree, the report cannot be signed or written — the output is removed
//!   again: a build either leaves its output *and* its report, or neither.
//! - Warnings: the report derives the common ones (debug key, ad-hoc, stage, pins, ABIs)
//!   from the facts; a pipeline's own warnings are added under their codes unless the
//!   report already derives the same condition. stderr prints the report's list, each
//!   once.

pub mod aab;
pub mod apk;
pub mod ipa;
mod previous;

use std::path::Path;

use crate::report::{
    self, Report, ReportBuilder, ReportKeySource, ReportPaths, ReportSigner, Verdict, WriteOptions,
};

pub use previous::{PreviousFusion, check_previous};

/// A certified build: the signed report and where it was written.
#[derive(Debug, Clone)]
pub struct Certified {
    pub report: Report,
    pub paths: ReportPaths,
}

/// Before any work: create `--report-dir`, and refuse to replace existing report files
/// unless `force` (the same rule as the output package's).
pub fn prepare(
    output: &Path,
    options: &WriteOptions,
    force: bool,
) -> Result<ReportPaths, crate::Error> {
    if let Some(dir) = &options.report_dir {
        std::fs::create_dir_all(dir).map_err(|source| report::Error::Write {
            path: dir.clone(),
            source,
        })?;
    }
    let paths = report::report_paths(output, options);
    if !force {
        for path in std::iter::once(&paths.json).chain(paths.pdf.as_ref()) {
            if path.exists() {
                return Err(report::Error::Write {
                    path: path.clone(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "the file exists; pass --force to replace it",
                    ),
                }
                .into());
            }
        }
    }
    Ok(paths)
}

/// Finish the report, sign it with `signer` and write it beside `output` (or in
/// `--report-dir`). On any failure the output package is removed (see the module docs).
pub fn certify(
    builder: ReportBuilder,
    key_source: ReportKeySource,
    signer: &dyn ReportSigner,
    output: &Path,
    options: &WriteOptions,
) -> Result<Certified, crate::Error> {
    after_output(output, || {
        let report = builder.finish(key_source, signer.certificate_der())?;
        if report.result != Verdict::Pass {
            return Err(report::Error::Inconsistent {
                detail: failing_detail(&report),
            }
            .into());
        }
        let (report, paths) = report::sign_and_write(report, signer, output, options)?;
        Ok(Certified { report, paths })
    })
}

fn failing_detail(report: &Report) -> String {
    let failed: Vec<String> = report
        .self_verification
        .iter()
        .filter(|c| c.result == report::CheckResult::Fail)
        .map(|c| c.name.clone())
        .chain(
            report
                .workflow
                .iter()
                .filter(|s| s.result != report::StepResult::Ok)
                .map(|s| format!("step {}", s.step.as_str())),
        )
        .collect();
    format!(
        "the output passed self-verification but the report would say fail ({})",
        if failed.is_empty() {
            "no self-verification checks".to_owned()
        } else {
            failed.join(", ")
        }
    )
}

/// Run `f` once the output exists; if it fails, remove the output so no uncertified
/// package is left behind.
pub fn after_output<T>(
    output: &Path,
    f: impl FnOnce() -> Result<T, crate::Error>,
) -> Result<T, crate::Error> {
    let result = f();
    if result.is_err() {
        let _ = std::fs::remove_file(output);
    }
    result
}

/// The warning lines for stderr: the report's warnings, each message once.
pub fn warning_lines(report: &Report) -> Vec<&str> {
    let mut lines: Vec<&str> = Vec::with_capacity(report.warnings.len());
    for w in &report.warnings {
        if !lines.contains(&w.message.as_str()) {
            lines.push(&w.message);
        }
    }
    lines
}

/// The report code for a pipeline's or a fusion set's own warning code (`min-sdk-below-21`
/// → `MIN_SDK_BELOW_21`), or `None` when the report derives the same condition itself
/// (debug key, ABIs added, stage, detection off, missing backup pin, expiring pins).
pub fn report_warning_code(code: &str) -> Option<String> {
    match code {
        "debug-key" | "abis-added" | "development-stage" | "detection-off" | "no-backup-pin"
        | "expires-soon" => None,
        other => Some(other.to_ascii_uppercase().replace('-', "_")),
    }
}

/// The fusion set's own warnings the report does not derive itself (placeholder pins).
pub fn add_fusion_set_warnings(b: &mut ReportBuilder, fusion_set: &crate::fusion_set::FusionSet) {
    for w in fusion_set.warnings() {
        if let Some(code) = report_warning_code(w.code.as_str()) {
            b.warning(&code, format!("fusion set {w}"));
        }
    }
}

/// Streamed SHA-256 and size of a file.
pub fn sha256_file(path: &Path) -> Result<([u8; 32], u64), crate::Error> {
    crate::file_digest::sha256_file(path).map_err(|source| crate::Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })
}

/// 64 lowercase hex characters → 32 bytes (`None` for anything else).
pub fn unhex32(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let s = std::str::from_utf8(pair).ok()?;
        *o = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// The report's view of a ZIP container's entries (names, bounded reads): shared by the
/// APK and IPA views (the AAB one is `aab::pipeline::BundleView`).
pub(crate) fn zip_entry_names(archive: &crate::zip::Archive) -> Vec<String> {
    archive.entries().iter().map(|e| e.name.clone()).collect()
}

/// One entry's bytes, refusing more than `limit` before inflating anything (the strict
/// reader checks the declared size, the inflated size and the CRC).
pub(crate) fn zip_read_entry(
    archive: &crate::zip::Archive,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, crate::Error> {
    match archive.entry(name) {
        None => Ok(None),
        Some(e) => archive
            .read_entry(e, limit)
            .map(Some)
            .map_err(|z| crate::apk::ApkError::Zip(z).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_codes_map_to_report_codes_unless_the_report_derives_them() {
        assert_eq!(
            report_warning_code("min-sdk-below-21").as_deref(),
            Some("MIN_SDK_BELOW_21")
        );
        assert_eq!(
            report_warning_code("placeholder-pin").as_deref(),
            Some("PLACEHOLDER_PIN")
        );
        for derived in [
            "debug-key",
            "abis-added",
            "development-stage",
            "no-backup-pin",
        ] {
            assert_eq!(report_warning_code(derived), None, "{derived}");
        }
    }

    #[test]
    fn unhex32_takes_exactly_64_hex_characters() {
        let h = "00ff".repeat(16);
        assert_eq!(unhex32(&h).map(|b| b[1]), Some(0xff));
        assert_eq!(unhex32(&h[..62]), None);
        assert_eq!(unhex32(&"zz".repeat(32)), None);
    }
}
