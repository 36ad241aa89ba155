//! Strict, central-directory-driven reading of a ZIP file through positioned reads.
//!
//! ```text
//! offset 0                                                                     EOF
//! | LFH data [dd] | LFH data [dd] | ... | [zero pad][APK Signing Block] | CD | EOCD |
//!   ^ entries must tile [0, end of last entry) exactly: no prefix, no gaps, no overlap
//! ```
//! Only the central directory is held in memory; entry data is read on demand with
//! `pread`, so a 200 MB APK costs a few MB. Every rule Android's installer or apksig
//! relies on is checked when the archive is opened, plus the hostile-input rules of
//! DESIGN §8 (see `docs/quirks.md` for why each exists). Declared sizes and CRCs are
//! checked while an entry is streamed.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::check::{DataCheck, Fault, Inflater};
use super::error::ZipError;
use super::extra;
use super::limits;
use super::records::{
    CentralHeader, DATA_DESCRIPTOR_SIG, EOCD_LEN, EOCD_SIG, Eocd, FLAG_DATA_DESCRIPTOR,
    FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, LOCAL_HEADER_LEN, Le, LocalHeader, METHOD_DEFLATED,
    METHOD_STORED, ZIP64_EOCD_LOCATOR_LEN, ZIP64_EOCD_LOCATOR_SIG,
};

/// Magic at the end of an APK Signing Block.
pub const APK_SIG_BLOCK_MAGIC: &[u8; 16] = b"APK Sig Block 42";
/// `u64 size` + magic at the end of the block.
const SIG_BLOCK_FOOTER_LEN: u64 = 24;
/// Smallest well-formed signing block: two size fields and the magic.
const SIG_BLOCK_MIN_LEN: u64 = 32;

/// One entry, from its central directory record and its (checked) local header.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    /// The central directory record's fixed fields.
    pub central: CentralHeader,
    /// Where the whole central record sits inside [`Archive::central_directory`].
    pub central_record: Range<usize>,
    /// Extra field of the central record (a range in the CD bytes).
    pub central_extra: Range<usize>,
    pub local: LocalHeader,
    /// The local header's extra field (read at open; needed to re-align on copy).
    pub local_extra: Vec<u8>,
    pub local_offset: u64,
    pub data_offset: u64,
    /// Bytes of the data descriptor after the data (0, 12 or 16).
    pub descriptor_len: u64,
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
    pub fn is_stored(&self) -> bool {
        self.central.method == METHOD_STORED
    }
    pub fn compressed_size(&self) -> u64 {
        u64::from(self.central.compressed_size)
    }
    pub fn uncompressed_size(&self) -> u64 {
        u64::from(self.central.uncompressed_size)
    }
    pub fn crc32(&self) -> u32 {
        self.central.crc32
    }
    /// File offset just past this entry's data (and descriptor).
    pub fn end(&self) -> u64 {
        self.data_offset + self.compressed_size() + self.descriptor_len
    }
    /// The whole local record: header, name, extra, data, descriptor.
    pub fn record(&self) -> Range<u64> {
        self.local_offset..self.end()
    }
}

/// An opened, checked archive.
#[derive(Debug)]
pub struct Archive {
    path: PathBuf,
    file: File,
    len: u64,
    cd: Vec<u8>,
    cd_offset: u64,
    eocd_offset: u64,
    eocd: Eocd,
    comment: Vec<u8>,
    entries: Vec<Entry>,
    by_name: HashMap<String, usize>,
    entries_end: u64,
    signing_block: Option<Range<u64>>,
}

