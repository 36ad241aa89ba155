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

use sha2::{Digest, Sha256};

use super::algorithm::SignatureAlgorithm;
use super::digest::Hash;
use super::error::ApkError;
use super::observed::{Observation, Observed, ObservedContent};
use super::signing_block::{self, V2_BLOCK_ID, V3_BLOCK_ID};
use super::stream::{self, ContentSink, StreamError};
use super::v1::{self, manifest, pkcs7, signature_file};
use super::{min_sdk, v2, v3};
use crate::zip::write::deflate_fast_in_halves;
use crate::zip::{
    Archive, Compression, DosTime, Entry, Written, ZipError, ZipWriter, default_alignment,
};

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
    /// Entries appended too, whose bytes are not known when writing starts.
    pub late: Option<LateEntries>,
    /// Where to send the SHA-256 and length of the whole input file, computed while
    /// writing (beside the output's chunk digests); sent before the late entries are asked
    /// for, so they may wait for it.
    pub input_digest: Option<InputDigest>,
}

/// See [`Plan::input_digest`].
#[derive(Debug, Clone)]
pub struct InputDigest(pub stream::InputDigestSender);

/// Appended entries whose bytes depend on work that runs while the app's own entries
/// stream (`fuse build`: the policy carries the build id, derived from the input's
/// SHA-256, which the writer computes meanwhile: `Plan::input_digest`). The writer calls
/// the function once, after the last input entry, and appends what it returns with the
/// plan's other new entries in name order — the output is byte for byte the one a plan
/// with these entries in `put` gives. Names must be new (not in the input, not in `put`).
#[derive(Clone)]
pub struct LateEntries(pub std::sync::Arc<dyn Fn() -> Result<Vec<NewEntry>, String> + Send + Sync>);

impl std::fmt::Debug for LateEntries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LateEntries(..)")
    }
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
#[serde(rename_all = "camelCase")]
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
#[derive(Clone, Copy)]
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
/// to `out` (positioned at 0, empty, open for reading too: what is written is read
/// back). The caller verifies and renames.
pub fn write_signed(
    input: &Archive,
    plan: &Plan,
    key: &dyn SigningKey,
    opts: &SignOptions,
    out: &mut File,
    progress: &dyn Progress,
) -> Result<SignedApk, ApkError> {
    write_observed(input, plan, key, opts, out, progress).map(|(signed, _)| signed)
}

