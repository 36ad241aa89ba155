//! Private keys fuse signs with: RSA 2048–4096 bits and EC P-256, nothing else.
//!
//! Keys arrive as PKCS#8 `PrivateKeyInfo` (keystores, `.pk8`, `PRIVATE KEY` PEM) or, from
//! PEM files, as PKCS#1 `RSAPrivateKey` / SEC1 `ECPrivateKey`. Sizes and curves are
//! checked on the raw structure *before* the key is handed to `rsa`/`p256`, so an
//! oversized modulus never reaches the (costly) key validation. Both key types wipe
//! themselves on drop (`rsa::PrivateKey` and `p256::ecdsa::SigningKey` are
//! `ZeroizeOnDrop`).

use der::asn1::ObjectIdentifier;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use rsa::Pkcs1v15Sign;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use super::error::{Error, detail};
use super::identity::{HashAlgorithm, KeyAlgorithm};

pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
pub(crate) const ID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
pub(crate) const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");

pub const MIN_RSA_BITS: usize = 2048;
pub const MAX_RSA_BITS: usize = 4096;

/// A private key of a supported kind.
pub(crate) enum PrivateKey {
    Rsa(Box<rsa::PrivateKey>),
    EcP256(p256::ecdsa::SigningKey),
}

impl PrivateKey {
    /// Decodes a PKCS#8 `PrivateKeyInfo`; `what` names the key in errors.
    pub(crate) fn from_pkcs8_der(der: &[u8], what: &str) -> Result<Self, Error> {
        let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|e| invalid(what, e))?;
        let oid = info.algorithm.oid;
        if oid == RSA_ENCRYPTION {
            check_rsa_size(info.private_key.as_bytes(), what)?;
            let key = rsa::PrivateKey::from_pkcs8_der(der).map_err(|e| invalid(what, e))?;
            Ok(Self::Rsa(Box::new(key)))
        } else if oid == ID_EC_PUBLIC_KEY {
            let curve = info.algorithm.parameters_oid().map_err(|_| {
                unsupported(
                    what,
                    "an EC key without a named curve (explicit parameters)",
                )
            })?;
            check_curve(curve, what)?;
            let key = p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|e| invalid(what, e))?;
            Ok(Self::EcP256(key))
        } else {
            let name = match oid {
                RSASSA_PSS => "an RSASSA-PSS key".to_owned(),
                DSA => "a DSA key".to_owned(),
                ED25519 => "an Ed25519 key".to_owned(),
                ED448 => "an Ed448 key".to_owned(),
                other => format!("a key of algorithm {other}"),
            };
            Err(unsupported(what, &name))
        }
    }

    /// Decodes a PKCS#1 `RSAPrivateKey` (`RSA PRIVATE KEY` PEM).
    pub(crate) fn from_pkcs1_der(der: &[u8], what: &str) -> Result<Self, Error> {
        check_rsa_size(der, what)?;
        let key = rsa::PrivateKey::from_pkcs1_der(der).map_err(|e| invalid(what, e))?;
        Ok(Self::Rsa(Box::new(key)))
    }

    /// Decodes a SEC1 `ECPrivateKey` (`EC PRIVATE KEY` PEM).
    pub(crate) fn from_sec1_der(der: &[u8], what: &str) -> Result<Self, Error> {
        let parsed = sec1::EcPrivateKey::try_from(der).map_err(|e| invalid(what, e))?;
        match parsed.parameters.and_then(|p| p.named_curve()) {
            Some(curve) => check_curve(curve, what)?,
            None => {
                return Err(unsupported(
                    what,
                    "an EC key without a named curve (explicit parameters)",
                ));
            }
        }
        let secret = p256::SecretKey::from_sec1_der(der).map_err(|e| invalid(what, e))?;
        Ok(Self::EcP256(secret.into()))
    }

    pub(crate) fn algorithm(&self) -> KeyAlgorithm {
        match self {
            Self::Rsa(key) => KeyAlgorithm::Rsa {
                bits: rsa::traits::PublicKeyParts::n_bits_precision(key.as_ref()) as usize,
            },
            Self::EcP256(_) => KeyAlgorithm::EcP256,
        }
    }

    /// Whether `spki_der` (a certificate's SubjectPublicKeyInfo) is this key's public key.
    pub(crate) fn matches_public_key(&self, spki_der: &[u8]) -> bool {
        match self {
            Self::Rsa(key) => rsa::PublicKey::from_public_key_der(spki_der)
                .is_ok_and(|public| &public == key.as_public_key()),
            Self::EcP256(key) => p256::ecdsa::VerifyingKey::from_public_key_der(spki_der)
                .is_ok_and(|public| &public == key.verifying_key()),
        }
    }

    /// PKCS#8 `PrivateKeyInfo` DER of this key, in a buffer wiped on drop.
    pub(crate) fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let doc = match self {
            Self::Rsa(key) => key.to_pkcs8_der(),
            Self::EcP256(key) => key.to_pkcs8_der(),
        };
        doc.map(|d| Zeroizing::new(d.as_bytes().to_vec()))
            .map_err(|e| Error::InvalidKey {
                what: "the private key".to_owned(),
                detail: format!("cannot encode it as PKCS#8: {}", detail(e)),
            })
    }

    /// Signs a digest made with `hash` (its length is checked).
    pub(crate) fn sign_digest(&self, hash: HashAlgorithm, digest: &[u8]) -> Result<Vec<u8>, Error> {
        if digest.len() != hash.output_len() {
            return Err(Error::Sign {
                detail: format!(
                    "a {} digest is {} bytes, got {}",
                    hash.name(),
                    hash.output_len(),
                    digest.len()
                ),
            });
        }
        match self {
            Self::Rsa(key) => {
                let scheme = match hash {
                    HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
                    HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                    HashAlgorithm::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
                };
                key.sign(scheme, digest)
                    .map_err(|e| Error::Sign { detail: detail(e) })
            }
            Self::EcP256(key) => {
                // apksigner refuses ECDSA with SHA-1 (JAR signing below minSdk 18 has no
                // EC support on those devices), so fuse does too.
                if hash == HashAlgorithm::Sha1 {
                    return Err(Error::UnsupportedSignature {
                        algorithm: "ECDSA",
                        hash: "SHA-1",
                        fix: "Android before API 18 cannot verify EC signatures; sign with an RSA key or raise minSdk to 18",
                    });
                }
                // RFC 6979 nonces (deterministic); the digest is truncated to the field
                // size as ECDSA requires (SHA-512 → leftmost 256 bits).
                let signature: p256::ecdsa::Signature = key
                    .sign_prehash(digest)
                    .map_err(|e| Error::Sign { detail: detail(e) })?;
                Ok(signature.to_der().as_bytes().to_vec())
            }
        }
    }
}

