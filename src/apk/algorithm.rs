//! Signature algorithm ids of the APK Signing Block (v2/v3) and how apksigner picks one.
//!
//! ```text
//! id      signature                 content digest (1 MiB chunks)   min SDK
//! 0x0103  RSASSA-PKCS1-v1_5 SHA-256  SHA-256                         24
//! 0x0104  RSASSA-PKCS1-v1_5 SHA-512  SHA-512                         24
//! 0x0201  ECDSA SHA-256              SHA-256                         24
//! 0x0202  ECDSA SHA-512              SHA-512                         24
//! 0x0421/0x0423/0x0425  verity variants (recognised, not produced)
//! ```

use super::digest::ContentDigestAlgorithm;
use super::digest::Hash;
use super::signer::KeyKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignatureAlgorithm {
    RsaPkcs1Sha256,
    RsaPkcs1Sha512,
    EcdsaSha256,
    EcdsaSha512,
}

impl SignatureAlgorithm {
    pub const fn id(self) -> u32 {
        match self {
            Self::RsaPkcs1Sha256 => 0x0103,
            Self::RsaPkcs1Sha512 => 0x0104,
            Self::EcdsaSha256 => 0x0201,
            Self::EcdsaSha512 => 0x0202,
        }
    }

    pub fn from_id(id: u32) -> Option<Self> {
        match id {
            0x0103 => Some(Self::RsaPkcs1Sha256),
            0x0104 => Some(Self::RsaPkcs1Sha512),
            0x0201 => Some(Self::EcdsaSha256),
            0x0202 => Some(Self::EcdsaSha512),
            _ => None,
        }
    }

    /// Verity variants (digest = Merkle root) and PSS/DSA: known to Android, not to us.
    pub fn is_known_unsupported(id: u32) -> bool {
        matches!(id, 0x0101 | 0x0102 | 0x0301 | 0x0421 | 0x0423 | 0x0425)
    }

    pub const fn content_digest(self) -> ContentDigestAlgorithm {
        match self {
            Self::RsaPkcs1Sha256 | Self::EcdsaSha256 => ContentDigestAlgorithm::ChunkedSha256,
            Self::RsaPkcs1Sha512 | Self::EcdsaSha512 => ContentDigestAlgorithm::ChunkedSha512,
        }
    }

    pub const fn hash(self) -> Hash {
        match self {
            Self::RsaPkcs1Sha256 | Self::EcdsaSha256 => Hash::Sha256,
            Self::RsaPkcs1Sha512 | Self::EcdsaSha512 => Hash::Sha512,
        }
    }

    pub const fn is_rsa(self) -> bool {
        matches!(self, Self::RsaPkcs1Sha256 | Self::RsaPkcs1Sha512)
    }

    /// apksigner's choice (V2SchemeSigner.getSuggestedSignatureAlgorithms, verity off):
    /// RSA up to 3072 bits → SHA-256, above → SHA-512; EC P-256 → SHA-256.
    pub fn for_key(kind: KeyKind) -> Self {
        match kind {
            KeyKind::Rsa { bits } if bits <= 3072 => Self::RsaPkcs1Sha256,
            KeyKind::Rsa { .. } => Self::RsaPkcs1Sha512,
            KeyKind::EcP256 => Self::EcdsaSha256,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1Sha256 => "RSASSA-PKCS1-v1_5 with SHA-256",
            Self::RsaPkcs1Sha512 => "RSASSA-PKCS1-v1_5 with SHA-512",
            Self::EcdsaSha256 => "ECDSA with SHA-256",
            Self::EcdsaSha512 => "ECDSA with SHA-512",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apksigner_choices() {
        assert_eq!(
            SignatureAlgorithm::for_key(KeyKind::Rsa { bits: 2048 }).id(),
            0x0103
        );
        assert_eq!(
            SignatureAlgorithm::for_key(KeyKind::Rsa { bits: 3072 }).id(),
            0x0103
        );
        assert_eq!(
            SignatureAlgorithm::for_key(KeyKind::Rsa { bits: 4096 }).id(),
            0x0104
        );
        assert_eq!(SignatureAlgorithm::for_key(KeyKind::EcP256).id(), 0x0201);
        for id in [0x0103, 0x0104, 0x0201, 0x0202] {
            assert_eq!(SignatureAlgorithm::from_id(id).map(|a| a.id()), Some(id));
        }
    }
}
