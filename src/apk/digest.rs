//! Content digests of APK Signature Scheme v2/v3 and the plain hashes v1 uses.
//!
//! ```text
//! sections: [entries .. signing block start) · central directory · EOCD (CD offset := block start)
//! each section cut into 1 MiB chunks (the last one shorter; chunks never span sections)
//! chunk digest = H(0xa5 || u32le(chunk length) || chunk)
//! top digest   = H(0x5a || u32le(number of chunks) || chunk digest 1 || chunk digest 2 ...)
//! ```
//! v2 and v3 signed with the same algorithm share one content digest: computed once.
//! SHA-256 runs on `fuse_accel`, which hashes two chunks side by side on one core.

use fuse_accel::sha256::{self as sha256x2, Sha256};
use sha1::Sha1;
use sha2::{Digest, Sha512};

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
            Self::Sha256 => sha256x2::digest(data).to_vec(),
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
    /// The SHA-256 state, for hashing side by side with another stream.
    pub fn as_sha256_mut(&mut self) -> Option<&mut Sha256> {
        match self {
            Self::Sha256(h) => Some(h),
            _ => None,
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
        let prefix = chunk_prefix(parts);
        let mut h = self.hash().hasher();
        h.update(&prefix);
        for part in parts {
            h.update(part);
        }
        out.extend_from_slice(&h.finish());
    }

    /// The digests of `chunks` (each given as parts), appended to `out` in order. SHA-256
    /// chunks are hashed two at a time, side by side on this core (`fuse_accel`).
    pub fn chunk_digests_into<'d, P: AsRef<[&'d [u8]]>>(self, chunks: &[P], out: &mut Vec<u8>) {
        for group in chunks.chunks(2) {
            match (self, group) {
                (Self::ChunkedSha256, [a, b]) => {
                    let (a, b) = (a.as_ref(), b.as_ref());
                    let (pa, pb) = (chunk_prefix(a), chunk_prefix(b));
                    let (mut ha, mut hb) = (Sha256::new(), Sha256::new());
                    sha256x2::update_pair_parts(
                        &mut ha,
                        &with_prefix(&pa, a),
                        &mut hb,
                        &with_prefix(&pb, b),
                    );
                    out.extend_from_slice(&ha.finalize());
                    out.extend_from_slice(&hb.finalize());
                }
                _ => {
                    for parts in group {
                        self.chunk_digest_parts_into(parts.as_ref(), out);
                    }
                }
            }
        }
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

/// The SHA-256 chunk digest of the chunk made of `parts`, computed side by side with
/// `other` updated by `other_parts` (`fuse build` hashes its input beside the output's
/// chunks).
pub fn sha256_chunk_digest_beside(
    parts: &[&[u8]],
    other: &mut Sha256,
    other_parts: &[&[u8]],
) -> [u8; 32] {
    let prefix = chunk_prefix(parts);
    let mut h = Sha256::new();
    sha256x2::update_pair_parts(&mut h, &with_prefix(&prefix, parts), other, other_parts);
    h.finalize()
}

/// The digests of `chunks` for each algorithm (one vector per algorithm, in `algorithms`
/// order): what [`ChunkDigests::push_precomputed`] takes.
pub fn chunk_digests_per_algorithm<'d, P: AsRef<[&'d [u8]]>>(
    algorithms: &[ContentDigestAlgorithm],
    chunks: &[P],
) -> Vec<Vec<u8>> {
    algorithms
        .iter()
        .map(|a| {
            let mut d = Vec::with_capacity(chunks.len() * 64);
            a.chunk_digests_into(chunks, &mut d);
            d
        })
        .collect()
}

/// `prefix` followed by `parts`.
fn with_prefix<'a>(prefix: &'a [u8], parts: &[&'a [u8]]) -> Vec<&'a [u8]> {
    let mut v: Vec<&[u8]> = Vec::with_capacity(parts.len() + 1);
    v.push(prefix);
    v.extend_from_slice(parts);
    v
}

/// `0xa5 || u32le(chunk length)` of the chunk made of `parts`.
fn chunk_prefix(parts: &[&[u8]]) -> [u8; 5] {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut prefix = [0xa5u8; 5];
    prefix[1..].copy_from_slice(&(len as u32).to_le_bytes());
    prefix
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

    #[test]
    fn pairs_digest_like_single_chunks() {
        let a: Vec<u8> = (0..CHUNK_LEN).map(|i| (i * 7) as u8).collect();
        let b: Vec<u8> = (0..1000).map(|i| (i * 3) as u8).collect();
        for alg in [
            ContentDigestAlgorithm::ChunkedSha256,
            ContentDigestAlgorithm::ChunkedSha512,
        ] {
            let mut one = Vec::new();
            for c in [&a, &b, &a] {
                alg.chunk_digest_into(c, &mut one);
            }
            let mut grouped = Vec::new();
            let chunks: [&[&[u8]]; 3] = [&[&a[..10], &a[10..]], &[&b], &[&a]];
            alg.chunk_digests_into(&chunks, &mut grouped);
            assert_eq!(grouped, one, "{alg:?}");
        }
    }
}
