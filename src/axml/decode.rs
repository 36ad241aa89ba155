//! Reading a whole document: the chunk walk, then the checks that make every later
//! query and edit safe.
//!
//! ```text
//! [XML header 0x0003]──┬─ string pool 0x0001      exactly one, before the first node
//!                      ├─ resource map 0x0180     at most one, before the first node,
//!                      │                          no longer than the pool
//!                      ├─ unknown chunks          kept
//!                      └─ nodes 0x0100–0x0104     from the first node on, every chunk
//!                                                 is a node (unknown types kept)
//! ```
//!
//! After the walk: every string reference is in range; start/end elements and
//! namespaces pair up (same name and namespace indices, properly nested, at most
//! [`MAX_DEPTH`] levels); there is exactly one root element. The platform tolerates
//! some of these violations at parse time and fails later in odd ways; refusing them up
//! front keeps the editor's invariants simple. Nothing here recurses, and nothing is
//! allocated beyond a small multiple of the input.

use super::chunk::{
    CHUNK_HEADER_SIZE, ChunkHeader, NO_STRING, RES_STRING_POOL_TYPE, RES_XML_CDATA_TYPE,
    RES_XML_RESOURCE_MAP_TYPE, RES_XML_START_NAMESPACE_TYPE, RES_XML_TYPE, RawChunk, Reader,
    le_u16,
};
use super::document::{Document, Prelude};
use super::error::{Error, Result};
use super::node::{NODE_HEADER_SIZE, Node, Ref, node_name};
use super::resource_map::ResourceMap;
use super::string_pool::{STRING_POOL_HEADER_SIZE, StringPool};

/// Deepest element/namespace nesting accepted. Real manifests and layouts stay below 30.
pub const MAX_DEPTH: usize = 1024;

impl Document {
    /// Decodes a binary XML file, validating everything the editor relies on.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        if let Some(t) = bytes.get(..2)
            && le_u16(t) != RES_XML_TYPE
        {
            return Err(Error::NotBinaryXml {
                found: describe_start(bytes),
            });
        }
        let header = ChunkHeader::read(bytes, 0, CHUNK_HEADER_SIZE, "XML document")?;
        let r = Reader::new(bytes, 0);
        let header_extra = r
            .slice(
                CHUNK_HEADER_SIZE,
                header.header_size - CHUNK_HEADER_SIZE,
                "XML header",
            )?
            .to_vec();
        let trailing = r
            .slice(header.size, bytes.len() - header.size, "XML trailer")?
            .to_vec();
        let body = r.slice(0, header.size, "XML document")?;

        let mut prelude = Vec::new();
        let mut pool = None;
        let mut resource_map = None;
        let mut nodes = Vec::new();
        let mut pos = header.header_size;
        while pos < header.size {
            let region = r.slice(pos, body.len() - pos, "chunk")?;
            let ch = ChunkHeader::read(region, pos, CHUNK_HEADER_SIZE, "XML")?;
            let is_node =
                (RES_XML_START_NAMESPACE_TYPE..=RES_XML_CDATA_TYPE).contains(&ch.chunk_type);
            let chunk = Reader::new(region, pos).slice(0, ch.size, "chunk")?;
            if nodes.is_empty() && !is_node {
                match ch.chunk_type {
                    RES_STRING_POOL_TYPE => {
                        if pool.is_some() {
                            return Err(layout(format!("a second string pool at byte {pos:#x}")));
                        }
                        let h =
                            ChunkHeader::read(region, pos, STRING_POOL_HEADER_SIZE, "string pool")?;
                        pool = Some(StringPool::decode(chunk, h)?);
                        prelude.push(Prelude::StringPool);
                    }
                    RES_XML_RESOURCE_MAP_TYPE => {
                        if resource_map.is_some() {
                            return Err(layout(format!("a second resource map at byte {pos:#x}")));
                        }
                        resource_map = Some(ResourceMap::decode(chunk, ch));
                        prelude.push(Prelude::ResourceMap);
                    }
                    chunk_type => prelude.push(Prelude::Unknown(RawChunk {
                        chunk_type,
                        bytes: chunk.to_vec(),
                    })),
                }
            } else if is_node {
                let h = ChunkHeader::read(region, pos, NODE_HEADER_SIZE, node_name(ch.chunk_type))?;
                nodes.push((pos, Node::decode(chunk, h)?));
            } else {
                // After the first node the platform skips chunks it does not know.
                nodes.push((
                    pos,
                    Node::Unknown(RawChunk {
                        chunk_type: ch.chunk_type,
                        bytes: chunk.to_vec(),
                    }),
                ));
            }
            pos += ch.size;
        }

