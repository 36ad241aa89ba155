//! Edits: add, replace and remove elements; set and remove attributes; declare a
//! namespace. Each keeps the document valid for the platform:
//!
//! ```text
//! string pool   [0 ……… map.len()) attribute names with resource ids │ [map.len() …) others
//!                                 new id'd names go here ──────────┘ ↑ new other strings
//!               inserting at map.len() moves every later string up one: every
//!               reference in every node (names, namespaces, comments, raw values, typed
//!               string values) and every style span is renumbered
//! resource map  grows by the new name's id (created after the pool if absent)
//! attributes    sorted by resource id, attributes without id after them (aapt2's order)
//! ```
//!
//! Existing strings are reused wherever the platform would read them the same way, so
//! repeating an edit adds nothing. Strings an edit stops using stay in the pool
//! (harmless, and it keeps a repeated patch byte-identical).

use super::chunk::NO_STRING;
use super::document::{AttrName, Document, ElementId, Prelude};
use super::element::{Attribute, StartElement};
use super::error::{Error, Result};
use super::node::{EndElement, Namespace, Node, NodeHeader};
use super::resource_map::ResourceMap;
use super::value::Value;

/// An attribute value to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewValue<'a> {
    /// Typed string (0x03) with the same string as raw value, as aapt writes.
    String(&'a str),
    /// Decimal integer (0x10).
    IntDec(i32),
    /// Hexadecimal integer (0x11).
    IntHex(u32),
    /// Boolean (0x12): true is 0xFFFFFFFF.
    Boolean(bool),
    /// Resource reference (0x01).
    Reference(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAttribute<'a> {
    pub name: AttrName<'a>,
    pub value: NewValue<'a>,
}

/// An element to add: no namespace, the given attributes, no children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewElement<'a> {
    pub name: &'a str,
    pub attributes: Vec<NewAttribute<'a>>,
}

impl Document {
    /// The index of a string equal to `value`, adding it at the end of the pool if there
    /// is none. For anything but attribute names (those go through the resource map).
    pub fn intern(&mut self, value: &str) -> Result<u32> {
        match self.pool.position(value, 0..self.pool.len()) {
            Some(i) => Ok(i),
            None => self.pool.push(value),
        }
    }

    /// The string index to use as the name of attribute `name`: for an id'd attribute a
    /// string inside the resource map's range mapped to that id, else one outside it
    /// (or mapped to 0).
    fn intern_attribute_name(&mut self, name: &AttrName<'_>) -> Result<u32> {
        let map_len = self.resource_map.as_ref().map_or(0, ResourceMap::len);
        let Some(id) = name.resource_id else {
            let unmapped = (0..self.pool.len()).find(|&i| {
                self.pool.get(i as u32) == Some(name.name)
                    && self
                        .resource_map
                        .as_ref()
                        .is_none_or(|m| m.id_of(i as u32).is_none())
            });
            return match unmapped {
                Some(i) => Ok(i as u32),
                None => self.pool.push(name.name),
            };
        };
        if let Some(map) = &self.resource_map
            && let Some(i) = (0..map_len).find(|&i| {
                map.ids.get(i) == Some(&id) && self.pool.get(i as u32) == Some(name.name)
            })
        {
            return Ok(i as u32);
        }
        self.insert_string(map_len, name.name)?;
        if self.resource_map.is_none() {
            let at = self
                .prelude
                .iter()
                .position(|p| *p == Prelude::StringPool)
                .map_or(self.prelude.len(), |p| p + 1);
            self.prelude.insert(at, Prelude::ResourceMap);
        }
        self.resource_map
            .get_or_insert_with(ResourceMap::default)
            .ids
            .push(id);
        Ok(map_len as u32)
    }

