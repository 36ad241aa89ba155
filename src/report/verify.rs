//! `fuse verify APP --report R.json`: is APP the output this report certifies, and does
//! the report's own signature hold?
//!
//! Checks, in order (the first group stops at its first failure; the second collects
//! every mismatch into one error line):
//! 1. the report parses strictly (canonical.rs), has schema `fuse/certified-secure@1`,
//!    and its signature verifies over its canonical content with its certificate, whose
//!    SHA-256 is `reportKey.certSha256`;
//! 2. APP's SHA-256 (and size) = `output.sha256` (`output.size`);
//!    APP's signer certificate (as APP's own verifier established it) = `output.signer`;
//!    when `reportKey.source` is `packageSigningKey`, the report certificate = that signer;
//!    SHA-256 of APP's embedded `policy.bin` = `policy.sha256`.
//!
//! Reading the package is not this module's business: the APK / AAB / IPA verifiers
//! implement [`PackageView`] (they already parse the container and check its signatures).

use std::io::Read as _;
use std::path::Path;

use super::Error;
use super::build_id::{hex, sha256_hex};
use super::canonical;
use super::error::Mismatch;
use super::model::{Report, ReportKeySource, SCHEMA_ID, SignerKind};
use super::signature::{self, VerifiedSignature};

/// Reports larger than this are refused unread (a real one is a few KiB to a few MiB).
pub const MAX_REPORT_BYTES: u64 = 64 << 20;
/// `policy.bin` larger than this is refused (real ones are a few KiB).
pub const MAX_POLICY_BYTES: u64 = 16 << 20;

/// Where fuse puts the policy blob, per format. The IPA one has the bundle name in the middle.
pub const POLICY_PATH_APK: &str = "assets/fuse/policy.bin";
pub const POLICY_PATH_AAB: &str = "base/assets/fuse/policy.bin";

/// The signer of a package, as its own verifier found it *after* checking its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageSigner {
    /// SHA-256 of the (single) signer's leaf certificate DER, as the APK verifier reports
    /// it (`apk::Verified::signer_cert_sha256`).
    CertificateSha256([u8; 32]),
    /// iOS ad-hoc code signature.
    AdHoc,
}

