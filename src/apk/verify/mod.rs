//! `fuse verify` for APKs, and the self-check `fuse sign`/`fuse build` run on their
//! output before it is renamed into place.
//!
//! Checks, each named in the error when it fails: the ZIP structure (strict reader);
//! v2 and v3 signatures over their signed data, their content digests against the file,
//! certificate ↔ public key; v3 SDK ranges; v2 stripping protection (attribute
//! 0xbeeff00d → a v3 block must exist); v1 block → .SF → MANIFEST.MF → every entry,
//! `X-Android-APK-Signed` stripping protection; the same signer certificate in every
//! scheme; v1 present when the app supports API levels below 24.

pub mod content;
pub mod crypto;
pub mod scheme;
pub mod v1;

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use super::digest::ContentDigestAlgorithm;
use super::error::ApkError;
use super::observed::Observed;
use super::signer::Scheme;
use super::signing_block::{self, V2_BLOCK_ID, V3_BLOCK_ID, V31_BLOCK_ID};
use super::{min_sdk, v1 as v1_scheme};
use crate::zip::{Archive, ZipError};

/// A verified APK.
#[derive(Debug, Clone)]
pub struct Verified {
    pub schemes: Vec<Scheme>,
    /// SHA-256 of the signer's certificate (the same in every scheme).
    pub signer_cert_sha256: [u8; 32],
    /// The signer's certificate, DER (what the Certified Secure report names as the signer).
    pub signer_certificate_der: Vec<u8>,
    pub min_sdk_version: u32,
    /// The v3 signer's SDK range.
    pub v3_sdk_range: Option<(u32, u32)>,
    /// Signature algorithm ids of the v2/v3 signers.
    pub algorithms: Vec<u32>,
    /// SHA-256 of each JAR signature file, in archive order ([`v1::V1::files_sha256`];
    /// empty without a v1 signature).
    pub jar_files_sha256: Vec<(String, [u8; 32])>,
}

/// Verifies an opened archive, every check from the file alone.
pub fn verify(archive: &Archive, min_sdk_override: Option<u32>) -> Result<Verified, ApkError> {
    verify_inner(archive, min_sdk_override, None)
}

/// Self-verification of a file fuse just wrote: the same checks as [`verify`], with two
/// facts taken from `observed` (what the writer computed from the bytes it wrote, and
/// read back from the file and found equal): the content section's chunk digests, to
/// which the central directory and EOCD read from the file are added before the result is
/// compared with the signed digest; and each entry's v1 digest instead of inflating the
/// entry again — the latter only once that content digest matched (docs/signing.md).
pub fn verify_observed(
    archive: &Archive,
    min_sdk_override: Option<u32>,
    observed: &Observed,
) -> Result<Verified, ApkError> {
    verify_inner(archive, min_sdk_override, Some(observed))
}

