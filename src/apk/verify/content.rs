//! Recomputing the v2/v3 content digest of a file, both cores, positioned reads — or,
//! for a file fuse just wrote, finishing it from the chunk digests observed while writing.

use rayon::prelude::*;

use crate::apk::digest::{
    CHUNK_LEN, ChunkDigests, ContentDigestAlgorithm, chunk_digests_per_algorithm,
};
use crate::zip::records::{EOCD_CD_OFFSET_FIELD, Eocd};
use crate::zip::{Archive, ZipError};

thread_local! {
    static CHUNK_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Top-level digest per algorithm.
pub type Digests = Vec<(ContentDigestAlgorithm, Vec<u8>)>;

/// Top-level digests of `[0, block_start)` · CD · EOCD (CD offset := `block_start`).
pub fn compute(
    archive: &Archive,
    block_start: u64,
    algorithms: &[ContentDigestAlgorithm],
) -> Result<Option<Digests>, ZipError> {
    let mut digests = ChunkDigests::new(algorithms);
    let algs = digests.algorithms().to_vec();
    let chunks = block_start.div_ceil(CHUNK_LEN as u64);
    // Chunks two at a time: one read of 2 MiB, and the pair hashed side by side on one
    // core (`ContentDigestAlgorithm::chunk_digests_into`).
    let pairs = chunks.div_ceil(2);
    let per_pair: Vec<(Vec<Vec<u8>>, u64)> = (0..pairs)
        .into_par_iter()
        .map(|pair| {
            // One buffer per thread for the whole run (not one 2 MiB allocation, and its
            // page faults, per rayon split).
            CHUNK_BUF.with(|cell| {
                let mut buf = cell.borrow_mut();
                buf.resize(2 * CHUNK_LEN, 0);
                let start = pair * 2 * CHUNK_LEN as u64;
                let len = (block_start - start).min(2 * CHUNK_LEN as u64) as usize;
                let both = buf.get_mut(..len).unwrap_or_default();
                archive.read_at(start, both)?;
                let chunks: Vec<[&[u8]; 1]> = both.chunks(CHUNK_LEN).map(|c| [c]).collect();
                Ok((
                    chunk_digests_per_algorithm(&algs, &chunks),
                    chunks.len() as u64,
                ))
            })
        })
        .collect::<Result<_, ZipError>>()?;
    for (per_alg, count) in &per_pair {
        digests.push_precomputed(per_alg, *count);
    }
    Ok(with_records(archive, block_start, digests))
}

/// Top-level digests from the chunk digests of `[0, block_start)` computed elsewhere
/// (`verify_observed`: while the file was written, its bytes read back and found equal),
/// followed by the central directory and EOCD as read from the file.
pub fn from_observed(
    archive: &Archive,
    block_start: u64,
    observed: &ChunkDigests,
    algorithms: &[ContentDigestAlgorithm],
) -> Option<Digests> {
    if algorithms
        .iter()
        .any(|a| !observed.algorithms().contains(a))
    {
        return None;
    }
    with_records(archive, block_start, observed.clone())
}

/// The central directory and EOCD (CD offset := `block_start`) appended, top-level
/// digests computed. `None` if the file has too many chunks or too large an offset.
fn with_records(archive: &Archive, block_start: u64, mut digests: ChunkDigests) -> Option<Digests> {
    digests.push_section(archive.central_directory());
    let mut eocd = Vec::new();
    let block_start32 = u32::try_from(block_start).ok()?;
    Eocd {
        cd_offset: block_start32,
        ..*archive.eocd()
    }
    .write(&mut eocd);
    debug_assert_eq!(
        eocd.get(EOCD_CD_OFFSET_FIELD..EOCD_CD_OFFSET_FIELD + 4),
        Some(&block_start32.to_le_bytes()[..])
    );
    eocd.extend_from_slice(archive.comment());
    digests.push_section(&eocd);
    digests.finish()
}
