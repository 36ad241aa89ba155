//! Writing a signed APK in one pass: plan → entries → v1 files → signing block → CD → EOCD.
//!
//! ```text
//! input.apk ──pread──▶ [kept entries, raw] [replaced/added entries] [v1: .SF .RSA MANIFEST.MF]
//!                       [zero pad to 4096] [APK Signing Block: v2, v3, padding] [CD] [EOCD]
//!           ──pread──▶ rayon: inflate + CRC-check every kept entry (+ v1 digest)   (core 2)
//! ```
//! The chunk digests shared by v2 and v3 and the output's SHA-256 are computed while
//! the bytes stream to the file (`stream.rs`); nothing holds more than the central
//! directories and a few 1 MiB buffers.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::File;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::algorithm::SignatureAlgorithm;
use super::digest::Hash;
use super::error::ApkError;
use super::signing_block::{self, V2_BLOCK_ID, V3_BLOCK_ID};
use super::stream::{self, Hashed};
use super::v1::{self, manifest, pkcs7, signature_file};
use super::{min_sdk, v2, v3};
use crate::zip::{Archive, Compression, DosTime, Entry, ZipError, ZipWriter, default_alignment};

/// The key types the APK schemes support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa { bits: usize },
    EcP256,
}

/// What signing needs from a key (implemented by `crate::keys::SigningIdentity`).
pub trait SigningKey: Sync {
    fn kind(&self) -> KeyKind;
    /// DER certificates, leaf first.
    fn chain_der(&self) -> &[Vec<u8>];
    /// SubjectPublicKeyInfo DER of the leaf.
    fn public_key_der(&self) -> &[u8];
    /// RSA: PKCS#1 v1.5 over `hash(message)`; EC: DER ECDSA (RFC 6979) over `hash(message)`.
    fn sign(&self, hash: Hash, message: &[u8]) -> Result<Vec<u8>, String>;
}

/// An entry the caller adds or replaces.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub name: String,
    pub data: Vec<u8>,
    pub compression: Compression,
    /// Data alignment when stored; `None` = Android's rule (`.so` 16 KiB, others 4).
    pub alignment: Option<u16>,
}

/// Changes to make while re-signing. Old JAR signature files and the old signing block
/// are always dropped.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Input entries to leave out.
    pub remove: BTreeSet<String>,
    /// Entries to write: an input entry of the same name is replaced in place, other
    /// names are appended after the kept entries, sorted by name.
    pub put: Vec<NewEntry>,
}

#[derive(Debug, Clone)]
pub struct SignOptions {
    /// Overrides the manifest's minSdkVersion (decides v1 and its digest).
    pub min_sdk_version: Option<u32>,
    /// Base name of the v1 files (`META-INF/<NAME>.SF`); made safe as apksigner does.
    pub v1_signer_name: String,
    /// Timestamp of every entry fuse writes.
    pub time: DosTime,
}

impl Default for SignOptions {
    fn default() -> Self {
        Self {
            min_sdk_version: None,
            v1_signer_name: "CERT".to_owned(),
            time: DosTime::from_env(),
        }
    }
}

/// Progress of a long write (bytes). Implementations must be cheap.
pub trait Progress: Sync {
    fn start(&self, _total_bytes: u64) {}
    fn advance(&self, _bytes: u64) {}
}

