//! Bounds that keep a hostile archive from costing unbounded time or memory.
//! Chosen far above any real app (the largest Play APKs are a few GB uncompressed with
//! far lower ratios) and far below what would hurt a CI machine.

/// Largest central directory we hold in memory (a 65,535-entry CD with long names is ~10 MB).
pub const MAX_CENTRAL_DIRECTORY: u64 = 64 << 20;
/// Sum of the declared uncompressed sizes of all entries.
pub const MAX_TOTAL_UNCOMPRESSED: u64 = 4 << 30;
/// An entry above this uncompressed size must not exceed [`MAX_RATIO`].
pub const RATIO_CHECK_MIN_SIZE: u64 = 1 << 20;
/// Uncompressed / compressed for one entry. Deflate tops out near 1032:1, so only
/// near-maximal (bomb-like) compression of a large entry trips it.
pub const MAX_RATIO: u64 = 500;
/// Longest entry name we accept (Android's own limit is PATH_MAX-ish; names are u16-sized).
pub const MAX_NAME_LEN: usize = 4096;
