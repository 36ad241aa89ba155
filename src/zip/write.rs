//! Deterministic, aligned ZIP writing: raw copies of existing entries and new entries.
//!
//! ```text
//! | LFH' data | LFH' data | ... | (caller: padding, signing block) | CD | EOCD |
//!   LFH' = the input's local header with its extra field rebuilt when the data of a
//!          stored entry must move to an alignment boundary (0xd935 field, as zipalign)
//! ```
//! The writer never recompresses an existing entry: its local header, data and data
//! descriptor are copied byte for byte; only the extra field may change, and in the
//! central record only the local-header offset. New entries get fixed timestamps.

use std::fs::File;
use std::io::Write;

use super::dos_time::DosTime;
use super::error::ZipError;
use super::extra;
use super::read::{Archive, Entry};
use super::records::{
    CentralHeader, EOCD_LEN, Eocd, FLAG_UTF8, LOCAL_HEADER_LEN, LocalHeader, METHOD_DEFLATED,
    METHOD_STORED,
};

/// How a new entry's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    Stored,
    Deflated,
}

/// Where a [`ZipWriter`] puts its bytes.
pub trait ZipSink: Write {
    /// Appends the bytes of `src` at `offset`, which the caller has read as `data`
    /// (for hashing). The default writes `data`; a file sink can copy inside the kernel.
    fn append_copy(&mut self, _src: &File, _offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.write_all(data)
    }

    /// Appends `len` bytes of `input` from `offset` (raw entry data). The default reads
    /// them in blocks of `scratch` (1 MiB) and hands each to [`ZipSink::append_copy`]; a
    /// sink with buffers of its own reads straight into them.
    fn append_from(
        &mut self,
        input: &Archive,
        offset: u64,
        len: u64,
        scratch: &mut Vec<u8>,
    ) -> Result<(), ZipError> {
        const BLOCK: u64 = 1 << 20;
        if scratch.len() < BLOCK as usize {
            scratch.resize(BLOCK as usize, 0);
        }
        let mut pos = offset;
        let end = offset + len;
        while pos < end {
            let n = (end - pos).min(BLOCK) as usize;
            let chunk = scratch.get_mut(..n).unwrap_or_default();
            input.read_at(pos, chunk)?;
            self.append_copy(input.file(), pos, chunk)
                .map_err(ZipError::Write)?;
            pos += n as u64;
        }
        Ok(())
    }

    /// Told just before an entry's data: the next `data.compressed_size` bytes appended
    /// are that entry's (compressed) data. Default: ignored.
    fn entry_data(&mut self, _data: &EntryData<'_>) {}
}

/// An entry whose data comes next (see [`ZipSink::entry_data`]).
#[derive(Debug, Clone, Copy)]
pub struct EntryData<'a> {
    pub name: &'a str,
    /// Offset of the data in the writer's output.
    pub data_offset: u64,
    pub method: u16,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub crc32: u32,
}

impl ZipSink for Vec<u8> {}

/// What was written for one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub local_offset: u64,
    pub data_offset: u64,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
}

/// Streams entries into `out`, tracking the offset and building the central directory.
pub struct ZipWriter<W: ZipSink> {
    out: W,
    offset: u64,
    cd: Vec<u8>,
    count: usize,
    time: DosTime,
    copy_buf: Vec<u8>,
}

impl<W: ZipSink> ZipWriter<W> {
    pub fn new(out: W, time: DosTime) -> Self {
        Self {
            out,
            offset: 0,
            cd: Vec::new(),
            count: 0,
            time,
            copy_buf: Vec::new(),
        }
    }