impl Archive {
    /// Opens `path` read-only and checks its whole structure.
    pub fn open(path: &Path) -> Result<Self, ZipError> {
        let file = File::open(path).map_err(|source| ZipError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_file(path, file)
    }

    pub fn from_file(path: &Path, file: File) -> Result<Self, ZipError> {
        let len = file
            .metadata()
            .map_err(|source| ZipError::Io {
                path: path.to_path_buf(),
                source,
            })?
            .len();
        let mut r = Reader {
            path,
            file: &file,
            len,
        };
        let (eocd_offset, eocd, comment) = r.find_eocd()?;
        let cd_offset = u64::from(eocd.cd_offset);
        let cd_size = u64::from(eocd.cd_size);
        if cd_offset + cd_size != eocd_offset {
            return Err(r.bad(
                "central directory",
                format!(
                    "it spans {cd_offset}..{} but the end record is at {eocd_offset} (truncated or padded central directory)",
                    cd_offset + cd_size
                ),
            ));
        }
        if cd_size > limits::MAX_CENTRAL_DIRECTORY {
            return Err(r.bad(
                "central directory",
                format!("{cd_size} bytes is more than the supported maximum"),
            ));
        }
        let cd = r.read_vec(cd_offset, cd_size as usize, "central directory")?;
        let mut entries = parse_central_directory(&r, &cd, eocd.entries_total)?;

        // The name index and the local headers are independent: one core each (an APK of
        // 21,000 entries spends a few milliseconds in each, on the path before anything
        // else can start). Problems are reported in the order of the checks: names, the
        // declared total, then the local headers.
        let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
        let total_uncompressed: u64 = entries.iter().map(Entry::uncompressed_size).sum();
        let (by_name, tiled) = rayon::join(
            || index_names(names),
            || r.read_locals(&mut entries, cd_offset),
        );
        let by_name = by_name.map_err(|(name, why)| r.bad(format!("entry {name}"), why))?;
        if total_uncompressed > limits::MAX_TOTAL_UNCOMPRESSED {
            return Err(r.bad(
                "archive",
                format!(
                    "entries declare {total_uncompressed} bytes uncompressed, more than the {} byte limit (zip bomb?)",
                    limits::MAX_TOTAL_UNCOMPRESSED
                ),
            ));
        }
        let entries_end = tiled?;
        let signing_block = r.check_tail(entries_end, cd_offset)?;

        Ok(Self {
            path: path.to_path_buf(),
            file,
            len,
            cd,
            cd_offset,
            eocd_offset,
            eocd,
            comment,
            entries,
            by_name,
            entries_end,
            signing_block,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
    /// The open (read-only) file, for in-kernel copies of raw entry data.
    pub fn file(&self) -> &File {
        &self.file
    }
    pub fn len(&self) -> u64 {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Entries in central-directory order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).and_then(|&i| self.entries.get(i))
    }
    pub fn central_directory(&self) -> &[u8] {
        &self.cd
    }
    pub fn central_directory_offset(&self) -> u64 {
        self.cd_offset
    }
    pub fn eocd_offset(&self) -> u64 {
        self.eocd_offset
    }
    pub fn eocd(&self) -> &Eocd {
        &self.eocd
    }
    pub fn comment(&self) -> &[u8] {
        &self.comment
    }
    /// End of the last entry's record.
    pub fn entries_end(&self) -> u64 {
        self.entries_end
    }
    /// The APK Signing Block's byte range, when one sits before the central directory.
    pub fn signing_block(&self) -> Option<Range<u64>> {
        self.signing_block.clone()
    }
    /// Bytes of the central record of `e` (for raw copy).
    pub fn central_record(&self, e: &Entry) -> &[u8] {
        self.cd.get(e.central_record.clone()).unwrap_or_default()
    }
    pub fn central_extra(&self, e: &Entry) -> &[u8] {
        self.cd.get(e.central_extra.clone()).unwrap_or_default()
    }

    /// Reads exactly `buf.len()` bytes at `offset`.
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), ZipError> {
        self.file
            .read_exact_at(buf, offset)
            .map_err(|source| ZipError::Io {
                path: self.path.clone(),
                source,
            })
    }

    /// Streams the uncompressed bytes of `e` into `sink`, checking that the data inflates
    /// to exactly the declared size and CRC-32. A lie is reported, never trusted.
    pub fn stream<F>(&self, e: &Entry, mut sink: F) -> Result<(), ZipError>
    where
        F: FnMut(&[u8]) -> Result<(), ZipError>,
    {
        const BLOCK: usize = 64 << 10;
        // Small entries (most of an APK) get small buffers: no 64 KiB memset per file.
        let in_len = (e.compressed_size() as usize).clamp(1, BLOCK);
        let mut input = vec![0u8; in_len];
        let mut inflater = Inflater::with_output(e.uncompressed_size() as usize);
        let mut check = DataCheck::for_entry(e);
        let mut pos = e.data_offset;
        let end = e.data_offset + e.compressed_size();
        let fault = |f: Fault<ZipError>| match f {
            Fault::Data(why) => self.bad_entry(e, why),
            Fault::Sink(err) => err,
        };
        while pos < end {
            let n = (end - pos).min(in_len as u64) as usize;
            let chunk = input.get_mut(..n).unwrap_or_default();
            self.read_at(pos, chunk)?;
            pos += n as u64;
            check.feed(&mut inflater, chunk, &mut sink).map_err(fault)?;
        }
        check.finish(&mut inflater, &mut sink).map_err(fault)?;
        Ok(())
    }

    /// The uncompressed bytes of a small entry (refuses entries above `max` bytes).
    pub fn read_entry(&self, e: &Entry, max: u64) -> Result<Vec<u8>, ZipError> {
        if e.uncompressed_size() > max {
            return Err(self.bad_entry(
                e,
                format!(
                    "{} bytes is more than expected (at most {max})",
                    e.uncompressed_size()
                ),
            ));
        }
        let mut out = Vec::with_capacity(e.uncompressed_size() as usize);
        self.stream(e, |b| {
            out.extend_from_slice(b);
            Ok(())
        })?;
        Ok(out)
    }

    fn bad_entry(&self, e: &Entry, why: String) -> ZipError {
        ZipError::malformed(&self.path, format!("entry {}", e.name), why)
    }
}

/// The name → index map, refusing names that occur twice, exactly or up to letter case
/// (duplicates let different readers see different files).
fn index_names(names: Vec<String>) -> Result<HashMap<String, usize>, (String, &'static str)> {
    let mut folded: HashSet<std::borrow::Cow<'_, str>> = HashSet::with_capacity(names.len());
    for name in &names {
        // Most names are lower-case ASCII already: no folded copy for those.
        let key = if name
            .bytes()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
        {
            std::borrow::Cow::Owned(name.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(name.as_str())
        };
        if !folded.insert(key) {
            let exact = names.iter().filter(|n| *n == name).count() > 1;
            let why = if exact {
                "the name occurs twice in the central directory (duplicate entries let different readers see different files)"
            } else {
                "another entry has the same name up to letter case (case-fold duplicate)"
            };
            return Err((name.clone(), why));
        }
    }
    drop(folded);
    let mut by_name = HashMap::with_capacity(names.len());
    for (i, name) in names.into_iter().enumerate() {
        by_name.insert(name, i);
    }
    Ok(by_name)
}

/// Read-ahead window for local headers.
#[derive(Default)]
struct Window {
    start: u64,
    bytes: Vec<u8>,
}

const WINDOW: u64 = 64 << 10;

/// Positioned reads with error context, used while opening.
struct Reader<'a> {
    path: &'a Path,
    file: &'a File,
    len: u64,
}

impl Reader<'_> {
    fn bad(&self, what: impl Into<String>, why: impl Into<String>) -> ZipError {
        ZipError::malformed(self.path, what, why)
    }

    fn read_vec(&self, offset: u64, n: usize, what: &str) -> Result<Vec<u8>, ZipError> {
        if offset
            .checked_add(n as u64)
            .is_none_or(|end| end > self.len)
        {
            return Err(self.bad(what, "it extends past the end of the file (truncated file)"));
        }
        let mut buf = vec![0u8; n];
        self.file
            .read_exact_at(&mut buf, offset)
            .map_err(|source| ZipError::Io {
                path: self.path.to_path_buf(),
                source,
            })?;
        Ok(buf)
    }

    /// `n` bytes at `offset` through `win`: a miss reads up to 64 KiB (never past
    /// `limit`), so the local headers of consecutive small entries cost one `pread` per
    /// window rather than one each (21,000 entries: ~300 reads instead of 21,000).
    fn read_windowed(
        &self,
        win: &mut Window,
        offset: u64,
        n: usize,
        limit: u64,
        what: &str,
    ) -> Result<Vec<u8>, ZipError> {
        let hit = offset
            .checked_sub(win.start)
            .and_then(|at| usize::try_from(at).ok())
            .and_then(|at| win.bytes.get(at..at.checked_add(n)?));
        if let Some(bytes) = hit {
            return Ok(bytes.to_vec());
        }
        let len = (n as u64).max(WINDOW.min(limit.saturating_sub(offset)));
        win.bytes = self.read_vec(offset, len as usize, what)?;
        win.start = offset;
        Ok(win.bytes.get(..n).unwrap_or_default().to_vec())
    }

    /// Finds the one end-of-central-directory record. Android and apksig take the record
    /// nearest the end whose comment length reaches EOF exactly; a second such record, or an
    /// EOCD signature inside the comment, means two readers could disagree: refused.
    fn find_eocd(&mut self) -> Result<(u64, Eocd, Vec<u8>), ZipError> {
        if self.len == 0 {
            return Err(self.bad("file", "it is empty"));
        }
        if self.len < EOCD_LEN as u64 {
            return Err(self.bad(
                "file",
                "it is too short to be a ZIP archive (no end-of-central-directory record)",
            ));
        }
        let tail_len = self.len.min((EOCD_LEN + usize::from(u16::MAX)) as u64) as usize;
        let tail_start = self.len - tail_len as u64;
        let tail = self.read_vec(tail_start, tail_len, "end of file")?;
        let sig = EOCD_SIG.to_le_bytes();
        let mut found: Vec<usize> = Vec::new();
        for p in (0..=tail_len - EOCD_LEN).rev() {
            if tail.get(p..p + 4) != Some(&sig[..]) {
                continue;
            }
            let Some(e) = tail.get(p..).and_then(Eocd::parse) else {
                continue;
            };
            if p + EOCD_LEN + usize::from(e.comment_len) == tail_len {
                found.push(p);
            }
        }
        let Some(&p) = found.first() else {
            let head = self.read_vec(0, 4, "file")?;
            let why = if head == b"PK\x03\x04" {
                "no end-of-central-directory record found (truncated file?)"
            } else {
                "no end-of-central-directory record found — it is not a ZIP/APK file"
            };
            return Err(self.bad("file", why));
        };
        if found.len() > 1 {
            return Err(self.bad(
                "end of central directory",
                "there are two candidate end records (a fake one hidden in the archive comment)",
            ));
        }
        let eocd = tail
            .get(p..)
            .and_then(Eocd::parse)
            .ok_or_else(|| self.bad("end of central directory", "unreadable"))?;
        let comment = tail.get(p + EOCD_LEN..).unwrap_or_default().to_vec();
        if comment.windows(4).any(|w| w == sig) {
            return Err(self.bad(
                "archive comment",
                "it contains an end-of-central-directory signature (fake EOCD)",
            ));
        }
        let eocd_offset = tail_start + p as u64;
        if eocd.entries_total == u16::MAX
            || eocd.entries_on_disk == u16::MAX
            || eocd.cd_size == u32::MAX
            || eocd.cd_offset == u32::MAX
        {
            return Err(self.bad(
                "end of central directory",
                "it defers to ZIP64 records; APKs cannot use ZIP64 (apksig refuses it)",
            ));
        }
        if eocd_offset >= ZIP64_EOCD_LOCATOR_LEN as u64 {
            let loc = self.read_vec(
                eocd_offset - ZIP64_EOCD_LOCATOR_LEN as u64,
                4,
                "ZIP64 locator",
            )?;
            if loc == ZIP64_EOCD_LOCATOR_SIG.to_le_bytes() {
                return Err(self.bad(
                    "end of central directory",
                    "a ZIP64 locator precedes it; APKs cannot use ZIP64 (apksig refuses it)",
                ));
            }
        }
        if eocd.disk != 0 || eocd.cd_disk != 0 || eocd.entries_on_disk != eocd.entries_total {
            return Err(self.bad(
                "end of central directory",
                "it describes a multi-disk archive, which APKs cannot be",
            ));
        }
        if eocd.entries_total == 0 {
            return Err(self.bad("archive", "it contains no entries"));
        }
        Ok((eocd_offset, eocd, comment))
    }

    /// Reads and checks every local header, in file order: they must tile the entries
    /// section exactly. Returns where the entries end.
    fn read_locals(&self, entries: &mut [Entry], cd_offset: u64) -> Result<u64, ZipError> {
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&i| entries.get(i).map_or(0, |e| e.central.local_header_offset));
        let mut expected_offset = 0u64;
        let mut window = Window::default();
        for &i in &order {
            let Some(e) = entries.get_mut(i) else {
                continue;
            };
            self.read_local(e, cd_offset, &mut window)?;
            if e.local_offset != expected_offset {
                let why = if e.local_offset > expected_offset {
                    if expected_offset == 0 {
                        format!(
                            "{} bytes of unknown data come before the first entry",
                            e.local_offset
                        )
                    } else {
                        format!(
                            "{} bytes of unaccounted data lie before it (a gap can hide content)",
                            e.local_offset - expected_offset
                        )
                    }
                } else {
                    "it overlaps the previous entry's data".to_owned()
                };
                return Err(self.bad(format!("entry {}", e.name), why));
            }
            expected_offset = e.end();
        }
        Ok(expected_offset)
    }

