//! Producing a signed APK file safely: temp file beside the output, fsync, self-verify,
//! atomic rename. The input is only ever opened for reading; any failure leaves no output.

use std::path::{Path, PathBuf};

use super::detect::PackageKind;
use super::error::ApkError;
use super::signer::{Plan, Progress, SignOptions, SignedApk, SigningKey, write_signed};
use super::verify::{Verified, verify};
use crate::zip::Archive;

/// The default output of `fuse sign`: `<stem>-signed.apk` beside the input.
pub fn default_output(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map_or_else(|| "app".into(), |s| s.to_string_lossy().into_owned());
    input.with_file_name(format!("{stem}-signed.apk"))
}

/// Opens an input package and makes sure it is an APK. An AAB or IPA is recognised
/// and refused as not supported yet (exit 1) rather than misread.
pub fn open_apk(input: &Path, command: &'static str) -> Result<Archive, ApkError> {
    let archive = Archive::open(input)?;
    match PackageKind::of(&archive) {
        PackageKind::Apk => Ok(archive),
        kind @ (PackageKind::Aab | PackageKind::Ipa) => Err(ApkError::UnsupportedFormat {
            path: input.display().to_string(),
            format: kind.name(),
            command,
        }),
        PackageKind::Unknown => Err(ApkError::not_apk(
            input.display().to_string(),
            "it is a ZIP archive but neither an APK (no AndroidManifest.xml at its root), an AAB nor an IPA",
        )),
    }
}

/// Signs `input` (with `plan` applied) into `output` and verifies the result before it
/// appears under its name.
pub fn sign_file(
    input: &Archive,
    output: &Path,
    force: bool,
    plan: &Plan,
    key: &dyn SigningKey,
    opts: &SignOptions,
    progress: &dyn Progress,
) -> Result<(SignedApk, Verified), ApkError> {
    let out_err = |source: std::io::Error| ApkError::Output {
        path: output.display().to_string(),
        source,
    };
    if same_file(input.path(), output) {
        return Err(out_err(std::io::Error::other(
            "it is the input; fuse never modifies its input, choose another output",
        )));
    }
    if output.exists() && !force {
        return Err(ApkError::OutputExists(output.display().to_string()));
    }
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = crate::atomic::temp_in(&dir, ".apk.tmp").map_err(out_err)?;
    crate::pause::at("temp-created");
    let progress = crate::pause::Writing::new(progress);
    let signed = write_signed(input, plan, key, opts, temp.as_file_mut(), &progress)?;
    crate::pause::at("written");
    // The fsync (disk-bound) runs while the verifier re-reads the file from the page
    // cache (CPU-bound); the rename waits for both.
    let (synced, verified) = std::thread::scope(|scope| {
        let sync = scope.spawn(|| temp.as_file().sync_all());
        let verified = (|| {
            let written = Archive::from_file(output, temp.reopen().map_err(out_err)?)
                .map_err(|e| ApkError::verify("self-verification of the output", e.to_string()))?;
            verify(&written, opts.min_sdk_version).map_err(|e| match e {
                ApkError::Zip(z) => {
                    ApkError::verify("self-verification of the output", z.to_string())
                }
                other => other,
            })
        })();
        let synced = sync
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("fsync thread panicked")));
        (synced, verified)
    });
    let verified = verified?;
    synced.map_err(out_err)?;
    if verified.signer_cert_sha256 != signed.signer_cert_sha256
        || verified.schemes != signed.schemes
    {
        return Err(ApkError::verify(
            "self-verification of the output",
            "the written APK's signers or schemes differ from what was signed",
        ));
    }
    crate::pause::at("verified");
    if force {
        temp.persist(output).map_err(|e| out_err(e.error))?;
    } else {
        temp.persist_noclobber(output)
            .map_err(|e| out_err(e.error))?;
    }
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    crate::pause::at("renamed");
    Ok((signed, verified))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
