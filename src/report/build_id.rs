//! The build id, `fusedAppToken`: one value that names a fused build everywhere — in the
//! report, in `policy.bin` and in every threat event the app receives.
//!
//! It must exist *before* the policy is encoded (the policy carries it) and must be
//! reproducible, so it is derived only from what is fixed before injection:
//!
//! ```text
//! digest = SHA-256( "fuse/fusedAppToken@1" || 0x00
//!                   || input SHA-256            (32 bytes)
//!                   || fusion-set file SHA-256  (32 bytes)
//!                   || 0x01 || signer certificate SHA-256 (32 bytes)   -- signed with a certificate
//!                      or 0x00                                          -- iOS ad-hoc, no certificate )
//! fusedAppToken = lowercase hex of digest[0..16]    (32 characters, 128 bits)
//! ```
//!
//! Same input + same fusion set + same signing certificate → same token; a change to any
//! of the three gives another token. The time is deliberately not part of it.

use sha2::{Digest, Sha256};

/// Domain separator: a future derivation gets a new label, never a silent change.
const LABEL: &[u8] = b"fuse/fusedAppToken@1\0";

/// Who signs the output, as far as the token is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSigner<'a> {
    /// SHA-256 of the output signer certificate's DER.
    Certificate(&'a [u8; 32]),
    /// iOS ad-hoc signing: no certificate.
    AdHoc,
}

/// The `fusedAppToken` of a build (see the module documentation for the derivation).
pub fn fused_app_token(
    input_sha256: &[u8; 32],
    fusion_set_sha256: &[u8; 32],
    signer: TokenSigner<'_>,
) -> String {
    let mut h = Sha256::new();
    h.update(LABEL);
    h.update(input_sha256);
    h.update(fusion_set_sha256);
    match signer {
        TokenSigner::Certificate(cert) => {
            h.update([1u8]);
            h.update(cert);
        }
        TokenSigner::AdHoc => h.update([0u8]),
    }
    let digest = h.finalize();
    hex(digest.get(..16).unwrap_or_default())
}

/// Lowercase hex, the report's form for every digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_32_hex_chars_and_depends_on_every_input() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let c = [3u8; 32];
        let t = fused_app_token(&a, &b, TokenSigner::Certificate(&c));
        assert_eq!(t.len(), 32);
        assert!(
            t.bytes()
                .all(|x| x.is_ascii_hexdigit() && !x.is_ascii_uppercase())
        );
        assert_eq!(t, fused_app_token(&a, &b, TokenSigner::Certificate(&c)));
        assert_ne!(t, fused_app_token(&c, &b, TokenSigner::Certificate(&c)));
        assert_ne!(t, fused_app_token(&a, &c, TokenSigner::Certificate(&c)));
        assert_ne!(t, fused_app_token(&a, &b, TokenSigner::Certificate(&a)));
        assert_ne!(t, fused_app_token(&a, &b, TokenSigner::AdHoc));
    }

    #[test]
    fn token_matches_the_documented_derivation() {
        // Recompute by hand from the documented byte string.
        let (i, f, s) = ([0xaa; 32], [0xbb; 32], [0xcc; 32]);
        let mut msg = b"fuse/fusedAppToken@1\0".to_vec();
        msg.extend_from_slice(&i);
        msg.extend_from_slice(&f);
        msg.push(1);
        msg.extend_from_slice(&s);
        let want = &sha256_hex(&msg)[..32];
        assert_eq!(fused_app_token(&i, &f, TokenSigner::Certificate(&s)), want);
    }
}
