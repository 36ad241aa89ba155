//! Producing a signed APK file safely: temp file beside the output, fsync, self-verify,
//! atomic rename. The input is only ever opened for reading; any failure leaves no output.
//!
//! ```text
//! .fuse-<pid>-<random>.apk.tmp ── write_observed ── verify_observed ∥ fsync ── check ── rename → OUT
//! ```
//! `fuse sign` uses [`sign_file`]; `fuse build` uses [`sign_file_checked`] with its fusion
//! check (`android::check`) as the hook and the per-step timings for the report.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::detect::PackageKind;
use super::error::ApkError;
use super::signer::{Plan, Progress, SignOptions, SignedApk, SigningKey, write_observed};
use super::verify::{Verified, verify_observed};
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
    require_apk(Archive::open(input)?, input, command)
}

/// [`open_apk`] on an archive already opened from `input` (by `crate::format::detect`),
/// so the commands parse the input's central directory once, not twice.
pub fn require_apk(
    archive: Archive,
    input: &Path,
    command: &'static str,
) -> Result<Archive, ApkError> {
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
    sign_file_checked(input, output, force, plan, key, opts, progress, &|_| Ok(()))
        .map(|done| (done.signed, done.verified))
}

/// What [`sign_file_checked`] wrote, and how long each part took (the report's workflow).
#[derive(Debug)]
pub struct SignedFile {
    pub signed: SignedApk,
    pub verified: Verified,
    /// Until the last entry's data was handed to the writer.
    pub write: Duration,
    /// v1 files, signatures, signing block, central directory.
    pub sign: Duration,
    /// Self-verification ∥ fsync, then the rename.
    pub verify: Duration,
}

/// Progress that remembers when the last entry's data went by (the write/sign boundary).
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

/// [`sign_file`] with the caller's own check of the written file (`fuse build` checks
/// its fusion there), run beside the signature verification and before the rename; and the
/// time each part took. `E` is the caller's error type, so the check's failure reaches
/// it unchanged.
#[allow(clippy::too_many_arguments)]
pub fn sign_file_checked<E: From<ApkError> + Send>(
    input: &Archive,
    output: &Path,
    force: bool,
    plan: &Plan,
    key: &dyn SigningKey,
    opts: &SignOptions,
    progress: &dyn Progress,
    check: &(dyn Fn(&Archive) -> Result<(), E> + Sync),
) -> Result<SignedFile, E> {
    let out_err = |source: std::io::Error| ApkError::Output {
        path: output.display().to_string(),
        source,
    };
    if same_file(input.path(), output) {
        return Err(out_err(std::io::Error::other(
            "it is the input; fuse never modifies its input, choose another output",
        ))
        .into());
    }
    if output.exists() && !force {
        return Err(ApkError::OutputExists(output.display().to_string()).into());
    }
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if force {
        drop_cached_in_background(output);
    }
    let mut temp = crate::atomic::temp_in(&dir, ".apk.tmp").map_err(out_err)?;
    crate::pause::at("temp-created");
    let paused = crate::pause::Writing::new(progress);
    let timed = Timed {
        inner: &paused,
        last: Mutex::new(None),
    };
    let started = Instant::now();
    let (signed, observed) = write_observed(input, plan, key, opts, temp.as_file_mut(), &timed)?;
    let finished = Instant::now();
    crate::pause::at("written");
    let entries_done = timed
        .last
        .lock()
        .ok()
        .and_then(|l| *l)
        .unwrap_or(started)
        .clamp(started, finished);

    // The fsync (disk-bound) runs while the verifier parses the file and checks its
    // signatures (CPU-bound); the rename waits for both. The writer read every byte of
    // the content section back and found it equal to what it hashed, so the verifier
    // takes the content section's chunk digests and each entry's v1 digest from what the
    // writer observed, and reads the records and signature files from the file
    // (docs/signing.md: why that is a proof).
    let verify_start = Instant::now();
    let self_check = |e: ApkError| match e {
        ApkError::Zip(z) => ApkError::verify("self-verification of the output", z.to_string()),
        other => other,
    };
    let (synced, verified) = std::thread::scope(|scope| {
        let sync = scope.spawn(|| temp.as_file().sync_all());
        let verified = (|| -> Result<Verified, E> {
            let written = Archive::from_file(output, temp.reopen().map_err(out_err)?)
                .map_err(|e| ApkError::verify("self-verification of the output", e.to_string()))?;
            // The caller's check reads other parts of the same file, so it runs beside the
            // signature verification (on whichever core is free first); its verdict counts
            // only after the signatures verified, so a broken signature is the error shown.
            let (verified, checked) = rayon::join(
                || verify_observed(&written, opts.min_sdk_version, &observed).map_err(self_check),
                || check(&written),
            );
            let verified = verified?;
            if verified.signer_cert_sha256 != signed.signer_cert_sha256
                || verified.schemes != signed.schemes
            {
                return Err(ApkError::verify(
                    "self-verification of the output",
                    "the written APK's signers or schemes differ from what was signed",
                )
                .into());
            }
            checked?;
            crate::short_lived::release(written);
            Ok(verified)
        })();
        let synced = sync
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("fsync thread panicked")));
        (synced, verified)
    });
    let verified = verified?;
    synced.map_err(out_err)?;
    crate::pause::at("verified");
    // Replacing a large file frees its cached pages and its blocks inside rename(2)
    // (~35 ms for a 160 MB APK). Holding the old file open moves that work to the last
    // close, done on a thread of its own while the caller goes on — after the directory's
    // fsync, which would otherwise wait for the freed blocks' discards (docs/performance.md,
    // change 25).
    let replaced = if force {
        let replaced = std::fs::symlink_metadata(output)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|_| std::fs::File::open(output).ok());
        temp.persist(output).map_err(|e| out_err(e.error))?;
        replaced
    } else {
        temp.persist_noclobber(output)
            .map_err(|e| out_err(e.error))?;
        None
    };
    if let Ok(d) = std::fs::File::open(&dir) {
        // Makes the rename durable; a failure here cannot undo it, so it is not fatal.
        let _ = d.sync_all();
    }
    if let Some(old) = replaced {
        std::thread::spawn(move || drop(old));
    }
    crate::pause::at("renamed");
    crate::short_lived::release(observed);
    Ok(SignedFile {
        signed,
        verified,
        write: entries_done - started,
        sign: finished - entries_done,
        verify: verify_start.elapsed(),
    })
}

