//! The on-disk JKS structure (OpenJDK `sun.security.provider.JavaKeyStore`), read strictly.
//!
//! ```text
//! +-----------+-----------+-----------+====================+-----------------+
//! | FEEDFEED  | version   | count     | count × entry      | SHA-1 digest    |
//! | u32 magic | u32 (1|2) | u32       |                    | 20 bytes        |
//! +-----------+-----------+-----------+====================+-----------------+
//! entry := u32 tag | u16 n + alias (modified UTF-8) | u64 creation time (ms)
//!   tag 1 (private key):  u32 n + protected key (EncryptedPrivateKeyInfo DER)
//!                         u32 chain length, then chain length × certificate
//!   tag 2 (trusted cert): certificate
//! certificate := [version 2: u16 n + type, "X.509"] u32 n + certificate DER
//! digest := SHA-1(password as UTF-16BE ‖ "Mighty Aphrodite" ‖ every byte before it)
//! ```
//!
//! All integers are big-endian. Every length is checked against the bytes that remain
//! before anything is allocated; nothing is preallocated from a count.

use sha1::{Digest, Sha1};

pub(crate) const MAGIC: u32 = 0xFEED_FEED;
/// JCEKS, the same layout with other key protection: not read, but recognised.
pub(crate) const JCEKS_MAGIC: u32 = 0xCECE_CECE;
const TAG_PRIVATE_KEY: u32 = 1;
const TAG_TRUSTED_CERT: u32 = 2;
const TAG_SECRET_KEY: u32 = 3;
const DIGEST_LEN: usize = 20;
const WHITENER: &[u8] = b"Mighty Aphrodite";

/// A parsed JKS file, borrowing from its bytes.
pub(crate) struct Jks<'a> {
    pub entries: Vec<Entry<'a>>,
    /// Everything the digest covers.
    signed: &'a [u8],
    digest: &'a [u8],
}

pub(crate) struct Entry<'a> {
    pub alias: String,
    pub kind: EntryKind<'a>,
}

pub(crate) enum EntryKind<'a> {
    PrivateKey {
        protected_key: &'a [u8],
        chain: Vec<&'a [u8]>,
    },
    TrustedCertificate,
}

impl<'a> Jks<'a> {
    /// Parses `data`; the error is a one-line description of what is wrong.
    pub(crate) fn parse(data: &'a [u8]) -> Result<Self, String> {
        let body_len = data
            .len()
            .checked_sub(DIGEST_LEN)
            .ok_or("shorter than a JKS header and digest")?;
        let (signed, digest) = data.split_at(body_len);
        let mut r = Reader {
            data: signed,
            pos: 0,
        };
        if r.u32()? != MAGIC {
            return Err("no JKS magic".to_owned());
        }
        let version = r.u32()?;
        if version != 1 && version != 2 {
            return Err(format!("unknown JKS version {version}"));
        }
        let count = r.u32()?;
        let mut entries = Vec::new();
        for _ in 0..count {
            let tag = r.u32()?;
            let alias_len = usize::from(r.u16()?);
            let alias = String::from_utf8_lossy(r.bytes(alias_len)?).into_owned();
            let _created_ms = r.u64()?;
            let kind = match tag {
                TAG_PRIVATE_KEY => {
                    let len = r.len32()?;
                    let protected_key = r.bytes(len)?;
                    let chain_len = r.u32()?;
                    let mut chain = Vec::new();
                    for _ in 0..chain_len {
                        chain.push(r.certificate(version)?);
                    }
                    EntryKind::PrivateKey {
                        protected_key,
                        chain,
                    }
                }
                TAG_TRUSTED_CERT => {
                    r.certificate(version)?;
                    EntryKind::TrustedCertificate
                }
                TAG_SECRET_KEY => {
                    return Err("a secret-key entry (only JCEKS has those)".to_owned());
                }
                other => return Err(format!("unknown entry tag {other}")),
            };
            entries.push(Entry { alias, kind });
        }
        if r.pos != signed.len() {
            return Err(format!(
                "{} unexpected bytes after the last entry",
                signed.len() - r.pos
            ));
        }
        Ok(Self {
            entries,
            signed,
            digest,
        })
    }

