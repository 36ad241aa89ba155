//! Steps 3–5: write + sign into a temp file beside the output, self-verify it (the
//! signatures with `apk::verify`, the fusion with a caller's check), fsync, then rename.
//!
//! ```text
//! .fuse-<pid>-<random>.apk.tmp ── apk::write_observed ── apk::verify_observed ∥ fsync ── fusion check ── rename → OUT
//! ```
//! Like `apk::sign_file`, plus the fusion check and per-step timings. Any failure drops
//! the temp file: the output is either absent or complete; the input is only read.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::error::Error;
use crate::apk::{self, ApkError, Plan, Progress, SignOptions, SignedApk, SigningKey, Verified};
use crate::zip::Archive;

/// What was written and how long each part took.
#[derive(Debug)]
pub struct Written {
    pub signed: SignedApk,
    pub verified: Verified,
    /// Entries streamed to the file (hashed on the way).
    pub write: Duration,
    /// v1 files, signing block, central directory.
    pub sign: Duration,
    /// Self-verification, fusion check and the durable rename.
    pub verify: Duration,
}

/// Splits the signer's single pass into "write" (until the last entry byte) and "sign".
struct Timed<'a> {
    inner: &'a dyn Progress,
    last: Mutex<Option<Instant>>,
}

impl Progress for Timed<'_> {
    fn start(&self, total: u64) {
        self.inner.start(total);
    }
    fn advance(&self, n: u64) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some(Instant::now());
        }
        self.inner.advance(n);
    }
}

fn output_error(output: &Path, source: std::io::Error) -> Error {
    Error::Apk(ApkError::Output {
        path: output.display().to_string(),
        source,
    })
}

/// Writes `input` with `plan` applied, signed, to `output`; `check` inspects the written
/// archive (already signature-verified) before it is renamed into place.
#[allow(clippy::too_many_arguments)]
pub fn write_verified(
    input: &Archive,
    output: &Path,
    force: bool,
    plan: &Plan,
    key: &dyn SigningKey,
    opts: &SignOptions,
    progress: &dyn Progress,
    check: &(dyn Fn(&Archive) -> Result<(), Error> + Sync),
) -> Result<Written, Error> {
    if same_file(input.path(), output) {
        return Err(output_error(
            output,
            std::io::Error::other(
                "it is the input; fuse never modifies its input, choose another output",
            ),
        ));
    }
    if output.exists() && !force {
        return Err(Error::Apk(ApkError::OutputExists(
            output.display().to_string(),
        )));
    }
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // `.fuse-<pid>-…`: a killed run's temp file is swept by the next run (src/atomic.rs).
    let mut temp = crate::atomic::temp_in(&dir, ".apk.tmp").map_err(|e| output_error(output, e))?;
    crate::pause::at("temp-created");

    let paused = crate::pause::Writing::new(progress);
    let timed = Timed {
        inner: &paused,
        last: Mutex::new(None),
    };
    let started = Instant::now();
    let (signed, observed) =
        apk::write_observed(input, plan, key, opts, temp.as_file_mut(), &timed)?;
    let finished = Instant::now();
    crate::pause::at("written");
    let entries_done = timed
        .last
        .lock()
        .ok()
        .and_then(|l| *l)
        .unwrap_or(started)
        .clamp(started, finished);

    let verify_start = Instant::now();
    // fsync (disk) runs while the verifier re-reads the file from the page cache (CPU).
    let (synced, checked) = std::thread::scope(|scope| {
        let sync = scope.spawn(|| temp.as_file().sync_all());
        let checked = (|| -> Result<Verified, Error> {
            let reopened = temp.reopen().map_err(|e| output_error(output, e))?;
            let written = Archive::from_file(output, reopened).map_err(|e| {
                Error::Apk(ApkError::Verify {
                    check: "self-verification of the output".into(),
                    why: e.to_string(),
                })
            })?;
            // The v2/v3 content digest is recomputed from the file; once it matches, each
            // entry's v1 digest comes from what the writer observed of the same bytes
            // (docs/signing.md: why that is a proof) instead of a second inflate.
            let verified = apk::verify_observed(&written, opts.min_sdk_version, &observed)
                .map_err(|e| match e {
                    ApkError::Zip(z) => Error::Apk(ApkError::Verify {
                        check: "self-verification of the output".into(),
                        why: z.to_string(),
                    }),
                    other => Error::Apk(other),
                })?;
            if verified.signer_cert_sha256 != signed.signer_cert_sha256
                || verified.schemes != signed.schemes
            {
                return Err(Error::Apk(ApkError::Verify {
                    check: "self-verification of the output".into(),
                    why: "the written APK's signers or schemes differ from what was signed".into(),
                }));
            }
            check(&written)?;
            Ok(verified)
        })();
        let synced = sync
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("fsync thread panicked")));
        (synced, checked)
    });
    let verified = checked?;
    synced.map_err(|e| output_error(output, e))?;
    crate::pause::at("verified");
    if force {
        temp.persist(output)
            .map_err(|e| output_error(output, e.error))?;
    } else {
        temp.persist_noclobber(output)
            .map_err(|e| output_error(output, e.error))?;
    }
    if let Ok(d) = std::fs::File::open(&dir) {
        // Makes the rename durable; a failure here cannot undo it, so it is not fatal.
        let _ = d.sync_all();
    }
    crate::pause::at("renamed");
    Ok(Written {
        signed,
        verified,
        write: entries_done - started,
        sign: finished - entries_done,
        verify: verify_start.elapsed(),
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
