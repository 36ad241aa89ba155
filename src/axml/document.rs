//! The document model: one binary XML file as its chunks, in file order.
//!
//! ```text
//! offset      size  field
//! 0           8     chunk header: type 0x0003 (RES_XML_TYPE), headerSize (8), size
//! 8           …     rest of the header (headerSize − 8), kept
//! headerSize        "prelude": string pool (exactly one), resource map (at most one) and
//!                   any unknown chunks, in the order found
//! …                 nodes: namespace / element / CDATA chunks (and unknown ones), flat,
//!                   hierarchy by start/end pairs — exactly one root element
//! size        …     bytes after the XML chunk (the platform ignores them), kept
//! ```
//!
//! Elements are addressed by [`ElementId`], the index of their start node in
//! [`Document::nodes`]. Ids are positions: an edit that inserts or removes nodes before
//! an element changes its id, so look elements up again after editing.

use super::chunk::{NO_STRING, RawChunk};
use super::element::{Attribute, StartElement};
use super::node::Node;
use super::resource_map::ResourceMap;
use super::string_pool::StringPool;
use super::value::Typed;

/// A chunk before the first node, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Prelude {
    StringPool,
    ResourceMap,
    Unknown(RawChunk),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub(crate) header_extra: Vec<u8>,
    pub(crate) prelude: Vec<Prelude>,
    pub(crate) pool: StringPool,
    pub(crate) resource_map: Option<ResourceMap>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) trailing: Vec<u8>,
}

/// The index of an element's start node in [`Document::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElementId(pub usize);

/// How to recognise an attribute: by resource id when it has one (as the platform
/// does), otherwise by namespace URI and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrName<'a> {
    /// Namespace URI, `None` for no namespace.
    pub ns: Option<&'a str>,
    pub name: &'a str,
    pub resource_id: Option<u32>,
}

impl<'a> AttrName<'a> {
    /// An `android:` attribute with its framework resource id.
    pub const fn android(name: &'a str, resource_id: u32) -> Self {
        Self {
            ns: Some(super::manifest::ANDROID_NS),
            name,
            resource_id: Some(resource_id),
        }
    }

    /// An attribute without namespace or resource id (e.g. the manifest's `package`).
    pub const fn plain(name: &'a str) -> Self {
        Self {
            ns: None,
            name,
            resource_id: None,
        }
    }
}

impl Document {
    pub fn pool(&self) -> &StringPool {
        &self.pool
    }

    pub fn resource_map(&self) -> Option<&ResourceMap> {
        self.resource_map.as_ref()
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The string at `index`; `None` for [`NO_STRING`] or out of range.
    pub fn string(&self, index: u32) -> Option<&str> {
        if index == NO_STRING {
            return None;
        }
        self.pool.get(index)
    }

    /// The one top-level element.
    pub fn root(&self) -> Option<ElementId> {
        self.nodes
            .iter()
            .position(|n| matches!(n, Node::StartElement(_)))
            .map(ElementId)
    }

    pub fn element(&self, id: ElementId) -> Option<&StartElement> {
        match self.nodes.get(id.0) {
            Some(Node::StartElement(e)) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn element_mut(&mut self, id: ElementId) -> Option<&mut StartElement> {
        match self.nodes.get_mut(id.0) {
            Some(Node::StartElement(e)) => Some(e),
            _ => None,
        }
    }

    /// The element's local name.
    pub fn name(&self, id: ElementId) -> Option<&str> {
        self.string(self.element(id)?.name)
    }

    /// The index of the end node that closes `id`.
    pub fn end_of(&self, id: ElementId) -> Option<usize> {
        self.element(id)?;
        let mut depth = 0usize;
        for (i, node) in self.nodes.iter().enumerate().skip(id.0) {
            match node {
                Node::StartElement(_) => depth += 1,
                Node::EndElement(_) => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The direct child elements of `id`, in document order.
    pub fn children(&self, id: ElementId) -> Vec<ElementId> {
        let mut out = Vec::new();
        let Some(end) = self.end_of(id) else {
            return out;
        };
        let mut depth = 0usize;
        for (i, node) in self.nodes.iter().enumerate().take(end).skip(id.0 + 1) {
            match node {
                Node::StartElement(_) => {
                    if depth == 0 {
                        out.push(ElementId(i));
                    }
                    depth += 1;
                }
                Node::EndElement(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        out
    }

    /// The direct child elements of `id` called `name`.
    pub fn children_named(&self, id: ElementId, name: &str) -> Vec<ElementId> {
        self.children(id)
            .into_iter()
            .filter(|&c| self.name(c) == Some(name))
            .collect()
    }

    /// The resource id of an attribute, through the resource map.
    pub fn resource_id(&self, attribute: &Attribute) -> Option<u32> {
        self.resource_map.as_ref()?.id_of(attribute.name)
    }

    /// Whether `attribute` is the one `name` describes.
    pub fn attribute_matches(&self, attribute: &Attribute, name: &AttrName<'_>) -> bool {
        match name.resource_id {
            Some(id) => self.resource_id(attribute) == Some(id),
            None => {
                self.resource_id(attribute).is_none()
                    && self.string(attribute.ns) == name.ns
                    && self.string(attribute.name) == Some(name.name)
            }
        }
    }

    /// The attribute `name` of element `id` and its position.
    pub fn attribute(&self, id: ElementId, name: &AttrName<'_>) -> Option<(usize, &Attribute)> {
        self.element(id)?
            .attributes
            .iter()
            .enumerate()
            .find(|(_, a)| self.attribute_matches(a, name))
    }

    /// The attribute's text: its typed string, else its raw string.
    pub fn attribute_text(&self, attribute: &Attribute) -> Option<&str> {
        match attribute.value.typed() {
            Typed::String(i) => self.string(i),
            _ => self.string(attribute.raw_value),
        }
    }
}
