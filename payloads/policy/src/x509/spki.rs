//! The pinned bytes: the SubjectPublicKeyInfo TLV exactly as the certificate carries it
//! (what OkHttp, TrustKit and `openssl x509 -pubkey | openssl pkey -pubin -outform der`
//! hash).

use der::{Decode, Header, Reader, SliceReader, Tag, TagNumber};
use sha2::{Digest, Sha256};

/// The pin of a DER certificate: SHA-256 of its SubjectPublicKeyInfo bytes, or `None`
/// if the DER framing up to the SPKI is broken. Base64 of it is the `sha256/…` pin.
pub fn spki_sha256(cert: &[u8]) -> Option<[u8; 32]> {
    let spki = spki_tlv(cert).ok()?;
    Some(Sha256::digest(spki).into())
}

fn spki_tlv(cert: &[u8]) -> der::Result<&[u8]> {
    let mut r = SliceReader::new(cert)?;
    Header::decode(&mut r)?.tag().assert_eq(Tag::Sequence)?; // Certificate
    Header::decode(&mut r)?.tag().assert_eq(Tag::Sequence)?; // tbsCertificate
    let version = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber(0),
    };
    if Tag::peek(&r)? == version {
        r.tlv_bytes()?;
    }
    // serialNumber, signature, issuer, validity, subject
    for _ in 0..5 {
        r.tlv_bytes()?;
    }
    let spki = r.tlv_bytes()?;
    let mut inner = SliceReader::new(spki)?;
    Header::decode(&mut inner)?.tag().assert_eq(Tag::Sequence)?;
    Ok(spki)
}