fn verify_inner(
    archive: &Archive,
    min_sdk_override: Option<u32>,
    observed: Option<&Observed>,
) -> Result<Verified, ApkError> {
    let manifest = archive.entry("AndroidManifest.xml").ok_or_else(|| {
        ApkError::not_apk(
            format!("{}", archive.path().display()),
            "it has no AndroidManifest.xml at its root, so it is not an APK",
        )
    })?;
    let min_sdk = match min_sdk_override {
        Some(v) => v,
        None => {
            let bytes = archive.read_entry(manifest, 16 << 20)?;
            min_sdk::min_sdk_version(&bytes)?
        }
    };

    let mut v2 = None;
    let mut v3 = None;
    let mut block_start = None;
    if let Some(range) = archive.signing_block() {
        // A malformed block is a malformed package (exit 3), like any container lie.
        let malformed =
            |why: &str| ZipError::malformed(archive.path(), "APK Signing Block", why.to_owned());
        let len = range.end - range.start;
        if len > signing_block::MAX_BLOCK_LEN {
            return Err(malformed(&format!(
                "it is {len} bytes, more than the {} any signer writes",
                signing_block::MAX_BLOCK_LEN
            ))
            .into());
        }
        let mut block = vec![0u8; len as usize];
        archive.read_at(range.start, &mut block)?;
        let pairs = signing_block::parse(&block).map_err(malformed)?;
        for (id, value) in pairs {
            let value = block.get(value).unwrap_or_default();
            // Android reads the first block of a scheme, another reader might take the
            // last: two of them can show each a different signer.
            let twice = |label: &str| malformed(&format!("it holds the {label} block twice"));
            match id {
                V2_BLOCK_ID if v2.is_some() => return Err(twice("v2").into()),
                V3_BLOCK_ID if v3.is_some() => return Err(twice("v3").into()),
                V2_BLOCK_ID => v2 = Some(scheme::parse_and_check(value, "v2", false)?),
                V3_BLOCK_ID => v3 = Some(scheme::parse_and_check(value, "v3", true)?),
                V31_BLOCK_ID => {
                    return Err(ApkError::verify(
                        "v3.1 signature",
                        "key-rotation (v3.1) blocks are not supported by fuse yet",
                    ));
                }
                _ => {}
            }
        }
        block_start = Some(range.start);
    }

    // Content digests, once per algorithm any signer uses.
    let mut needed: BTreeSet<ContentDigestAlgorithm> = BTreeSet::new();
    for s in v2.iter().chain(v3.iter()).flatten() {
        needed.extend(s.digests.keys().copied());
    }
    // Whether the content digest of some signer was recomputed from this file and matched.
    let check_content = || -> Result<bool, ApkError> {
        let (Some(start), false) = (block_start, needed.is_empty()) else {
            return Ok(false);
        };
        let algs: Vec<ContentDigestAlgorithm> = needed.iter().copied().collect();
        // A file fuse just wrote: its content section was read back equal to the bytes
        // the chunk digests were computed from, so only the records are read here.
        let observed_content = observed
            .and_then(|o| o.content(start))
            .and_then(|c| content::from_observed(archive, start, &c.chunks, &algs));
        let actual = match observed_content {
            Some(digests) => digests,
            None => content::compute(archive, start, &algs)?
                .ok_or_else(|| ApkError::verify("content digest", "the APK has too many chunks"))?,
        };
        let mut proven = false;
        for (label, signers) in [("v2", &v2), ("v3", &v3)] {
            for (i, s) in signers.iter().flatten().enumerate() {
                for (alg, want) in &s.digests {
                    let got = actual.iter().find(|(a, _)| a == alg).map(|(_, d)| d);
                    if got != Some(want) {
                        return Err(ApkError::verify(
                            format!("{label} content digest"),
                            format!(
                                "signer #{}: the APK's contents do not match the signed digest (the file was modified after signing)",
                                i + 1
                            ),
                        ));
                    }
                    proven = true;
                }
            }
        }
        Ok(proven)
    };
    let v1 = if observed.is_some() && block_start.is_some() && !needed.is_empty() {
        // Self-verification: the v1 check (MANIFEST.MF, .SF, signature block, entry
        // digests from the observations) runs beside the content digest instead of after
        // it. Its result counts only once the content digest has matched — a mismatch is
        // returned first — so the observations are still used only for a proven file.
        let (proven, v1) = rayon::join(check_content, || v1::verify_with(archive, observed));
        if proven? {
            v1?
        } else {
            v1::verify_with(archive, None)?
        }
    } else {
        let proven = check_content()?;
        v1::verify_with(archive, observed.filter(|_| proven))?
    };

    // Stripping protection.
    if v2
        .iter()
        .flatten()
        .any(|s| s.stripping_protection.contains(&3))
        && v3.is_none()
    {
        return Err(ApkError::verify(
            "v2 stripping protection",
            "the v2 signature says a v3 signature exists, but there is none (stripped?)",
        ));
    }
    if let Some(v1) = &v1 {
        for id in &v1.apk_signed {
            let missing = match id {
                2 => v2.is_none(),
                3 => v3.is_none(),
                _ => false,
            };
            if missing {
                return Err(ApkError::verify(
                    "v1 stripping protection",
                    format!(
                        "X-Android-APK-Signed names scheme v{id}, but the APK has no v{id} signature (stripped?)"
                    ),
                ));
            }
        }
    }
    if v1.is_none() && v2.is_none() && v3.is_none() {
        return Err(ApkError::verify("signature", "the APK is not signed"));
    }
    if v1.is_none() && min_sdk < v1_scheme::MIN_SDK_WITHOUT_V1 {
        return Err(ApkError::verify(
            "v1 (JAR) signature",
            format!(
                "the app supports API {min_sdk}, but Android below 7.0 (API 24) needs a v1 signature and there is none"
            ),
        ));
    }
    if v1.is_none() && v2.is_none() && min_sdk < 28 {
        // v3 alone is read from API 28 on.
        return Err(ApkError::verify(
            "v2 signature",
            format!(
                "the app supports API {min_sdk}, but only a v3 signature is present (read from API 28)"
            ),
        ));
    }

    // One signer, the same certificate everywhere.
    let mut certs: Vec<(&str, &[u8])> = Vec::new();
    if let Some(v1) = &v1 {
        for c in &v1.signer_certs {
            certs.push(("v1", c));
        }
    }
    for (label, signers) in [("v2", &v2), ("v3", &v3)] {
        for s in signers.iter().flatten() {
            if let Some(c) = s.certificates.first() {
                certs.push((label, c));
            }
        }
    }
    let (_, first) = certs
        .first()
        .copied()
        .ok_or_else(|| ApkError::verify("signature", "no signer certificate"))?;
    if let Some((label, _)) = certs.iter().find(|(_, c)| *c != first) {
        return Err(ApkError::verify(
            "certificate equality",
            format!(
                "the {label} signer's certificate differs from the {} one",
                certs.first().map_or("", |c| c.0)
            ),
        ));
    }

    let mut schemes = Vec::new();
    if v1.is_some() {
        schemes.push(Scheme::V1);
    }
    if v2.is_some() {
        schemes.push(Scheme::V2);
    }
    if v3.is_some() {
        schemes.push(Scheme::V3);
    }
    let mut algorithms: Vec<u32> = v2
        .iter()
        .chain(v3.iter())
        .flatten()
        .flat_map(|s| s.algorithms.iter().map(|a| a.id()))
        .collect();
    algorithms.sort_unstable();
    algorithms.dedup();
    Ok(Verified {
        schemes,
        signer_cert_sha256: Sha256::digest(first).into(),
        signer_certificate_der: first.to_vec(),
        min_sdk_version: min_sdk,
        v3_sdk_range: v3.iter().flatten().filter_map(|s| s.sdk_range).next(),
        algorithms,
        jar_files_sha256: v1.map(|v1| v1.files_sha256).unwrap_or_default(),
    })
}