/// No progress display.
pub struct NoProgress;
impl Progress for NoProgress {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Scheme {
    #[serde(rename = "v1")]
    V1,
    #[serde(rename = "v2")]
    V2,
    #[serde(rename = "v3")]
    V3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Replaced,
    Removed,
}

/// One entry the plan touched, with the SHA-256 of its uncompressed bytes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EntryChange {
    pub name: String,
    pub change: Change,
    /// Before (replaced/removed) — of the input's bytes.
    pub before_sha256: Option<String>,
    /// After (added/replaced) — of the new bytes.
    pub after_sha256: Option<String>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct SignedApk {
    pub size: u64,
    pub sha256: [u8; 32],
    pub signer_cert_sha256: [u8; 32],
    pub schemes: Vec<Scheme>,
    pub min_sdk_version: u32,
    pub algorithm: SignatureAlgorithm,
    pub v1_digest: Option<Hash>,
    pub changes: Vec<EntryChange>,
    pub entry_count: usize,
}

/// Where each output entry's bytes come from.
enum Source<'a> {
    Copy(&'a Entry),
    New(&'a NewEntry),
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Largest AndroidManifest.xml we read to find minSdkVersion.
const MAX_MANIFEST: u64 = 16 << 20;

/// Writes `input` with `plan` applied, signed with v1 (when minSdk < 24), v2 and v3,
/// to `out` (positioned at 0, empty). The caller verifies and renames.
pub fn write_signed(
    input: &Archive,
    plan: &Plan,
    key: &dyn SigningKey,
    opts: &SignOptions,
    out: &mut File,
    progress: &dyn Progress,
) -> Result<SignedApk, ApkError> {
    // 1. The output's entry list.
    let mut puts: HashMap<&str, &NewEntry> = HashMap::new();
    for p in &plan.put {
        crate::zip::read::check_name(&p.name).map_err(|why| {
            ApkError::Zip(ZipError::Unwritable {
                name: p.name.clone(),
                why: why.to_owned(),
            })
        })?;
        if v1::is_signature_file(&p.name) || puts.insert(&p.name, p).is_some() {
            return Err(ApkError::Zip(ZipError::Unwritable {
                name: p.name.clone(),
                why: "the plan adds it twice or it is a JAR signature file".to_owned(),
            }));
        }
    }
    let mut in_file_order: Vec<&Entry> = input.entries().iter().collect();
    in_file_order.sort_by_key(|e| e.local_offset);
    let mut sources: Vec<(&str, Source<'_>)> = Vec::with_capacity(in_file_order.len() + puts.len());
    let mut changes = Vec::new();
    let mut used: HashSet<&str> = HashSet::new();
    for e in in_file_order {
        if v1::is_signature_file(&e.name) {
            continue;
        }
        if plan.remove.contains(&e.name) {
            changes.push((e, Change::Removed));
            continue;
        }
        if let Some(p) = puts.get(e.name.as_str()) {
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
    for p in &added {
        sources.push((&p.name, Source::New(p)));
    }

    // 2. minSdkVersion → which schemes, which v1 digest.
    let min_sdk = match opts.min_sdk_version {
        Some(v) => v,
        None => {
            let manifest = match sources.iter().find(|(n, _)| *n == "AndroidManifest.xml") {
                Some((_, Source::New(p))) => p.data.clone(),
                Some((_, Source::Copy(e))) => input.read_entry(e, MAX_MANIFEST)?,
                None => {
                    return Err(ApkError::not_apk(
                        format!("{}", input.path().display()),
                        "it has no AndroidManifest.xml at its root, so it is not an APK",
                    ));
                }
            };
            min_sdk::min_sdk_version(&manifest)?
        }
    };
    let kind = key.kind();
    let algorithm = SignatureAlgorithm::for_key(kind);
    let v1_digest = if min_sdk < v1::MIN_SDK_WITHOUT_V1 {
        Some(v1::digest_for(kind, min_sdk).map_err(ApkError::Key)?)
    } else {
        None
    };
    let leaf = key
        .chain_der()
        .first()
        .ok_or_else(|| ApkError::Key("the key has no certificate".to_owned()))?;
    let source_main = if v1_digest.is_some() {
        source_manifest_main(input)
    } else {
        None
    };

    // 3. Check every kept entry (inflate + CRC + size) and compute v1 digests, on the
    //    rayon pool, while this thread writes.
    let total: u64 = sources
        .iter()
        .map(|(_, s)| match s {
            Source::Copy(e) => e.end() - e.local_offset,
            Source::New(p) => p.data.len() as u64,
        })
        .sum();
    progress.start(total);
    let content_algorithms = [algorithm.content_digest()];
    let (sink, rx, recycle) = stream::channel(out);
    let names: Vec<&str> = sources.iter().map(|(n, _)| *n).collect();

    let (result, hashed) = std::thread::scope(|scope| {
        let hasher = scope.spawn(|| stream::hasher_loop(rx, recycle, &content_algorithms));
        let digests = scope.spawn(|| entry_digests(input, &sources, v1_digest));
        let result = (|| {
            let writer = write_entries(input, &sources, opts, sink, progress)?;
            let digests = digests
                .join()
                .map_err(|_| internal("entry digest worker panicked"))??;
            finish(
                writer,
                &names,
                &digests,
                v1_digest,
                key,
                opts,
                source_main.as_deref(),
                algorithm,
            )
        })();
        // `finish` consumed the sink on success; on failure it is dropped with the
        // writer, which ends the hasher either way.
        (result, hasher.join())
    });
    let hashed: Hashed = match hashed {
        Ok(Ok(h)) => h,
        // A write error on the hasher side is the root cause of any error here.
        Ok(Err(e)) => return Err(ApkError::Zip(ZipError::Write(e))),
        Err(_) => return Err(internal("output hasher panicked")),
    };
    let entry_count = result?;

    let changes = changes
        .into_iter()
        .map(|(e, change)| {
            let before = input.stream_sha256(e).map(|d| hex(&d)).ok();
            EntryChange {
                name: e.name.clone(),
                change,
                before_sha256: before,
                after_sha256: puts
                    .get(e.name.as_str())
                    .map(|p| hex(&Sha256::digest(&p.data))),
            }
        })
        .chain(added.iter().map(|p| EntryChange {
            name: p.name.clone(),
            change: Change::Added,
            before_sha256: None,
            after_sha256: Some(hex(&Sha256::digest(&p.data))),
        }))
        .collect();

    let mut schemes = Vec::new();
    if v1_digest.is_some() {
        schemes.push(Scheme::V1);
    }
    schemes.extend([Scheme::V2, Scheme::V3]);
    Ok(SignedApk {
        size: hashed.written,
        sha256: hashed.file_sha256,
        signer_cert_sha256: Sha256::digest(leaf).into(),
        schemes,
        min_sdk_version: min_sdk,
        algorithm,
        v1_digest,
        changes,
        entry_count,
    })
}

/// Per output entry: its v1 digest (when v1 is on and the entry is listed), after
/// checking a copied entry's data against its declared size and CRC.
fn entry_digests(
    input: &Archive,
    sources: &[(&str, Source<'_>)],
    v1: Option<Hash>,
) -> Result<Vec<Option<Vec<u8>>>, ApkError> {
    sources
        .par_iter()
        .map(|(name, source)| {
            let hash = v1.filter(|_| v1::needs_digest(name));
            match source {
                Source::New(p) => Ok(hash.map(|h| h.digest(&p.data))),
                Source::Copy(e) => {
                    let mut hasher = hash.map(Hash::hasher);
                    input.stream(e, |bytes| {
                        if let Some(h) = hasher.as_mut() {
                            h.update(bytes);
                        }
                        Ok(())
                    })?;
                    Ok(hasher.map(|h| h.finish()))
                }
            }
        })
        .collect()
}

fn internal(why: &str) -> ApkError {
    ApkError::not_apk("internal", why.to_owned())
}

fn write_entries<'f>(
    input: &Archive,
    sources: &[(&str, Source<'_>)],
    opts: &SignOptions,
    sink: stream::ContentSink<'f>,
    progress: &dyn Progress,
) -> Result<ZipWriter<stream::ContentSink<'f>>, ApkError> {
    let mut writer = ZipWriter::new(sink, opts.time);
    for (_, source) in sources {
        match source {
            Source::Copy(e) => {
                let align = if e.is_stored() {
                    crate::zip::extra::requested_alignment(&e.local_extra)
                        .unwrap_or(1)
                        .max(default_alignment(&e.name))
                } else {
                    1
                };
                writer.copy_entry(input, e, align)?;
                progress.advance(e.end() - e.local_offset);
            }
            Source::New(p) => {
                let align = p.alignment.unwrap_or_else(|| default_alignment(&p.name));
                writer.add_entry(&p.name, &p.data, p.compression, align)?;
                progress.advance(p.data.len() as u64);
            }
        }
    }
    Ok(writer)
}

/// v1 files, page padding, then the signing block over the finished content digest,
/// the central directory and the EOCD. Returns the number of entries.
#[allow(clippy::too_many_arguments)]
fn finish(
    mut writer: ZipWriter<stream::ContentSink<'_>>,
    names: &[&str],
    digests: &[Option<Vec<u8>>],
    v1_digest: Option<Hash>,
    key: &dyn SigningKey,
    opts: &SignOptions,
    source_main: Option<&[(String, String)]>,
    algorithm: SignatureAlgorithm,
) -> Result<usize, ApkError> {
    let write_err = |e: std::io::Error| ApkError::Zip(ZipError::Write(e));
    // v1 files go after every other entry, as apksigner places them.
    if let Some(hash) = v1_digest {
        let mut listed: Vec<(String, Vec<u8>)> = names
            .iter()
            .zip(digests)
            .filter_map(|(n, d)| d.as_ref().map(|d| ((*n).to_owned(), d.clone())))
            .collect();
        let built = signature_file::build_manifest(hash, &mut listed, source_main);
        let sf = signature_file::build_signature_file(hash, &built, &[2, 3]);
        let is_rsa = matches!(key.kind(), KeyKind::Rsa { .. });
        let signature = key.sign(hash, &sf).map_err(ApkError::Key)?;
        let block =
            pkcs7::encode(key.chain_der(), hash, is_rsa, &signature).map_err(ApkError::Key)?;
        let base = v1::safe_signer_name(&opts.v1_signer_name);
        let ext = if is_rsa { "RSA" } else { "EC" };
        writer.add_entry(
            &format!("META-INF/{base}.SF"),
            &sf,
            Compression::Deflated,
            1,
        )?;
        writer.add_entry(
            &format!("META-INF/{base}.{ext}"),
            &block,
            Compression::Deflated,
            1,
        )?;
        writer.add_entry(v1::MANIFEST_NAME, &built.bytes, Compression::Deflated, 1)?;
    }
    // Zero padding so the signing block starts on a page boundary (as apksigner).
    let page = signing_block::PAGE as u64;
    let pad = (page - writer.offset() % page) % page;
    writer.write_raw(&vec![0u8; pad as usize])?;
    let block_start = writer.offset();
    let mut content = writer.get_mut().end_content().map_err(write_err)?;

    // Central directory and EOCD (CD offset := block start) complete the content digest.
    let (cd, eocd_for_digest) = writer.finish_records(block_start)?;
    content.push_section(&cd);
    content.push_section(&eocd_for_digest);
    let top = content
        .finish()
        .ok_or_else(|| internal("too many chunks for a v2 digest"))?;
    let digest = top
        .iter()
        .find(|(a, _)| *a == algorithm.content_digest())
        .map(|(_, d)| d.clone())
        .ok_or_else(|| internal("content digest missing"))?;

    let v2_value = v2::block(key, algorithm, &digest, true)?;
    let v3_value = v3::block(key, algorithm, &digest)?;
    let block = signing_block::build(&[(V2_BLOCK_ID, v2_value), (V3_BLOCK_ID, v3_value)]);
    let (cd, eocd) = writer.finish_records(block_start + block.len() as u64)?;
    let entry_count = writer.entry_count();
    let mut sink = writer.into_inner();
    sink.tail(block).map_err(write_err)?;
    sink.tail(cd).map_err(write_err)?;
    sink.tail(eocd).map_err(write_err)?;
    Ok(entry_count)
}

/// Main attributes of the input's `META-INF/MANIFEST.MF`, which apksigner keeps.
fn source_manifest_main(input: &Archive) -> Option<Vec<(String, String)>> {
    let e = input.entry(v1::MANIFEST_NAME)?;
    let bytes = input.read_entry(e, MAX_MANIFEST).ok()?;
    let sections = manifest::parse(&bytes).ok()?;
    sections.into_iter().next().map(|s| s.attributes)
}

impl Archive {
    /// SHA-256 of an entry's uncompressed bytes (checked while streamed).
    pub fn stream_sha256(&self, e: &Entry) -> Result<[u8; 32], ZipError> {
        let mut h = Sha256::new();
        self.stream(e, |b| {
            h.update(b);
            Ok(())
        })?;
        Ok(h.finalize().into())
    }
}
