//! Signature checks with a certificate's or block's SubjectPublicKeyInfo.

use der::{Decode, Encode};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::DecodePublicKey;
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use crate::apk::digest::Hash;

/// Which family a public key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFamily {
    Rsa,
    Ec,
}

/// Verifies `signature` over `hash(message)` with the SPKI DER `spki`.
pub fn verify(
    spki: &[u8],
    family: KeyFamily,
    hash: Hash,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let digest = hash.digest(message);
    match family {
        KeyFamily::Rsa => {
            let key = rsa::PublicKey::from_public_key_der(spki)
                .map_err(|e| format!("RSA public key does not parse: {e}"))?;
            let scheme = match hash {
                Hash::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
                Hash::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
                Hash::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
            };
            key.verify(scheme, &digest, signature)
                .map_err(|_| "RSA signature does not verify".to_owned())
        }
        KeyFamily::Ec => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(spki)
                .map_err(|e| format!("EC public key is not a P-256 key: {e}"))?;
            let sig = p256::ecdsa::DerSignature::from_bytes(signature)
                .map_err(|_| "ECDSA signature is not DER".to_owned())?;
            key.verify_prehash(&digest, &sig)
                .map_err(|_| "ECDSA signature does not verify".to_owned())
        }
    }
}

/// The SubjectPublicKeyInfo DER of an X.509 certificate.
pub fn certificate_spki(cert_der: &[u8]) -> Result<Vec<u8>, String> {
    let cert = x509_cert::Certificate::from_der(cert_der)
        .map_err(|e| format!("certificate does not parse: {e}"))?;
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| e.to_string())
}

/// RSA or EC, from an SPKI's algorithm OID.
pub fn family_of(spki: &[u8]) -> Result<KeyFamily, String> {
    let info = spki::SubjectPublicKeyInfoRef::from_der(spki)
        .map_err(|e| format!("public key does not parse: {e}"))?;
    match info.algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => Ok(KeyFamily::Rsa),
        "1.2.840.10045.2.1" => Ok(KeyFamily::Ec),
        other => Err(format!("unsupported public key algorithm {other}")),
    }
}