    /// Bytes written so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn entry_count(&self) -> usize {
        self.count
    }

    /// Writes raw bytes (padding, a signing block) at the current offset.
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<(), ZipError> {
        self.out.write_all(bytes).map_err(ZipError::Write)?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// Copies entry `e` of `input` byte for byte; a stored entry's data is moved to a
    /// multiple of `align` (1 = leave as is) by rebuilding the local extra field.
    pub fn copy_entry(
        &mut self,
        input: &Archive,
        e: &Entry,
        align: u16,
    ) -> Result<Written, ZipError> {
        let local_offset = self.offset;
        let name_len = e.name.len() as u64;
        let extra_start = local_offset + LOCAL_HEADER_LEN as u64 + name_len;
        let natural_data = extra_start + e.local_extra.len() as u64;
        let rebuilt;
        let extra: &[u8] =
            if e.is_stored() && align > 1 && !natural_data.is_multiple_of(u64::from(align)) {
                rebuilt = extra::aligned(&e.local_extra, extra_start, align);
                &rebuilt
            } else {
                &e.local_extra
            };
        let extra_len = u16::try_from(extra.len()).map_err(|_| ZipError::Unwritable {
            name: e.name.clone(),
            why: "its extra field would exceed 65535 bytes".to_owned(),
        })?;
        let offset32 = self.offset32(&e.name)?;
        let mut header = Vec::with_capacity(LOCAL_HEADER_LEN + e.name.len() + extra.len());
        LocalHeader {
            extra_len,
            ..e.local
        }
        .write(&mut header);
        header.extend_from_slice(e.name.as_bytes());
        header.extend_from_slice(extra);
        self.write_raw(&header)?;
        let data_offset = self.offset;

        // Data (and data descriptor) exactly as in the input.
        self.out.entry_data(&EntryData {
            name: &e.name,
            data_offset,
            method: e.central.method,
            compressed_size: e.compressed_size(),
            uncompressed_size: e.uncompressed_size(),
            crc32: e.crc32(),
        });
        let len = e.end() - e.data_offset;
        let mut buf = std::mem::take(&mut self.copy_buf);
        let copied = self.out.append_from(input, e.data_offset, len, &mut buf);
        self.copy_buf = buf;
        copied?;
        self.offset += len;

        // Central record as in the input, with the new local header offset.
        let at = self.cd.len();
        self.cd.extend_from_slice(input.central_record(e));
        if let Some(field) = self.cd.get_mut(at + 42..at + 46) {
            field.copy_from_slice(&offset32.to_le_bytes());
        }
        self.count += 1;
        Ok(Written {
            local_offset,
            data_offset,
            crc32: e.crc32(),
            compressed_size: e.compressed_size(),
            uncompressed_size: e.uncompressed_size(),
        })
    }

    /// Writes a new entry from `data`; stored data starts at a multiple of `align`.
    pub fn add_entry(
        &mut self,
        name: &str,
        data: &[u8],
        compression: Compression,
        align: u16,
    ) -> Result<Written, ZipError> {
        self.add_entry_deflated_as(name, data, compression, align, None)
    }

    /// [`ZipWriter::add_entry`] of a deflated entry whose raw-deflate bytes the caller
    /// already made (with [`deflate`], e.g. several files on several cores).
    pub fn add_deflated(
        &mut self,
        name: &str,
        data: &[u8],
        deflated: &[u8],
    ) -> Result<Written, ZipError> {
        self.add_entry_deflated_as(name, data, Compression::Deflated, 1, Some(deflated))
    }

    fn add_entry_deflated_as(
        &mut self,
        name: &str,
        data: &[u8],
        compression: Compression,
        align: u16,
        deflated: Option<&[u8]>,
    ) -> Result<Written, ZipError> {
        let unwritable = |why: &str| ZipError::Unwritable {
            name: name.to_owned(),
            why: why.to_owned(),
        };
        super::read::check_name(name).map_err(unwritable)?;
        let name_len = u16::try_from(name.len()).map_err(|_| unwritable("name too long"))?;
        let size = u32::try_from(data.len())
            .ok()
            .filter(|&s| s != u32::MAX)
            .ok_or_else(|| unwritable("4 GiB or more would need ZIP64, which APKs cannot use"))?;
        let crc32 = crc32fast::hash(data);
        let compressed;
        let (method, payload): (u16, &[u8]) = match compression {
            Compression::Stored => (METHOD_STORED, data),
            Compression::Deflated => match deflated {
                Some(bytes) => (METHOD_DEFLATED, bytes),
                None => {
                    compressed = deflate(data).map_err(ZipError::Write)?;
                    (METHOD_DEFLATED, &compressed)
                }
            },
        };
        let compressed_size = payload.len() as u32;
        let local_offset = self.offset;
        let offset32 = self.offset32(name)?;
        let extra_start = local_offset + LOCAL_HEADER_LEN as u64 + u64::from(name_len);
        let extra = if method == METHOD_STORED
            && align > 1
            && !extra_start.is_multiple_of(u64::from(align))
        {
            extra::aligned(&[], extra_start, align)
        } else {
            Vec::new()
        };
        let extra_len = extra.len() as u16;
        let flags = if name.is_ascii() { 0 } else { FLAG_UTF8 };
        let version_needed = if method == METHOD_DEFLATED { 20 } else { 10 };
        let mut header = Vec::with_capacity(LOCAL_HEADER_LEN + name.len() + extra.len());
        LocalHeader {
            version_needed,
            flags,
            method,
            time: self.time.time,
            date: self.time.date,
            crc32,
            compressed_size,
            uncompressed_size: size,
            name_len,
            extra_len,
        }
        .write(&mut header);
        header.extend_from_slice(name.as_bytes());
        header.extend_from_slice(&extra);
        self.write_raw(&header)?;
        let data_offset = self.offset;
        self.out.entry_data(&EntryData {
            name,
            data_offset,
            method,
            compressed_size: u64::from(compressed_size),
            uncompressed_size: u64::from(size),
            crc32,
        });
        self.write_raw(payload)?;

        CentralHeader {
            version_made_by: version_needed,
            version_needed,
            flags,
            method,
            time: self.time.time,
            date: self.time.date,
            crc32,
            compressed_size,
            uncompressed_size: size,
            name_len,
            extra_len: 0,
            comment_len: 0,
            disk_start: 0,
            internal_attrs: 0,
            external_attrs: 0,
            local_header_offset: offset32,
        }
        .write(&mut self.cd);
        self.cd.extend_from_slice(name.as_bytes());
        self.count += 1;
        Ok(Written {
            local_offset,
            data_offset,
            crc32,
            compressed_size: u64::from(compressed_size),
            uncompressed_size: u64::from(size),
        })
    }

    fn offset32(&self, name: &str) -> Result<u32, ZipError> {
        u32::try_from(self.offset)
            .ok()
            .filter(|&o| o != u32::MAX)
            .ok_or_else(|| ZipError::Unwritable {
                name: name.to_owned(),
                why: "the archive would pass 4 GiB, which needs ZIP64 (not allowed in APKs)"
                    .to_owned(),
            })
    }

    /// The central directory built so far and the EOCD for a CD placed at `cd_offset`.
    pub fn finish_records(&self, cd_offset: u64) -> Result<(Vec<u8>, Vec<u8>), ZipError> {
        let too_big = |why: &str| ZipError::Unwritable {
            name: "(central directory)".to_owned(),
            why: why.to_owned(),
        };
        let count = u16::try_from(self.count)
            .ok()
            .filter(|&c| c != u16::MAX)
            .ok_or_else(|| too_big("more than 65534 entries would need ZIP64"))?;
        let cd_size = u32::try_from(self.cd.len()).map_err(|_| too_big("too large"))?;
        let cd_offset = u32::try_from(cd_offset)
            .ok()
            .filter(|&o| o != u32::MAX)
            .ok_or_else(|| too_big("the archive would pass 4 GiB (ZIP64)"))?;
        let mut eocd = Vec::with_capacity(EOCD_LEN);
        Eocd {
            disk: 0,
            cd_disk: 0,
            entries_on_disk: count,
            entries_total: count,
            cd_size,
            cd_offset,
            comment_len: 0,
        }
        .write(&mut eocd);
        Ok((self.cd.clone(), eocd))
    }

    /// The underlying writer (after the caller wrote everything).
    pub fn into_inner(self) -> W {
        self.out
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }
}