    /// Whether the integrity digest matches `password` (the store password).
    pub(crate) fn verify(&self, password: &str) -> bool {
        let mut h = Sha1::new();
        h.update(&*utf16be(password));
        h.update(WHITENER);
        h.update(self.signed);
        h.finalize().as_slice() == self.digest
    }
}

/// A Java `char[]` password as bytes, the way JKS hashes it: each UTF-16 unit big-endian.
pub(crate) fn utf16be(password: &str) -> zeroize::Zeroizing<Vec<u8>> {
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(password.len() * 4));
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}

/// Bounds-checked big-endian reader over a byte slice.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        match end.and_then(|end| self.data.get(self.pos..end).map(|s| (s, end))) {
            Some((slice, end)) => {
                self.pos = end;
                Ok(slice)
            }
            None => Err(format!(
                "truncated: needs {n} bytes at offset {}, {} left",
                self.pos,
                self.data.len().saturating_sub(self.pos)
            )),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    fn u16(&mut self) -> Result<u16, String> {
        self.array().map(u16::from_be_bytes)
    }

    fn u32(&mut self) -> Result<u32, String> {
        self.array().map(u32::from_be_bytes)
    }

    fn u64(&mut self) -> Result<u64, String> {
        self.array().map(u64::from_be_bytes)
    }

    fn len32(&mut self) -> Result<usize, String> {
        usize::try_from(self.u32()?).map_err(|_| "length does not fit in memory".to_owned())
    }

    fn certificate(&mut self, version: u32) -> Result<&'a [u8], String> {
        if version == 2 {
            let kind_len = usize::from(self.u16()?);
            let kind = self.bytes(kind_len)?;
            if kind != b"X.509" {
                return Err(format!(
                    "certificate type {:?} is not X.509",
                    String::from_utf8_lossy(kind)
                ));
            }
        }
        let len = self.len32()?;
        self.bytes(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-2 JKS with one trusted certificate, digest made with `password`.
    fn tiny(password: &str) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&MAGIC.to_be_bytes());
        v.extend_from_slice(&2u32.to_be_bytes());
        v.extend_from_slice(&1u32.to_be_bytes());
        v.extend_from_slice(&TAG_TRUSTED_CERT.to_be_bytes());
        v.extend_from_slice(&3u16.to_be_bytes());
        v.extend_from_slice(b"ca1");
        v.extend_from_slice(&0u64.to_be_bytes());
        v.extend_from_slice(&5u16.to_be_bytes());
        v.extend_from_slice(b"X.509");
        v.extend_from_slice(&2u32.to_be_bytes());
        v.extend_from_slice(&[0x30, 0x00]);
        let mut h = Sha1::new();
        h.update(&*utf16be(password));
        h.update(WHITENER);
        h.update(&v);
        v.extend_from_slice(&h.finalize());
        v
    }

    #[test]
    fn parses_and_verifies() {
        let data = tiny("pw");
        let jks = Jks::parse(&data).unwrap();
        assert_eq!(jks.entries.len(), 1);
        assert!(jks.verify("pw"));
        assert!(!jks.verify("other"));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let data = tiny("pw");
        for n in 0..data.len() {
            assert!(
                Jks::parse(&data[..n]).is_err() || !Jks::parse(&data[..n]).unwrap().verify("pw"),
                "{n}"
            );
        }
    }

    #[test]
    fn huge_lengths_and_counts_are_refused_without_allocating() {
        let mut data = tiny("pw");
        // entry count 0xFFFFFFFF: fails at the second entry, nothing preallocated
        data.splice(8..12, u32::MAX.to_be_bytes());
        assert!(Jks::parse(&data).is_err());
        let mut data = tiny("pw");
        // certificate length 0xFFFFFFFF
        let at = 4 + 4 + 4 + 4 + 2 + 3 + 8 + 2 + 5;
        data.splice(at..at + 4, u32::MAX.to_be_bytes());
        let e = Jks::parse(&data).err().unwrap();
        assert!(e.contains("truncated"), "{e}");
    }
}
