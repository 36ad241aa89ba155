//! Tree nodes (`ResXMLTree_node` + extension): the flat event list after the string pool
//! and resource map. Hierarchy is expressed only by start/end pairs.
//!
//! ```text
//! offset      size  field
//! 0           8     chunk header: type 0x0100–0x0104, headerSize (≥ 16), size
//! 8           4     lineNumber
//! 12          4     comment         string index or 0xFFFFFFFF
//! 16          …     rest of the header (headerSize − 16 bytes)
//! headerSize        extension, by type:
//!   0x0100 / 0x0101 start / end namespace   prefix u32, uri u32               (8)
//!   0x0102 start element                    see element.rs                    (20 + attrs)
//!   0x0103 end element                      ns u32, name u32                  (8)
//!   0x0104 CDATA                            data u32, typed value Res_value   (12)
//! …                 anything after the extension, up to size (kept)
//! ```
//!
//! Chunks of other types between nodes are skipped by the platform
//! (`ResXMLParser::nextNode`); they are kept here verbatim as [`Node::Unknown`].

use super::chunk::{
    ChunkHeader, NO_STRING, RES_XML_CDATA_TYPE, RES_XML_END_ELEMENT_TYPE,
    RES_XML_END_NAMESPACE_TYPE, RES_XML_START_ELEMENT_TYPE, RES_XML_START_NAMESPACE_TYPE, RawChunk,
    Reader, begin_chunk, finish_chunk, put_u32,
};
use super::element::StartElement;
use super::error::{Error, Result};
use super::value::Value;

/// `ResXMLTree_node` size.
pub const NODE_HEADER_SIZE: usize = 16;

/// The part every node shares, plus whatever bytes the writer left around the extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeHeader {
    pub line: u32,
    /// String index of an XML comment, or [`NO_STRING`].
    pub comment: u32,
    pub(crate) header_extra: Vec<u8>,
    pub(crate) trailing: Vec<u8>,
}

