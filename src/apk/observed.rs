//! What the signer saw of the output while writing it: each entry's offset, sizes, CRC-32
//! and v1 digest, and the v2/v3 chunk digests of the whole content section — all
//! computed from the very bytes that went into the output, and those bytes read back
//! from the file and found equal (`stream.rs`, read-back stage).
//!
//! Self-verification (`sign_file`) uses these facts instead of hashing the written file's
//! 170 MB and inflating its entries a second time: the content digest it checks against
//! the signed one is built from the observed chunk digests plus the central directory and
//! EOCD read from the file, and each entry's v1 digest is the observed one — the latter
//! only once that content digest matched (the argument is written down in
//! `docs/signing.md`). `fuse verify` never has observations: it hashes and inflates
//! everything from the file.

use super::digest::{ChunkDigests, Hash};
use crate::zip::Entry;

/// One entry's data as the signer's pipeline checked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The n-th entry whose data the writer announced (0-based).
    pub ordinal: u32,
    /// Where the data starts in the output.
    pub data_offset: u64,
    pub method: u16,
    pub compressed_size: u64,
    /// Computed from the data (and equal to the declared values, or it was refused).
    pub crc32: u32,
    pub uncompressed_size: u64,
    /// The v1 digest of the uncompressed bytes, when v1 lists the entry.
    pub digest: Option<(Hash, Vec<u8>)>,
}

/// The v2/v3 chunk digests of the content section `[0, end)` (everything before the APK
/// Signing Block), computed from the batches the file was written from, every byte of
/// which was read back from the file and found equal.
#[derive(Debug, Clone)]
pub struct ObservedContent {
    pub end: u64,
    pub chunks: ChunkDigests,
}

/// Observations of one signed output, sorted by data offset.
///
/// A sorted vector rather than a hash map: the writer observes entries in file order, so
/// the sort is a check over already ordered data, and 21,000 lookups by binary search
/// cost less than building a map of 21,000 keys (~3 ms, on the path between writing and
/// self-verification).
#[derive(Debug, Default, Clone)]
pub struct Observed {
    by_offset: Vec<Observation>,
    content: Option<ObservedContent>,
}

impl Observed {
    pub fn new(observations: impl IntoIterator<Item = Observation>) -> Self {
        let mut by_offset: Vec<Observation> = observations.into_iter().collect();
        by_offset.sort_by_key(|o| o.data_offset);
        Self {
            by_offset,
            content: None,
        }
    }

    /// The content section's chunk digests, when all of it was read back equal.
    pub fn with_content(mut self, content: Option<ObservedContent>) -> Self {
        self.content = content;
        self
    }

    /// The chunk digests of exactly `[0, end)`, if observed.
    pub fn content(&self, end: u64) -> Option<&ObservedContent> {
        self.content.as_ref().filter(|c| c.end == end)
    }

    pub fn len(&self) -> usize {
        self.by_offset.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_offset.is_empty()
    }

    /// The observation of exactly this entry of the written file: the same data range,
    /// method, CRC-32 and uncompressed size. Anything else is not evidence for `e`.
    pub fn of(&self, e: &Entry) -> Option<&Observation> {
        let at = |i: usize| self.by_offset.get(i).map(|o| o.data_offset);
        let i = self
            .by_offset
            .binary_search_by_key(&e.data_offset, |o| o.data_offset)
            .ok()?;
        // Two observations of one offset are evidence for neither.
        if at(i + 1) == Some(e.data_offset) || i.checked_sub(1).and_then(at) == Some(e.data_offset)
        {
            return None;
        }
        self.by_offset.get(i).filter(|o| {
            o.compressed_size == e.compressed_size()
                && o.method == e.central.method
                && o.crc32 == e.crc32()
                && o.uncompressed_size == e.uncompressed_size()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zip::{Archive, Compression, DosTime, ZipWriter};

    fn archive(dir: &std::path::Path) -> Archive {
        let mut w = ZipWriter::new(Vec::new(), DosTime::DEFAULT);
        for (name, data) in [("a.txt", &b"alpha"[..]), ("b.txt", b"beta"), ("c.txt", b"")] {
            w.add_entry(name, data, Compression::Deflated, 4).unwrap();
        }
        let path = dir.join("o.zip");
        std::fs::write(&path, w.into_archive_bytes()).unwrap();
        Archive::open(&path).unwrap()
    }

    fn seen(e: &Entry, ordinal: u32) -> Observation {
        Observation {
            ordinal,
            data_offset: e.data_offset,
            method: e.central.method,
            compressed_size: e.compressed_size(),
            crc32: e.crc32(),
            uncompressed_size: e.uncompressed_size(),
            digest: None,
        }
    }

    #[test]
    fn each_entry_finds_its_own_observation_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let a = archive(dir.path());
        let e = a.entries();
        let observed = Observed::new([seen(&e[2], 2), seen(&e[0], 0), seen(&e[1], 1)]);
        for (i, entry) in e.iter().enumerate() {
            assert_eq!(observed.of(entry).map(|o| o.ordinal), Some(i as u32));
        }
    }

    #[test]
    fn an_observation_that_differs_or_is_doubled_is_no_evidence() {
        let dir = tempfile::tempdir().unwrap();
        let a = archive(dir.path());
        let e = a.entries();
        let mut wrong_crc = seen(&e[0], 0);
        wrong_crc.crc32 ^= 1;
        let twice = seen(&e[1], 1);
        let observed = Observed::new([wrong_crc, twice.clone(), twice]);
        assert!(observed.of(&e[0]).is_none());
        assert!(observed.of(&e[1]).is_none());
        assert!(observed.of(&e[2]).is_none());
    }
}
