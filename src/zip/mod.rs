//! ZIP container: strict reading of untrusted archives, deterministic aligned writing,
//! byte-for-byte raw entry copy.
//!
//! ```text
//! | local header + data [+ descriptor] | ... | [APK Signing Block] | central directory | EOCD |
//! ```
//! Our own reader rather than the `zip` crate: signing needs what the crate hides
//! (exact local-header offsets and extra fields for raw copy and re-alignment, the bytes
//! between the entries and the central directory where the signing block lives) and the
//! crate accepts what an APK may not (ZIP64, gaps, prefixes, duplicate names). See
//! `docs/quirks.md` for every rule and why it exists.

pub mod check;
pub mod dos_time;
pub mod error;
pub mod extra;
pub mod limits;
pub mod read;
pub mod records;
pub mod write;

pub use dos_time::DosTime;
pub use error::ZipError;
pub use read::{APK_SIG_BLOCK_MAGIC, Archive, Entry};
pub use write::{Compression, EntryData, Written, ZipSink, ZipWriter, default_alignment};