/// Digest of `message` with `hash`.
pub(crate) fn digest(hash: HashAlgorithm, message: &[u8]) -> Vec<u8> {
    match hash {
        HashAlgorithm::Sha1 => Sha1::digest(message).to_vec(),
        HashAlgorithm::Sha256 => Sha256::digest(message).to_vec(),
        HashAlgorithm::Sha512 => Sha512::digest(message).to_vec(),
    }
}

/// Refuses RSA keys outside 2048–4096 bits, reading only the modulus of the PKCS#1 key.
fn check_rsa_size(pkcs1_der: &[u8], what: &str) -> Result<(), Error> {
    let key = rsa::pkcs1::RsaPrivateKeyRef::try_from(pkcs1_der).map_err(|e| invalid(what, e))?;
    let modulus = key.modulus.as_bytes();
    let bits = significant_bits(modulus);
    if bits < MIN_RSA_BITS {
        return Err(unsupported(
            what,
            &format!(
                "an RSA-{bits} key is too small (Android and fuse need at least {MIN_RSA_BITS} bits)"
            ),
        ));
    }
    if bits > MAX_RSA_BITS {
        return Err(unsupported(
            what,
            &format!("an RSA-{bits} key is larger than {MAX_RSA_BITS} bits"),
        ));
    }
    Ok(())
}

