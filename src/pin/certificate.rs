//! One X.509 certificate as `fuse pin` shows it: its SPKI pin, subject, issuer, whether
//! it is a CA (basicConstraints cA=TRUE) and its key type.
//!
//! ```text
//! Certificate ::= SEQUENCE {
//!   tbsCertificate SEQUENCE { version [0], serial, signature, issuer, validity, subject,
//!                             subjectPublicKeyInfo ◄── the pin is SHA-256 of this DER,
//!                             ..., extensions [3] (basicConstraints) }
//!   signatureAlgorithm, signatureValue }
//! ```
//! The pin is computed over the DER of `subjectPublicKeyInfo` as the certificate encodes
//! it, the same bytes `openssl x509 -pubkey | openssl pkey -pubin -outform der` hashes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::der::asn1::UintRef;
use x509_cert::der::{Decode, Encode, Reader, SliceReader};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

/// What `fuse pin` prints for one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificatePin {
    /// `sha256/<base64>` of the SubjectPublicKeyInfo.
    pub pin: String,
    /// RFC 4514 form (`CN=api.example.com,O=Example`).
    pub subject: String,
    pub issuer: String,
    /// basicConstraints cA=TRUE.
    pub ca: bool,
    /// `RSA 2048`, `EC P-256`, `Ed25519`, or the algorithm OID.
    pub key: String,
    /// SHA-256 of the whole certificate DER, hex (the usual fingerprint).
    pub sha256: String,
}

/// Describe one DER certificate; the error says why it is not one.
pub fn describe(der: &[u8]) -> Result<CertificatePin, String> {
    let cert = Certificate::from_der(der).map_err(|e| format!("not an X.509 certificate ({e})"))?;
    let tbs = cert.tbs_certificate();
    let spki = tbs.subject_public_key_info();
    let spki_der = spki
        .to_der()
        .map_err(|e| format!("cannot encode the public key ({e})"))?;
    let ca = match tbs.get_extension::<BasicConstraints>() {
        Ok(Some((_, bc))) => bc.ca,
        Ok(None) => false,
        Err(e) => return Err(format!("malformed basicConstraints extension ({e})")),
    };
    let name = |n: String| {
        if n.is_empty() {
            "(empty)".to_owned()
        } else {
            n
        }
    };
    Ok(CertificatePin {
        pin: format!("sha256/{}", STANDARD.encode(Sha256::digest(&spki_der))),
        subject: name(tbs.subject().to_string()),
        issuer: name(tbs.issuer().to_string()),
        ca,
        key: key_description(spki),
        sha256: Sha256::digest(der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    })
}

fn key_description(spki: &SubjectPublicKeyInfoOwned) -> String {
    let alg = spki.algorithm.oid.to_string();
    match alg.as_str() {
        "1.2.840.113549.1.1.1" => match rsa_modulus_bits(spki.subject_public_key.raw_bytes()) {
            Some(bits) => format!("RSA {bits}"),
            None => "RSA".to_owned(),
        },
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<x509_cert::der::asn1::ObjectIdentifier>().ok())
                .map(|oid| oid.to_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "EC P-256".to_owned(),
                Some("1.3.132.0.34") => "EC P-384".to_owned(),
                Some("1.3.132.0.35") => "EC P-521".to_owned(),
                Some(other) => format!("EC {other}"),
                None => "EC".to_owned(),
            }
        }
        "1.3.101.112" => "Ed25519".to_owned(),
        "1.3.101.113" => "Ed448".to_owned(),
        other => other.to_owned(),
    }
}

/// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
fn rsa_modulus_bits(key: &[u8]) -> Option<usize> {
    let mut reader = SliceReader::new(key).ok()?;
    let modulus: &[u8] = reader
        .sequence(|r| {
            let n = UintRef::decode(r)?;
            let _e = UintRef::decode(r)?;
            Ok::<_, x509_cert::der::Error>(n.as_bytes())
        })
        .ok()?;
    let first = *modulus.first()?;
    Some((modulus.len() - 1) * 8 + (8 - first.leading_zeros() as usize))
}
