//! APK Signature Scheme v2 block (id 0x7109871a).
//!
//! ```text
//! value  = lp( lp(signer)... )
//! signer = lp(signed data) · lp( lp(u32 alg · lp(signature))... ) · lp(SubjectPublicKeyInfo)
//! signed data = lp( lp(u32 alg · lp(content digest))... ) · lp( lp(X.509 DER)... )
//!             · lp( lp(u32 attr id · value)... ) · lp(empty)      ← apksig writes this 4th, empty field
//! attribute 0xbeeff00d = u32 3 when a v3 signature is present (stripping protection)
//! ```

use super::algorithm::SignatureAlgorithm;
use super::error::ApkError;
use super::signer::SigningKey;
use super::signing_block::{STRIPPING_PROTECTION_ATTR_ID, id_and_lp_pairs, put_lp, put_u32};

/// Builds the v2 block value for one signer.
pub fn block(
    key: &dyn SigningKey,
    algorithm: SignatureAlgorithm,
    content_digest: &[u8],
    v3_present: bool,
) -> Result<Vec<u8>, ApkError> {
    let mut signed = Vec::new();
    put_lp(
        &mut signed,
        &id_and_lp_pairs(&[(algorithm.id(), content_digest.to_vec())]),
    );
    put_lp(&mut signed, &certificates(key));
    let mut attrs = Vec::new();
    if v3_present {
        let mut attr = Vec::new();
        put_u32(&mut attr, STRIPPING_PROTECTION_ATTR_ID);
        put_u32(&mut attr, 3);
        put_lp(&mut attrs, &attr);
    }
    put_lp(&mut signed, &attrs);
    put_lp(&mut signed, &[]);
    let signature = key.sign(algorithm.hash(), &signed).map_err(ApkError::Key)?;
    let mut signer = Vec::new();
    put_lp(&mut signer, &signed);
    put_lp(
        &mut signer,
        &id_and_lp_pairs(&[(algorithm.id(), signature)]),
    );
    put_lp(&mut signer, key.public_key_der());
    Ok(sequence_of_one(&signer))
}

/// `lp( lp(X.509)... )` contents: the chain, leaf first.
pub fn certificates(key: &dyn SigningKey) -> Vec<u8> {
    let mut out = Vec::new();
    for c in key.chain_der() {
        put_lp(&mut out, c);
    }
    out
}

/// `lp( lp(signer) )` — one signer.
pub fn sequence_of_one(signer: &[u8]) -> Vec<u8> {
    let mut seq = Vec::with_capacity(signer.len() + 4);
    put_lp(&mut seq, signer);
    let mut out = Vec::with_capacity(seq.len() + 4);
    put_lp(&mut out, &seq);
    out
}