/// Bits of a big-endian unsigned integer, leading zero bits not counted.
fn significant_bits(be: &[u8]) -> usize {
    let mut rest = be;
    while let [0, tail @ ..] = rest {
        rest = tail;
    }
    match rest.first() {
        None => 0,
        Some(&top) => (rest.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}

fn check_curve(curve: ObjectIdentifier, what: &str) -> Result<(), Error> {
    let name = match curve {
        SECP256R1 => return Ok(()),
        SECP384R1 => "an EC P-384 key".to_owned(),
        SECP521R1 => "an EC P-521 key".to_owned(),
        SECP256K1 => "an EC secp256k1 key".to_owned(),
        other => format!("an EC key on curve {other}"),
    };
    Err(unsupported(what, &name))
}

fn invalid(what: &str, e: impl std::fmt::Display) -> Error {
    Error::InvalidKey {
        what: what.to_owned(),
        detail: detail(e),
    }
}

fn unsupported(what: &str, why: &str) -> Error {
    Error::UnsupportedKey {
        what: what.to_owned(),
        why: why.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use p256::ecdsa::signature::hazmat::PrehashVerifier;

    fn ec_key() -> PrivateKey {
        let secret = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
        PrivateKey::EcP256(secret.into())
    }

    fn rsa_key() -> PrivateKey {
        PrivateKey::Rsa(Box::new(
            rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap(),
        ))
    }

    #[test]
    fn rsa_signatures_verify_and_are_deterministic() {
        let key = rsa_key();
        let PrivateKey::Rsa(rsa_key) = &key else {
            unreachable!()
        };
        for hash in [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha512,
        ] {
            let d = digest(hash, b"message");
            let sig = key.sign_digest(hash, &d).unwrap();
            assert_eq!(sig.len(), 256);
            assert_eq!(sig, key.sign_digest(hash, &d).unwrap(), "{hash:?}");
            let scheme = match hash {
                HashAlgorithm::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
                HashAlgorithm::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                HashAlgorithm::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
            };
            rsa_key.as_public_key().verify(scheme, &d, &sig).unwrap();
        }
        assert_eq!(key.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
        let reparsed = PrivateKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap(), "k").unwrap();
        assert_eq!(reparsed.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
    }

    #[test]
    fn ecdsa_signatures_verify_and_are_deterministic() {
        let key = ec_key();
        let PrivateKey::EcP256(signing) = &key else {
            unreachable!()
        };
        for hash in [HashAlgorithm::Sha256, HashAlgorithm::Sha512] {
            let d = digest(hash, b"message");
            let sig = key.sign_digest(hash, &d).unwrap();
            assert_eq!(sig, key.sign_digest(hash, &d).unwrap(), "{hash:?}");
            let parsed = p256::ecdsa::Signature::from_der(&sig).unwrap();
            signing.verifying_key().verify_prehash(&d, &parsed).unwrap();
        }
        let e = key
            .sign_digest(HashAlgorithm::Sha1, &digest(HashAlgorithm::Sha1, b"m"))
            .unwrap_err();
        assert!(matches!(e, Error::UnsupportedSignature { .. }), "{e}");
        let reparsed = PrivateKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap(), "k").unwrap();
        assert_eq!(reparsed.algorithm(), KeyAlgorithm::EcP256);
    }

    #[test]
    fn wrong_digest_length_is_an_error() {
        let e = ec_key()
            .sign_digest(HashAlgorithm::Sha256, &[0; 20])
            .unwrap_err();
        assert!(e.to_string().contains("32 bytes"), "{e}");
    }

    #[test]
    fn garbage_is_an_invalid_key_not_a_panic() {
        for bad in [&b""[..], b"\x30", b"\x30\x03\x02\x01\x00", &[0xff; 64]] {
            assert!(PrivateKey::from_pkcs8_der(bad, "k").is_err());
            assert!(PrivateKey::from_pkcs1_der(bad, "k").is_err());
            assert!(PrivateKey::from_sec1_der(bad, "k").is_err());
        }
    }

    #[test]
    fn significant_bits_ignores_leading_zeros() {
        assert_eq!(significant_bits(&[]), 0);
        assert_eq!(significant_bits(&[0, 0]), 0);
        assert_eq!(significant_bits(&[0, 0x80, 0]), 16);
        assert_eq!(significant_bits(&[0x01, 0xff]), 9);
    }
}
