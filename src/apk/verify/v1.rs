//! Checking a JAR (v1) signature: block → .SF → MANIFEST.MF → every entry.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rayon::prelude::*;

use super::crypto::{self, KeyFamily};
use crate::apk::digest::Hash;
use crate::apk::error::ApkError;
use crate::apk::observed::Observed;
use crate::apk::v1::{self, manifest, pkcs7};
use crate::zip::{Archive, Entry};

/// What a valid v1 signature tells.
#[derive(Debug, Clone)]
pub struct V1 {
    /// Signer certificates (one per signer), DER.
    pub signer_certs: Vec<Vec<u8>>,
    /// Scheme ids named by `X-Android-APK-Signed` (stripping protection).
    pub apk_signed: Vec<u32>,
    pub digest: Hash,
    /// SHA-256 of every JAR signature file (`v1::is_signature_file`) in archive order:
    /// MANIFEST.MF, each `.SF` and signature block from the bytes this check read and
    /// inflated, any other one streamed. `fuse build`'s report lists them as changed
    /// entries; taking them from here spares it a third inflate of a ~2 MB MANIFEST.MF
    /// and `.SF`.
    pub files_sha256: Vec<(String, [u8; 32])>,
}

const MAX_META: u64 = 64 << 20;

fn bad(why: impl Into<String>) -> ApkError {
    ApkError::verify("v1 (JAR) signature", why)
}

fn hash_by_prefix(name: &str, suffix: &str) -> Option<Hash> {
    let prefix = name.strip_suffix(suffix)?;
    [Hash::Sha512, Hash::Sha256, Hash::Sha1]
        .into_iter()
        .find(|h| h.jar_name().eq_ignore_ascii_case(prefix))
}

/// Whether `text` is the base64 of `digest` (decoded into a stack buffer: no allocation
/// per entry).
fn same_base64(digest: &[u8], text: &str) -> bool {
    let mut buf = [0u8; 96];
    matches!(B64.decode_slice(text, &mut buf), Ok(n) if buf.get(..n) == Some(digest))
}

/// The strongest `<H><suffix>` attribute of a section.
fn strongest<'s>(section: &'s manifest::Section<'_>, suffix: &str) -> Option<(Hash, &'s str)> {
    let mut best: Option<(Hash, &str)> = None;
    for (n, v) in &section.attributes {
        if let Some(h) = hash_by_prefix(n, suffix) {
            let rank = |h: Hash| match h {
                Hash::Sha1 => 0,
                Hash::Sha256 => 1,
                Hash::Sha512 => 2,
            };
            if best.as_ref().is_none_or(|(b, _)| rank(h) > rank(*b)) {
                best = Some((h, v.as_ref()));
            }
        }
    }
    best
}

/// `Ok(None)` when the APK carries no JAR signature at all.
pub fn verify(archive: &Archive) -> Result<Option<V1>, ApkError> {
    verify_with(archive, None)
}

