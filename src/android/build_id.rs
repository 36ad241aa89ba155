//! The build id (`fusedAppToken`) of a fused APK: in the policy, in every threat event,
//! in the report.
//!
//! ```text
//! digest = SHA-256( "fuse/fusedAppToken@1" || 0x00
//!                   || app SHA-256 (32) || fusion-set file SHA-256 (32)
//!                   || 0x01 || signer certificate SHA-256 (32) )
//! fusedAppToken = lowercase hex of digest[0..16]
//! ```
//!
//! The same derivation as `report::fused_app_token` (branch `report`, with a
//! certificate signer); kept here in one small function until the report lands, then
//! this becomes a call to it. "App SHA-256" is the input file's, except when the input
//! is itself a fused APK: then it is the SHA-256 of the app that was first fused, which
//! the fused APK records (`assets/fuse/origin.sha256`), so re-fusing with the same
//! fusion set and key gives the same token — and the same bytes.

use sha2::{Digest, Sha256};

const LABEL: &[u8] = b"fuse/fusedAppToken@1\0";

/// The `fusedAppToken` for an app, a fusion set and the signing certificate.
pub fn fused_app_token(
    app_sha256: &[u8; 32],
    fusion_set_sha256: &[u8; 32],
    signer_cert_sha256: &[u8; 32],
) -> String {
    let mut h = Sha256::new();
    h.update(LABEL);
    h.update(app_sha256);
    h.update(fusion_set_sha256);
    h.update([1u8]);
    h.update(signer_cert_sha256);
    hex(h.finalize().get(..16).unwrap_or_default())
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recomputed by hand from the documented byte string (the report branch's test
    /// vector has the same shape, so the two implementations cannot drift silently).
    #[test]
    fn matches_the_documented_derivation() {
        let (i, f, s) = ([0xaa; 32], [0xbb; 32], [0xcc; 32]);
        let mut msg = b"fuse/fusedAppToken@1\0".to_vec();
        msg.extend_from_slice(&i);
        msg.extend_from_slice(&f);
        msg.push(1);
        msg.extend_from_slice(&s);
        let want = hex(&Sha256::digest(&msg))[..32].to_owned();
        assert_eq!(fused_app_token(&i, &f, &s), want);
        assert_ne!(fused_app_token(&f, &i, &s), want);
    }
}