/// [`write_signed`], also returning what was observed of every entry's data while it was
/// written, for [`crate::apk::verify::verify_observed`].
pub fn write_observed(
    input: &Archive,
    plan: &Plan,
    key: &dyn SigningKey,
    opts: &SignOptions,
    out: &mut File,
    progress: &dyn Progress,
) -> Result<(SignedApk, Observed), ApkError> {
    // 1. The output's entry list (late entries, when the plan has them, are stored here
    //    once known: the entry list borrows them).
    let late_entries: std::sync::OnceLock<Vec<NewEntry>> = std::sync::OnceLock::new();
    let mut puts: HashMap<&str, &NewEntry> = HashMap::new();
    for p in &plan.put {
        check_new_name(p)?;
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
    let added: Vec<&NewEntry> = plan
        .put
        .iter()
        .filter(|p| !used.contains(p.name.as_str()))
        .collect();
    // The appended entries join `sources` after the kept ones are written, sorted
    // together with the plan's late entries (none without `plan.late`).
    let kept = sources.len();

    // 2. minSdkVersion → which schemes, which v1 digest.
    let min_sdk = match opts.min_sdk_version {
        Some(v) => v,
        None => {
            // The appended entries are not in `sources` yet (see `kept`).
            let appended = added.iter().map(|p| (p.name.as_str(), Source::New(p)));
            let manifest = match sources
                .iter()
                .cloned()
                .chain(appended)
                .find(|(n, _)| *n == "AndroidManifest.xml")
            {
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

    // 3. One pass: this thread reads and lays out the entries, the processor thread
    //    writes, hashes and checks them on both cores (stream.rs).
    // Late entries (a few hundred bytes for fuse build) are not counted: unknown yet.
    let total: u64 = sources
        .iter()
        .map(|(_, s)| match s {
            Source::Copy(e) => e.end() - e.local_offset,
            Source::New(p) => p.data.len() as u64,
        })
        .chain(added.iter().map(|p| p.data.len() as u64))
        .sum();
    progress.start(total);
    let content_algorithms = [algorithm.content_digest()];
    let (sink, processor) = stream::pipeline(
        &*out,
        input,
        &content_algorithms,
        v1_digest,
        plan.input_digest.as_ref().map(|d| d.0.clone()),
    );

    let (result, processed) = std::thread::scope(|scope| {
        let processor = scope.spawn(move || processor.run());
        let result = (|| -> Result<(usize, Vec<Observation>, ObservedContent), ApkError> {
            let mut writer = ZipWriter::new(sink, opts.time);
            let mut written = Vec::with_capacity(sources.len() + added.len());
            write_entries(input, &sources, &mut writer, &mut written, progress)?;
            let late: &[NewEntry] = match &plan.late {
                Some(late) => {
                    // The late entries may wait for the input's SHA-256: no chunk is
                    // left to hash beside it.
                    writer.get_mut().finish_input().map_err(write_err)?;
                    let more =
                        (late.0)().map_err(|why| internal(&format!("late entries: {why}")))?;
                    check_late(&more, input, &plan.remove, &puts)?;
                    late_entries.get_or_init(|| more)
                }
                None => &[],
            };
            let mut appended: Vec<&NewEntry> = added.iter().copied().chain(late).collect();
            appended.sort_by(|a, b| a.name.cmp(&b.name));
            sources.extend(appended.iter().map(|p| (p.name.as_str(), Source::New(p))));
            write_entries(
                input,
                sources.get(kept..).unwrap_or_default(),
                &mut writer,
                &mut written,
                progress,
            )?;
            let seen = writer.get_mut().observations().map_err(write_err)?;
            let digests = v1_digests(&sources, &written, &seen)?;
            let (entry_count, content) = finish(
                writer,
                digests,
                v1_digest,
                key,
                opts,
                source_main.as_deref(),
                algorithm,
            )?;
            Ok((entry_count, seen, content))
        })();
        // `finish` consumed the sink on success; on failure it is dropped with the
        // writer, which ends the processor either way.
        (result, processor.join())
    });
    let processed = match processed {
        Ok(Ok(p)) => p,
        // The writer stopped mid-entry: its own error is the cause.
        Ok(Err(StreamError::Unfinished)) => {
            return Err(match result {
                Err(e) => e,
                Ok(_) => stream_error(input, &sources, StreamError::Unfinished),
            });
        }
        // A failure on the processor side is the root cause of any error here.
        Ok(Err(e)) => return Err(stream_error(input, &sources, e)),
        Err(_) => return Err(internal("output processor panicked")),
    };
    let (entry_count, mut seen, content) = result?;
    seen.extend(processed.observations);
    // The content section's chunk digests describe the file only if all of it was read
    // back equal to the bytes they were computed from.
    let content = Some(content).filter(|c| c.end == processed.read_back);

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
        // The appended entries, as written (after the kept ones, in name order).
        .chain(
            sources
                .get(kept..)
                .unwrap_or_default()
                .iter()
                .filter_map(|(_, s)| match s {
                    Source::New(p) => Some(EntryChange {
                        name: p.name.clone(),
                        change: Change::Added,
                        before_sha256: None,
                        after_sha256: Some(hex(&Sha256::digest(&p.data))),
                    }),
                    Source::Copy(_) => None,
                }),
        )
        .collect();

    let mut schemes = Vec::new();
    if v1_digest.is_some() {
        schemes.push(Scheme::V1);
    }
    schemes.extend([Scheme::V2, Scheme::V3]);
    let signed = SignedApk {
        size: processed.written,
        sha256: processed.file_sha256,
        signer_cert_sha256: Sha256::digest(leaf).into(),
        schemes,
        min_sdk_version: min_sdk,
        algorithm,
        v1_digest,
        changes,
        entry_count,
    };
    Ok((signed, Observed::new(seen).with_content(content)))
}

/// The v1 digest of each output entry (in `sources` order), from the pipeline's
/// observations — each made from the bytes that went into the file.
fn v1_digests(
    sources: &[(&str, Source<'_>)],
    written: &[Written],
    seen: &[Observation],
) -> Result<Vec<(String, Vec<u8>)>, ApkError> {
    let mut by_ordinal: Vec<Option<&Observation>> = vec![None; sources.len()];
    for o in seen {
        if let Some(slot) = by_ordinal.get_mut(o.ordinal as usize) {
            *slot = Some(o);
        }
    }
    let mut listed = Vec::new();
    for (((name, _), w), o) in sources.iter().zip(written).zip(by_ordinal) {
        let o = o.ok_or_else(|| internal("an entry's data was not checked"))?;
        if o.data_offset != w.data_offset || o.compressed_size != w.compressed_size {
            return Err(internal(
                "the checked data is not where the entry was written",
            ));
        }
        if let Some((_, digest)) = &o.digest {
            listed.push(((*name).to_owned(), digest.clone()));
        }
    }
    Ok(listed)
}

fn write_err(e: std::io::Error) -> ApkError {
    ApkError::Zip(ZipError::Write(e))
}

/// The error a stopped pipeline reports, naming the entry whose data lied.
fn stream_error(input: &Archive, sources: &[(&str, Source<'_>)], e: StreamError) -> ApkError {
    match e {
        StreamError::Write(e) => write_err(e),
        StreamError::Entry { ordinal, why } => match sources.get(ordinal as usize) {
            Some((_, Source::Copy(entry))) => ApkError::Zip(ZipError::malformed(
                input.path(),
                format!("entry {}", entry.name),
                why,
            )),
            Some((name, Source::New(_))) => internal(&format!("new entry {name}: {why}")),
            None => internal(&format!("entry #{ordinal}: {why}")),
        },
        StreamError::Internal(why) => internal(&why),
        StreamError::Unfinished => internal("the output ended inside an entry's data"),
        StreamError::ReadBack { offset, why } => ApkError::verify(
            "self-verification of the output",
            format!("at byte {offset} of the written file: {why}"),
        ),
    }
}

fn internal(why: &str) -> ApkError {
    ApkError::not_apk("internal", why.to_owned())
}

/// Late entries may only add: a name already in the input (and not removed by the plan)
/// or in the plan's `put` would make two entries of one name.
fn check_late(
    late: &[NewEntry],
    input: &Archive,
    removed: &BTreeSet<String>,
    puts: &HashMap<&str, &NewEntry>,
) -> Result<(), ApkError> {
    let mut seen = HashSet::new();
    for p in late {
        check_new_name(p)?;
        if v1::is_signature_file(&p.name)
            || puts.contains_key(p.name.as_str())
            || (input.entry(&p.name).is_some() && !removed.contains(&p.name))
            || !seen.insert(p.name.as_str())
        {
            return Err(ApkError::Zip(ZipError::Unwritable {
                name: p.name.clone(),
                why: "a late entry must be new: it is in the input, in the plan, twice, or a JAR signature file".to_owned(),
            }));
        }
    }
    Ok(())
}

/// A new entry's name obeys the reader's rules (no `..`, absolute paths, NUL, …): fuse
/// never writes a name it would refuse to read.
fn check_new_name(p: &NewEntry) -> Result<(), ApkError> {
    crate::zip::read::check_name(&p.name).map_err(|why| {
        ApkError::Zip(ZipError::Unwritable {
            name: p.name.clone(),
            why: why.to_owned(),
        })
    })
}

fn write_entries(
    input: &Archive,
    sources: &[(&str, Source<'_>)],
    writer: &mut ZipWriter<ContentSink<'_>>,
    written: &mut Vec<Written>,
    progress: &dyn Progress,
) -> Result<(), ApkError> {
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
                written.push(writer.copy_entry(input, e, align)?);
                progress.advance(e.end() - e.local_offset);
            }
            Source::New(p) => {
                let align = p.alignment.unwrap_or_else(|| default_alignment(&p.name));
                written.push(writer.add_entry(&p.name, &p.data, p.compression, align)?);
                progress.advance(p.data.len() as u64);
            }
        }
    }
    Ok(())
}

/// v1 files, page padding, then the signing block over the finished content digest,
/// the central directory and the EOCD. Returns the number of entries.
#[allow(clippy::too_many_arguments)]
fn finish(
    mut writer: ZipWriter<ContentSink<'_>>,
    digests: Vec<(String, Vec<u8>)>,
    v1_digest: Option<Hash>,
    key: &dyn SigningKey,
    opts: &SignOptions,
    source_main: Option<&[(String, String)]>,
    algorithm: SignatureAlgorithm,
) -> Result<(usize, ObservedContent), ApkError> {
    // v1 files go after every other entry, as apksigner places them.
    if let Some(hash) = v1_digest {
        #[cfg(test)]
        let digests = {
            let mut listed = digests;
            test_hooks::corrupt_v1_digest(&mut listed);
            listed
        };
        let built = signature_file::build_manifest(hash, digests, source_main);
        let is_rsa = matches!(key.kind(), KeyKind::Rsa { .. });
        // MANIFEST.MF (~2 MB for 21,000 entries) deflates while the .SF is built, signed
        // and deflated; each of the two large files in independently deflated halves, so
        // the four pieces keep both cores busy however long the signature takes (fast
        // level: see `deflate_fast`).
        let zipped = |data: &[u8]| {
            deflate_fast_in_halves(data).map_err(|e| ApkError::Zip(ZipError::Write(e)))
        };
        let (manifest_z, signature_files) = rayon::join(
            || zipped(&built.bytes),
            || -> Result<_, ApkError> {
                let sf = signature_file::build_signature_file(hash, &built, &[2, 3]);
                let signature = key.sign(hash, &sf).map_err(ApkError::Key)?;
                let block = pkcs7::encode(key.chain_der(), hash, is_rsa, &signature)
                    .map_err(ApkError::Key)?;
                let sf_z = zipped(&sf)?;
                let block_z = zipped(&block)?;
                Ok((sf, sf_z, block, block_z))
            },
        );
        let (sf, sf_z, block, block_z) = signature_files?;
        let base = v1::safe_signer_name(&opts.v1_signer_name);
        let ext = if is_rsa { "RSA" } else { "EC" };
        writer.add_deflated(&format!("META-INF/{base}.SF"), &sf, &sf_z)?;
        writer.add_deflated(&format!("META-INF/{base}.{ext}"), &block, &block_z)?;
        writer.add_deflated(v1::MANIFEST_NAME, &built.bytes, &manifest_z?)?;
    }
    // Zero padding so the signing block starts on a page boundary (as apksigner).
    let page = signing_block::PAGE as u64;
    let pad = (page - writer.offset() % page) % page;
    writer.write_raw(&vec![0u8; pad as usize])?;
    let block_start = writer.offset();
    let mut content = writer.get_mut().end_content().map_err(write_err)?;
    let observed_content = ObservedContent {
        end: block_start,
        chunks: content.clone(),
    };

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

    // Two private-key operations: one per core.
    let (v2_value, v3_value) = rayon::join(
        || v2::block(key, algorithm, &digest, true),
        || v3::block(key, algorithm, &digest),
    );
    let (v2_value, v3_value) = (v2_value?, v3_value?);
    let block = signing_block::build(&[(V2_BLOCK_ID, v2_value), (V3_BLOCK_ID, v3_value)]);
    let (cd, eocd) = writer.finish_records(block_start + block.len() as u64)?;
    let entry_count = writer.entry_count();
    let mut sink = writer.into_inner();
    sink.tail(block).map_err(write_err)?;
    sink.tail(cd).map_err(write_err)?;
    sink.tail(eocd).map_err(write_err)?;
    Ok((entry_count, observed_content))
}

/// Main attributes of the input's `META-INF/MANIFEST.MF`, which apksigner keeps.
fn source_manifest_main(input: &Archive) -> Option<Vec<(String, String)>> {
    let e = input.entry(v1::MANIFEST_NAME)?;
    let bytes = input.read_entry(e, MAX_MANIFEST).ok()?;
    manifest::main_attributes(&bytes)
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

/// Faults injected by unit tests (never compiled into fuse).
#[cfg(test)]
pub(crate) mod test_hooks {
    use std::cell::Cell;

    thread_local! {
        /// Flip a bit of the first v1 digest before MANIFEST.MF is built (on the thread
        /// that calls `write_signed`).
        pub static CORRUPT_V1_DIGEST: Cell<bool> = const { Cell::new(false) };
    }

    pub fn corrupt_v1_digest(listed: &mut [(String, Vec<u8>)]) {
        if CORRUPT_V1_DIGEST.with(Cell::get)
            && let Some(byte) = listed.first_mut().and_then(|(_, d)| d.first_mut())
        {
            *byte ^= 1;
        }
    }
}