/// Test archives built in memory.
#[cfg(test)]
impl ZipWriter<Vec<u8>> {
    /// The whole archive: the entries written so far, their central directory, the EOCD.
    pub(crate) fn into_archive_bytes(self) -> Vec<u8> {
        let (cd, eocd) = self
            .finish_records(self.offset())
            .expect("the records of a test archive");
        let mut bytes = self.into_inner();
        bytes.extend_from_slice(&cd);
        bytes.extend_from_slice(&eocd);
        bytes
    }
}

/// Raw deflate at zlib's default level 6 (level 9 costs several times the time for ~1%).
pub fn deflate(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(data.len() / 2 + 64),
        flate2::Compression::default(),
    );
    enc.write_all(data)?;
    enc.finish()
}

/// Raw deflate at level 1, for large generated text fuse writes on every signing (the v1
/// `MANIFEST.MF` and `.SF`, ~2 MB each for 21,000 entries): ~2.6× faster than level 6 for
/// ~3 % more bytes, and these files sit on the critical path between the last entry and
/// the signing block.
pub fn deflate_fast(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(data.len() / 2 + 64),
        flate2::Compression::fast(),
    );
    enc.write_all(data)?;
    enc.finish()
}

/// Below this, [`deflate_fast_in_halves`] deflates in one piece: two threads cost more
/// than they save on a small file.
const HALVES_MIN: usize = 256 << 10;

