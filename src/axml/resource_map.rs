//! The resource map (`RES_XML_RESOURCE_MAP_TYPE`): the resource id of the attribute
//! whose name is string *i* of the pool.
//!
//! ```text
//! offset      size   field
//! 0           8      chunk header: type 0x0180, headerSize (8), size
//! headerSize  4·n    u32 resource id of string #0, #1, … #n−1
//! ```
//!
//! The platform (`ResXMLParser::getAttributeNameResID`) looks an attribute up by its
//! *name's string index*: an index below n gets `ids[index]`, anything else id 0. So
//! every attribute name that carries a resource id must be one of the first n strings,
//! and a string added there shifts every later string index by one. aapt2 puts those
//! names first in the pool, sorted by id (`XmlFlattener`); the platform does not need the
//! map sorted.

use super::chunk::{
    ChunkHeader, RES_XML_RESOURCE_MAP_TYPE, begin_chunk, finish_chunk, le_u32, put_u32,
};
use super::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceMap {
    pub(crate) header_extra: Vec<u8>,
    /// `ids[i]` is the resource id of the attribute named by string #i (0 = none).
    pub ids: Vec<u32>,
}

impl ResourceMap {
    /// Decodes the chunk `chunk` (exactly `header.size` bytes, sizes already validated as
    /// multiples of 4).
    pub fn decode(chunk: &[u8], header: ChunkHeader) -> Self {
        let header_extra = chunk
            .get(8..header.header_size)
            .unwrap_or_default()
            .to_vec();
        let ids = chunk
            .get(header.header_size..)
            .unwrap_or_default()
            .chunks_exact(4)
            .map(le_u32)
            .collect();
        Self { header_extra, ids }
    }

    /// The resource id of the attribute named by string `index`, if it has one.
    pub fn id_of(&self, index: u32) -> Option<u32> {
        self.ids.get(index as usize).copied().filter(|&id| id != 0)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn encode(&self, out: &mut Vec<u8>) -> Result<()> {
        let start = begin_chunk(out, RES_XML_RESOURCE_MAP_TYPE, 8 + self.header_extra.len())?;
        out.extend_from_slice(&self.header_extra);
        for &id in &self.ids {
            put_u32(out, id);
        }
        finish_chunk(out, start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_answers_ids() {
        let bytes = [
            0x80, 0x01, 0x08, 0x00, 0x10, 0, 0, 0, 0x03, 0, 0x01, 0x01, 0, 0, 0, 0,
        ];
        let h = ChunkHeader::read(&bytes, 0, 8, "resource map").unwrap();
        let m = ResourceMap::decode(&bytes, h);
        assert_eq!(m.ids, vec![0x0101_0003, 0]);
        assert_eq!(m.id_of(0), Some(0x0101_0003));
        assert_eq!(m.id_of(1), None, "0 means no id");
        assert_eq!(m.id_of(7), None);
        let mut out = Vec::new();
        m.encode(&mut out).unwrap();
        assert_eq!(out, bytes);
    }
}