    /// Reads and checks the local header of `e` against its central record.
    fn read_local(&self, e: &mut Entry, cd_offset: u64, win: &mut Window) -> Result<(), ZipError> {
        let what = || format!("entry {}", e.name);
        let lfh_at = e.local_offset;
        if lfh_at + LOCAL_HEADER_LEN as u64 > cd_offset {
            return Err(self.bad(
                what(),
                "its local header offset points past the entries (into or beyond the central directory)",
            ));
        }
        // One window read usually covers header, name and extra of many entries (a
        // second read only for long extras).
        let guess = (LOCAL_HEADER_LEN + e.name.len() + 256).min((cd_offset - lfh_at) as usize);
        let head = self.read_windowed(win, lfh_at, guess, cd_offset, "local header")?;
        let local = LocalHeader::parse(&head).ok_or_else(|| {
            self.bad(
                what(),
                "no local file header at the offset the central directory gives",
            )
        })?;
        let var_len = usize::from(local.name_len) + usize::from(local.extra_len);
        let long;
        let var: &[u8] = match head.get(LOCAL_HEADER_LEN..LOCAL_HEADER_LEN + var_len) {
            Some(v) => v,
            None => {
                long = self.read_vec(lfh_at + LOCAL_HEADER_LEN as u64, var_len, "local header")?;
                &long
            }
        };
        let (lname, lextra) = var.split_at(usize::from(local.name_len).min(var.len()));
        if lname != e.name.as_bytes() {
            return Err(self.bad(
                what(),
                "its local header names a different file than the central directory",
            ));
        }
        let c = &e.central;
        if local.method != c.method {
            return Err(self.bad(
                what(),
                "local and central headers disagree on the compression method",
            ));
        }
        if (local.flags ^ c.flags) & (FLAG_DATA_DESCRIPTOR | FLAG_ENCRYPTED) != 0 {
            return Err(self.bad(what(), "local and central headers disagree on the flags"));
        }
        let has_descriptor = c.flags & FLAG_DATA_DESCRIPTOR != 0;
        if !has_descriptor
            && (local.crc32 != c.crc32
                || local.compressed_size != c.compressed_size
                || local.uncompressed_size != c.uncompressed_size)
        {
            return Err(self.bad(
                what(),
                "local and central headers disagree on CRC-32 or sizes",
            ));
        }
        if extra::has_zip64_field(lextra) {
            return Err(self.bad(
                what(),
                "its local header carries a ZIP64 field; APKs cannot use ZIP64",
            ));
        }
        e.local = local;
        e.local_extra = lextra.to_vec();
        e.data_offset = lfh_at + LOCAL_HEADER_LEN as u64 + var_len as u64;
        let data_end = e.data_offset + u64::from(c.compressed_size);
        if data_end > cd_offset {
            return Err(self.bad(
                what(),
                "its data runs into the central directory (declared size lie or truncated file)",
            ));
        }
        if has_descriptor {
            let avail = (cd_offset - data_end).min(16) as usize;
            let d = self.read_windowed(win, data_end, avail, cd_offset, "data descriptor")?;
            let mut r = Le::new(&d);
            let first = r.u32();
            let (len, mut r) = if first == Some(DATA_DESCRIPTOR_SIG) {
                (16, r)
            } else {
                (12, Le::new(&d))
            };
            let (crc, cs, us) = (r.u32(), r.u32(), r.u32());
            if crc != Some(c.crc32)
                || cs != Some(c.compressed_size)
                || us != Some(c.uncompressed_size)
            {
                return Err(self.bad(
                    what(),
                    "its data descriptor disagrees with the central directory (or is missing)",
                ));
            }
            e.descriptor_len = len;
        }
        Ok(())
    }

