//! A loaded signing identity: private key + certificate chain, and how to sign with it.

use std::fmt;
use std::path::PathBuf;

use der::{Decode, Encode};
use zeroize::Zeroizing;

use super::error::{Error, detail};
use super::private_key::{self, PrivateKey};

/// Digest algorithm of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    Sha1,
    Sha256,
    Sha512,
}

impl HashAlgorithm {
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha512 => 64,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha512 => "SHA-512",
        }
    }
}

/// Kind and size of the signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    Rsa { bits: usize },
    EcP256,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa { bits } => write!(f, "RSA {bits}"),
            Self::EcP256 => f.write_str("EC P-256"),
        }
    }
}

/// Where the identity was loaded from (for the report and the debug-key warning).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyOrigin {
    DebugKey { path: PathBuf },
    Keystore { path: PathBuf, alias: String },
    KeyFiles { key: PathBuf, cert: PathBuf },
}

impl KeyOrigin {
    /// The one warning line the CLI prints when the debug key signs (without `warning: `).
    pub fn warning(&self) -> Option<String> {
        match self {
            Self::DebugKey { path } => Some(format!(
                "no signing key given — using the debug key {}; do not publish this build",
                path.display()
            )),
            _ => None,
        }
    }

    pub fn is_debug_key(&self) -> bool {
        matches!(self, Self::DebugKey { .. })
    }
}

/// A private key (wiped on drop) with its certificate chain, leaf first.
pub struct SigningIdentity {
    key: PrivateKey,
    /// The key as PKCS#8, encoded once at load so an encoding failure is a load error.
    pkcs8: Zeroizing<Vec<u8>>,
    algorithm: KeyAlgorithm,
    chain: Vec<Vec<u8>>,
    public_key: Vec<u8>,
    origin: KeyOrigin,
}

impl SigningIdentity {
    /// Pairs `key` with `chain` (DER, leaf first), checking the leaf is the key's
    /// certificate. `key_name`/`cert_name` describe both in errors.
    pub(crate) fn new(
        key: PrivateKey,
        chain: Vec<Vec<u8>>,
        origin: KeyOrigin,
        key_name: &str,
        cert_name: &str,
    ) -> Result<Self, Error> {
        let Some(leaf) = chain.first() else {
            return Err(Error::NoCertificate {
                what: key_name.to_owned(),
            });
        };
        let public_key = spki_of(leaf).map_err(|detail| Error::InvalidKey {
            what: cert_name.to_owned(),
            detail: format!("its certificate does not parse: {detail}"),
        })?;
        if !key.matches_public_key(&public_key) {
            // A bundle in CA-first order is a common slip: say so rather than "mismatch".
            let later = chain
                .iter()
                .skip(1)
                .any(|c| spki_of(c).is_ok_and(|spki| key.matches_public_key(&spki)));
            if later {
                return Err(Error::LeafNotFirst {
                    cert: cert_name.to_owned(),
                });
            }
            return Err(Error::KeyCertificateMismatch {
                key: key_name.to_owned(),
                cert: cert_name.to_owned(),
            });
        }
        let pkcs8 = key.to_pkcs8_der()?;
        Ok(Self {
            pkcs8,
            algorithm: key.algorithm(),
            key,
            chain,
            public_key,
            origin,
        })
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The leaf certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        self.chain.first().map(Vec::as_slice).unwrap_or_default()
    }

    /// The certificate chain, DER, leaf first (as stored; not validated against a root).
    pub fn chain_der(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// SubjectPublicKeyInfo DER of the leaf certificate.
    pub fn public_key_der(&self) -> &[u8] {
        &self.public_key
    }

    /// Signs `message`: RSA PKCS#1 v1.5 over `hash(message)`; EC P-256 ECDSA with
    /// RFC 6979 deterministic nonces, DER-encoded `Ecdsa-Sig-Value`. ECDSA with SHA-1
    /// is refused (as apksigner). The same key and message give the same signature.
    pub fn sign(&self, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.key
            .sign_digest(hash, &private_key::digest(hash, message))
    }

    /// As [`sign`](Self::sign), for a caller that already hashed the message (streaming).
    pub fn sign_digest(&self, hash: HashAlgorithm, digest: &[u8]) -> Result<Vec<u8>, Error> {
        self.key.sign_digest(hash, digest)
    }

    /// PKCS#8 `PrivateKeyInfo` DER of the key (for apple-codesign's `InMemoryPrivateKey`).
    pub fn pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }

    pub fn origin(&self) -> &KeyOrigin {
        &self.origin
    }
}

/// The SubjectPublicKeyInfo DER of a certificate.
fn spki_of(certificate: &[u8]) -> Result<Vec<u8>, String> {
    let cert = x509_cert::Certificate::from_der(certificate).map_err(detail)?;
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(detail)
}

impl fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("algorithm", &self.algorithm)
            .field("origin", &self.origin)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}
