//! Content digests of APK Signature Scheme v2/v3 and the plain hashes v1 uses.
//!
//! ```text
//! sections: [entries .. signing block start) · central directory · EOCD (CD offset := block start)
//! each section cut into 1 MiB chunks (the last one shorter; chunks never span sections)
//! chunk digest = H(0xa5 || u32le(chunk length) || chunk)
//! top digest   = H(0x5a || u32le(number of chunks) || chunk digest 1 || chunk digest 2 ...)
//! ```
//! v2 and v3 signed with the same algorithm share one content digest: computed once.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

/// Chunk size of the v2/v3 content digest.
pub const CHUNK_LEN: usize = 1 << 20;

/// A plain hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hash {
    Sha1,
    Sha256,
    Sha512,
}

impl Hash {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    pub fn hasher(self) -> Hasher {
        match self {
            Self::Sha1 => Hasher::Sha1(Sha1::new()),
            Self::Sha256 => Hasher::Sha256(Sha256::new()),
            Self::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// The JAR manifest attribute prefix (`SHA1-Digest`, `SHA-256-Digest`).
    pub fn jar_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA-256",
            Self::Sha512 => "SHA-512",
        }
    }
}

/// An incremental hash of any of the three.
#[derive(Clone)]
pub enum Hasher {
    Sha1(Sha1),
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha1(h) => h.update(data),
            Self::Sha256(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }
    pub fn finish(self) -> Vec<u8> {
        match self {
            Self::Sha1(h) => h.finalize().to_vec(),
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// The chunked content digest algorithms of v2/v3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContentDigestAlgorithm {
    ChunkedSha256,
    ChunkedSha512,
}

impl ContentDigestAlgorithm {
    pub const fn hash(self) -> Hash {
        match self {
            Self::ChunkedSha256 => Hash::Sha256,
            Self::ChunkedSha512 => Hash::Sha512,
        }
    }

    /// `H(0xa5 || u32le(len) || chunk)` appended to `out`.
    pub fn chunk_digest_into(self, chunk: &[u8], out: &mut Vec<u8>) {
        self.chunk_digest_parts_into(&[chunk], out);
    }

    /// The digest of the chunk made of `parts` one after the other (a chunk the signer
    /// holds in two buffers).
    pub fn chunk_digest_parts_into(self, parts: &[&[u8]], out: &mut Vec<u8>) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut prefix = [0xa5u8; 5];
        prefix[1..].copy_from_slice(&(len as u32).to_le_bytes());
        let mut h = self.hash().hasher();
        h.update(&prefix);
        for part in parts {
            h.update(part);
        }
        out.extend_from_slice(&h.finish());
    }

    /// `H(0x5a || u32le(count) || chunk digests)`.
    pub fn top_digest(self, chunk_digests: &[u8], count: u32) -> Vec<u8> {
        let mut prefix = [0x5au8; 5];
        prefix[1..].copy_from_slice(&count.to_le_bytes());
        let mut h = self.hash().hasher();
        h.update(&prefix);
        h.update(chunk_digests);
        h.finish()
    }
}

/// Chunk digests for one or more algorithms, fed in file order.
#[derive(Debug, Clone)]
pub struct ChunkDigests {
    algorithms: Vec<ContentDigestAlgorithm>,
    digests: Vec<Vec<u8>>,
    count: u64,
}

impl ChunkDigests {
    pub fn new(algorithms: &[ContentDigestAlgorithm]) -> Self {
        let mut algorithms = algorithms.to_vec();
        algorithms.sort();
        algorithms.dedup();
        Self {
            digests: vec![Vec::new(); algorithms.len()],
            algorithms,
            count: 0,
        }
    }

    pub fn algorithms(&self) -> &[ContentDigestAlgorithm] {
        &self.algorithms
    }

    /// One chunk (at most [`CHUNK_LEN`] bytes).
    pub fn push_chunk(&mut self, chunk: &[u8]) {
        for (alg, out) in self.algorithms.iter().zip(self.digests.iter_mut()) {
            alg.chunk_digest_into(chunk, out);
        }
        self.count += 1;
    }

    /// A whole in-memory section (the central directory, the EOCD).
    pub fn push_section(&mut self, section: &[u8]) {
        for chunk in section.chunks(CHUNK_LEN) {
            self.push_chunk(chunk);
        }
    }

    /// Chunk digests computed elsewhere (in order), one entry per algorithm of `self`.
    pub fn push_precomputed(&mut self, per_algorithm: &[Vec<u8>], chunks: u64) {
        for (out, more) in self.digests.iter_mut().zip(per_algorithm) {
            out.extend_from_slice(more);
        }
        self.count += chunks;
    }

    /// Top-level digests per algorithm. `None` if there are more chunks than a u32 counts.
    pub fn finish(&self) -> Option<Vec<(ContentDigestAlgorithm, Vec<u8>)>> {
        let count = u32::try_from(self.count).ok()?;
        Some(
            self.algorithms
                .iter()
                .zip(&self.digests)
                .map(|(alg, d)| (*alg, alg.top_digest(d, count)))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_chunked_independently() {
        let mut a = ChunkDigests::new(&[ContentDigestAlgorithm::ChunkedSha256]);
        a.push_section(&vec![1u8; CHUNK_LEN + 10]);
        a.push_section(b"cd");
        assert_eq!(a.count, 3);
        let top = a.finish().unwrap();
        assert_eq!(top[0].1.len(), 32);
    }
}