    /// What may sit between the last entry and the central directory: nothing, or an APK
    /// Signing Block preceded by fewer than 4096 zero bytes (apksigner's page padding).
    fn check_tail(&self, entries_end: u64, cd_offset: u64) -> Result<Option<Range<u64>>, ZipError> {
        if entries_end == cd_offset {
            return Ok(None);
        }
        let gap = cd_offset - entries_end;
        if gap >= SIG_BLOCK_FOOTER_LEN {
            let footer = self.read_vec(
                cd_offset - SIG_BLOCK_FOOTER_LEN,
                SIG_BLOCK_FOOTER_LEN as usize,
                "APK Signing Block",
            )?;
            if footer.get(8..) == Some(&APK_SIG_BLOCK_MAGIC[..]) {
                let mut r = Le::new(&footer);
                let size = r.u64().unwrap_or(0);
                let total = size.checked_add(8);
                let start = total.and_then(|t| cd_offset.checked_sub(t));
                let Some(start) =
                    start.filter(|&s| s >= entries_end && size >= SIG_BLOCK_MIN_LEN - 8)
                else {
                    return Err(self.bad(
                        "APK Signing Block",
                        "its size field points outside the space before the central directory",
                    ));
                };
                let head = self.read_vec(start, 8, "APK Signing Block")?;
                if Le::new(&head).u64() != Some(size) {
                    return Err(self.bad("APK Signing Block", "its two size fields disagree"));
                }
                let pad = start - entries_end;
                if pad >= 4096 {
                    return Err(self.bad(
                        "archive",
                        format!("{pad} bytes of unaccounted data lie before the APK Signing Block"),
                    ));
                }
                let zeros = self.read_vec(entries_end, pad as usize, "padding")?;
                if zeros.iter().any(|&b| b != 0) {
                    return Err(self.bad(
                        "archive",
                        "non-zero data hides between the last entry and the APK Signing Block",
                    ));
                }
                return Ok(Some(start..cd_offset));
            }
        }
        Err(self.bad(
            "archive",
            format!(
                "{gap} bytes of unaccounted data lie between the last entry and the central directory (a gap can hide content)"
            ),
        ))
    }
}

