//! What the signer saw of each entry's data while writing it: offset, sizes, CRC-32 and
//! v1 digest, all computed from the very bytes that went into the output and its v2/v3
//! chunk digests.
//!
//! Self-verification (`sign_file`) uses these facts instead of inflating the written file
//! a second time — but only after the v2/v3 content digest, recomputed from the written
//! file, matched: that match proves the file holds exactly the bytes these observations
//! were made from (the argument is written down in `docs/signing.md`). `fuse verify`
//! never has observations and always inflates everything.

use std::collections::HashMap;

use super::digest::Hash;
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

/// Observations of one signed output, by data offset.
#[derive(Debug, Default, Clone)]
pub struct Observed {
    by_offset: HashMap<u64, Observation>,
}

impl Observed {
    pub fn new(observations: impl IntoIterator<Item = Observation>) -> Self {
        Self {
            by_offset: observations
                .into_iter()
                .map(|o| (o.data_offset, o))
                .collect(),
        }
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