/// [`deflate_fast`] with the two halves of `data` compressed independently, on two cores
/// when both are free (pigz's way). The first half ends in a sync flush — an empty stored
/// block, byte-aligned and not final — so the second half's blocks continue the same raw
/// deflate stream, and any inflater reads the two as one. The second half starts without
/// the first's 32 KiB window (~0.1 % more bytes on a 2 MB `MANIFEST.MF`). The cut is at
/// the middle, so the bytes depend on `data` alone.
pub fn deflate_fast_in_halves(data: &[u8]) -> std::io::Result<Vec<u8>> {
    if data.len() < HALVES_MIN {
        return deflate_fast(data);
    }
    let (first, second) = data.split_at(data.len() / 2);
    let (first, second) = rayon::join(
        || deflate_part(first, flate2::FlushCompress::Sync),
        || deflate_part(second, flate2::FlushCompress::Finish),
    );
    let mut out = first?;
    out.extend_from_slice(&second?);
    Ok(out)
}

/// Raw deflate (level 1) of `data`, ended by `flush`: `Sync` leaves the stream open at a
/// byte boundary, `Finish` closes it with a final block.
fn deflate_part(data: &[u8], flush: flate2::FlushCompress) -> std::io::Result<Vec<u8>> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let mut z = Compress::new(Compression::fast(), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        let fed = usize::try_from(z.total_in()).unwrap_or(usize::MAX);
        let rest = data.get(fed..).unwrap_or_default();
        let status = z
            .compress_vec(rest, &mut out, flush)
            .map_err(std::io::Error::other)?;
        let all_in = usize::try_from(z.total_in()) == Ok(data.len());
        let room_left = out.len() < out.capacity();
        match status {
            Status::StreamEnd => return Ok(out),
            // zlib's rule: a flush is complete when the call returned with output space
            // to spare.
            Status::Ok if flush == FlushCompress::Sync && all_in && room_left => return Ok(out),
            Status::BufError if room_left => {
                return Err(std::io::Error::other("deflate made no progress"));
            }
            _ => {}
        }
        if !room_left {
            out.reserve(out.capacity().max(64 << 10));
        }
    }
}

/// The alignment Android wants for a stored entry's data: native libraries on a 16 KiB
/// page boundary (Android 15+ 16 KiB page devices map them in place), everything else 4.
pub fn default_alignment(name: &str) -> u16 {
    if name.ends_with(".so") { 16384 } else { 4 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    fn inflate(raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(raw)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    /// MANIFEST.MF-like text: what the halves are for.
    fn manifest_text(entries: usize) -> Vec<u8> {
        let mut text = b"Manifest-Version: 1.0\r\nCreated-By: fuse\r\n\r\n".to_vec();
        for i in 0..entries {
            text.extend_from_slice(
                format!(
                    "Name: res/raw/f{i:05}.txt\r\nSHA-256-Digest: {:044}\r\n\r\n",
                    i * 7919
                )
                .as_bytes(),
            );
        }
        text
    }

    #[test]
    fn halves_inflate_to_the_input_as_one_stream() {
        for data in [
            Vec::new(),
            b"short".to_vec(),
            manifest_text(2_000),
            manifest_text(21_000),
            manifest_text(21_001),
        ] {
            let halves = deflate_fast_in_halves(&data).unwrap();
            assert_eq!(inflate(&halves), data, "{} bytes", data.len());
        }
    }

    #[test]
    fn halves_are_deterministic_and_cost_little_ratio() {
        let data = manifest_text(21_000);
        let halves = deflate_fast_in_halves(&data).unwrap();
        assert_eq!(halves, deflate_fast_in_halves(&data).unwrap());
        let whole = deflate_fast(&data).unwrap();
        assert!(
            halves.len() <= whole.len() + whole.len() / 100,
            "{} vs {}",
            halves.len(),
            whole.len()
        );
    }

    #[test]
    fn incompressible_halves_grow_the_buffer_and_still_inflate() {
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let data: Vec<u8> = (0..(1 << 20))
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let halves = deflate_fast_in_halves(&data).unwrap();
        assert!(halves.len() > data.len());
        assert_eq!(inflate(&halves), data);
    }
}
