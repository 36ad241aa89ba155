//! Raw chunk headers (`ResChunk_header`) and the bounded little-endian reading and
//! writing every other file builds on.
//!
//! ```text
//! offset  size  field
//! 0       2     type        0x0003 XML · 0x0001 string pool · 0x0180 resource map
//!                           0x0100/0x0101 start/end namespace · 0x0102/0x0103 start/end
//!                           element · 0x0104 CDATA
//! 2       2     headerSize  bytes of this chunk's header: ≥ the structure's size, multiple of 4
//! 4       4     size        bytes of the whole chunk, header included: ≥ headerSize,
//!                           multiple of 4, inside the enclosing chunk
//! 8       …     rest of the header (headerSize − 8 bytes), then the body (size − headerSize)
//! ```
//!
//! The checks are those of AOSP `validate_chunk` (libs/androidfw/ResourceTypes.cpp), so
//! anything accepted here the platform accepts too; they also guarantee that walking a
//! chunk sequence always advances (size ≥ headerSize ≥ 8), so a zero-size chunk cannot loop.

use super::error::{Error, Result};

pub const RES_STRING_POOL_TYPE: u16 = 0x0001;
pub const RES_XML_TYPE: u16 = 0x0003;
pub const RES_XML_START_NAMESPACE_TYPE: u16 = 0x0100;
pub const RES_XML_END_NAMESPACE_TYPE: u16 = 0x0101;
pub const RES_XML_START_ELEMENT_TYPE: u16 = 0x0102;
pub const RES_XML_END_ELEMENT_TYPE: u16 = 0x0103;
pub const RES_XML_CDATA_TYPE: u16 = 0x0104;
pub const RES_XML_RESOURCE_MAP_TYPE: u16 = 0x0180;

/// Size of `ResChunk_header`.
pub const CHUNK_HEADER_SIZE: usize = 8;

/// A string reference (`ResStringPool_ref`) meaning "no string".
pub const NO_STRING: u32 = 0xFFFF_FFFF;

/// A validated chunk header. `offset` is absolute in the document, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkHeader {
    pub chunk_type: u16,
    pub header_size: usize,
    pub size: usize,
    pub offset: usize,
}

impl ChunkHeader {
    /// Reads and validates the chunk header at the start of `region`, which runs to the
    /// end of the enclosing chunk. `min_header` is the size of the structure the chunk
    /// type needs in its header.
    pub fn read(
        region: &[u8],
        offset: usize,
        min_header: usize,
        what: &'static str,
    ) -> Result<Self> {
        let r = Reader::new(region, offset);
        let chunk_type = r.u16(0, what)?;
        let header_size = usize::from(r.u16(2, what)?);
        let size = r.u32(4, what)? as usize;
        let lie = |problem: String| Error::ChunkSize {
            offset,
            what,
            problem,
        };
        if header_size < min_header {
            return Err(lie(format!(
                "header size {header_size} is smaller than the {min_header} bytes it must hold"
            )));
        }
        if size < header_size {
            return Err(lie(format!(
                "total size {size} is smaller than its header size {header_size}"
            )));
        }
        if (header_size | size) & 3 != 0 {
            return Err(lie(format!(
                "header size {header_size} or total size {size} is not a multiple of 4"
            )));
        }
        if size > region.len() {
            return Err(lie(format!(
                "total size {size} runs past the {} bytes that remain in its parent",
                region.len()
            )));
        }
        Ok(Self {
            chunk_type,
            header_size,
            size,
            offset,
        })
    }
}

/// Bounded little-endian reads from a slice that starts at absolute offset `base`.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    base: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], base: usize) -> Self {
        Self { bytes, base }
    }

    pub fn slice(&self, at: usize, len: usize, what: &'static str) -> Result<&'a [u8]> {
        at.checked_add(len)
            .and_then(|end| self.bytes.get(at..end))
            .ok_or(Error::Truncated {
                offset: self.base.saturating_add(at),
                what,
                need: len,
                have: self.bytes.len().saturating_sub(at),
            })
    }

    pub fn u8(&self, at: usize, what: &'static str) -> Result<u8> {
        let b = self.slice(at, 1, what)?;
        Ok(b.first().copied().unwrap_or_default())
    }

    pub fn u16(&self, at: usize, what: &'static str) -> Result<u16> {
        Ok(le_u16(self.slice(at, 2, what)?))
    }

    pub fn u32(&self, at: usize, what: &'static str) -> Result<u32> {
        Ok(le_u32(self.slice(at, 4, what)?))
    }
}