        let pool = pool.ok_or_else(|| layout("no string pool before the first node".into()))?;
        if let Some(map) = &resource_map
            && map.len() > pool.len()
        {
            return Err(Error::ResourceMapTooLong {
                ids: map.len(),
                strings: pool.len(),
            });
        }
        check_string_refs(&nodes, pool.len())?;
        check_structure(&nodes)?;
        Ok(Self {
            header_extra,
            prelude,
            pool,
            resource_map,
            nodes: nodes.into_iter().map(|(_, n)| n).collect(),
            trailing,
        })
    }
}

fn layout(problem: String) -> Error {
    Error::Layout { problem }
}

/// What a non-binary-XML file starts with, for the error message.
fn describe_start(bytes: &[u8]) -> String {
    let head = bytes.get(..bytes.len().min(5)).unwrap_or_default();
    if head.first() == Some(&b'<') {
        return "'<' (a text XML file)".into();
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        return "a UTF-8 byte order mark (a text XML file)".into();
    }
    let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
    format!("bytes {}", hex.join(" "))
}

fn check_string_refs(nodes: &[(usize, Node)], count: usize) -> Result<()> {
    for (offset, node) in nodes {
        node.visit_refs(&mut |field, index, kind| {
            if (index as usize) < count || (index == NO_STRING && kind == Ref::Optional) {
                Ok(())
            } else {
                Err(Error::StringIndex {
                    offset: *offset,
                    field,
                    index,
                    count,
                })
            }
        })?;
    }
    Ok(())
}

/// What a start node opened, to be closed by the matching end node.
enum Open {
    Element { ns: u32, name: u32 },
    Namespace { prefix: u32, uri: u32 },
}

fn check_structure(nodes: &[(usize, Node)]) -> Result<()> {
    let mut stack: Vec<Open> = Vec::new();
    let mut open_elements = 0usize;
    let mut roots = 0usize;
    for (offset, node) in nodes {
        let offset = *offset;
        match node {
            Node::StartNamespace(n) => stack.push(Open::Namespace {
                prefix: n.prefix,
                uri: n.uri,
            }),
            Node::EndNamespace(n) => match stack.pop() {
                Some(Open::Namespace { prefix, uri }) if prefix == n.prefix && uri == n.uri => {}
                Some(Open::Namespace { .. }) => {
                    return Err(Error::nesting(
                        offset,
                        "a namespace end does not match the namespace it closes",
                    ));
                }
                Some(Open::Element { .. }) => {
                    return Err(Error::nesting(
                        offset,
                        "a namespace ends while an element inside it is still open",
                    ));
                }
                None => {
                    return Err(Error::nesting(
                        offset,
                        "a namespace ends that never started",
                    ));
                }
            },
            Node::StartElement(e) => {
                if open_elements == 0 {
                    roots += 1;
                    if roots > 1 {
                        return Err(Error::nesting(offset, "a second root element starts"));
                    }
                }
                open_elements += 1;
                stack.push(Open::Element {
                    ns: e.ns,
                    name: e.name,
                });
            }
            Node::EndElement(e) => match stack.pop() {
                Some(Open::Element { ns, name }) if ns == e.ns && name == e.name => {
                    open_elements -= 1;
                }
                Some(Open::Element { .. }) => {
                    return Err(Error::nesting(
                        offset,
                        "an element end does not match the element it closes",
                    ));
                }
                Some(Open::Namespace { .. }) => {
                    return Err(Error::nesting(
                        offset,
                        "an element ends while a namespace declared inside it is still open",
                    ));
                }
                None => {
                    return Err(Error::nesting(offset, "an element ends that never started"));
                }
            },
            Node::Cdata(_) | Node::Unknown(_) => {}
        }
        if stack.len() > MAX_DEPTH {
            return Err(Error::TooDeep {
                offset,
                limit: MAX_DEPTH,
            });
        }
    }
    if !stack.is_empty() {
        return Err(Error::nesting(
            nodes.last().map_or(0, |(o, _)| *o),
            format!(
                "the document ends with {} elements or namespaces still open",
                stack.len()
            ),
        ));
    }
    if roots == 0 {
        return Err(layout("the document has no root element".into()));
    }
    Ok(())
}
