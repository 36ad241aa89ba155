//! Raw on-disk ZIP records, exactly as they sit in the file (all integers little-endian).
//!
//! ```text
//! local file header (30 + n + m)         central directory header (46 + n + m + k)
//!  0 u32 0x04034b50                       0 u32 0x02014b50
//!  4 u16 version needed                   4 u16 version made by
//!  6 u16 flags (bit 0 encrypted,          6 u16 version needed
//!        bit 3 data descriptor)           8 u16 flags
//!  8 u16 method (0 stored, 8 deflate)    10 u16 method
//! 10 u16 time  12 u16 date               12 u16 time  14 u16 date
//! 14 u32 crc-32                          16 u32 crc-32
//! 18 u32 compressed size                 20 u32 compressed size
//! 22 u32 uncompressed size               24 u32 uncompressed size
//! 26 u16 name length n                   28 u16 name length n  30 u16 extra length m
//! 28 u16 extra length m                  32 u16 comment length k  34 u16 disk number start
//! 30 name, extra                         36 u16 internal attrs  38 u32 external attrs
//!                                        42 u32 local header offset  46 name, extra, comment
//! data descriptor (after the data, only with flag bit 3): [u32 0x08074b50] u32 crc,
//!                                        u32 compressed size, u32 uncompressed size
//! end of central directory (22 + k)
//!  0 u32 0x06054b50   4 u16 this disk   6 u16 disk of CD   8 u16 entries on this disk
//! 10 u16 entries total  12 u32 CD size  16 u32 CD offset  20 u16 comment length k  22 comment
//! ```
//! Values 0xffff / 0xffffffff in these fields mean "see the ZIP64 records", which APKs may
//! not use (apksig refuses ZIP64).

pub const LOCAL_HEADER_SIG: u32 = 0x0403_4b50;
pub const CENTRAL_HEADER_SIG: u32 = 0x0201_4b50;
pub const EOCD_SIG: u32 = 0x0605_4b50;
pub const ZIP64_EOCD_LOCATOR_SIG: u32 = 0x0706_4b50;
pub const DATA_DESCRIPTOR_SIG: u32 = 0x0807_4b50;

pub const LOCAL_HEADER_LEN: usize = 30;
pub const CENTRAL_HEADER_LEN: usize = 46;
pub const EOCD_LEN: usize = 22;
pub const ZIP64_EOCD_LOCATOR_LEN: usize = 20;

pub const FLAG_ENCRYPTED: u16 = 0x0001;
pub const FLAG_DATA_DESCRIPTOR: u16 = 0x0008;
pub const FLAG_STRONG_ENCRYPTION: u16 = 0x0040;
pub const FLAG_UTF8: u16 = 0x0800;

pub const METHOD_STORED: u16 = 0;
pub const METHOD_DEFLATED: u16 = 8;

/// Little-endian cursor over a byte slice; every read is bounds-checked.
#[derive(Debug, Clone)]
pub struct Le<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Le<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }
    pub fn pos(&self) -> usize {
        self.pos
    }
    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    pub fn u16(&mut self) -> Option<u16> {
        self.take(2)
            .and_then(|b| b.try_into().ok())
            .map(u16::from_le_bytes)
    }
    pub fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    }
    pub fn u64(&mut self) -> Option<u64> {
        self.take(8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    }
}

/// The fixed part of the end-of-central-directory record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eocd {
    pub disk: u16,
    pub cd_disk: u16,
    pub entries_on_disk: u16,
    pub entries_total: u16,
    pub cd_size: u32,
    pub cd_offset: u32,
    pub comment_len: u16,
}

impl Eocd {
    /// Parses the 22 fixed bytes (signature included).
    pub fn parse(b: &[u8]) -> Option<Self> {
        let mut r = Le::new(b);
        if r.u32()? != EOCD_SIG {
            return None;
        }
        Some(Self {
            disk: r.u16()?,
            cd_disk: r.u16()?,
            entries_on_disk: r.u16()?,
            entries_total: r.u16()?,
            cd_size: r.u32()?,
            cd_offset: r.u32()?,
            comment_len: r.u16()?,
        })
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&EOCD_SIG.to_le_bytes());
        out.extend_from_slice(&self.disk.to_le_bytes());
        out.extend_from_slice(&self.cd_disk.to_le_bytes());
        out.extend_from_slice(&self.entries_on_disk.to_le_bytes());
        out.extend_from_slice(&self.entries_total.to_le_bytes());
        out.extend_from_slice(&self.cd_size.to_le_bytes());
        out.extend_from_slice(&self.cd_offset.to_le_bytes());
        out.extend_from_slice(&self.comment_len.to_le_bytes());
    }
}

