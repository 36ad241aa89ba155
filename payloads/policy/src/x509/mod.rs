//! What the policy needs to know about one DER certificate of the validated chain.
//!
//! ```text
//! Certificate ::= SEQUENCE {
//!   tbsCertificate SEQUENCE {
//!     [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject,
//!     subjectPublicKeyInfo SEQUENCE { algorithm, subjectPublicKey BIT STRING },  ← pinned bytes
//!     [1] [2] unique ids OPTIONAL, [3] extensions OPTIONAL (basicConstraints) },
//!   signatureAlgorithm AlgorithmIdentifier,                                     ← hash check
//!   signature BIT STRING }
//! ```
//!
//! Two readings, on purpose: the pin is the SHA-256 of the SPKI's exact bytes, found by a
//! TLV walk that needs nothing but well-formed framing (so a pin never depends on how
//! strict the full parser is); the `enforce` facts come from the full RustCrypto
//! `x509-cert` parse. The chain was already validated by the platform, so a certificate
//! the full parser refuses is one we cannot grade, not an attack: its pin still counts,
//! its strength checks are skipped (documented in docs/policy-format.md).

mod names;
mod oids;
mod spki;
mod strength;

use x509_cert::Certificate;

pub(crate) use names::{interception_tool, push_common_name};
pub use spki::spki_sha256;
pub(crate) use strength::{KeyStrength, is_ca, key_strength, weak_signature};

/// One certificate, read once per evaluation.
pub(crate) struct CertFacts {
    /// SHA-256 of the SubjectPublicKeyInfo DER, `None` when the framing is broken.
    pub spki_sha256: Option<[u8; 32]>,
    /// The full parse, `None` when `x509-cert` rejects the certificate.
    pub cert: Option<Certificate>,
}

pub(crate) fn read(der_bytes: &[u8]) -> CertFacts {
    use der::Decode;
    CertFacts {
        spki_sha256: spki::spki_sha256(der_bytes),
        cert: Certificate::from_der(der_bytes).ok(),
    }
}
