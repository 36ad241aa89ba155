//! Signing a report and checking a report's signature.
//!
//! ```text
//! message   = canonical JSON (canonical.rs) of the report object without "signature"
//! signature = { "algorithm":   "rsaPkcs1Sha256" | "ecdsaP256Sha256",
//!               "certificate": base64(DER of the signer certificate),
//!               "value":       base64(RSASSA-PKCS1-v1_5(SHA-256(message)))   -- RSA
//!                              base64(DER Ecdsa-Sig-Value over SHA-256(message)) -- P-256 }
//! ```
//!
//! Who signs: the key that signed the output package (`reportKey.source =
//! packageSigningKey`, so the certificate is the package signer's and `fuse verify
//! --report` can tie report and app together). An iOS ad-hoc build has no key; then the
//! report is signed with the per-user debug key (`reportKey.source = debugKey`) and says
//! so in a warning: that signature protects the report against accidental change but
//! proves nothing about who made it.
//!
//! Verification needs no private key: the certificate in the report is parsed with
//! `x509-cert`, its SubjectPublicKeyInfo given to `rsa` or `p256`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;
use sha2::Sha256;
use x509_cert::Certificate;
use x509_cert::der::{self, Decode as _, Encode as _};

use super::build_id::sha256_hex;
use super::canonical::{self, CanonicalError};
use super::model::{Report, Signature, SignatureAlgorithm};

/// OIDs of the two key types a report can be signed with.
const OID_RSA_ENCRYPTION: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC_PUBLIC_KEY: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// What the report needs from a signing key: `crate::keys::SigningIdentity` provides it
/// with `sign(HashAlgorithm::Sha256, message)` (RSA PKCS#1 v1.5, or deterministic
/// RFC 6979 ECDSA P-256 with a DER signature — so reports stay reproducible).
pub trait ReportSigner {
    /// The signer's leaf certificate, DER.
    fn certificate_der(&self) -> &[u8];
    /// Sign `message` (hashing it with SHA-256 first).
    fn sign_sha256(
        &self,
        message: &[u8],
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;
}

/// The package's signing identity signs its report (the normal case), and the debug
/// identity signs the report of an ad-hoc iOS build.
impl ReportSigner for crate::keys::SigningIdentity {
    fn certificate_der(&self) -> &[u8] {
        crate::keys::SigningIdentity::certificate_der(self)
    }

    fn sign_sha256(
        &self,
        message: &[u8],
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self.sign(crate::keys::HashAlgorithm::Sha256, message)?)
    }
}

/// Why a signature does not hold. Turned into [`super::Error::SignatureInvalid`] with the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the report has no signature")]
    Missing,
    #[error("signature.{field} is not valid base64")]
    Base64 { field: &'static str },
    #[error("the certificate cannot be parsed ({0})")]
    Certificate(String),
    #[error("the certificate's key is {0}, not what signature.algorithm says")]
    AlgorithmMismatch(&'static str),
    #[error("the certificate's key is not a usable RSA or EC P-256 key ({0})")]
    PublicKey(String),
    #[error("the signature value is malformed ({0})")]
    Value(String),
    #[error(
        "the signature does not match the report content (changed after signing, or signed by another key)"
    )]
    Mismatch,
    #[error("the report cannot be canonicalized ({0})")]
    Canonical(#[from] CanonicalError),
    #[error("reportKey.certSha256 is not the SHA-256 of the signing certificate")]
    ReportKeyCertificate,
}

/// The bytes the signature covers: canonical JSON of `report` minus its top-level `signature`.
pub fn signed_message(report: &Value) -> Result<Vec<u8>, CanonicalError> {
    match report {
        Value::Object(map) => {
            let mut without = map.clone();
            without.remove("signature");
            canonical::to_canonical(&Value::Object(without))
        }
        other => canonical::to_canonical(other),
    }
}

/// The signature algorithm a certificate's key calls for.
pub fn algorithm_of(certificate_der: &[u8]) -> Result<SignatureAlgorithm, SignatureError> {
    let cert = Certificate::from_der(certificate_der)
        .map_err(|e| SignatureError::Certificate(e.to_string()))?;
    let spki = &cert.tbs_certificate().subject_public_key_info();
    if spki.algorithm.oid == OID_RSA_ENCRYPTION {
        Ok(SignatureAlgorithm::RsaPkcs1Sha256)
    } else if spki.algorithm.oid == OID_EC_PUBLIC_KEY {
        Ok(SignatureAlgorithm::EcdsaP256Sha256)
    } else {
        Err(SignatureError::PublicKey(format!(
            "key algorithm {}",
            spki.algorithm.oid
        )))
    }
}