/// Starts dropping the cached pages of the file `output` is about to replace, on a
/// thread of its own while writing starts. Its last close after the rename then frees
/// only its blocks (docs/performance.md, change 25): the cached pages of a 160 MB APK
/// written moments ago took ~10 ms of that close, in the way of the report's fsync.
fn drop_cached_in_background(output: &Path) {
    let Ok(meta) = std::fs::symlink_metadata(output) else {
        return;
    };
    if !meta.is_file() || meta.len() < (16 << 20) {
        return;
    }
    let output = output.to_path_buf();
    std::thread::spawn(move || {
        if let Ok(old) = std::fs::File::open(output) {
            fuse_accel::writeback::drop_cached(&old);
        }
    });
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    //! Self-verification must fail when the output is wrong, including where it now
    //! relies on the writer's observations instead of inflating the entries again.
    use std::sync::OnceLock;

    use sha2::Digest;

    use super::*;
    use crate::apk::signer::{NoProgress, Scheme, test_hooks as signer_hooks};
    use crate::apk::stream::test_hooks as stream_hooks;
    use crate::apk::verify::verify;
    use crate::keys::SigningIdentity;
    use crate::zip::{Compression, DosTime, ZipWriter};

    fn key() -> &'static SigningIdentity {
        static KEY: OnceLock<(tempfile::TempDir, SigningIdentity)> = OnceLock::new();
        &KEY.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let id = crate::keys::load_debug_key_at(&dir.path().join("debug.p12")).unwrap();
            (dir, id)
        })
        .1
    }

    /// Pseudo-random bytes (incompressible) from a simple LCG.
    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        (0..len)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 56) as u8
            })
            .collect()
    }

    /// An APK whose entries cross batch and chunk edges in every way the pipeline cuts
    /// them: a deflated entry over the first 8 MiB edge, a stored one over the second,
    /// many small deflated entries, empty entries and a directory. `marker` makes each
    /// test's bytes unique.
    fn apk(dir: &Path, marker: &str) -> Archive {
        let mut w = ZipWriter::new(Vec::new(), DosTime::DEFAULT);
        w.add_entry(
            "AndroidManifest.xml",
            b"not parsed: minSdk is given",
            Compression::Deflated,
            4,
        )
        .unwrap();
        w.add_entry(
            "assets/noise.bin",
            &noise(9 << 20, 1),
            Compression::Deflated,
            4,
        )
        .unwrap();
        w.add_entry(
            "assets/stored.bin",
            &noise(9 << 20, 2),
            Compression::Stored,
            4,
        )
        .unwrap();
        for i in 0..400 {
            let text = format!("{marker} line {i} ").repeat(50 + i);
            w.add_entry(
                &format!("res/raw/f{i:03}.txt"),
                text.as_bytes(),
                Compression::Deflated,
                4,
            )
            .unwrap();
        }
        let stored = format!("{marker} stored");
        w.add_entry(
            "assets/marker.txt",
            stored.as_bytes(),
            Compression::Stored,
            4,
        )
        .unwrap();
        w.add_entry("assets/empty.txt", b"", Compression::Deflated, 4)
            .unwrap();
        w.add_entry("assets/empty.bin", b"", Compression::Stored, 4)
            .unwrap();
        w.add_entry("res/", b"", Compression::Stored, 4).unwrap();
        let path = dir.join("in.apk");
        std::fs::write(&path, w.into_archive_bytes()).unwrap();
        Archive::open(&path).unwrap()
    }

    fn opts() -> SignOptions {
        SignOptions {
            min_sdk_version: Some(21),
            v1_signer_name: "CERT".to_owned(),
            time: DosTime::DEFAULT,
        }
    }

    fn sign(input: &Archive, out: &Path) -> Result<(SignedApk, Verified), ApkError> {
        sign_file(
            input,
            out,
            false,
            &Plan::default(),
            key(),
            &opts(),
            &NoProgress,
        )
    }

    #[test]
    fn output_is_complete_and_verifies_from_the_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let input = apk(dir.path(), "complete");
        let out = dir.path().join("out.apk");
        let (signed, verified) = sign(&input, &out).unwrap();
        assert_eq!(signed.schemes, [Scheme::V1, Scheme::V2, Scheme::V3]);
        assert_eq!(verified.schemes, signed.schemes);
        // The independent check (every entry inflated from the file) agrees.
        let written = Archive::open(&out).unwrap();
        verify(&written, Some(21)).unwrap();
        assert_eq!(written.entries().len(), input.entries().len() + 3);
        assert_eq!(written.len(), signed.size);
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(
            <[u8; 32]>::from(sha2::Sha256::digest(&bytes)),
            signed.sha256
        );
        // Every entry's data came through unchanged.
        for e in input.entries() {
            let w = written.entry(&e.name).unwrap();
            assert_eq!(
                written.stream_sha256(w).unwrap(),
                input.stream_sha256(e).unwrap()
            );
        }
    }

    /// minSdk < 18 with an RSA key makes the v1 digests SHA-1: entries cut by batch edges
    /// then take the unpaired path of the pipeline (the file digest and the v1 digest are
    /// no longer two SHA-256 lanes over the same bytes). Same checks as above.
    #[test]
    fn sha1_v1_digests_take_the_unpaired_path_and_verify() {
        let dir = tempfile::tempdir().unwrap();
        let input = apk(dir.path(), "sha1-v1");
        let out = dir.path().join("out.apk");
        let opts = SignOptions {
            min_sdk_version: Some(9),
            ..opts()
        };
        let (signed, _) = sign_file(
            &input,
            &out,
            false,
            &Plan::default(),
            key(),
            &opts,
            &NoProgress,
        )
        .unwrap();
        assert_eq!(signed.v1_digest, Some(crate::apk::digest::Hash::Sha1));
        let written = Archive::open(&out).unwrap();
        verify(&written, Some(9)).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(
            <[u8; 32]>::from(sha2::Sha256::digest(&bytes)),
            signed.sha256
        );
    }

    /// `Plan::input_digest`: the input's SHA-256 is hashed beside the output's chunks, so
    /// it must come out right whether the output is shorter than the input (the rest is
    /// hashed alone), longer (the last chunks pair with each other), or waited for by late
    /// entries mid-way — and the output must not change.
    #[test]
    fn input_digest_is_the_input_files_sha256_however_long_the_output() {
        use crate::apk::signer::{InputDigest, LateEntries, NewEntry};
        let dir = tempfile::tempdir().unwrap();
        let input = apk(dir.path(), "input-digest");
        let want = {
            let bytes = std::fs::read(input.path()).unwrap();
            (
                <[u8; 32]>::from(sha2::Sha256::digest(&bytes)),
                bytes.len() as u64,
            )
        };
        let big = NewEntry {
            name: "assets/zz-big.bin".to_owned(),
            data: noise(12 << 20, 3),
            compression: Compression::Stored,
            alignment: None,
        };
        let shorter = Plan {
            remove: ["assets/stored.bin".to_owned()].into(),
            ..Plan::default()
        };
        let longer = Plan {
            put: vec![big],
            ..Plan::default()
        };
        for (label, plan) in [
            ("same", Plan::default()),
            ("shorter", shorter),
            ("longer", longer),
        ] {
            let plain = dir.path().join(format!("{label}-plain.apk"));
            sign_file(&input, &plain, false, &plan, key(), &opts(), &NoProgress).unwrap();
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let asked = Plan {
                input_digest: Some(InputDigest(tx)),
                ..plan
            };
            let out = dir.path().join(format!("{label}.apk"));
            sign_file(&input, &out, false, &asked, key(), &opts(), &NoProgress).unwrap();
            assert_eq!(rx.recv().unwrap().unwrap(), want, "{label}");
            assert!(
                std::fs::read(&plain).unwrap() == std::fs::read(&out).unwrap(),
                "{label}: the output changed"
            );
        }

        // Late entries that wait for the digest (as `fuse build`'s policy does).
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let rx = std::sync::Mutex::new(rx);
        let plan = Plan {
            input_digest: Some(InputDigest(tx)),
            late: Some(LateEntries(std::sync::Arc::new(move || {
                let (digest, _) = rx.lock().unwrap().recv().unwrap().unwrap();
                Ok(vec![NewEntry {
                    name: "assets/zz-input.sha256".to_owned(),
                    data: digest.to_vec(),
                    compression: Compression::Stored,
                    alignment: None,
                }])
            }))),
            ..Plan::default()
        };
        let out = dir.path().join("late.apk");
        sign_file(&input, &out, false, &plan, key(), &opts(), &NoProgress).unwrap();
        let written = Archive::open(&out).unwrap();
        let e = written.entry("assets/zz-input.sha256").unwrap();
        assert_eq!(written.read_entry(e, 64).unwrap(), want.0);
    }

    /// `Plan::late` exists so `fuse build` can hash its input while the entries stream;
    /// it must not change a byte of the output.
    #[test]
    fn late_entries_write_the_same_file_as_put() {
        use crate::apk::signer::{LateEntries, NewEntry};
        let dir = tempfile::tempdir().unwrap();
        let input = apk(dir.path(), "late");
        let entry = |name: &str, data: &[u8]| NewEntry {
            name: name.to_owned(),
            data: data.to_vec(),
            compression: Compression::Deflated,
            alignment: None,
        };
        // Sorted among the appended ones: one late entry before, one after `put`'s.
        let put = vec![entry("assets/m-put.txt", b"put")];
        let late = vec![
            entry("assets/a-late.txt", b"late a"),
            entry("assets/z-late.txt", b"late z"),
        ];
        let all = Plan {
            put: put.iter().cloned().chain(late.iter().cloned()).collect(),
            ..Plan::default()
        };
        let deferred = Plan {
            put,
            late: Some(LateEntries(std::sync::Arc::new(move || Ok(late.clone())))),
            ..Plan::default()
        };
        let sign_with = |plan: &Plan, name: &str| {
            let out = dir.path().join(name);
            let (signed, _) =
                sign_file(&input, &out, false, plan, key(), &opts(), &NoProgress).unwrap();
            (std::fs::read(&out).unwrap(), signed.changes)
        };
        let (a, changes_a) = sign_with(&all, "all.apk");
        let (b, changes_b) = sign_with(&deferred, "late.apk");
        assert!(a == b, "outputs differ");
        assert_eq!(format!("{changes_a:?}"), format!("{changes_b:?}"));

        // A late entry may not shadow an input entry.
        let clash = Plan {
            late: Some(LateEntries(std::sync::Arc::new(|| {
                Ok(vec![NewEntry {
                    name: "assets/marker.txt".to_owned(),
                    data: b"x".to_vec(),
                    compression: Compression::Stored,
                    alignment: None,
                }])
            }))),
            ..Plan::default()
        };
        let out = dir.path().join("clash.apk");
        let err = sign_file(&input, &out, false, &clash, key(), &opts(), &NoProgress)
            .unwrap_err()
            .to_string();
        assert!(err.contains("late entry must be new"), "{err}");
        assert!(!out.exists());
    }

    #[test]
    fn a_wrong_v1_digest_is_caught_by_self_verification() {
        let dir = tempfile::tempdir().unwrap();
        let input = apk(dir.path(), "wrong-digest");
        let out = dir.path().join("out.apk");
        signer_hooks::CORRUPT_V1_DIGEST.with(|c| c.set(true));
        let err = sign(&input, &out).unwrap_err().to_string();
        signer_hooks::CORRUPT_V1_DIGEST.with(|c| c.set(false));
        assert!(
            err.contains("v1 (JAR) signature") && err.contains("does not match MANIFEST.MF"),
            "{err}"
        );
        assert!(!out.exists());
    }

    #[test]
    fn bytes_written_differently_from_those_hashed_are_caught() {
        const NEEDLE: &[u8] = b"written-differently stored";
        let dir = tempfile::tempdir().unwrap();
        let input = apk(dir.path(), "written-differently");
        let out = dir.path().join("out.apk");
        stream_hooks::CORRUPT_WRITES_OF.lock().unwrap().push(NEEDLE);
        let result = sign(&input, &out);
        stream_hooks::CORRUPT_WRITES_OF
            .lock()
            .unwrap()
            .retain(|n| *n != NEEDLE);
        let err = result.unwrap_err().to_string();
        assert!(
            err.contains("self-verification of the output")
                && err.contains("the file holds other bytes than those written there"),
            "{err}"
        );
        assert!(!out.exists());
    }

    /// Self-verification takes the content section's chunk digests from what the writer
    /// observed; they are still checked against the signed digest in the file, so wrong
    /// ones fail — and without them the digest is recomputed from the file.
    #[test]
    fn observed_chunk_digests_are_checked_against_the_signed_digest() {
        use crate::apk::digest::{CHUNK_LEN, ChunkDigests, ContentDigestAlgorithm};
        use crate::apk::observed::ObservedContent;
        use crate::apk::signer::write_observed;
        let dir = tempfile::tempdir().unwrap();
        let input = apk(dir.path(), "observed-content");
        let out = dir.path().join("out.apk");
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&out)
            .unwrap();
        let (_, observed) = write_observed(
            &input,
            &Plan::default(),
            key(),
            &opts(),
            &mut file,
            &NoProgress,
        )
        .unwrap();
        drop(file);
        let written = Archive::open(&out).unwrap();
        let end = written.signing_block().unwrap().start;
        assert!(
            observed.content(end).is_some(),
            "the whole content was read back"
        );
        verify_observed(&written, opts().min_sdk_version, &observed).unwrap();

        let mut wrong = ChunkDigests::new(&[ContentDigestAlgorithm::ChunkedSha256]);
        for _ in 0..end.div_ceil(CHUNK_LEN as u64) {
            wrong.push_chunk(b"not the file's bytes");
        }
        let lying = observed
            .clone()
            .with_content(Some(ObservedContent { end, chunks: wrong }));
        let err = verify_observed(&written, opts().min_sdk_version, &lying)
            .unwrap_err()
            .to_string();
        assert!(err.contains("content digest"), "{err}");

        let unproven = observed.with_content(None);
        verify_observed(&written, opts().min_sdk_version, &unproven).unwrap();
    }
}
