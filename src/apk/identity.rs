//! `crate::keys::SigningIdentity` as the APK signer's key.

use super::digest::Hash;
use super::signer::{KeyKind, SigningKey};
use crate::keys::{HashAlgorithm, KeyAlgorithm, KeyOrigin, SigningIdentity};

impl SigningKey for SigningIdentity {
    fn kind(&self) -> KeyKind {
        match self.algorithm() {
            KeyAlgorithm::Rsa { bits } => KeyKind::Rsa { bits },
            KeyAlgorithm::EcP256 => KeyKind::EcP256,
        }
    }
    fn chain_der(&self) -> &[Vec<u8>] {
        SigningIdentity::chain_der(self)
    }
    fn public_key_der(&self) -> &[u8] {
        SigningIdentity::public_key_der(self)
    }
    fn sign(&self, hash: Hash, message: &[u8]) -> Result<Vec<u8>, String> {
        let hash = match hash {
            Hash::Sha1 => HashAlgorithm::Sha1,
            Hash::Sha256 => HashAlgorithm::Sha256,
            Hash::Sha512 => HashAlgorithm::Sha512,
        };
        SigningIdentity::sign(self, hash, message).map_err(|e| e.to_string())
    }
}

/// apksigner's v1 file base name: the key alias, else the key file's name up to its first
/// dot; `CERT` for the debug key (made safe later by `v1::safe_signer_name`).
pub fn v1_signer_name(origin: &KeyOrigin) -> String {
    match origin {
        KeyOrigin::Keystore { alias, .. } => alias.clone(),
        KeyOrigin::KeyFiles { key, .. } => key
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .split('.')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "CERT".to_owned()),
        KeyOrigin::DebugKey { .. } => "CERT".to_owned(),
    }
}
