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
    digests: &mut [(String, Vec<u8>)],
    source_main: Option<&[(String, String)]>,
) -> BuiltManifest {
    let mut bytes = Vec::with_capacity(digests.len() * 100 + 64);
    let main = source_main.unwrap_or_default();
    let version = main
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Manifest-Version"))
        .map_or("1.0", |(_, v)| v.as_str());
    manifest::write_main_section(&mut bytes, ("Manifest-Version", version), main);
    digests.sort_by(|a, b| java_cmp(&a.0, &b.0));
    let attr = entry_digest_attr(hash);
    let mut sections = Vec::with_capacity(digests.len());
    for (name, digest) in digests.iter() {
        let start = bytes.len();
        bytes.extend_from_slice(&manifest::individual_section(
            name,
            &attr,
            &B64.encode(digest),
        ));
        sections.push((name.clone(), start..bytes.len()));
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
    for (name, range) in &manifest.sections {
        let section = manifest.bytes.get(range.clone()).unwrap_or_default();
        out.extend_from_slice(&manifest::individual_section(
            name,
            &attr,
            &B64.encode(hash.digest(section)),
        ));
    }
    // Android up to 1.6 throws on a .SF whose length is a multiple of 1024 (apksig works
    // around it the same way).
    if !out.is_empty() && out.len() % 1024 == 0 {
        out.extend_from_slice(b"\r\n");
    }
    out
}
