//! Building `MANIFEST.MF` and the `.SF` signature file from per-entry digests.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::manifest::{self, java_cmp};
use super::{CREATED_BY, entry_digest_attr};
use crate::apk::digest::Hash;

/// The manifest and the bytes of each of its entry sections (the .SF digests those).
pub struct BuiltManifest {
    pub bytes: Vec<u8>,
    pub sections: Vec<(String, std::ops::Range<usize>)>,
}

/// `MANIFEST.MF`: the input manifest's main attributes when there was one (apksigner keeps
/// them: "this signer did not create the JAR"), else only `Manifest-Version: 1.0`; then one
/// section per entry in Java String order.
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
        digests.sort_by(|a, b| java_cmp(&a.0, &b.0));
    } else {
        digests.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }
    let attr = entry_digest_attr(hash);
    let mut sections = Vec::with_capacity(digests.len());
    let mut b64 = String::with_capacity(128);
    for (name, digest) in digests {
        let start = bytes.len();
        b64.clear();
        B64.encode_string(&digest, &mut b64);
        manifest::write_individual_section(&mut bytes, &name, &attr, &b64);
        sections.push((name, start..bytes.len()));
    }
    BuiltManifest { bytes, sections }
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
    let mut b64 = String::with_capacity(128);
    for (name, range) in &manifest.sections {
        let section = manifest.bytes.get(range.clone()).unwrap_or_default();
        b64.clear();
        B64.encode_string(hash.digest(section), &mut b64);
        manifest::write_individual_section(&mut out, name, &attr, &b64);
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
