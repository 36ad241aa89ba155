//! The v1 signature block (`META-INF/<NAME>.RSA` / `.EC`): a detached PKCS#7 SignedData
//! over the `.SF` bytes, written exactly as apksig writes it.
//!
//! ```text
//! ContentInfo { signedData,
//!   SignedData { version 1, digestAlgorithms {sha1|sha256 + NULL}, encapContentInfo {data, no content},
//!     certificates [0] { chain }, signerInfos { SignerInfo { version 1,
//!       sid issuerAndSerialNumber, digestAlgorithm {sha + NULL}, no signed attributes,
//!       signatureAlgorithm {rsaEncryption | id-ecPublicKey, NULL}, signature } } } }
//! ```
//! No signed attributes: apksigner adds none and Android before API 19 rejects them.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use super::super::digest::Hash;

pub const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
pub const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub const OID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
pub const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const OID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
pub const OID_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

fn with_null(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: Some(Any::null()),
    }
}

pub fn digest_oid(hash: Hash) -> ObjectIdentifier {
    match hash {
        Hash::Sha1 => OID_SHA1,
        Hash::Sha256 => OID_SHA256,
        Hash::Sha512 => OID_SHA512,
    }
}

/// DER of the whole ContentInfo. `chain` is DER certificates, leaf first.
pub fn encode(
    chain: &[Vec<u8>],
    hash: Hash,
    is_rsa: bool,
    signature: &[u8],
) -> Result<Vec<u8>, String> {
    let certs: Vec<Certificate> = chain
        .iter()
        .map(|c| Certificate::from_der(c).map_err(|e| format!("certificate does not parse: {e}")))
        .collect::<Result<_, _>>()?;
    let leaf = certs.first().ok_or("no certificate")?;
    let digest_alg = with_null(digest_oid(hash));
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: leaf.tbs_certificate().issuer().clone(),
            serial_number: leaf.tbs_certificate().serial_number().clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: None,
        signature_algorithm: with_null(if is_rsa {
            OID_RSA_ENCRYPTION
        } else {
            OID_EC_PUBLIC_KEY
        }),
        signature: OctetString::new(signature).map_err(|e| e.to_string())?,
        unsigned_attrs: None,
    };
    let mut cert_set = SetOfVec::new();
    for c in certs {
        cert_set
            .insert(CertificateChoices::Certificate(c))
            .map_err(|e| e.to_string())?;
    }
    let mut digest_algs = SetOfVec::new();
    digest_algs.insert(digest_alg).map_err(|e| e.to_string())?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer).map_err(|e| e.to_string())?;
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: digest_algs,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: OID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(cert_set)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    let content = Any::encode_from(&signed).map_err(|e| e.to_string())?;
    ContentInfo {
        content_type: OID_SIGNED_DATA,
        content,
    }
    .to_der()
    .map_err(|e| e.to_string())
}

/// What the verifier needs from a signature block.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub certificates: Vec<Vec<u8>>,
    pub signer_cert: Vec<u8>,
    pub digest: Hash,
    pub signature_oid: ObjectIdentifier,
    pub signature: Vec<u8>,
    /// DER of the signed attributes as a SET (what the signature then covers).
    pub signed_attributes: Option<Vec<u8>>,
    /// The messageDigest attribute, when signed attributes are present.
    pub message_digest: Option<Vec<u8>>,
}

pub const OID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");

/// Parses a block, finds the signer's certificate by issuer and serial.
pub fn parse(der_bytes: &[u8]) -> Result<Parsed, String> {
    let ci = ContentInfo::from_der(der_bytes).map_err(|e| format!("not DER PKCS#7: {e}"))?;
    if ci.content_type != OID_SIGNED_DATA {
        return Err("not a PKCS#7 SignedData".to_owned());
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| format!("SignedData does not parse: {e}"))?;
    let mut signers = sd.signer_infos.0.iter();
    let (Some(si), None) = (signers.next(), signers.next()) else {
        return Err("expected exactly one SignerInfo".to_owned());
    };
    let mut certificates = Vec::new();
    let mut signer_cert = None;
    for choice in sd.certificates.iter().flat_map(|s| s.0.iter()) {
        if let CertificateChoices::Certificate(c) = choice {
            let der = c.to_der().map_err(|e| e.to_string())?;
            if let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid
                && ias.issuer == *c.tbs_certificate().issuer()
                && ias.serial_number == *c.tbs_certificate().serial_number()
            {
                signer_cert = Some(der.clone());
            }
            certificates.push(der);
        }
    }
    let signer_cert = signer_cert.ok_or("the signer's certificate is not in the block")?;
    let digest = match si.digest_alg.oid {
        o if o == OID_SHA1 => Hash::Sha1,
        o if o == OID_SHA256 => Hash::Sha256,
        o if o == OID_SHA512 => Hash::Sha512,
        o => return Err(format!("unsupported digest algorithm {o}")),
    };
    Ok(Parsed {
        certificates,
        signer_cert,
        digest,
        signature_oid: si.signature_algorithm.oid,
        signature: si.signature.as_bytes().to_vec(),
        signed_attributes: si
            .signed_attrs
            .as_ref()
            .map(|a| a.to_der())
            .transpose()
            .map_err(|e| e.to_string())?,
        message_digest: si.signed_attrs.as_ref().and_then(|attrs| {
            attrs
                .iter()
                .find(|a| a.oid == OID_MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .and_then(|v| v.decode_as::<OctetString>().ok())
                .map(|o| o.as_bytes().to_vec())
        }),
    })
}
