//! Start-element nodes (`ResXMLTree_attrExt` + `ResXMLTree_attribute[]`): an element's
//! name and its attributes.
//!
//! ```text
//! offset (from the extension)  size  field
//! 0                            4     ns               string index or 0xFFFFFFFF
//! 4                            4     name             string index
//! 8                            2     attributeStart   from the extension: 20
//! 10                           2     attributeSize    20 (anything else is refused)
//! 12                           2     attributeCount
//! 14                           2     idIndex          1-based attribute index, 0 = none
//! 16                           2     classIndex       1-based, 0 = none
//! 18                           2     styleIndex       1-based, 0 = none
//! attributeStart + 20·i              attribute i:
//!   0   4  ns          string index or 0xFFFFFFFF
//!   4   4  name        string index (its resource id comes from the resource map)
//!   8   4  rawValue    string index or 0xFFFFFFFF (aapt keeps it for strings)
//!   12  8  typedValue  Res_value (value.rs)
//! ```
//!
//! Attributes are sorted by resource id, attributes without one after them: the
//! platform's `BackTrackingAttributeFinder` walks them in that order and misses
//! anything out of order.

use super::chunk::{Reader, put_u16, put_u32, to_u16};
use super::error::{Error, Result};
use super::node::NodeHeader;
use super::value::{RES_VALUE_SIZE, Value};

/// `ResXMLTree_attrExt` size.
pub const ATTR_EXT_SIZE: usize = 20;
/// `ResXMLTree_attribute` size.
pub const ATTRIBUTE_SIZE: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    pub ns: u32,
    pub name: u32,
    pub raw_value: u32,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartElement {
    pub header: NodeHeader,
    pub ns: u32,
    pub name: u32,
    pub id_index: u16,
    pub class_index: u16,
    pub style_index: u16,
    /// Bytes between the 20-byte extension and `attributeStart` (normally none).
    pub(crate) gap: Vec<u8>,
    pub attributes: Vec<Attribute>,
}

impl StartElement {
    pub fn new(header: NodeHeader, ns: u32, name: u32) -> Self {
        Self {
            header,
            ns,
            name,
            id_index: 0,
            class_index: 0,
            style_index: 0,
            gap: Vec::new(),
            attributes: Vec::new(),
        }
    }

    /// Decodes the extension at `ext` (its `body` bytes run to the chunk end). Returns the
    /// element (with a placeholder header) and the bytes it used.
    pub(crate) fn decode(
        r: &Reader<'_>,
        ext: usize,
        body: usize,
        offset: usize,
    ) -> Result<(Self, usize)> {
        let what = "start-element record";
        let attribute_start = usize::from(r.u16(ext + 8, what)?);
        let attribute_size = r.u16(ext + 10, what)?;
        let count = usize::from(r.u16(ext + 12, what)?);
        if usize::from(attribute_size) != ATTRIBUTE_SIZE {
            return Err(Error::AttributeSize {
                offset,
                size: attribute_size,
            });
        }
        let used = attribute_start + count * ATTRIBUTE_SIZE;
        if attribute_start < ATTR_EXT_SIZE || used > body {
            return Err(Error::ChunkSize {
                offset,
                what: "start-element",
                problem: format!(
                    "{count} attributes from byte {attribute_start} of its record need {used} bytes, but its body has {body}"
                ),
            });
        }
        let mut attributes = Vec::with_capacity(count);
        for i in 0..count {
            let a = ext + attribute_start + i * ATTRIBUTE_SIZE;
            attributes.push(Attribute {
                ns: r.u32(a, what)?,
                name: r.u32(a + 4, what)?,
                raw_value: r.u32(a + 8, what)?,
                value: Value::read(r, a + 12)?,
            });
        }
        let element = Self {
            header: NodeHeader::new(0),
            ns: r.u32(ext, what)?,
            name: r.u32(ext + 4, what)?,
            id_index: r.u16(ext + 14, what)?,
            class_index: r.u16(ext + 16, what)?,
            style_index: r.u16(ext + 18, what)?,
            gap: r
                .slice(ext + ATTR_EXT_SIZE, attribute_start - ATTR_EXT_SIZE, what)?
                .to_vec(),
            attributes,
        };
        Ok((element, used))
    }