impl NodeHeader {
    pub fn new(line: u32) -> Self {
        Self {
            line,
            comment: NO_STRING,
            header_extra: Vec::new(),
            trailing: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub header: NodeHeader,
    pub prefix: u32,
    pub uri: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndElement {
    pub header: NodeHeader,
    pub ns: u32,
    pub name: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cdata {
    pub header: NodeHeader,
    pub data: u32,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    StartNamespace(Namespace),
    EndNamespace(Namespace),
    StartElement(StartElement),
    EndElement(EndElement),
    Cdata(Cdata),
    Unknown(RawChunk),
}

/// Whether a string reference may be "none" (0xFFFFFFFF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    Optional,
    Required,
}

impl Node {
    /// Decodes one node chunk (`chunk` is exactly `header.size` bytes, header validated
    /// with a 16-byte minimum).
    pub fn decode(chunk: &[u8], header: ChunkHeader) -> Result<Self> {
        let min_ext = match header.chunk_type {
            RES_XML_START_NAMESPACE_TYPE | RES_XML_END_NAMESPACE_TYPE => 8,
            RES_XML_START_ELEMENT_TYPE => 20,
            RES_XML_END_ELEMENT_TYPE => 8,
            RES_XML_CDATA_TYPE => 12,
            chunk_type => {
                return Ok(Self::Unknown(RawChunk {
                    chunk_type,
                    bytes: chunk.to_vec(),
                }));
            }
        };
        let body = header.size - header.header_size;
        if body < min_ext {
            return Err(Error::ChunkSize {
                offset: header.offset,
                what: node_name(header.chunk_type),
                problem: format!(
                    "its body of {body} bytes cannot hold the {min_ext}-byte record of its type"
                ),
            });
        }
        let r = Reader::new(chunk, header.offset);
        let what = "node header";
        let mut node_header = NodeHeader {
            line: r.u32(8, what)?,
            comment: r.u32(12, what)?,
            header_extra: r
                .slice(
                    NODE_HEADER_SIZE,
                    header.header_size - NODE_HEADER_SIZE,
                    what,
                )?
                .to_vec(),
            trailing: Vec::new(),
        };
        let ext = header.header_size;
        let used = match header.chunk_type {
            RES_XML_START_ELEMENT_TYPE => {
                let (element, used) = StartElement::decode(&r, ext, body, header.offset)?;
                node_header.trailing = r.slice(ext + used, body - used, what)?.to_vec();
                let mut element = element;
                element.header = node_header;
                return Ok(Self::StartElement(element));
            }
            _ => min_ext,
        };
        node_header.trailing = r.slice(ext + used, body - used, what)?.to_vec();
        let a = r.u32(ext, what)?;
        let b = r.u32(ext + 4, what)?;
        Ok(match header.chunk_type {
            RES_XML_START_NAMESPACE_TYPE => Self::StartNamespace(Namespace {
                header: node_header,
                prefix: a,
                uri: b,
            }),
            RES_XML_END_NAMESPACE_TYPE => Self::EndNamespace(Namespace {
                header: node_header,
                prefix: a,
                uri: b,
            }),
            RES_XML_END_ELEMENT_TYPE => Self::EndElement(EndElement {
                header: node_header,
                ns: a,
                name: b,
            }),
            _ => Self::Cdata(Cdata {
                header: node_header,
                data: a,
                value: Value::read(&r, ext + 4)?,
            }),
        })
    }

    pub fn chunk_type(&self) -> u16 {
        match self {
            Self::StartNamespace(_) => RES_XML_START_NAMESPACE_TYPE,
            Self::EndNamespace(_) => RES_XML_END_NAMESPACE_TYPE,
            Self::StartElement(_) => RES_XML_START_ELEMENT_TYPE,
            Self::EndElement(_) => RES_XML_END_ELEMENT_TYPE,
            Self::Cdata(_) => RES_XML_CDATA_TYPE,
            Self::Unknown(raw) => raw.chunk_type,
        }
    }

    fn header(&self) -> Option<&NodeHeader> {
        Some(match self {
            Self::StartNamespace(n) | Self::EndNamespace(n) => &n.header,
            Self::StartElement(e) => &e.header,
            Self::EndElement(e) => &e.header,
            Self::Cdata(c) => &c.header,
            Self::Unknown(_) => return None,
        })
    }

    /// Line number in the source XML, when the node has one.
    pub fn line(&self) -> Option<u32> {
        self.header().map(|h| h.line)
    }

    /// Calls `f` with every string reference of this node: field name, value, and
    /// whether "none" is allowed. Typed string values count (their data is an index).
    pub fn visit_refs(
        &self,
        f: &mut dyn FnMut(&'static str, u32, Ref) -> Result<()>,
    ) -> Result<()> {
        use Ref::{Optional, Required};
        if let Some(h) = self.header() {
            f("comment", h.comment, Optional)?;
        }
        match self {
            Self::StartNamespace(n) | Self::EndNamespace(n) => {
                f("namespace prefix", n.prefix, Optional)?;
                f("namespace uri", n.uri, Optional)?;
            }
            Self::StartElement(e) => {
                f("element namespace", e.ns, Optional)?;
                f("element name", e.name, Required)?;
                for a in &e.attributes {
                    f("attribute namespace", a.ns, Optional)?;
                    f("attribute name", a.name, Required)?;
                    f("attribute raw value", a.raw_value, Optional)?;
                    if let Some(i) = a.value.string_index() {
                        f("attribute string value", i, Required)?;
                    }
                }
            }
            Self::EndElement(e) => {
                f("end element namespace", e.ns, Optional)?;
                f("end element name", e.name, Required)?;
            }
            Self::Cdata(c) => {
                f("text", c.data, Optional)?;
                if let Some(i) = c.value.string_index() {
                    f("text string value", i, Required)?;
                }
            }
            Self::Unknown(_) => {}
        }
        Ok(())
    }

    /// Calls `f` on every string reference of this node that is not "none", mutably.
    pub fn refs_mut(&mut self, f: &mut dyn FnMut(&mut u32)) {
        let mut g = |r: &mut u32| {
            if *r != NO_STRING {
                f(r);
            }
        };
        match self {
            Self::StartNamespace(n) | Self::EndNamespace(n) => {
                g(&mut n.header.comment);
                g(&mut n.prefix);
                g(&mut n.uri);
            }
            Self::StartElement(e) => {
                g(&mut e.header.comment);
                g(&mut e.ns);
                g(&mut e.name);
                for a in &mut e.attributes {
                    g(&mut a.ns);
                    g(&mut a.name);
                    g(&mut a.raw_value);
                    if a.value.string_index().is_some() {
                        g(&mut a.value.data);
                    }
                }
            }
            Self::EndElement(e) => {
                g(&mut e.header.comment);
                g(&mut e.ns);
                g(&mut e.name);
            }
            Self::Cdata(c) => {
                g(&mut c.header.comment);
                g(&mut c.data);
                if c.value.string_index().is_some() {
                    g(&mut c.value.data);
                }
            }
            Self::Unknown(_) => {}
        }
    }

    /// Appends the node's chunk to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<()> {
        let Some(h) = self.header() else {
            if let Self::Unknown(raw) = self {
                out.extend_from_slice(&raw.bytes);
            }
            return Ok(());
        };
        let start = begin_chunk(
            out,
            self.chunk_type(),
            NODE_HEADER_SIZE + h.header_extra.len(),
        )?;
        put_u32(out, h.line);
        put_u32(out, h.comment);
        out.extend_from_slice(&h.header_extra);
        match self {
            Self::StartNamespace(n) | Self::EndNamespace(n) => {
                put_u32(out, n.prefix);
                put_u32(out, n.uri);
            }
            Self::StartElement(e) => e.encode_ext(out)?,
            Self::EndElement(e) => {
                put_u32(out, e.ns);
                put_u32(out, e.name);
            }
            Self::Cdata(c) => {
                put_u32(out, c.data);
                c.value.write(out);
            }
            Self::Unknown(_) => {}
        }
        out.extend_from_slice(&h.trailing);
        finish_chunk(out, start)
    }
}

pub(crate) fn node_name(chunk_type: u16) -> &'static str {
    match chunk_type {
        RES_XML_START_NAMESPACE_TYPE => "start-namespace",
        RES_XML_END_NAMESPACE_TYPE => "end-namespace",
        RES_XML_START_ELEMENT_TYPE => "start-element",
        RES_XML_END_ELEMENT_TYPE => "end-element",
        RES_XML_CDATA_TYPE => "CDATA",
        _ => "node",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(bytes: &[u8]) -> Node {
        let h = ChunkHeader::read(bytes, 0, NODE_HEADER_SIZE, "node").unwrap();
        let n = Node::decode(bytes, h).unwrap();
        let mut out = Vec::new();
        n.encode(&mut out).unwrap();
        assert_eq!(out, bytes);
        n
    }

    #[test]
    fn namespace_end_element_and_cdata_round_trip() {
        let ns = [
            0, 1, 16, 0, 24, 0, 0, 0, 2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 7, 0, 0, 0, 8, 0, 0, 0,
        ];
        let Node::StartNamespace(n) = round_trip(&ns) else {
            panic!()
        };
        assert_eq!((n.header.line, n.prefix, n.uri), (2, 7, 8));

        let end = [
            3, 1, 16, 0, 24, 0, 0, 0, 9, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            4, 0, 0, 0,
        ];
        assert!(matches!(
            round_trip(&end),
            Node::EndElement(EndElement { name: 4, .. })
        ));

        let cdata = [
            4, 1, 16, 0, 28, 0, 0, 0, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0, 8, 0, 0, 0,
            0, 0, 0, 0,
        ];
        assert!(matches!(
            round_trip(&cdata),
            Node::Cdata(Cdata { data: 5, .. })
        ));
    }

    #[test]
    fn extra_header_and_trailing_bytes_are_kept() {
        let ns = [
            0, 1, 20, 0, 32, 0, 0, 0, 2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xAA, 0xBB, 0xCC, 0xDD,
            7, 0, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4,
        ];
        let Node::StartNamespace(n) = round_trip(&ns) else {
            panic!()
        };
        assert_eq!(n.header.header_extra, [0xAA, 0xBB, 0xCC, 0xDD]);
        assert_eq!(n.header.trailing, [1, 2, 3, 4]);
    }

    #[test]
    fn unknown_types_are_kept_verbatim() {
        let raw = [0x7F, 0x01, 8, 0, 12, 0, 0, 0, 1, 2, 3, 4];
        let h = ChunkHeader::read(&raw, 0, 8, "chunk").unwrap();
        let n = Node::decode(&raw, h).unwrap();
        assert!(matches!(
            n,
            Node::Unknown(RawChunk {
                chunk_type: 0x017F,
                ..
            })
        ));
        let mut out = Vec::new();
        n.encode(&mut out).unwrap();
        assert_eq!(out, raw);
    }

    #[test]
    fn a_body_too_small_for_its_type_is_a_size_lie() {
        let short = [0, 1, 16, 0, 20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0];
        let h = ChunkHeader::read(&short, 0, NODE_HEADER_SIZE, "node").unwrap();
        assert_eq!(Node::decode(&short, h).unwrap_err().kind(), "chunk-size");
    }
}