    /// Inserts string `value` at `index`, renumbering every reference to the strings
    /// after it.
    fn insert_string(&mut self, index: usize, value: &str) -> Result<()> {
        if index < self.pool.len() {
            let unknown = self
                .prelude
                .iter()
                .find_map(|p| match p {
                    Prelude::Unknown(raw) => Some(raw.chunk_type),
                    _ => None,
                })
                .or_else(|| {
                    self.nodes.iter().find_map(|n| match n {
                        Node::Unknown(raw) => Some(raw.chunk_type),
                        _ => None,
                    })
                });
            if let Some(chunk_type) = unknown {
                return Err(Error::UnknownChunkBlocksEdit { chunk_type });
            }
        }
        self.pool.insert(index, value)?;
        let from = index as u32;
        for node in &mut self.nodes {
            node.refs_mut(&mut |r| {
                if *r >= from {
                    *r += 1;
                }
            });
        }
        Ok(())
    }

    /// Interns every id'd attribute name first: those insertions renumber strings, so
    /// no other index may be taken before they are done.
    fn intern_attribute_names(&mut self, attributes: &[NewAttribute<'_>]) -> Result<Vec<u32>> {
        for a in attributes {
            if a.name.resource_id.is_some() {
                self.intern_attribute_name(&a.name)?;
            }
        }
        attributes
            .iter()
            .map(|a| self.intern_attribute_name(&a.name))
            .collect()
    }

    /// Builds the attribute record; `name` is an index from [`Self::intern_attribute_names`].
    fn build_attribute(&mut self, a: &NewAttribute<'_>, name: u32) -> Result<Attribute> {
        let ns = match a.name.ns {
            Some(uri) => self.intern(uri)?,
            None => NO_STRING,
        };
        let (raw_value, value) = match a.value {
            NewValue::String(s) => {
                let i = self.intern(s)?;
                (i, Value::string(i))
            }
            NewValue::IntDec(v) => (NO_STRING, Value::int_dec(v)),
            NewValue::IntHex(v) => (NO_STRING, Value::int_hex(v)),
            NewValue::Boolean(v) => (NO_STRING, Value::boolean(v)),
            NewValue::Reference(id) => (NO_STRING, Value::reference(id)),
        };
        Ok(Attribute {
            ns,
            name,
            raw_value,
            value,
        })
    }

    /// Where an attribute goes in `element`: after every attribute with a smaller
    /// resource id; attributes without id after all id'd ones, by namespace and name.
    fn sorted_position(&self, element: &StartElement, new: &Attribute) -> usize {
        let key = |a: &Attribute| {
            (
                self.resource_id(a).is_none(),
                self.resource_id(a).unwrap_or(0),
                self.string(a.ns).unwrap_or(""),
                self.string(a.name).unwrap_or(""),
            )
        };
        let new_key = key(new);
        element
            .attributes
            .iter()
            .position(|a| key(a) > new_key)
            .unwrap_or(element.attributes.len())
    }

    /// Sets attribute `attribute` on element `id`: replaces its value if present, else
    /// inserts it at its sorted position.
    pub fn set_attribute(&mut self, id: ElementId, attribute: &NewAttribute<'_>) -> Result<()> {
        self.element(id)
            .ok_or(Error::NotAnElement { index: id.0 })?;
        if let Some((i, old)) = self.attribute(id, &attribute.name) {
            // Keep the name index the element already uses; values only ever append to
            // the pool, so no index moves while the new value is built.
            let name = old.name;
            let new = self.build_attribute(attribute, name)?;
            if let Some(slot) = self.element_mut(id).and_then(|e| e.attributes.get_mut(i)) {
                *slot = new;
            }
            return Ok(());
        }
        let names = self.intern_attribute_names(std::slice::from_ref(attribute))?;
        let name = names.first().copied().unwrap_or(NO_STRING);
        let new = self.build_attribute(attribute, name)?;
        let position = self
            .element(id)
            .map_or(0, |e| self.sorted_position(e, &new));
        self.element_mut(id)
            .ok_or(Error::NotAnElement { index: id.0 })?
            .insert_attribute(position, new);
        Ok(())
    }

    /// Removes attribute `name` from element `id`; true if it was there.
    pub fn remove_attribute(&mut self, id: ElementId, name: &AttrName<'_>) -> Result<bool> {
        self.element(id)
            .ok_or(Error::NotAnElement { index: id.0 })?;
        let Some((i, _)) = self.attribute(id, name) else {
            return Ok(false);
        };
        Ok(self
            .element_mut(id)
            .and_then(|e| e.remove_attribute(i))
            .is_some())
    }

    /// Adds `new` as the last child of `parent`; returns its id.
    pub fn append_child(&mut self, parent: ElementId, new: &NewElement<'_>) -> Result<ElementId> {
        let end = self
            .end_of(parent)
            .ok_or(Error::NotAnElement { index: parent.0 })?;
        let line = self.element(parent).map_or(0, |e| e.header.line);
        self.insert_nodes_at(end, new, line)
    }

    /// Adds `new` right before element `sibling`; returns its id.
    pub fn insert_before(&mut self, sibling: ElementId, new: &NewElement<'_>) -> Result<ElementId> {
        let line = self
            .element(sibling)
            .ok_or(Error::NotAnElement { index: sibling.0 })?
            .header
            .line;
        self.insert_nodes_at(sibling.0, new, line)
    }

    /// Removes element `id` with everything inside it.
    pub fn remove_element(&mut self, id: ElementId) -> Result<()> {
        let end = self.end_of(id).ok_or(Error::NotAnElement { index: id.0 })?;
        if self.root() == Some(id) {
            return Err(Error::RootRemoval);
        }
        self.nodes.drain(id.0..=end);
        Ok(())
    }

    /// Replaces element `id` (and everything inside it) by `new`, in the same place.
    pub fn replace_element(&mut self, id: ElementId, new: &NewElement<'_>) -> Result<ElementId> {
        let line = self
            .element(id)
            .ok_or(Error::NotAnElement { index: id.0 })?
            .header
            .line;
        self.remove_element(id)?;
        self.insert_nodes_at(id.0, new, line)
    }

    fn insert_nodes_at(&mut self, at: usize, new: &NewElement<'_>, line: u32) -> Result<ElementId> {
        let names = self.intern_attribute_names(&new.attributes)?;
        let name = self.intern(new.name)?;
        let mut element = StartElement::new(NodeHeader::new(line), NO_STRING, name);
        for (a, &n) in new.attributes.iter().zip(&names) {
            let built = self.build_attribute(a, n)?;
            let p = self.sorted_position(&element, &built);
            element.insert_attribute(p, built);
        }
        let end = EndElement {
            header: NodeHeader::new(line),
            ns: NO_STRING,
            name,
        };
        let at = at.min(self.nodes.len());
        self.nodes.insert(at, Node::EndElement(end));
        self.nodes.insert(at, Node::StartElement(element));
        Ok(ElementId(at))
    }

    /// Declares namespace `uri` with `prefix` around the root element unless a
    /// declaration of `uri` already encloses it. Moves every element id by one when it
    /// adds the declaration.
    pub fn ensure_namespace(&mut self, prefix: &str, uri: &str) -> Result<()> {
        let root = self.root().ok_or(Error::NotAnElement { index: 0 })?;
        let declared = self
            .nodes
            .iter()
            .take(root.0)
            .any(|n| matches!(n, Node::StartNamespace(ns) if self.string(ns.uri) == Some(uri)));
        if declared {
            return Ok(());
        }
        let end = self
            .end_of(root)
            .ok_or(Error::NotAnElement { index: root.0 })?;
        let line = self.element(root).map_or(0, |e| e.header.line);
        let prefix = self.intern(prefix)?;
        let uri = self.intern(uri)?;
        let ns = |line| Namespace {
            header: NodeHeader::new(line),
            prefix,
            uri,
        };
        self.nodes.insert(end + 1, Node::EndNamespace(ns(line)));
        self.nodes.insert(root.0, Node::StartNamespace(ns(line)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::manifest::ANDROID_NS;
    use super::*;

    const NAME: u32 = 0x0101_0003;
    const LABEL: u32 = 0x0101_0001;
    const EXPORTED: u32 = 0x0101_0010;

    /// `<manifest xmlns:android=… package="p"><application android:name=".A"/></manifest>`
    /// built through the editor's own primitives, UTF-16 like aapt.
    fn sample(with_unknown: bool) -> Document {
        let mut pool = super::super::string_pool::StringPool::new_utf16();
        for s in [
            "name",
            "android",
            ANDROID_NS,
            "manifest",
            "package",
            "p",
            "application",
            ".A",
        ] {
            pool.push(s).unwrap();
        }
        let mut prelude = vec![Prelude::StringPool, Prelude::ResourceMap];
        if with_unknown {
            prelude.push(Prelude::Unknown(super::super::chunk::RawChunk {
                chunk_type: 0x0200,
                bytes: vec![0, 2, 8, 0, 8, 0, 0, 0],
            }));
        }
        let ns = Namespace {
            header: NodeHeader::new(1),
            prefix: 1,
            uri: 2,
        };
        let mut manifest = StartElement::new(NodeHeader::new(1), NO_STRING, 3);
        manifest.attributes.push(Attribute {
            ns: NO_STRING,
            name: 4,
            raw_value: 5,
            value: Value::string(5),
        });
        let mut app = StartElement::new(NodeHeader::new(2), NO_STRING, 6);
        app.attributes.push(Attribute {
            ns: 2,
            name: 0,
            raw_value: 7,
            value: Value::string(7),
        });
        let end = |name| {
            Node::EndElement(EndElement {
                header: NodeHeader::new(2),
                ns: NO_STRING,
                name,
            })
        };
        let doc = Document {
            header_extra: vec![],
            prelude,
            pool,
            resource_map: Some(ResourceMap {
                ids: vec![NAME],
                ..ResourceMap::default()
            }),
            nodes: vec![
                Node::StartNamespace(ns.clone()),
                Node::StartElement(manifest),
                Node::StartElement(app),
                end(6),
                end(3),
                Node::EndNamespace(ns),
            ],
            trailing: vec![],
        };
        // Everything must survive its own decoder.
        Document::decode(&doc.encode().unwrap()).unwrap()
    }

    fn app(doc: &Document) -> ElementId {
        doc.children_named(doc.root().unwrap(), "application")[0]
    }

    #[test]
    fn new_id_attribute_names_go_into_the_map_range_and_renumber_everything() {
        let mut doc = sample(false);
        let before: Vec<String> = doc.pool().iter().map(str::to_owned).collect();
        let a = app(&doc);
        doc.set_attribute(
            a,
            &NewAttribute {
                name: AttrName::android("label", LABEL),
                value: NewValue::String("Hi"),
            },
        )
        .unwrap();
        let doc = Document::decode(&doc.encode().unwrap()).unwrap();
        assert_eq!(doc.resource_map().unwrap().ids, vec![NAME, LABEL]);
        assert_eq!(doc.pool().get(1), Some("label"));
        assert_eq!(doc.pool().len(), before.len() + 2);
        // Every old reference still reads the same text.
        let a = app(&doc);
        assert_eq!(doc.name(doc.root().unwrap()), Some("manifest"));
        let (_, pkg) = doc
            .attribute(doc.root().unwrap(), &AttrName::plain("package"))
            .unwrap();
        assert_eq!(doc.attribute_text(pkg), Some("p"));
        // Sorted by id: label (0x01010001) before name (0x01010003).
        let attrs = &doc.element(a).unwrap().attributes;
        let ids: Vec<_> = attrs.iter().map(|x| doc.resource_id(x)).collect();
        assert_eq!(ids, vec![Some(LABEL), Some(NAME)]);
        assert_eq!(doc.attribute_text(&attrs[0]), Some("Hi"));
        assert_eq!(doc.attribute_text(&attrs[1]), Some(".A"));
    }

    #[test]
    fn setting_an_existing_attribute_replaces_its_value_in_place() {
        let mut doc = sample(false);
        let a = app(&doc);
        let set = NewAttribute {
            name: AttrName::android("name", NAME),
            value: NewValue::String(".B"),
        };
        doc.set_attribute(a, &set).unwrap();
        let once = doc.encode().unwrap();
        doc.set_attribute(a, &set).unwrap();
        assert_eq!(
            doc.encode().unwrap(),
            once,
            "repeating an edit adds nothing"
        );
        assert_eq!(doc.element(a).unwrap().attributes.len(), 1);
        let (_, v) = doc.attribute(a, &AttrName::android("name", NAME)).unwrap();
        assert_eq!(doc.attribute_text(v), Some(".B"));
    }

    #[test]
    fn add_remove_and_replace_elements() {
        let mut doc = sample(false);
        let a = app(&doc);
        let provider = NewElement {
            name: "provider",
            attributes: vec![
                NewAttribute {
                    name: AttrName::android("exported", EXPORTED),
                    value: NewValue::Boolean(false),
                },
                NewAttribute {
                    name: AttrName::android("name", NAME),
                    value: NewValue::String("x.P"),
                },
            ],
        };
        let p = doc.append_child(a, &provider).unwrap();
        let doc2 = Document::decode(&doc.encode().unwrap()).unwrap();
        let a2 = app(&doc2);
        assert_eq!(doc2.children(a2).len(), 1);
        let ids: Vec<_> = doc2
            .element(doc2.children(a2)[0])
            .unwrap()
            .attributes
            .iter()
            .map(|x| doc2.resource_id(x))
            .collect();
        assert_eq!(ids, vec![Some(NAME), Some(EXPORTED)]);

        let p = doc
            .replace_element(
                p,
                &NewElement {
                    name: "receiver",
                    attributes: vec![],
                },
            )
            .unwrap();
        assert_eq!(doc.name(p), Some("receiver"));
        doc.remove_element(p).unwrap();
        assert!(doc.children(app(&doc)).is_empty());
        assert!(doc.remove_element(doc.root().unwrap()).is_err());
    }

    #[test]
    fn a_missing_namespace_is_declared_around_the_root() {
        let mut doc = sample(false);
        doc.nodes
            .retain(|n| !matches!(n, Node::StartNamespace(_) | Node::EndNamespace(_)));
        doc.ensure_namespace("android", ANDROID_NS).unwrap();
        doc.ensure_namespace("android", ANDROID_NS).unwrap();
        let doc = Document::decode(&doc.encode().unwrap()).unwrap();
        assert!(matches!(doc.nodes()[0], Node::StartNamespace(_)));
        assert!(matches!(doc.nodes().last(), Some(Node::EndNamespace(_))));
        assert_eq!(doc.nodes().len(), 6);
    }

    #[test]
    fn renumbering_is_refused_when_an_unknown_chunk_could_hold_string_references() {
        let mut doc = sample(true);
        let a = app(&doc);
        let e = doc
            .set_attribute(
                a,
                &NewAttribute {
                    name: AttrName::android("label", LABEL),
                    value: NewValue::String("Hi"),
                },
            )
            .unwrap_err();
        assert_eq!(e.kind(), "unknown-chunk-blocks-edit");
        // Appending strings never renumbers, so it stays allowed.
        doc.set_attribute(
            a,
            &NewAttribute {
                name: AttrName::plain("tools-free"),
                value: NewValue::IntDec(3),
            },
        )
        .unwrap();
    }

    #[test]
    fn a_resource_map_is_created_when_missing() {
        let mut doc = sample(false);
        doc.resource_map = None;
        doc.prelude.retain(|p| *p != Prelude::ResourceMap);
        // Without a map, string #0 "name" is a plain string; android:name needs an id'd one.
        let a = app(&doc);
        doc.set_attribute(
            a,
            &NewAttribute {
                name: AttrName::android("exported", EXPORTED),
                value: NewValue::Boolean(true),
            },
        )
        .unwrap();
        let doc = Document::decode(&doc.encode().unwrap()).unwrap();
        assert_eq!(doc.resource_map().unwrap().ids, vec![EXPORTED]);
        assert_eq!(doc.pool().get(0), Some("exported"));
    }
}