    pub(crate) fn encode_ext(&self, out: &mut Vec<u8>) -> Result<()> {
        put_u32(out, self.ns);
        put_u32(out, self.name);
        put_u16(
            out,
            to_u16(ATTR_EXT_SIZE + self.gap.len(), "attributeStart")?,
        );
        put_u16(out, ATTRIBUTE_SIZE as u16);
        put_u16(out, to_u16(self.attributes.len(), "attribute count")?);
        put_u16(out, self.id_index);
        put_u16(out, self.class_index);
        put_u16(out, self.style_index);
        out.extend_from_slice(&self.gap);
        for a in &self.attributes {
            put_u32(out, a.ns);
            put_u32(out, a.name);
            put_u32(out, a.raw_value);
            a.value.write(out);
        }
        debug_assert_eq!(ATTRIBUTE_SIZE, 12 + RES_VALUE_SIZE);
        Ok(())
    }

    /// Inserts an attribute at `position`, keeping the 1-based id/class/style indices
    /// pointing at the same attributes.
    pub fn insert_attribute(&mut self, position: usize, attribute: Attribute) {
        let position = position.min(self.attributes.len());
        self.attributes.insert(position, attribute);
        for index in [
            &mut self.id_index,
            &mut self.class_index,
            &mut self.style_index,
        ] {
            if usize::from(*index) > position {
                *index = index.saturating_add(1);
            }
        }
    }

    /// Removes the attribute at `position`; an id/class/style index naming it becomes 0.
    pub fn remove_attribute(&mut self, position: usize) -> Option<Attribute> {
        if position >= self.attributes.len() {
            return None;
        }
        let removed = self.attributes.remove(position);
        let one_based = position + 1;
        for index in [
            &mut self.id_index,
            &mut self.class_index,
            &mut self.style_index,
        ] {
            match usize::from(*index) {
                i if i == one_based => *index = 0,
                i if i > one_based => *index -= 1,
                _ => {}
            }
        }
        Some(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::super::chunk::ChunkHeader;
    use super::super::node::Node;
    use super::*;

    /// `<e a="x">` as aapt writes it: one attribute, typed string.
    fn sample() -> Vec<u8> {
        let mut b = vec![2, 1, 16, 0, 56, 0, 0, 0, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
        for w in [0xFFFF_FFFFu32, 1] {
            b.extend_from_slice(&w.to_le_bytes());
        }
        for h in [20u16, 20, 1, 0, 0, 0] {
            b.extend_from_slice(&h.to_le_bytes());
        }
        for w in [0xFFFF_FFFFu32, 2, 3] {
            b.extend_from_slice(&w.to_le_bytes());
        }
        b.extend_from_slice(&[8, 0, 0, 3, 3, 0, 0, 0]);
        b
    }

    fn decode(bytes: &[u8]) -> Result<Node> {
        let h = ChunkHeader::read(bytes, 0, 16, "node")?;
        Node::decode(bytes, h)
    }

    #[test]
    fn round_trips() {
        let b = sample();
        let Node::StartElement(e) = decode(&b).unwrap() else {
            panic!()
        };
        assert_eq!((e.name, e.attributes.len()), (1, 1));
        assert_eq!(e.attributes[0].value.string_index(), Some(3));
        let mut out = Vec::new();
        Node::StartElement(e).encode(&mut out).unwrap();
        assert_eq!(out, b);
    }

    #[test]
    fn attribute_size_other_than_20_is_refused() {
        let mut b = sample();
        b[26] = 24;
        assert_eq!(decode(&b).unwrap_err().kind(), "attribute-size");
    }

    #[test]
    fn attribute_count_beyond_the_chunk_is_a_size_lie() {
        let mut b = sample();
        b[28..30].copy_from_slice(&0xFFFFu16.to_le_bytes());
        assert_eq!(decode(&b).unwrap_err().kind(), "chunk-size");
    }

    #[test]
    fn id_class_style_indices_follow_inserts_and_removals() {
        let attr = Attribute {
            ns: 0,
            name: 0,
            raw_value: 0,
            value: Value::int_dec(0),
        };
        let mut e = StartElement::new(NodeHeader::new(1), 0xFFFF_FFFF, 0);
        e.attributes = vec![attr; 3];
        e.id_index = 1;
        e.class_index = 3;
        e.insert_attribute(1, attr);
        assert_eq!((e.id_index, e.class_index), (1, 4));
        e.remove_attribute(0);
        assert_eq!((e.id_index, e.class_index), (0, 3));
    }
}
