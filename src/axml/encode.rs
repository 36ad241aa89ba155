//! Writing a document back: the XML header, the prelude chunks in their original order,
//! the nodes, then whatever followed the XML chunk.
//!
//! ```text
//! [0x0003 header + kept header bytes][prelude chunks…][node chunks…] | [trailing bytes]
//!  size = everything up to the bar, recomputed from the parts
//! ```
//!
//! Every size, count and offset is recomputed from the model; because the model keeps
//! each byte it does not interpret, an unedited document comes out byte for byte as it
//! went in (tested on every fixture manifest and on all of framework-res.apk's XML).

use super::chunk::{CHUNK_HEADER_SIZE, RES_XML_TYPE, begin_chunk, finish_chunk};
use super::document::{Document, Prelude};
use super::error::Result;

impl Document {
    /// Encodes the document as binary XML.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.size_hint());
        let start = begin_chunk(
            &mut out,
            RES_XML_TYPE,
            CHUNK_HEADER_SIZE + self.header_extra.len(),
        )?;
        out.extend_from_slice(&self.header_extra);
        for chunk in &self.prelude {
            match chunk {
                Prelude::StringPool => self.pool.encode(&mut out)?,
                Prelude::ResourceMap => {
                    if let Some(map) = &self.resource_map {
                        map.encode(&mut out)?;
                    }
                }
                Prelude::Unknown(raw) => out.extend_from_slice(&raw.bytes),
            }
        }
        for node in &self.nodes {
            node.encode(&mut out)?;
        }
        finish_chunk(&mut out, start)?;
        out.extend_from_slice(&self.trailing);
        Ok(out)
    }

    /// A rough output size, so encoding allocates once in the common case.
    fn size_hint(&self) -> usize {
        self.pool.len() * 24 + self.nodes.len() * 64 + self.trailing.len() + 1024
    }
}