/// Byte offset of the CD-offset field inside the EOCD (patched for the v2/v3 digest).
pub const EOCD_CD_OFFSET_FIELD: usize = 16;

/// A central directory header's fixed fields (the variable parts are kept as slices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentralHeader {
    pub version_made_by: u16,
    pub version_needed: u16,
    pub flags: u16,
    pub method: u16,
    pub time: u16,
    pub date: u16,
    pub crc32: u32,
    pub compressed_size: u32,
    pub uncompressed_size: u32,
    pub name_len: u16,
    pub extra_len: u16,
    pub comment_len: u16,
    pub disk_start: u16,
    pub internal_attrs: u16,
    pub external_attrs: u32,
    pub local_header_offset: u32,
}

impl CentralHeader {
    pub fn parse(r: &mut Le<'_>) -> Option<Self> {
        if r.u32()? != CENTRAL_HEADER_SIG {
            return None;
        }
        Some(Self {
            version_made_by: r.u16()?,
            version_needed: r.u16()?,
            flags: r.u16()?,
            method: r.u16()?,
            time: r.u16()?,
            date: r.u16()?,
            crc32: r.u32()?,
            compressed_size: r.u32()?,
            uncompressed_size: r.u32()?,
            name_len: r.u16()?,
            extra_len: r.u16()?,
            comment_len: r.u16()?,
            disk_start: r.u16()?,
            internal_attrs: r.u16()?,
            external_attrs: r.u32()?,
            local_header_offset: r.u32()?,
        })
    }

    /// Writes the fixed part; the caller appends name, extra and comment of the stated lengths.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&CENTRAL_HEADER_SIG.to_le_bytes());
        for v in [
            self.version_made_by,
            self.version_needed,
            self.flags,
            self.method,
            self.time,
            self.date,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.crc32, self.compressed_size, self.uncompressed_size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [
            self.name_len,
            self.extra_len,
            self.comment_len,
            self.disk_start,
            self.internal_attrs,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.external_attrs.to_le_bytes());
        out.extend_from_slice(&self.local_header_offset.to_le_bytes());
    }
}

/// A local file header's fixed fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalHeader {
    pub version_needed: u16,
    pub flags: u16,
    pub method: u16,
    pub time: u16,
    pub date: u16,
    pub crc32: u32,
    pub compressed_size: u32,
    pub uncompressed_size: u32,
    pub name_len: u16,
    pub extra_len: u16,
}

impl LocalHeader {
    pub fn parse(b: &[u8]) -> Option<Self> {
        let mut r = Le::new(b);
        if r.u32()? != LOCAL_HEADER_SIG {
            return None;
        }
        Some(Self {
            version_needed: r.u16()?,
            flags: r.u16()?,
            method: r.u16()?,
            time: r.u16()?,
            date: r.u16()?,
            crc32: r.u32()?,
            compressed_size: r.u32()?,
            uncompressed_size: r.u32()?,
            name_len: r.u16()?,
            extra_len: r.u16()?,
        })
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&LOCAL_HEADER_SIG.to_le_bytes());
        for v in [
            self.version_needed,
            self.flags,
            self.method,
            self.time,
            self.date,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.crc32, self.compressed_size, self.uncompressed_size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.name_len.to_le_bytes());
        out.extend_from_slice(&self.extra_len.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eocd_round_trips() {
        let e = Eocd {
            disk: 0,
            cd_disk: 0,
            entries_on_disk: 3,
            entries_total: 3,
            cd_size: 200,
            cd_offset: 1000,
            comment_len: 0,
        };
        let mut v = Vec::new();
        e.write(&mut v);
        assert_eq!(v.len(), EOCD_LEN);
        assert_eq!(Eocd::parse(&v), Some(e));
    }

    #[test]
    fn short_input_is_none_not_a_panic() {
        assert_eq!(Eocd::parse(&[0x50, 0x4b, 5, 6, 0]), None);
        assert_eq!(LocalHeader::parse(&[]), None);
    }
}
