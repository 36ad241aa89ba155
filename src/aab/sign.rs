//! Writing a bundle with a plan applied and JAR-signing it, as `jarsigner` does: bundles
//! carry no APK Signing Block (bundletool and Play read the JAR signature only).
//!
//! ```text
//! META-INF/MANIFEST.MF   SHA-256-Digest of every entry's uncompressed bytes   ┐ first, in
//! META-INF/<NAME>.SF     digest of the manifest and of each of its sections   │ jarsigner's
//! META-INF/<NAME>.RSA|EC PKCS#7 SignedData over the .SF bytes                 ┘ order
//! <kept entries, raw>    byte-for-byte copies (local header, data, central record)
//! <new entries>          sorted by name, deflated, fixed timestamps
//! central directory · EOCD
//! ```
//! The JAR pieces (`MANIFEST.MF`/`.SF` text, PKCS#7 block, verifier) are `crate::apk::v1`'s;
//! this file only decides the order and digest (SHA-256, jarsigner's default) and that
//! there is no v2/v3. Entry digests are computed on both cores before anything is
//! written, so the signature files can come first.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::plan::{BundleSource, NewEntry, Plan};
use crate::apk::v1::{self, manifest, pkcs7, signature_file};
use crate::apk::{ApkError, Change, Hash, KeyKind, SigningKey};
use crate::zip::{Archive, Compression, DosTime, Entry, ZipError, ZipSink, ZipWriter};

/// What was written.
#[derive(Debug, Clone)]
pub struct SignedBundle {
    pub size: u64,
    pub sha256: [u8; 32],
    pub signer_cert_sha256: [u8; 32],
    /// `META-INF/<NAME>.SF`.
    pub signature_file: String,
    pub changes: Vec<BundleChange>,
    pub entry_count: usize,
}

/// One entry the plan touched: SHA-256 and size of its uncompressed bytes before / after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleChange {
    pub name: String,
    pub change: Change,
    pub before: Option<([u8; 32], u64)>,
    pub after: Option<([u8; 32], u64)>,
}

/// What a valid bundle signature tells.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    pub signer_cert_sha256: Vec<[u8; 32]>,
    pub digest: Hash,
}

/// Largest `META-INF/MANIFEST.MF` of the input whose main attributes are kept.
const MAX_MANIFEST_MF: u64 = 64 << 20;

impl BundleSource for Archive {
    fn names(&self) -> Vec<&str> {
        self.entries().iter().map(|e| e.name.as_str()).collect()
    }
    fn size(&self, name: &str) -> Option<u64> {
        self.entry(name).map(Entry::uncompressed_size)
    }
    fn read(&self, name: &str, max: u64) -> Result<Vec<u8>, crate::Error> {
        let e = self.entry(name).ok_or_else(|| {
            super::Error::layout(format!("has no {name}"), "pass a complete app bundle")
        })?;
        if e.uncompressed_size() > max {
            return Err(super::Error::TooLarge {
                file: name.to_owned(),
                size: e.uncompressed_size(),
                limit: max,
            }
            .into());
        }
        Ok(self.read_entry(e, max).map_err(ApkError::Zip)?)
    }
}

