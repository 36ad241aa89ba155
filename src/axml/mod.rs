//! Android binary XML (`AndroidManifest.xml` and compiled resource XML): read, edit,
//! write.
//!
//! ```text
//! ResXMLTree_header  type 0x0003 ─┬─ ResStringPool    0x0001  string_pool.rs
//!                                 ├─ resource map     0x0180  resource_map.rs
//!                                 └─ nodes            0x01xx  node.rs / element.rs
//!                                      attribute values       value.rs
//! all chunks share the 8-byte ResChunk_header                 chunk.rs
//! ```
//!
//! [`Document::decode`] validates everything a hostile file could lie about (every
//! length against its enclosing chunk, every string index, nesting) and keeps every byte
//! it does not interpret, so [`Document::encode`] of an unedited document returns the
//! input byte for byte. Edits (edit.rs) keep the resource map aligned with the string
//! pool and attributes sorted by resource id. `manifest.rs` reads the manifest facts the
//! Android pipeline needs and adds the bridge provider. Format notes and pitfalls:
//! `docs/quirks.md` § Binary XML.

pub mod chunk;
mod decode;
pub mod document;
pub mod edit;
pub mod element;
mod encode;
pub mod error;
pub mod manifest;
pub mod node;
pub mod resource_map;
pub mod string_pool;
pub mod value;

pub use decode::MAX_DEPTH;
pub use document::{AttrName, Document, ElementId};
pub use edit::{NewAttribute, NewElement, NewValue};
pub use error::Error;
pub use manifest::{ManifestFacts, Provider, add_bridge_provider, patch, read_facts};