/// A chunk kept verbatim: types fuse does not interpret (Android skips them too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawChunk {
    pub chunk_type: u16,
    /// The whole chunk, header included.
    pub bytes: Vec<u8>,
}

/// A little-endian u32 from exactly 4 bytes (callers slice with `chunks_exact(4)` or a
/// checked `get`); anything else reads as 0.
pub fn le_u32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes.try_into().unwrap_or([0; 4]))
}

/// A little-endian u16 from exactly 2 bytes; anything else reads as 0.
pub fn le_u16(bytes: &[u8]) -> u16 {
    u16::from_le_bytes(bytes.try_into().unwrap_or([0; 2]))
}

pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A length or offset as the u32 the format stores, or a clear error.
pub fn to_u32(n: usize, what: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::TooLarge {
        problem: format!("{what} of {n} bytes does not fit the format's 32-bit field"),
    })
}

/// A header size as the u16 the format stores, or a clear error.
pub fn to_u16(n: usize, what: &str) -> Result<u16> {
    u16::try_from(n).map_err(|_| Error::TooLarge {
        problem: format!("{what} of {n} does not fit the format's 16-bit field"),
    })
}

/// Writes a chunk header whose `size` is patched by [`finish_chunk`].
pub fn begin_chunk(out: &mut Vec<u8>, chunk_type: u16, header_size: usize) -> Result<usize> {
    let start = out.len();
    put_u16(out, chunk_type);
    put_u16(out, to_u16(header_size, "chunk header size")?);
    put_u32(out, 0);
    Ok(start)
}

/// Patches the size of the chunk begun at `start` to everything written since.
pub fn finish_chunk(out: &mut [u8], start: usize) -> Result<()> {
    let size = to_u32(out.len().saturating_sub(start), "chunk")?;
    if let Some(field) = out.get_mut(start + 4..start + 8) {
        field.copy_from_slice(&size.to_le_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(t: u16, hs: u16, size: u32) -> Vec<u8> {
        let mut v = Vec::new();
        put_u16(&mut v, t);
        put_u16(&mut v, hs);
        put_u32(&mut v, size);
        v
    }

    #[test]
    fn accepts_a_consistent_header() {
        let mut b = header(0x0102, 16, 24);
        b.resize(24, 0);
        let h = ChunkHeader::read(&b, 0x40, 16, "node").unwrap();
        assert_eq!((h.chunk_type, h.header_size, h.size), (0x0102, 16, 24));
    }

    #[test]
    fn rejects_every_validate_chunk_violation() {
        let cases = [
            (header(1, 4, 8), "smaller than the 8"),
            (header(1, 16, 12), "smaller than its header"),
            (header(1, 10, 12), "multiple of 4"),
            (header(1, 8, 64), "runs past"),
            (header(1, 8, 0), "smaller than its header"),
        ];
        for (b, want) in cases {
            let e = ChunkHeader::read(&b, 0, 8, "test").unwrap_err();
            assert_eq!(e.kind(), "chunk-size");
            assert!(e.to_string().contains(want), "{e}");
        }
    }

    #[test]
    fn short_input_is_truncated_not_a_panic() {
        let e = ChunkHeader::read(&[3, 0, 8], 0, 8, "test").unwrap_err();
        assert_eq!(e.kind(), "truncated");
    }

    #[test]
    fn reader_bounds_every_read() {
        let r = Reader::new(&[1, 2, 3], 100);
        assert_eq!(r.u16(0, "x").unwrap(), 0x0201);
        assert!(r.u32(0, "x").is_err());
        assert!(r.slice(usize::MAX, 2, "x").is_err());
    }

    #[test]
    fn finish_chunk_patches_the_size() {
        let mut out = vec![0xAA];
        let s = begin_chunk(&mut out, 0x0180, 8).unwrap();
        put_u32(&mut out, 7);
        finish_chunk(&mut out, s).unwrap();
        assert_eq!(&out[1..], &[0x80, 0x01, 8, 0, 12, 0, 0, 0, 7, 0, 0, 0]);
    }
}
