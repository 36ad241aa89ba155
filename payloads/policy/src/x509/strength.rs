//! The `enforce` facts of a parsed certificate: basicConstraints, key size or curve,
//! and the hash inside its signature algorithm.

use der::asn1::{AnyRef, ObjectIdentifier, UintRef};
use der::{Decode, Header, Reader, SliceReader, Tag, TagNumber, Tagged};
use spki::AlgorithmIdentifierRef;
use x509_cert::Certificate;
use x509_cert::ext::pkix::BasicConstraints;

use super::oids;

/// basicConstraints present (once), well-formed, and cA = TRUE.
pub(crate) fn is_ca(cert: &Certificate) -> bool {
    matches!(
        cert.tbs_certificate().get_extension::<BasicConstraints>(),
        Ok(Some((_, BasicConstraints { ca: true, .. })))
    )
}

/// What kind of key a certificate carries and how strong it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyStrength {
    /// RSA (PKCS#1 or RSASSA-PSS key); `None` when the modulus cannot be read.
    Rsa { bits: Option<u32> },
    /// EC on a named NIST curve: its name and field size.
    Ec { curve: &'static str, bits: u32 },
    /// EC on any other curve, explicit parameters or none.
    EcOtherCurve,
    /// Ed25519, Ed448, DSA, …: no size rule applies.
    Other,
}

pub(crate) fn key_strength(cert: &Certificate) -> KeyStrength {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let oid = spki.algorithm.oid;
    if oid == oids::RSA_ENCRYPTION || oid == oids::RSASSA_PSS {
        let bits = spki
            .subject_public_key
            .as_bytes()
            .and_then(rsa_modulus_bits);
        return KeyStrength::Rsa { bits };
    }
    if oid == oids::EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        return match curve {
            Some(c) if c == oids::SECP256R1 => KeyStrength::Ec {
                curve: "P-256",
                bits: 256,
            },
            Some(c) if c == oids::SECP384R1 => KeyStrength::Ec {
                curve: "P-384",
                bits: 384,
            },
            Some(c) if c == oids::SECP521R1 => KeyStrength::Ec {
                curve: "P-521",
                bits: 521,
            },
            _ => KeyStrength::EcOtherCurve,
        };
    }
    KeyStrength::Other
}

/// Bit length of the modulus in `RSAPublicKey ::= SEQUENCE { modulus, publicExponent }`.
fn rsa_modulus_bits(key: &[u8]) -> Option<u32> {
    let mut r = SliceReader::new(key).ok()?;
    let modulus = r
        .sequence(|seq| {
            let n = UintRef::decode(seq)?;
            UintRef::decode(seq)?;
            Ok::<_, der::Error>(n)
        })
        .ok()?;
    r.finish().ok()?;
    let bytes = modulus.as_bytes();
    let first = *bytes.first()?;
    let len = u32::try_from(bytes.len()).ok()?;
    Some((len - 1) * 8 + (8 - first.leading_zeros()))
}

/// The name of the signature algorithm if its hash is SHA-1 or MD2/4/5, else `None`.
pub(crate) fn weak_signature(cert: &Certificate) -> Option<&'static str> {
    let alg = cert.signature_algorithm();
    if let Some((_, name)) = oids::WEAK_SIGNATURES.iter().find(|(o, _)| *o == alg.oid) {
        return Some(name);
    }
    if alg.oid == oids::RSASSA_PSS {
        let params = alg.parameters.as_ref().map(|p| p.to_ref());
        return match pss_hash(params) {
            Some(h) if h == oids::SHA1 => Some("RSASSA-PSS with SHA-1"),
            Some(h) if h == oids::MD5 => Some("RSASSA-PSS with MD5"),
            Some(_) => None,
            None => Some("RSASSA-PSS with unreadable parameters"),
        };
    }
    None
}

/// The hash of `RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, … }`
/// (RFC 4055); absent parameters or an absent `[0]` mean SHA-1.
fn pss_hash(params: Option<AnyRef<'_>>) -> Option<ObjectIdentifier> {
    let Some(params) = params else {
        return Some(oids::SHA1);
    };
    if params.tag() != Tag::Sequence {
        return None;
    }
    let mut r = SliceReader::new(params.value()).ok()?;
    let hash_tag = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber(0),
    };
    if r.is_finished() || Tag::peek(&r).ok()? != hash_tag {
        return Some(oids::SHA1);
    }
    Header::decode(&mut r).ok()?;
    let alg = AlgorithmIdentifierRef::decode(&mut r).ok()?;
    Some(alg.oid)
}