/// Sign `report` (its `signature` member is replaced) and check the result with the
/// certificate, so a key that does not belong to its certificate fails here, at build
/// time, instead of at the auditor's.
pub fn sign(report: &mut Report, signer: &dyn ReportSigner) -> Result<(), super::Error> {
    let certificate = signer.certificate_der();
    let algorithm = algorithm_of(certificate).map_err(|e| super::Error::UnsupportedKey {
        detail: e.to_string(),
    })?;
    let cert_sha256 = sha256_hex(certificate);
    if report.report_key.cert_sha256 != cert_sha256 {
        return Err(super::Error::Sign {
            detail: "reportKey.certSha256 does not name the signing certificate (a bug in the build pipeline)"
                .into(),
        });
    }
    report.signature = None;
    let value = serde_json::to_value(&*report).map_err(|e| super::Error::Sign {
        detail: e.to_string(),
    })?;
    let message = signed_message(&value).map_err(|e| super::Error::Sign {
        detail: e.to_string(),
    })?;
    let signature = signer
        .sign_sha256(&message)
        .map_err(|e| super::Error::Sign {
            detail: e.to_string(),
        })?;
    verify_bytes(algorithm, certificate, &message, &signature).map_err(|e| super::Error::Sign {
        detail: format!("the key does not match its certificate ({e})"),
    })?;
    report.signature = Some(Signature {
        algorithm,
        certificate: BASE64.encode(certificate),
        value: BASE64.encode(&signature),
    });
    Ok(())
}

/// A report whose signature held, with the signing certificate.
#[derive(Debug, Clone)]
pub struct VerifiedSignature {
    pub algorithm: SignatureAlgorithm,
    pub certificate_der: Vec<u8>,
    pub cert_sha256: String,
}

/// Check the signature of a parsed report document (the raw JSON value, so members this
/// version does not model would still be covered).
pub fn verify_value(document: &Value) -> Result<VerifiedSignature, SignatureError> {
    let signature = document.get("signature").ok_or(SignatureError::Missing)?;
    let signature: Signature = serde_json::from_value(signature.clone())
        .map_err(|e| SignatureError::Value(e.to_string()))?;
    let certificate_der = BASE64
        .decode(signature.certificate.as_bytes())
        .map_err(|_| SignatureError::Base64 {
            field: "certificate",
        })?;
    let value = BASE64
        .decode(signature.value.as_bytes())
        .map_err(|_| SignatureError::Base64 { field: "value" })?;
    let message = signed_message(document)?;
    verify_bytes(signature.algorithm, &certificate_der, &message, &value)?;
    let cert_sha256 = sha256_hex(&certificate_der);
    let declared = document
        .get("reportKey")
        .and_then(|k| k.get("certSha256"))
        .and_then(Value::as_str);
    if declared != Some(cert_sha256.as_str()) {
        return Err(SignatureError::ReportKeyCertificate);
    }
    Ok(VerifiedSignature {
        algorithm: signature.algorithm,
        certificate_der,
        cert_sha256,
    })
}

/// Verify `signature` over `message` with the key of `certificate_der`.
pub fn verify_bytes(
    algorithm: SignatureAlgorithm,
    certificate_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let cert = Certificate::from_der(certificate_der)
        .map_err(|e| SignatureError::Certificate(e.to_string()))?;
    let spki = cert.tbs_certificate().subject_public_key_info();
    let spki_der = spki
        .to_der()
        .map_err(|e| SignatureError::Certificate(e.to_string()))?;
    match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => {
            use rsa::pkcs8::DecodePublicKey as _;
            use rsa::signature::Verifier as _;
            if spki.algorithm.oid != OID_RSA_ENCRYPTION {
                return Err(SignatureError::AlgorithmMismatch("not RSA"));
            }
            let key = rsa::PublicKey::from_public_key_der(&spki_der)
                .map_err(|e| SignatureError::PublicKey(e.to_string()))?;
            let verifier = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key);
            let sig = rsa::pkcs1v15::Signature::try_from(signature)
                .map_err(|e| SignatureError::Value(e.to_string()))?;
            verifier
                .verify(message, &sig)
                .map_err(|_| SignatureError::Mismatch)
        }
        SignatureAlgorithm::EcdsaP256Sha256 => {
            use p256::ecdsa::signature::Verifier as _;
            use p256::pkcs8::DecodePublicKey as _;
            if spki.algorithm.oid != OID_EC_PUBLIC_KEY {
                return Err(SignatureError::AlgorithmMismatch("not EC"));
            }
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der)
                .map_err(|e| SignatureError::PublicKey(e.to_string()))?;
            let sig = p256::ecdsa::DerSignature::from_bytes(signature)
                .map_err(|e| SignatureError::Value(e.to_string()))?;
            key.verify(message, &sig)
                .map_err(|_| SignatureError::Mismatch)
        }
    }
}
