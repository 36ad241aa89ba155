//! IPA as a ZIP archive: strict reading into a temporary tree, deterministic writing.
//!
//! ```text
//! app.ipa (ZIP)
//! ├── Payload/<App>.app/...      the bundle: extracted, changed, re-signed in place
//! └── anything else              (iTunesMetadata.plist, SwiftSupport/, Symbols/ ...) kept as is
//! ```
//! Reading uses the `zip` crate (≥ 9, which bounds capacities it reads) plus our own checks
//! on every name (no `..`, absolute, backslash, NUL or empty components; no duplicates,
//! also not case-insensitively; no symbolic links) and on sizes (entry count, total bytes,
//! compression ratio) before anything is written. To be replaced by the strict reader in
//! `src/zip/` when it lands.
//!
//! Writing: every entry in sorted name order; an entry whose bytes did not change is
//! raw-copied (its compressed bytes and header fields are byte-identical); new and changed
//! entries are deflated with the fixed timestamp of `SOURCE_DATE_EPOCH` (or 1980-01-01).

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::Error;

/// More entries than any real IPA carries.
pub const MAX_ENTRIES: usize = 500_000;
/// Total uncompressed bytes extracted from one IPA.
pub const MAX_TOTAL_BYTES: u64 = 16 << 30;
/// Deflate cannot do better than ~1032:1; anything claiming more is a bomb.
pub const MAX_RATIO: u64 = 1100;

/// One entry of the input archive as extracted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub index: usize,
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
    /// SHA-256 of the uncompressed bytes (files only).
    pub sha256: [u8; 32],
    pub unix_mode: Option<u32>,
}

/// Reject names that could escape the extraction root or alias another entry.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty name".to_owned());
    }
    if name.contains('\0') {
        return Err("NUL in the name".to_owned());
    }
    if name.contains('\\') {
        return Err("backslash in the name".to_owned());
    }
    if name.starts_with('/') {
        return Err("absolute path".to_owned());
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    for part in trimmed.split('/') {
        match part {
            "" => return Err("empty path component".to_owned()),
            "." | ".." => return Err("path traversal component".to_owned()),
            _ => {}
        }
    }
    Ok(())
}

/// Open the IPA and list its entries with every check applied; nothing is extracted yet.
pub fn open(path: &Path) -> Result<ZipArchive<BufReader<File>>, Error> {
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    ZipArchive::new(BufReader::new(file)).map_err(|e| Error::NotZip {
        path: path.to_owned(),
        detail: e.to_string(),
    })
}

/// Extract every entry under `root`, hashing while writing. Returns the entries in
/// archive order.
pub fn extract(
    archive: &mut ZipArchive<BufReader<File>>,
    root: &Path,
) -> Result<Vec<Entry>, Error> {
    if archive.len() > MAX_ENTRIES {
        return Err(Error::UnsafeEntry {
            name: String::new(),
            why: format!(
                "{} entries exceed the limit of {MAX_ENTRIES}",
                archive.len()
            ),
        });
    }
    let mut seen = HashSet::with_capacity(archive.len());
    let mut total = 0u64;
    let mut entries = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).map_err(|e| Error::UnsafeEntry {
            name: format!("#{index}"),
            why: e.to_string(),
        })?;
        let name = String::from_utf8(file.name_raw().to_vec()).map_err(|_| Error::UnsafeEntry {
            name: String::from_utf8_lossy(file.name_raw()).into_owned(),
            why: "name is not UTF-8".to_owned(),
        })?;
        let refuse = |why: String| Error::UnsafeEntry {
            name: name.clone(),
            why,
        };
        check_name(&name).map_err(refuse)?;
        let key = name.trim_end_matches('/').to_lowercase();
        if !seen.insert(key) {
            return Err(refuse("duplicate name (ignoring case)".to_owned()));
        }
        if file.is_symlink() {
            return Err(refuse(
                "symbolic links are not supported in IPAs".to_owned(),
            ));
        }
        let (size, packed) = (file.size(), file.compressed_size());
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            return Err(refuse(format!(
                "archive expands beyond {MAX_TOTAL_BYTES} bytes"
            )));
        }
        if size > 1 << 20 && size / packed.max(1) > MAX_RATIO {
            return Err(refuse(format!(
                "compression ratio {}:1 is a zip bomb",
                size / packed.max(1)
            )));
        }
        let target = root.join(&name);
        let is_dir = file.is_dir();
        let mut sha256 = [0u8; 32];
        if is_dir {
            fs::create_dir_all(&target)
                .map_err(|e| refuse(format!("cannot create folder: {e}")))?;
        } else {
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| refuse(format!("cannot create folder: {e}")))?;
            }
            let out =
                File::create_new(&target).map_err(|e| refuse(format!("cannot extract: {e}")))?;
            let mut hashing = HashingWriter::new(BufWriter::new(out));
            // Read one byte more than declared: a size lie is caught, not trusted.
            let copied = io::copy(&mut (&mut file).take(size.saturating_add(1)), &mut hashing)
                .map_err(|e| refuse(format!("corrupt data: {e}")))?;
            if copied != size {
                return Err(refuse(format!(
                    "holds {copied} bytes, its header says {size}"
                )));
            }
            sha256 = hashing
                .finish()
                .map_err(|e| Error::io("write", &target, e))?;
        }
        entries.push(Entry {
            index,
            name,
            is_dir,
            size,
            sha256,
            unix_mode: file.unix_mode(),
        });
    }
    Ok(entries)
}