/// Parses exactly `count` central records that must fill `cd` exactly.
fn parse_central_directory(r: &Reader<'_>, cd: &[u8], count: u16) -> Result<Vec<Entry>, ZipError> {
    let mut entries = Vec::with_capacity(usize::from(count));
    let mut le = Le::new(cd);
    for index in 0..count {
        let start = le.pos();
        let Some(c) = CentralHeader::parse(&mut le) else {
            return Err(r.bad(
                "central directory",
                format!(
                    "record {} of {count} is missing or malformed (truncated central directory)",
                    index + 1
                ),
            ));
        };
        let name_start = le.pos();
        let (Some(name), Some(_extra), Some(_comment)) = (
            le.take(usize::from(c.name_len)),
            le.take(usize::from(c.extra_len)),
            le.take(usize::from(c.comment_len)),
        ) else {
            return Err(r.bad(
                "central directory",
                format!(
                    "record {} runs past its end (truncated central directory)",
                    index + 1
                ),
            ));
        };
        let extra_start = name_start + usize::from(c.name_len);
        let extra_range = extra_start..extra_start + usize::from(c.extra_len);
        let name = std::str::from_utf8(name).map_err(|_| {
            r.bad(
                format!("central record {}", index + 1),
                "its name is not UTF-8",
            )
        })?;
        check_name(name).map_err(|why| r.bad(format!("entry {name:?}"), why))?;
        let what = || format!("entry {name}");
        if c.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
            return Err(r.bad(what(), "it is encrypted, which Android cannot install"));
        }
        match c.method {
            METHOD_STORED => {
                if c.compressed_size != c.uncompressed_size {
                    return Err(r.bad(
                        what(),
                        "it is stored but its compressed and uncompressed sizes differ",
                    ));
                }
            }
            METHOD_DEFLATED => {}
            m => {
                return Err(r.bad(
                    what(),
                    format!("compression method {m} is not supported (Android reads only stored and deflate)"),
                ));
            }
        }
        if c.compressed_size == u32::MAX
            || c.uncompressed_size == u32::MAX
            || c.local_header_offset == u32::MAX
            || extra::has_zip64_field(cd.get(extra_range.clone()).unwrap_or_default())
        {
            return Err(r.bad(what(), "it uses ZIP64 fields; APKs cannot use ZIP64"));
        }
        if c.disk_start != 0 {
            return Err(r.bad(what(), "it claims to start on another disk"));
        }
        let (us, cs) = (u64::from(c.uncompressed_size), u64::from(c.compressed_size));
        if us > limits::RATIO_CHECK_MIN_SIZE && us > cs.saturating_mul(limits::MAX_RATIO) {
            return Err(r.bad(
                what(),
                format!(
                    "it declares {us} bytes from {cs} compressed, a ratio beyond {}:1 (zip bomb?)",
                    limits::MAX_RATIO
                ),
            ));
        }
        entries.push(Entry {
            name: name.to_owned(),
            central: c,
            central_record: start..le.pos(),
            central_extra: extra_range,
            local: LocalHeader {
                version_needed: 0,
                flags: 0,
                method: 0,
                time: 0,
                date: 0,
                crc32: 0,
                compressed_size: 0,
                uncompressed_size: 0,
                name_len: 0,
                extra_len: 0,
            },
            local_extra: Vec::new(),
            local_offset: u64::from(c.local_header_offset),
            data_offset: 0,
            descriptor_len: 0,
        });
    }
    if le.remaining() != 0 {
        return Err(r.bad(
            "central directory",
            format!(
                "{} bytes follow its {count} declared records (entry count lie)",
                le.remaining()
            ),
        ));
    }
    Ok(entries)
}

/// Names Android would treat differently from other tools, or that escape a directory.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("the name is empty");
    }
    if name.len() > limits::MAX_NAME_LEN {
        return Err("the name is longer than 4096 bytes");
    }
    if name.contains('\0') {
        return Err("the name contains a NUL byte");
    }
    if name.contains(['\r', '\n']) {
        return Err("the name contains a line break (JAR manifests cannot list it)");
    }
    if name.contains('\\') {
        return Err("the name contains a backslash (a Windows path separator)");
    }
    if name.starts_with('/') {
        return Err("the name is an absolute path");
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    if trimmed
        .split('/')
        .any(|part| part == ".." || part == "." || part.is_empty())
    {
        return Err("the name has a '..', '.' or empty path component (path traversal)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_refused() {
        for bad in [
            "",
            "../x",
            "a/../b",
            "/etc/passwd",
            "a\\b",
            "a\0b",
            "a//b",
            "./a",
            "a\nb",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in [
            "AndroidManifest.xml",
            "res/",
            "lib/arm64-v8a/libx.so",
            "a..b",
        ] {
            assert!(check_name(good).is_ok(), "{good:?}");
        }
    }
}