/// [`verify`]. With `observed` (only
/// after the v2/v3 content digest of this very file matched), an entry whose data the
/// signer observed is checked against that observation's digest instead of being
/// inflated again; every other entry is inflated as usual.
pub fn verify_with(archive: &Archive, observed: Option<&Observed>) -> Result<Option<V1>, ApkError> {
    let blocks: Vec<_> = archive
        .entries()
        .iter()
        .filter_map(|e| v1::signature_block_base(&e.name).map(|base| (e, base.to_owned())))
        .collect();
    let manifest_entry = archive.entry(v1::MANIFEST_NAME);
    if blocks.is_empty() {
        if manifest_entry.is_some()
            && archive.entries().iter().any(|e| {
                e.name.starts_with("META-INF/") && e.name.to_ascii_uppercase().ends_with(".SF")
            })
        {
            return Err(bad("a .SF file has no signature block"));
        }
        return Ok(None);
    }
    let manifest_entry = manifest_entry.ok_or_else(|| bad("META-INF/MANIFEST.MF is missing"))?;
    // MANIFEST.MF (~2 MB for 21,000 entries) is inflated and parsed on one core while
    // the signature blocks and their .SF files are read and their signatures checked on
    // the other; a bad manifest is still the error reported first.
    // (The parsed sections borrow the text, which `manifest_text` keeps.)
    let manifest_text = std::sync::OnceLock::new();
    let (manifest_side, signed_side) = rayon::join(
        || -> Result<_, ApkError> {
            let read = archive.read_entry(manifest_entry, MAX_META)?;
            let bytes: &Vec<u8> = manifest_text.get_or_init(|| read);
            let sha256 = fuse_accel::sha256::digest(bytes);
            let sections = manifest::parse(bytes).map_err(|e| bad(format!("MANIFEST.MF: {e}")))?;
            Ok((bytes, sha256, sections))
        },
        || {
            blocks
                .iter()
                .map(|(block_entry, base)| signed_sf(archive, block_entry, base))
                .collect::<Result<Vec<_>, ApkError>>()
        },
    );
    let (manifest_bytes, manifest_sha256, sections) = manifest_side?;
    let signed_sfs = signed_side?;
    let mut by_name: HashMap<&str, &manifest::Section<'_>> = HashMap::with_capacity(sections.len());
    for s in sections.iter().skip(1) {
        let name = s
            .get("Name")
            .ok_or_else(|| bad("a MANIFEST.MF section has no Name"))?;
        if by_name.insert(name, s).is_some() {
            return Err(bad(format!("MANIFEST.MF lists {name} twice")));
        }
    }

    let mut signer_certs = Vec::new();
    let mut apk_signed = Vec::new();
    let mut digest_used = Hash::Sha256;
    let mut read_sha256: HashMap<&str, [u8; 32]> = HashMap::new();
    read_sha256.insert(&manifest_entry.name, manifest_sha256);
    for SignedSf {
        sf_name,
        sf,
        sf_sha256,
        block_name,
        block_sha256,
        signer_cert,
    } in signed_sfs
    {
        read_sha256.insert(sf_name, sf_sha256);
        read_sha256.insert(block_name, block_sha256);
        // .SF → manifest. The entry sections are read only when the digest of the
        // whole manifest does not match.
        let sf_main = manifest::parse_main(&sf).map_err(|e| bad(format!("{sf_name}: {e}")))?;
        let sf_main = &sf_main;
        if let Some(v) = sf_main.get("X-Android-APK-Signed") {
            for id in v.split(',') {
                if let Ok(id) = id.trim().parse::<u32>() {
                    apk_signed.push(id);
                }
            }
        }
        let whole = strongest(sf_main, "-Digest-Manifest");
        let whole_ok = whole.as_ref().is_some_and(|(h, v)| match h {
            Hash::Sha256 => same_base64(&manifest_sha256, v),
            other => same_base64(&other.digest(manifest_bytes), v),
        });
        if !whole_ok {
            // Fall back to per-section digests, as the JAR spec allows.
            let sf_sections = manifest::parse(&sf).map_err(|e| bad(format!("{sf_name}: {e}")))?;
            for s in sf_sections.iter().skip(1) {
                let name = s
                    .get("Name")
                    .ok_or_else(|| bad(format!("a {sf_name} section has no Name")))?;
                let (h, v) = strongest(s, "-Digest")
                    .ok_or_else(|| bad(format!("{sf_name}: {name} has no digest")))?;
                let section = by_name.get(name).ok_or_else(|| {
                    bad(format!(
                        "{sf_name} names {name}, which MANIFEST.MF does not list"
                    ))
                })?;
                let bytes = manifest_bytes
                    .get(section.bytes.clone())
                    .unwrap_or_default();
                if B64.encode(h.digest(bytes)) != v {
                    return Err(bad(format!(
                        "{sf_name}: the digest of {name}'s manifest section does not match"
                    )));
                }
            }
            for name in by_name.keys() {
                if !sf_sections
                    .iter()
                    .skip(1)
                    .any(|s| s.get("Name") == Some(name))
                {
                    return Err(bad(format!(
                        "{name} is in MANIFEST.MF but not covered by {sf_name}"
                    )));
                }
            }
        }
        if let Some((h, _)) = whole {
            digest_used = h;
        }
        signer_certs.push(signer_cert);
    }

    // Manifest → entries: every entry listed, every listed entry present and matching.
    // (21,000 lookups on both cores; the first missing name in manifest order is named.)
    let missing = sections
        .par_iter()
        .skip(1)
        .filter_map(|s| s.get("Name"))
        .find_first(|name| archive.entry(name).is_none());
    if let Some(name) = missing {
        return Err(bad(format!(
            "MANIFEST.MF lists {name}, which is not in the APK"
        )));
    }
    archive
        .entries()
        .par_iter()
        .filter(|e| v1::needs_digest(&e.name))
        .try_for_each(|e| {
            let section = by_name.get(e.name.as_str()).ok_or_else(|| {
                bad(format!(
                    "{} is not listed in MANIFEST.MF (unsigned entry)",
                    e.name
                ))
            })?;
            let (h, want) = strongest(section, "-Digest")
                .ok_or_else(|| bad(format!("MANIFEST.MF has no digest for {}", e.name)))?;
            let seen = observed
                .and_then(|o| o.of(e))
                .and_then(|o| o.digest.as_ref())
                .filter(|(oh, _)| *oh == h);
            let matches = match seen {
                Some((_, digest)) => same_base64(digest, want),
                None => {
                    let mut hasher = h.hasher();
                    archive.stream(e, |b| {
                        hasher.update(b);
                        Ok(())
                    })?;
                    same_base64(&hasher.finish(), want)
                }
            };
            if !matches {
                return Err(bad(format!(
                    "the digest of {} does not match MANIFEST.MF",
                    e.name
                )));
            }
            Ok(())
        })?;
    let files_sha256 = archive
        .entries()
        .iter()
        .filter(|e| v1::is_signature_file(&e.name))
        .map(|e| {
            let sha256 = match read_sha256.get(e.name.as_str()) {
                Some(sha256) => *sha256,
                None => archive.stream_sha256(e)?,
            };
            Ok((e.name.clone(), sha256))
        })
        .collect::<Result<Vec<_>, ApkError>>()?;
    Ok(Some(V1 {
        signer_certs,
        apk_signed,
        digest: digest_used,
        files_sha256,
    }))
}

