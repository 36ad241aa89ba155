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

use std::collections::HashMap;

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

/// Observations of one signed output, by data offset.
#[derive(Debug, Default, Clone)]
pub struct Observed {
    by_offset: HashMap<u64, Observation>,
    content: Option<ObservedContent>,
}

impl Observed {
    pub fn new(observations: impl IntoIterator<Item = Observation>) -> Self {
        Self {
            by_offset: observations
                .into_iter()
                .map(|o| (o.data_offset, o))
                .collect(),
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
        self.by_offset.get(&e.data_offset).filter(|o| {
            o.compressed_size == e.compressed_size()
                && o.method == e.central.method
                && o.crc32 == e.crc32()
                && o.uncompressed_size == e.uncompressed_size()
        })
    }
}