/// A writer that hashes what passes through it.
pub struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }

    pub fn finish(mut self) -> io::Result<[u8; 32]> {
        self.inner.flush()?;
        Ok(self.hasher.finalize().into())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<[u8; 32], Error> {
    crate::file_digest::sha256_file(path)
        .map(|(digest, _)| digest)
        .map_err(|e| Error::io("read", path, e))
}

/// What the output archive holds for one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputEntry {
    /// Raw copy of input entry `index` (unchanged bytes).
    Copy(usize),
    /// A directory entry.
    Dir,
    /// A new or changed file, read from `path`, with Unix permissions `mode`.
    File { path: PathBuf, mode: u32 },
}

/// The fixed timestamp of new entries: `SOURCE_DATE_EPOCH` when set, else the DOS epoch.
pub fn entry_time() -> DateTime {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(dos_time)
        .unwrap_or_default()
}

fn dos_time(unix: i64) -> Option<DateTime> {
    let c = crate::calendar::civil(unix);
    if !(1980..=2107).contains(&c.year) {
        return None;
    }
    DateTime::from_date_and_time(
        u16::try_from(c.year).ok()?,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
    )
    .ok()
}

/// Write `entries` (name → content) in sorted order to `out`, then fsync it.
pub fn write(
    out: &mut File,
    input: &mut ZipArchive<BufReader<File>>,
    entries: &BTreeMap<String, OutputEntry>,
    out_path: &Path,
) -> Result<(), Error> {
    let io_err = |e: zip::result::ZipError| Error::io("write", out_path, io::Error::other(e));
    let time = entry_time();
    let mut writer = ZipWriter::new(BufWriter::new(&mut *out));
    for (name, entry) in entries {
        match entry {
            OutputEntry::Copy(index) => {
                let file = input.by_index_raw(*index).map_err(io_err)?;
                writer.raw_copy_file(file).map_err(io_err)?;
            }
            OutputEntry::Dir => {
                let options = SimpleFileOptions::default()
                    .last_modified_time(time)
                    .unix_permissions(0o755);
                writer
                    .add_directory(name.as_str(), options)
                    .map_err(io_err)?;
            }
            OutputEntry::File { path, mode } => {
                let options = SimpleFileOptions::default()
                    .compression_method(CompressionMethod::Deflated)
                    .last_modified_time(time)
                    .unix_permissions(*mode);
                writer.start_file(name.as_str(), options).map_err(io_err)?;
                let mut file = File::open(path).map_err(|e| Error::io("read", path, e))?;
                io::copy(&mut file, &mut writer).map_err(|e| Error::io("write", out_path, e))?;
            }
        }
    }
    let mut buffered = writer.finish().map_err(io_err)?;
    buffered
        .flush()
        .map_err(|e| Error::io("write", out_path, e))?;
    drop(buffered);
    out.sync_all().map_err(|e| Error::io("sync", out_path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_escape_are_refused() {
        for bad in [
            "/etc/passwd",
            "Payload/../x",
            "a\\b",
            "a//b",
            "./a",
            "a\0b",
            "",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in ["Payload/", "Payload/A.app/Info.plist", "Payload/A.app/..x"] {
            assert!(check_name(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn source_date_epoch_maps_to_dos_time() {
        let t = dos_time(1_700_000_000).unwrap(); // 2023-11-14 22:13:20 UTC
        assert_eq!((t.year(), t.month(), t.day()), (2023, 11, 14));
        assert_eq!((t.hour(), t.minute(), t.second()), (22, 13, 20));
        assert!(dos_time(0).is_none());
    }
}
