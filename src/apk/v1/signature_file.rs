//! Building `MANIFEST.MF` and the `.SF` signature file from per-entry digests.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rayon::prelude::*;

use super::manifest::{self, java_cmp};
use super::{CREATED_BY, entry_digest_attr};
use crate::apk::digest::Hash;

/// The manifest, the bytes of each of its entry sections, and each section's digest in
/// base64 (what the .SF lists).
pub struct BuiltManifest {
    pub bytes: Vec<u8>,
    pub sections: Vec<(String, std::ops::Range<usize>)>,
    /// The sections' digests in base64, one after the other (all of one length).
    section_digests: String,
}

/// Entries whose sections one task writes and digests: a 21,000-entry APK's manifest
/// (~2 MB) is built on every core, on the serial path between the last entry and the
/// signing block; small ones stay in one task.
const SECTIONS_PER_TASK: usize = 4096;

/// `MANIFEST.MF`: the input manifest's main attributes when there was one (apksigner keeps
/// them: "this signer did not create the JAR"), else only `Manifest-Version: 1.0`; then one
/// section per entry in Java String order. Each section's digest for the .SF is taken
/// here, by the task that wrote it.
pub fn build_manifest(
    hash: Hash,
    mut digests: Vec<(String, Vec<u8>)>,
    source_main: Option<&[(String, String)]>,
) -> BuiltManifest {
    let mut bytes = Vec::with_capacity(digests.len() * 100 + 64);
    let main = source_main.unwrap_or_default();
    let version = main
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Manifest-Version"))
        .map_or("1.0", |(_, v)| v.as_str());
    manifest::write_main_section(&mut bytes, ("Manifest-Version", version), main);
    // Java orders by UTF-16 code units, which equals byte (code point) order unless a
    // name has a character beyond U+FFFF (4 UTF-8 bytes, lead byte >= 0xF0).
    if digests.iter().any(|(n, _)| n.bytes().any(|b| b >= 0xF0)) {
        digests.par_sort_by(|a, b| java_cmp(&a.0, &b.0));
    } else {
        digests.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }
    let attr = entry_digest_attr(hash);
    // Each task's sections with ranges relative to its own bytes; joined in order below.
    let parts: Vec<Part> = digests
        .into_par_iter()
        .with_min_len(SECTIONS_PER_TASK)
        .fold(Part::default, |mut part, (name, digest)| {
            part.push(hash, &attr, name, &digest);
            part
        })
        .collect();
    let mut sections = Vec::with_capacity(parts.iter().map(|p| p.sections.len()).sum());
    let mut section_digests = String::with_capacity(sections.capacity() * 44);
    for part in parts {
        let base = bytes.len();
        bytes.extend_from_slice(&part.bytes);
        sections.extend(
            part.sections
                .into_iter()
                .map(|(name, r)| (name, r.start + base..r.end + base)),
        );
        section_digests.push_str(&part.section_digests);
    }
    BuiltManifest {
        bytes,
        sections,
        section_digests,
    }
}

/// Consecutive sections of the manifest, written by one task.
#[derive(Default)]
struct Part {
    bytes: Vec<u8>,
    sections: Vec<(String, std::ops::Range<usize>)>,
    section_digests: String,
    b64: String,
}

impl Part {
    fn push(&mut self, hash: Hash, attr: &str, name: String, digest: &[u8]) {
        let start = self.bytes.len();
        self.b64.clear();
        B64.encode_string(digest, &mut self.b64);
        manifest::write_individual_section(&mut self.bytes, &name, attr, &self.b64);
        let section = self.bytes.get(start..).unwrap_or_default();
        B64.encode_string(hash.digest(section), &mut self.section_digests);
        self.sections.push((name, start..self.bytes.len()));
    }
}

/// The `.SF` file: `Signature-Version: 1.0`, then `Created-By`, the manifest digest and
/// `X-Android-APK-Signed` (sorted), then each entry section's digest.
pub fn build_signature_file(hash: Hash, manifest: &BuiltManifest, schemes: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(manifest.sections.len() * 100 + 256);
    let mut main = vec![
        ("Created-By".to_owned(), CREATED_BY.to_owned()),
        (
            format!("{}-Digest-Manifest", hash.jar_name()),
            B64.encode(hash.digest(&manifest.bytes)),
        ),
    ];
    if !schemes.is_empty() {
        let ids: Vec<String> = schemes.iter().map(u32::to_string).collect();
        main.push(("X-Android-APK-Signed".to_owned(), ids.join(", ")));
    }
    manifest::write_main_section(&mut out, ("Signature-Version", "1.0"), &main);
    let attr = entry_digest_attr(hash);
    // Every digest has the same base64 length (the hash's output length).
    let b64_len = hash.digest(&[]).len().div_ceil(3) * 4;
    let digests = manifest.section_digests.as_bytes().chunks(b64_len);
    for ((name, _), digest) in manifest.sections.iter().zip(digests) {
        let digest = std::str::from_utf8(digest).unwrap_or_default();
        manifest::write_individual_section(&mut out, name, &attr, digest);
    }
    // Android up to 1.6 throws on a .SF whose length is a multiple of 1024 (apksig works
    // around it the same way).
    if !out.is_empty() && out.len() % 1024 == 0 {
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(names: &[&str]) -> Vec<String> {
        let d: Vec<(String, Vec<u8>)> = names.iter().map(|n| ((*n).to_owned(), vec![0])).collect();
        let built = build_manifest(Hash::Sha256, d, None);
        built.sections.into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn entries_are_in_java_string_order_with_or_without_supplementary_characters() {
        // Byte order equals UTF-16 order for these (the fast path) ...
        assert_eq!(
            order(&["b", "\u{FF61}", "a/\u{e9}", "a/b", "A"]),
            ["A", "a/b", "a/\u{e9}", "b", "\u{FF61}"]
        );
        // ... and not once a character beyond U+FFFF appears (surrogates sort below U+FF61).
        assert_eq!(
            order(&["\u{FF61}", "\u{1F600}", "a"]),
            ["a", "\u{1F600}", "\u{FF61}"]
        );
    }
}