enum Source<'a> {
    Copy(&'a Entry),
    New(&'a NewEntry),
}

/// Counts and hashes what goes to the file.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let done = buf.get(..n).unwrap_or_default();
        self.hasher.update(done);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Copied entry data goes through `write` (and so through the hash): bundles are small
/// next to APKs and are written once.
impl<W: Write> ZipSink for Hashing<W> {}

/// Writes `input` with `plan` applied to `out`, JAR-signed with `key`. Old JAR signature
/// files are always dropped.
pub fn write_signed(
    input: &Archive,
    plan: &Plan,
    key: &dyn SigningKey,
    signer_name: &str,
    time: DosTime,
    out: &mut File,
) -> Result<SignedBundle, ApkError> {
    let unwritable = |name: &str, why: &str| {
        ApkError::Zip(ZipError::Unwritable {
            name: name.to_owned(),
            why: why.to_owned(),
        })
    };
    let mut puts: HashMap<&str, &NewEntry> = HashMap::new();
    for p in &plan.put {
        if v1::is_signature_file(&p.name) || puts.insert(&p.name, p).is_some() {
            return Err(unwritable(
                &p.name,
                "the plan adds it twice or it is a JAR signature file",
            ));
        }
    }
    let mut in_file_order: Vec<&Entry> = input.entries().iter().collect();
    in_file_order.sort_by_key(|e| e.local_offset);
    let mut sources: Vec<(&str, Source<'_>)> = Vec::with_capacity(in_file_order.len() + puts.len());
    let mut changes: Vec<(&Entry, Change)> = Vec::new();
    let mut used: HashSet<&str> = HashSet::new();
    for e in in_file_order {
        if v1::is_signature_file(&e.name) {
            continue;
        }
        if plan.remove.contains(&e.name) {
            changes.push((e, Change::Removed));
        } else if let Some(p) = puts.get(e.name.as_str()) {
            used.insert(&p.name);
            changes.push((e, Change::Replaced));
            sources.push((&p.name, Source::New(p)));
        } else {
            sources.push((&e.name, Source::Copy(e)));
        }
    }
    let mut added: Vec<&NewEntry> = plan
        .put
        .iter()
        .filter(|p| !used.contains(p.name.as_str()))
        .collect();
    added.sort_by(|a, b| a.name.cmp(&b.name));
    sources.extend(added.iter().map(|p| (p.name.as_str(), Source::New(p))));

    // Digests of every listed entry (a copied entry is inflated and CRC-checked on the way).
    let hash = Hash::Sha256;
    let digests: Vec<(String, Vec<u8>)> = sources
        .par_iter()
        .filter(|(name, _)| v1::needs_digest(name))
        .map(|(name, source)| {
            let digest = match source {
                Source::New(p) => hash.digest(&p.data),
                Source::Copy(e) => {
                    let mut h = hash.hasher();
                    input.stream(e, |b| {
                        h.update(b);
                        Ok(())
                    })?;
                    h.finish()
                }
            };
            Ok(((*name).to_owned(), digest))
        })
        .collect::<Result<_, ApkError>>()?;

    // MANIFEST.MF (keeping the input's main attributes, as jarsigner does), .SF, block.
    let main = input
        .entry(v1::MANIFEST_NAME)
        .and_then(|e| input.read_entry(e, MAX_MANIFEST_MF).ok())
        .and_then(|b| manifest::main_attributes(&b));
    let built = signature_file::build_manifest(hash, digests, main.as_deref());
    let sf = signature_file::build_signature_file(hash, &built, &[]);
    let is_rsa = matches!(key.kind(), KeyKind::Rsa { .. });
    let signature = key.sign(hash, &sf).map_err(ApkError::Key)?;
    let block = pkcs7::encode(key.chain_der(), hash, is_rsa, &signature).map_err(ApkError::Key)?;
    let leaf = key
        .chain_der()
        .first()
        .ok_or_else(|| ApkError::Key("the key has no certificate".to_owned()))?;
    let base = v1::safe_signer_name(signer_name);
    let sf_name = format!("META-INF/{base}.SF");
    let block_name = format!("META-INF/{base}.{}", if is_rsa { "RSA" } else { "EC" });

    let sink = Hashing {
        inner: BufWriter::with_capacity(1 << 20, &mut *out),
        hasher: Sha256::new(),
        written: 0,
    };
    let mut writer = ZipWriter::new(sink, time);
    writer.add_entry(v1::MANIFEST_NAME, &built.bytes, Compression::Deflated, 1)?;
    writer.add_entry(&sf_name, &sf, Compression::Deflated, 1)?;
    writer.add_entry(&block_name, &block, Compression::Deflated, 1)?;
    for (_, source) in &sources {
        match source {
            Source::Copy(e) => {
                writer.copy_entry(input, e, 1)?;
            }
            Source::New(p) => {
                writer.add_entry(&p.name, &p.data, Compression::Deflated, 1)?;
            }
        }
    }
    let (cd, eocd) = writer.finish_records(writer.offset())?;
    writer.write_raw(&cd)?;
    writer.write_raw(&eocd)?;
    let entry_count = writer.entry_count();
    let mut sink = writer.into_inner();
    sink.flush()
        .map_err(|e| ApkError::Zip(ZipError::Write(e)))?;

    let after = |p: &NewEntry| (Sha256::digest(&p.data).into(), p.data.len() as u64);
    let mut out_changes = Vec::with_capacity(changes.len() + added.len());
    for (e, change) in changes {
        out_changes.push(BundleChange {
            name: e.name.clone(),
            change,
            before: Some((input.stream_sha256(e)?, e.uncompressed_size())),
            after: puts.get(e.name.as_str()).map(|p| after(p)),
        });
    }
    out_changes.extend(added.iter().map(|p| BundleChange {
        name: p.name.clone(),
        change: Change::Added,
        before: None,
        after: Some(after(p)),
    }));
    Ok(SignedBundle {
        size: sink.written,
        sha256: sink.hasher.finalize().into(),
        signer_cert_sha256: Sha256::digest(leaf).into(),
        signature_file: sf_name,
        changes: out_changes,
        entry_count,
    })
}

/// Checks a bundle's JAR signature: every entry listed and matching, the `.SF` and its
/// signature block valid. An unsigned bundle fails.
pub fn verify(archive: &Archive) -> Result<VerifiedBundle, ApkError> {
    let v1 = crate::apk::verify::v1::verify(archive)?.ok_or_else(|| {
        ApkError::verify(
            "JAR signature",
            "the bundle is not signed (no META-INF/*.RSA|EC|DSA); sign it with `fuse sign`",
        )
    })?;
    Ok(VerifiedBundle {
        signer_cert_sha256: v1
            .signer_certs
            .iter()
            .map(|c| Sha256::digest(c).into())
            .collect(),
        digest: v1.digest,
    })
}

/// Writes the signed bundle to a temp file beside `output`, fsyncs, re-reads and verifies
/// it (signature and bundle rules), then renames it into place. Any failure leaves no output.
pub fn sign_file(
    input: &Archive,
    output: &Path,
    force: bool,
    plan: &Plan,
    key: &dyn SigningKey,
    signer_name: &str,
    time: DosTime,
) -> Result<(SignedBundle, VerifiedBundle), crate::Error> {
    sign_file_timed(input, output, force, plan, key, signer_name, time)
        .map(|(signed, verified, _)| (signed, verified))
}

/// How long [`sign_file_timed`] took: writing (with the JAR signature, which is computed
/// from every entry's digest before the first byte is written, so it cannot be timed
/// apart) and self-verification with the rename.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignTimes {
    pub write_and_sign: std::time::Duration,
    pub verify: std::time::Duration,
}

/// [`sign_file`], also returning how long writing and verifying took (the report's workflow).
pub fn sign_file_timed(
    input: &Archive,
    output: &Path,
    force: bool,
    plan: &Plan,
    key: &dyn SigningKey,
    signer_name: &str,
    time: DosTime,
) -> Result<(SignedBundle, VerifiedBundle, SignTimes), crate::Error> {
    let started = std::time::Instant::now();
    let out_err = |source: std::io::Error| ApkError::Output {
        path: output.display().to_string(),
        source,
    };
    let same = match (input.path().canonicalize(), output.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
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
    let mut temp = crate::atomic::temp_in(&dir, ".aab.tmp").map_err(out_err)?;
    crate::pause::at("temp-created");
    let signed = write_signed(input, plan, key, signer_name, time, temp.as_file_mut())?;
    crate::pause::at("written");
    temp.as_file().sync_all().map_err(out_err)?;
    let write_and_sign = started.elapsed();
    let started = std::time::Instant::now();
    let self_check = |e: String| ApkError::verify("self-verification of the output", e);
    let written = Archive::from_file(output, temp.reopen().map_err(out_err)?)
        .map_err(|e| self_check(e.to_string()))?;
    super::plan::read_bundle(&written).map_err(|e| self_check(e.to_string()))?;
    let verified = verify(&written)?;
    if verified.signer_cert_sha256 != [signed.signer_cert_sha256] {
        return Err(
            self_check("the written bundle's signer differs from the key used".to_owned()).into(),
        );
    }
    crate::pause::at("verified");
    if force {
        temp.persist(output).map_err(|e| out_err(e.error))?;
    } else {
        temp.persist_noclobber(output)
            .map_err(|e| out_err(e.error))?;
    }
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    let times = SignTimes {
        write_and_sign,
        verify: started.elapsed(),
    };
    crate::pause::at("renamed");
    Ok((signed, verified, times))
}

/// Names of the entries a plan leaves untouched (for callers that compare raw bytes).
pub fn kept<'a>(input: &'a Archive, plan: &Plan) -> BTreeSet<&'a str> {
    let put: HashSet<&str> = plan.put.iter().map(|p| p.name.as_str()).collect();
    input
        .entries()
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| !v1::is_signature_file(n) && !plan.remove.contains(*n) && !put.contains(n))
        .collect()
}