/// A signature block whose signature over its `.SF` verified: the `.SF` (read from the
/// archive) and the signer's certificate.
struct SignedSf<'a> {
    /// The `.SF` entry's name, as the archive spells it.
    sf_name: &'a str,
    sf: Vec<u8>,
    sf_sha256: [u8; 32],
    block_name: &'a str,
    block_sha256: [u8; 32],
    signer_cert: Vec<u8>,
}

/// Reads `block_entry` and its `META-INF/<base>.SF` and checks the block's signature
/// over the `.SF`.
fn signed_sf<'a>(
    archive: &'a Archive,
    block_entry: &'a Entry,
    base: &str,
) -> Result<SignedSf<'a>, ApkError> {
    let wanted = format!("META-INF/{base}.SF");
    let sf_entry = archive
        .entry(&wanted)
        .ok_or_else(|| bad(format!("{} has no {wanted}", block_entry.name)))?;
    let sf_name = sf_entry.name.as_str();
    let sf = archive.read_entry(sf_entry, MAX_META)?;
    let block = archive.read_entry(block_entry, MAX_META)?;
    let sf_sha256 = fuse_accel::sha256::digest(&sf);
    let p = pkcs7::parse(&block).map_err(|e| bad(format!("{}: {e}", block_entry.name)))?;
    let spki = crypto::certificate_spki(&p.signer_cert).map_err(bad)?;
    let family = match p.signature_oid.to_string().as_str() {
        "1.2.840.113549.1.1.1"
        | "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.113549.1.1.13" => KeyFamily::Rsa,
        "1.2.840.10045.2.1"
        | "1.2.840.10045.4.1"
        | "1.2.840.10045.4.3.2"
        | "1.2.840.10045.4.3.4" => KeyFamily::Ec,
        other => {
            return Err(bad(format!(
                "{}: unsupported signature algorithm {other}",
                block_entry.name
            )));
        }
    };
    match (&p.signed_attributes, &p.message_digest) {
        (None, _) => crypto::verify(&spki, family, p.digest, &sf, &p.signature),
        (Some(attrs), Some(md)) => {
            let digest = match p.digest {
                Hash::Sha256 => sf_sha256.to_vec(),
                other => other.digest(&sf),
            };
            if *md != digest {
                return Err(bad(format!(
                    "{}: the signed digest does not match {sf_name}",
                    block_entry.name
                )));
            }
            crypto::verify(&spki, family, p.digest, attrs, &p.signature)
        }
        (Some(_), None) => Err("signed attributes without a message digest".to_owned()),
    }
    .map_err(|e| bad(format!("{}: {e}", block_entry.name)))?;

    Ok(SignedSf {
        sf_name,
        sf,
        sf_sha256,
        block_name: &block_entry.name,
        block_sha256: fuse_accel::sha256::digest(&block),
        signer_cert: p.signer_cert,
    })
}
