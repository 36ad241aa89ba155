//! Sun's proprietary JKS key protection (OpenJDK `sun.security.provider.KeyProtector`).
//!
//! ```text
//! EncryptedPrivateKeyInfo { algorithm 1.3.6.1.4.1.42.2.17.1.1, encryptedData }
//! encryptedData := salt (20) ‖ key ⊕ stream (n) ‖ check (20)
//! stream        := D1 ‖ D2 ‖ … truncated to n,  D0 = salt, Di = SHA-1(pw ‖ Di-1)
//! check         := SHA-1(pw ‖ key)                 pw = password as UTF-16BE
//! ```
//!
//! The check digest is what tells a wrong key password from a right one.

use der::Decode;
use der::asn1::ObjectIdentifier;
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use super::format::utf16be;

const KEY_PROTECTOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.42.2.17.1.1");
const DIGEST_LEN: usize = 20;

pub(crate) enum RecoverError {
    /// The check digest does not match: wrong key password.
    WrongPassword,
    /// Not a Sun-protected key, or malformed (one-line description).
    Malformed(String),
}

/// The PKCS#8 key inside `protected_key`, decrypted with `password`.
pub(crate) fn recover(
    protected_key: &[u8],
    password: &str,
) -> Result<Zeroizing<Vec<u8>>, RecoverError> {
    let info = pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(protected_key)
        .map_err(|e| RecoverError::Malformed(crate::keys::error::detail(e)))?;
    if info.encryption_algorithm.oid != KEY_PROTECTOR {
        return Err(RecoverError::Malformed(format!(
            "key protected with {} instead of the JKS key protector",
            info.encryption_algorithm.oid
        )));
    }
    let data = info.encrypted_data.as_bytes();
    let key_len = data
        .len()
        .checked_sub(2 * DIGEST_LEN)
        .filter(|&n| n > 0)
        .ok_or_else(|| RecoverError::Malformed("protected key too short".to_owned()))?;
    let (salt, rest) = data.split_at(DIGEST_LEN);
    let (encrypted, check) = rest.split_at(key_len);

    let pw = utf16be(password);
    let mut key = Zeroizing::new(Vec::with_capacity(key_len));
    let mut block = Zeroizing::new(salt.to_vec());
    for chunk in encrypted.chunks(DIGEST_LEN) {
        let mut h = Sha1::new();
        h.update(&*pw);
        h.update(&*block);
        block = Zeroizing::new(h.finalize().to_vec());
        key.extend(chunk.iter().zip(block.iter()).map(|(c, s)| c ^ s));
    }
    let mut h = Sha1::new();
    h.update(&*pw);
    h.update(&*key);
    if h.finalize().as_slice() != check {
        return Err(RecoverError::WrongPassword);
    }
    Ok(key)
}
