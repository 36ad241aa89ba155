//! APK Signature Scheme v1 (JAR signing), as apksigner writes it.
//!
//! ```text
//! META-INF/MANIFEST.MF   digest of every entry's uncompressed bytes
//! META-INF/<NAME>.SF     digest of the manifest, of its main section... per entry the
//!                        digest of its manifest section; X-Android-APK-Signed: 2, 3
//! META-INF/<NAME>.RSA|EC PKCS#7 signature over the .SF bytes
//! ```
//! Needed only when the app runs below API 24. SHA-1 below API 18 (older Androids know
//! nothing else), SHA-256 from 18; ECDSA keys only from API 18.

pub mod manifest;
pub mod pkcs7;
pub mod signature_file;

use super::digest::Hash;
use super::signer::KeyKind;

pub const MANIFEST_NAME: &str = "META-INF/MANIFEST.MF";
/// apksigner's `Created-By` (ApkSigner.Builder default).
pub const CREATED_BY: &str = "1.0 (Android)";
/// First API level that verifies v2/v3; from here v1 is unnecessary.
pub const MIN_SDK_WITHOUT_V1: u32 = 24;

/// JAR signature files, which re-signing drops: `META-INF/` top-level `MANIFEST.MF`,
/// `*.SF`, `*.RSA`, `*.DSA`, `*.EC`, `SIG-*` (case-insensitive, apksig's list).
pub fn is_signature_file(name: &str) -> bool {
    let Some(file) = name.strip_prefix("META-INF/") else {
        return false;
    };
    if file.contains('/') {
        return false;
    }
    let lower = file.to_ascii_lowercase();
    lower == "manifest.mf"
        || lower.ends_with(".sf")
        || lower.ends_with(".rsa")
        || lower.ends_with(".dsa")
        || lower.ends_with(".ec")
        || lower.starts_with("sig-")
}

/// JAR signature block files, `META-INF/<NAME>.RSA|.DSA|.EC` at the top level (case-
/// insensitive): the ones whose base name the JAR verifier pairs with a `.SF`.
pub fn is_signature_block(name: &str) -> bool {
    signature_block_base(name).is_some()
}

/// `<NAME>` of a signature block file `META-INF/<NAME>.RSA|.DSA|.EC`, as written.
pub fn signature_block_base(name: &str) -> Option<&str> {
    let file = name.strip_prefix("META-INF/")?;
    if file.contains('/') {
        return None;
    }
    let upper = file.to_ascii_uppercase();
    [".RSA", ".EC", ".DSA"]
        .iter()
        .find_map(|ext| upper.strip_suffix(ext).map(str::len))
        .and_then(|len| file.get(..len))
}

/// Whether an entry is listed in `MANIFEST.MF` (apksig `isJarEntryDigestNeededInManifest`).
pub fn needs_digest(name: &str) -> bool {
    !name.ends_with('/') && !is_signature_file(name)
}

/// The digest apksigner uses for v1 with this key and minSdk, or why v1 is impossible.
pub fn digest_for(kind: KeyKind, min_sdk: u32) -> Result<Hash, String> {
    match kind {
        KeyKind::Rsa { .. } if min_sdk < 18 => Ok(Hash::Sha1),
        KeyKind::Rsa { .. } => Ok(Hash::Sha256),
        KeyKind::EcP256 if min_sdk < 18 => Err(format!(
            "ECDSA JAR (v1) signatures need minSdkVersion 18 or higher and this app declares {min_sdk} (apksigner refuses this too); sign with an RSA key"
        )),
        KeyKind::EcP256 => Ok(Hash::Sha256),
    }
}

/// apksig `getSafeSignerName`: upper case, at most 8 of `A-Z 0-9 _ -`, others become `_`.
pub fn safe_signer_name(name: &str) -> String {
    let safe: String = name
        .to_uppercase()
        .chars()
        .take(8)
        .map(|c| {
            if c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "CERT".to_owned()
    } else {
        safe
    }
}

/// `SHA1-Digest` / `SHA-256-Digest`.
pub fn entry_digest_attr(hash: Hash) -> String {
    format!("{}-Digest", hash.jar_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_files() {
        for s in [
            "META-INF/MANIFEST.MF",
            "META-INF/CERT.SF",
            "META-INF/x.rsa",
            "META-INF/A.EC",
            "META-INF/SIG-x",
        ] {
            assert!(is_signature_file(s), "{s}");
            assert!(!needs_digest(s));
        }
        for s in [
            "META-INF/services/x.SF",
            "classes.dex",
            "META-INF/kotlin.kotlin_module",
        ] {
            assert!(!is_signature_file(s), "{s}");
            assert!(needs_digest(s));
        }
        assert!(!needs_digest("res/"));
    }

    #[test]
    fn signature_blocks_keep_their_base_name_as_written() {
        assert_eq!(signature_block_base("META-INF/Cert.rsa"), Some("Cert"));
        assert_eq!(signature_block_base("META-INF/A.EC"), Some("A"));
        assert_eq!(signature_block_base("META-INF/k.Dsa"), Some("k"));
        for s in [
            "META-INF/CERT.SF",
            "META-INF/MANIFEST.MF",
            "META-INF/x/CERT.RSA",
            "CERT.RSA",
        ] {
            assert!(!is_signature_block(s), "{s}");
        }
    }

    #[test]
    fn signer_names() {
        assert_eq!(safe_signer_name("rsa2048"), "RSA2048");
        assert_eq!(safe_signer_name("my.key-alias!"), "MY_KEY-A");
        assert_eq!(safe_signer_name(""), "CERT");
    }

    #[test]
    fn digest_choice_matches_apksigner() {
        assert_eq!(digest_for(KeyKind::Rsa { bits: 2048 }, 17), Ok(Hash::Sha1));
        assert_eq!(
            digest_for(KeyKind::Rsa { bits: 2048 }, 18),
            Ok(Hash::Sha256)
        );
        assert!(digest_for(KeyKind::EcP256, 17).is_err());
        assert_eq!(digest_for(KeyKind::EcP256, 21), Ok(Hash::Sha256));
    }
}