/// What `verify --report` needs from a package; implemented by the APK, AAB and IPA
/// verifiers over their strict container readers.
pub trait PackageView {
    /// Verify the package's signatures and return its signer. A package whose signatures
    /// do not verify is an error of the verifier's own kind (exit 6 there too).
    fn signer(&mut self) -> Result<PackageSigner, crate::Error>;
    /// Names of all entries (ZIP entry names, `/`-separated).
    fn entry_names(&mut self) -> Result<Vec<String>, crate::Error>;
    /// The uncompressed bytes of one entry, `None` when it does not exist. Implementations
    /// must refuse entries whose size exceeds `limit` rather than allocate for them.
    fn read_entry(&mut self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, crate::Error>;
}

/// A report that matched its app.
#[derive(Debug, Clone)]
pub struct VerifiedReport {
    pub report: Report,
    pub signature: VerifiedSignature,
}

/// Parse a report file and check its signature (step 1 above). Usable without an app,
/// e.g. to show a report.
pub fn read_verified(path: &Path) -> Result<VerifiedReport, Error> {
    let bytes = read_bounded(path, MAX_REPORT_BYTES)?;
    verify_report_bytes(path, &bytes)
}

/// Step 1 on bytes already read; `path` only names the report in errors.
pub fn verify_report_bytes(path: &Path, bytes: &[u8]) -> Result<VerifiedReport, Error> {
    let malformed = |detail: String| Error::Malformed {
        path: path.to_path_buf(),
        detail,
    };
    let document = canonical::parse_strict(bytes).map_err(|e| malformed(e.to_string()))?;
    match document.get("schema").and_then(serde_json::Value::as_str) {
        Some(SCHEMA_ID) => {}
        Some(other) => {
            return Err(Error::UnsupportedSchema {
                path: path.to_path_buf(),
                found: other.chars().take(80).collect(),
            });
        }
        None => return Err(malformed("it has no \"schema\" member".into())),
    }
    let verified = signature::verify_value(&document).map_err(|e| Error::SignatureInvalid {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    let report: Report = serde_json::from_value(document).map_err(|e| malformed(e.to_string()))?;
    Ok(VerifiedReport {
        report,
        signature: verified,
    })
}

/// The whole `fuse verify APP --report R.json` check.
pub fn verify_app_against_report(
    app: &Path,
    report_path: &Path,
    package: &mut dyn PackageView,
) -> Result<VerifiedReport, crate::Error> {
    let verified = read_verified(report_path)?;
    let report = &verified.report;
    let mut mismatches = Vec::new();

    let (app_sha, app_size) = sha256_file(app)?;
    if app_sha != report.output.sha256 || app_size != report.output.size {
        mismatches.push(Mismatch::OutputSha256 {
            report: report.output.sha256.clone(),
            app: app_sha,
        });
    }

    let app_signer = package.signer()?;
    let app_signer_name = match &app_signer {
        PackageSigner::CertificateSha256(sha) => hex(sha),
        PackageSigner::AdHoc => "ad-hoc".to_string(),
    };
    let report_signer_name = match report.output.signer.kind {
        SignerKind::Certificate => report.output.signer.cert_sha256.clone().unwrap_or_default(),
        SignerKind::AdHoc => "ad-hoc".to_string(),
    };
    if app_signer_name != report_signer_name {
        mismatches.push(Mismatch::Signer {
            report: report_signer_name.clone(),
            app: app_signer_name,
        });
    }
    if report.report_key.source == ReportKeySource::PackageSigningKey
        && verified.signature.cert_sha256 != report_signer_name
    {
        mismatches.push(Mismatch::ReportKeyNotPackageKey);
    }

    match read_policy(package)? {
        Some(blob) => {
            let policy_sha = sha256_hex(&blob);
            if policy_sha != report.policy.sha256 {
                mismatches.push(Mismatch::PolicySha256 {
                    report: report.policy.sha256.clone(),
                    app: policy_sha,
                });
            }
        }
        None => mismatches.push(Mismatch::PolicyMissing),
    }

    if mismatches.is_empty() {
        Ok(verified)
    } else {
        Err(Error::Mismatch {
            app: app.to_path_buf(),
            report: report_path.to_path_buf(),
            mismatches,
        }
        .into())
    }
}

/// The embedded policy blob: `assets/fuse/policy.bin` (APK), `base/assets/fuse/policy.bin`
/// (AAB) or `Payload/<App>.app/fuse/policy.bin` (IPA), whichever exists.
pub fn read_policy(package: &mut dyn PackageView) -> Result<Option<Vec<u8>>, crate::Error> {
    for fixed in [POLICY_PATH_APK, POLICY_PATH_AAB] {
        if let Some(blob) = package.read_entry(fixed, MAX_POLICY_BYTES)? {
            return Ok(Some(blob));
        }
    }
    let names = package.entry_names()?;
    let ipa_path = names.into_iter().find(|n| is_ipa_policy_path(n));
    match ipa_path {
        Some(path) => package.read_entry(&path, MAX_POLICY_BYTES),
        None => Ok(None),
    }
}

/// `Payload/<one component>.app/fuse/policy.bin`.
fn is_ipa_policy_path(name: &str) -> bool {
    let mut parts = name.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("Payload"), Some(bundle), Some("fuse"), Some("policy.bin"), None)
            if bundle.len() > 4 && bundle.ends_with(".app")
    )
}

/// Streamed SHA-256 (hex) and size of a file.
pub fn sha256_file(path: &Path) -> Result<(String, u64), Error> {
    let (digest, size) = crate::file_digest::sha256_file(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((hex(&digest), size))
}

fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > limit {
        return Err(Error::Malformed {
            path: path.to_path_buf(),
            detail: format!("it is larger than {} MiB", limit >> 20),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipa_policy_path_is_exactly_one_bundle_deep() {
        assert!(is_ipa_policy_path("Payload/Demo.app/fuse/policy.bin"));
        assert!(!is_ipa_policy_path("Payload/.app/fuse/policy.bin"));
        assert!(!is_ipa_policy_path(
            "Payload/Demo.app/Frameworks/X.framework/fuse/policy.bin"
        ));
        assert!(!is_ipa_policy_path("Payload/Demo/fuse/policy.bin"));
        assert!(!is_ipa_policy_path("assets/fuse/policy.bin"));
    }
}
