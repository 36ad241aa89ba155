//! APK Signature Scheme v3 block (id 0xf05368c0).
//!
//! ```text
//! value  = lp( lp(signer)... )
//! signer = lp(signed data) · u32 minSdk · u32 maxSdk · lp( lp(u32 alg · lp(signature))... )
//!        · lp(SubjectPublicKeyInfo)
//! signed data = lp(digests) · lp(certificates) · u32 minSdk · u32 maxSdk · lp(attributes)
//! ```
//! Without key rotation apksigner writes one signer covering minSdk 24 (the first
//! release that reads v3 with these algorithms) to 0x7fffffff.

use super::algorithm::SignatureAlgorithm;
use super::error::ApkError;
use super::signer::SigningKey;
use super::signing_block::{id_and_lp_pairs, put_lp, put_u32};
use super::v2::{certificates, sequence_of_one};

pub const MIN_SDK: u32 = 24;
pub const MAX_SDK: u32 = 0x7fff_ffff;

pub fn block(
    key: &dyn SigningKey,
    algorithm: SignatureAlgorithm,
    content_digest: &[u8],
) -> Result<Vec<u8>, ApkError> {
    let mut signed = Vec::new();
    put_lp(
        &mut signed,
        &id_and_lp_pairs(&[(algorithm.id(), content_digest.to_vec())]),
    );
    put_lp(&mut signed, &certificates(key));
    put_u32(&mut signed, MIN_SDK);
    put_u32(&mut signed, MAX_SDK);
    put_lp(&mut signed, &[]);
    let signature = key.sign(algorithm.hash(), &signed).map_err(ApkError::Key)?;
    let mut signer = Vec::new();
    put_lp(&mut signer, &signed);
    put_u32(&mut signer, MIN_SDK);
    put_u32(&mut signer, MAX_SDK);
    put_lp(
        &mut signer,
        &id_and_lp_pairs(&[(algorithm.id(), signature)]),
    );
    put_lp(&mut signer, key.public_key_der());
    Ok(sequence_of_one(&signer))
}
