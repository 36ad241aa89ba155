//! Where the report files go and how they get there.
//!
//! Names follow the output (DESIGN §1): `app-fused.apk` → `app-fused.certified.json` and
//! `app-fused.certified.pdf`, beside the output or in `--report-dir`. Each file is written
//! to a temporary file in its final directory, fsynced, and renamed into place only after
//! both are complete, so a failure or a kill leaves either the previous files or the new
//! complete ones — never a half-written report.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::Error;
use super::model::Report;
use super::signature::{self, ReportSigner};

/// `--report-dir` and `--no-pdf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    pub report_dir: Option<PathBuf>,
    pub no_pdf: bool,
}

/// The files written (the CLI prints them; `--json` carries them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPaths {
    pub json: PathBuf,
    pub pdf: Option<PathBuf>,
}

/// The report paths for an output package.
pub fn report_paths(output: &Path, options: &WriteOptions) -> ReportPaths {
    let stem = output
        .file_stem()
        .map_or_else(|| "fused".into(), |s| s.to_string_lossy().into_owned());
    let dir = match &options.report_dir {
        Some(d) => d.clone(),
        None => output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    ReportPaths {
        json: dir.join(format!("{stem}.certified.json")),
        pdf: (!options.no_pdf).then(|| dir.join(format!("{stem}.certified.pdf"))),
    }
}

/// The JSON bytes of a report as written: two-space indented, members in model order,
/// a final newline. (The signature covers the canonical form, not this layout.)
pub fn to_json_bytes(report: &Report) -> Result<Vec<u8>, Error> {
    let mut bytes = serde_json::to_vec_pretty(report).map_err(|e| Error::Inconsistent {
        detail: format!("the report cannot be serialized ({e})"),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Write a signed report (and its PDF unless `no_pdf`) for `output`. Call after the
/// output passed self-verification.
pub fn write_report(
    report: &Report,
    output: &Path,
    options: &WriteOptions,
) -> Result<ReportPaths, Error> {
    if report.signature.is_none() {
        return Err(Error::Incomplete {
            missing: "the report signature",
        });
    }
    let paths = report_paths(output, options);
    if let Some(dir) = &options.report_dir {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.clone(),
            source,
        })?;
    }
    let json = to_json_bytes(report)?;
    let json_name = paths
        .json
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The JSON is staged (written, fsynced) while the PDF renders on the other core; then
    // both are moved: the renames are the commit point.
    let (staged_json, staged_pdf) = rayon::join(
        || stage(&paths.json, &json),
        || match &paths.pdf {
            Some(path) => {
                let bytes = super::pdf::render(report, &json_name)?;
                Ok(Some((stage(path, &bytes)?, path)))
            }
            None => Ok(None),
        },
    );
    let (staged_json, staged_pdf) = (staged_json?, staged_pdf?);
    commit(staged_json, &paths.json)?;
    if let Some((staged, path)) = staged_pdf {
        commit(staged, path)?;
    }
    crate::pause::at("report-written");
    Ok(paths)
}

/// Sign `report` with the signing key and write it: what a pipeline calls last.
pub fn sign_and_write(
    mut report: Report,
    signer: &dyn ReportSigner,
    output: &Path,
    options: &WriteOptions,
) -> Result<(Report, ReportPaths), Error> {
    signature::sign(&mut report, signer)?;
    let paths = write_report(&report, output, options)?;
    Ok((report, paths))
}

fn stage(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = crate::atomic::temp_in(dir, ".report.tmp").map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    Ok(tmp)
}

fn commit(staged: tempfile::NamedTempFile, path: &Path) -> Result<(), Error> {
    staged.persist(path).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        source: e.error,
    })?;
    // Make the rename itself durable.
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_output() {
        let p = report_paths(Path::new("out/app-fused.apk"), &WriteOptions::default());
        assert_eq!(p.json, Path::new("out/app-fused.certified.json"));
        assert_eq!(
            p.pdf.as_deref(),
            Some(Path::new("out/app-fused.certified.pdf"))
        );
        let p = report_paths(
            Path::new("app.ipa"),
            &WriteOptions {
                report_dir: Some("reports".into()),
                no_pdf: true,
            },
        );
        assert_eq!(p.json, Path::new("reports/app.certified.json"));
        assert_eq!(p.pdf, None);
    }
}
