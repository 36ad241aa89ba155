//! A module's `manifest/AndroidManifest.xml`: aapt2's protobuf `XmlNode` (`proto.rs`).
//! Reads the same [`ManifestFacts`] the APK path reads from binary XML and adds the same
//! bridge provider (DESIGN §4/§5).
//!
//! ```text
//! XmlNode { element 1: XmlElement "manifest" {                      ← root
//!   attribute 4: package, android:versionCode/versionName
//!   child 5: XmlNode { element 1: "uses-sdk" { minSdkVersion, targetSdkVersion } }
//!   child 5: XmlNode { text 2: "\n  " }                              ← aapt2 keeps whitespace
//!   child 5: XmlNode { element 1: "application" {
//!     attribute 4: android:name, android:extractNativeLibs
//!     child 5: XmlNode { element 1: "provider" { … } }
//!     child 5: XmlNode { element 1: "provider" {                    ← added / replaced
//!       android:authorities = "<package>.fuse"   resource_id 0x01010018, value only
//!       android:exported    = "false"            resource_id 0x01010010, prim boolean false
//!       android:initOrder   = "2147483647"       resource_id 0x0101001a, prim int_decimal
//!       android:name        = "fuse.bridge.FuseProvider"  resource_id 0x01010003, value only
//!     } } } } } }
//! ```
//!
//! **Editing at the wire level.** prost drops fields it does not model and re-encodes in its
//! own order, so a decode → modify → encode round trip would lose what newer aapt2 versions
//! write. Instead the manifest is decoded with prost only to *read* it (facts, which child is
//! `<application>`, which provider is ours), and the edit is spliced into the original bytes:
//! the provider record is appended to (or replaces ours in) the `<application>` element's
//! bytes and the three enclosing length prefixes are rewritten. Every other byte is kept,
//! an unedited manifest is returned byte-identical, and patching twice gives the bytes of
//! patching once.
//!
//! **Attributes as aapt2 writes them** (checked against Debian aapt2 2.19 `link
//! --proto-format`, see `tests/e2e/aab_protoc_parity.rs`): sorted by name within the
//! namespace; every framework attribute carries its `resource_id`; a string-typed attribute
//! (`name`, `authorities`) has only its `value` (aapt2's `TryParseItemForAttribute` makes
//! no item for a plain string); booleans and integers also get a `compiled_item` primitive.
//! aapt2 adds a `source` line number to compiled attributes; fuse's element has no source
//! file, so it has no `source`.
//!
//! **Reading** follows bundletool (`XmlProtoElementOrBuilder.getAndroidAttribute`): an
//! android attribute is found by resource id (by name only when it was not compiled), a
//! string's value is the compiled `str` when present, else `value`. As in `crate::axml`,
//! SDK levels, versionCode and extractNativeLibs must be literals.

use prost::Message;

use super::error::{Error, Result};
use super::proto::{Item, Primitive, XmlAttribute, XmlElement, XmlNode};
use super::proto::{item, primitive, xml_node};
use super::wire;
use crate::axml::manifest::{ANDROID_NS, BRIDGE_INIT_ORDER, BRIDGE_PROVIDER, attr};
use crate::axml::{ManifestFacts, Provider};

/// A module's manifest, relative to the module folder.
pub const MANIFEST_PATH: &str = "manifest/AndroidManifest.xml";
/// Largest manifest fuse reads (real ones are a few KiB to a few hundred KiB).
pub const MAX_MANIFEST: u64 = 8 << 20;
/// `android:hasCode` (`android.R.attr.hasCode`).
const HAS_CODE: u32 = 0x0101_000c;
/// The protobuf message a manifest is.
const MESSAGE: &str = "aapt.pb.XmlNode";

/// A decoded manifest that still owns its exact bytes.
#[derive(Debug, Clone)]
pub struct Manifest {
    file: String,
    bytes: Vec<u8>,
    root: XmlNode,
}

/// The value of an attribute, as fuse reads it.
#[derive(Debug, Clone, PartialEq)]
enum Value<'a> {
    Int(i64),
    Bool(bool),
    Ref(u32),
    Text(&'a str),
    Other(String),
}

fn value(a: &XmlAttribute) -> Value<'_> {
    match a.compiled_item.as_ref().and_then(|i| i.value.as_ref()) {
        Some(item::Value::Prim(Primitive { value: Some(p) })) => match p {
            primitive::Value::IntDecimalValue(v) => Value::Int(i64::from(*v)),
            primitive::Value::IntHexadecimalValue(v) => Value::Int(i64::from(*v)),
            primitive::Value::BooleanValue(b) => Value::Bool(*b),
            other => Value::Other(format!("{other:?}")),
        },
        Some(item::Value::Ref(r)) => Value::Ref(r.id),
        Some(item::Value::Str(s)) => Value::Text(&s.value),
        Some(item::Value::RawStr(s)) => Value::Text(&s.value),
        // No item, an empty primitive, or an item kind fuse does not model: the source text.
        _ => Value::Text(&a.value),
    }
}

fn element(node: &XmlNode) -> Option<&XmlElement> {
    match &node.node {
        Some(xml_node::Node::Element(e)) => Some(e),
        _ => None,
    }
}

/// Child elements named `name` in no namespace, with their index among all children.
fn children<'a>(
    el: &'a XmlElement,
    name: &'a str,
) -> impl Iterator<Item = (usize, &'a XmlElement)> {
    el.child
        .iter()
        .enumerate()
        .filter_map(|(i, n)| element(n).map(|e| (i, e)))
        .filter(move |(_, e)| e.name == name && e.namespace_uri.is_empty())
}

/// An android attribute by resource id, or by name when it was not compiled.
fn android<'a>(el: &'a XmlElement, name: &str, id: u32) -> Option<&'a XmlAttribute> {
    el.attribute
        .iter()
        .find(|a| a.resource_id == id)
        .or_else(|| {
            el.attribute
                .iter()
                .find(|a| a.resource_id == 0 && a.namespace_uri == ANDROID_NS && a.name == name)
        })
}

fn plain<'a>(el: &'a XmlElement, name: &str) -> Option<&'a XmlAttribute> {
    el.attribute
        .iter()
        .find(|a| a.namespace_uri.is_empty() && a.name == name)
}

/// A class name as the platform resolves it (`PackageParser.buildClassName`; the same rule
/// as `crate::axml::manifest`).
fn class_name(package: &str, name: &str) -> String {
    if name.starts_with('.') {
        format!("{package}{name}")
    } else if !name.contains('.') {
        format!("{package}.{name}")
    } else {
        name.to_owned()
    }
}

impl Manifest {
    /// Decodes `bytes` (the file `file` of a bundle). prost bounds nesting at 100
    /// messages; a manifest over [`MAX_MANIFEST`] is refused by the caller before reading.
    pub fn decode(file: &str, bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() as u64 > MAX_MANIFEST {
            return Err(Error::TooLarge {
                file: file.to_owned(),
                size: bytes.len() as u64,
                limit: MAX_MANIFEST,
            });
        }
        let root = XmlNode::decode(bytes.as_slice())
            .map_err(|e| Error::protobuf(file, MESSAGE, super::error::decode_problem(&e)))?;
        let manifest = Self {
            file: file.to_owned(),
            bytes,
            root,
        };
        manifest.root_element()?;
        Ok(manifest)
    }

    /// The exact bytes this manifest was decoded from.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    fn root_element(&self) -> Result<&XmlElement> {
        let found = match &self.root.node {
            Some(xml_node::Node::Element(e))
                if e.name == "manifest" && e.namespace_uri.is_empty() =>
            {
                return Ok(e);
            }
            Some(xml_node::Node::Element(e)) => format!("<{}>", e.name),
            Some(xml_node::Node::Text(_)) => "a text node".to_owned(),
            None => "nothing (an empty XmlNode)".to_owned(),
        };
        Err(Error::NotAManifest {
            file: self.file.clone(),
            found,
        })
    }

    fn value_error(
        &self,
        element: &'static str,
        attribute: &'static str,
        problem: String,
    ) -> Error {
        Error::ManifestValue {
            file: self.file.clone(),
            element,
            attribute,
            problem,
        }
    }

    fn integer(
        &self,
        a: &XmlAttribute,
        element: &'static str,
        attribute: &'static str,
    ) -> Result<i64> {
        match value(a) {
            Value::Int(v) => Ok(v),
            Value::Ref(id) => Err(self.reference_error(element, attribute, id)),
            Value::Text(text) => text.trim().parse::<i64>().map_err(|_| {
                self.value_error(
                    element,
                    attribute,
                    format!("is {text:?}, not a number (a preview SDK codename?) — fuse needs a released API level / number"),
                )
            }),
            other => Err(self.value_error(
                element,
                attribute,
                format!("has an unexpected value {other:?} — expected a number"),
            )),
        }
    }

    fn boolean(
        &self,
        a: &XmlAttribute,
        element: &'static str,
        attribute: &'static str,
    ) -> Result<bool> {
        match value(a) {
            Value::Bool(b) => Ok(b),
            Value::Ref(id) => Err(self.reference_error(element, attribute, id)),
            Value::Text("true") => Ok(true),
            Value::Text("false") => Ok(false),
            other => Err(self.value_error(
                element,
                attribute,
                format!("has the value {other:?}, not true or false — fix the manifest"),
            )),
        }
    }

    fn reference_error(&self, element: &'static str, attribute: &'static str, id: u32) -> Error {
        self.value_error(
            element,
            attribute,
            format!("is a resource reference (@{id:#010x}) — fuse reads literal values only; write the value itself in the manifest"),
        )
    }

    fn sdk_level(&self, a: &XmlAttribute, attribute: &'static str) -> Result<u32> {
        let v = self.integer(a, "<uses-sdk>", attribute)?;
        u32::try_from(v).ok().filter(|&v| v >= 1).ok_or_else(|| {
            self.value_error(
                "<uses-sdk>",
                attribute,
                format!("is {v}, not an API level — fix the manifest"),
            )
        })
    }

    fn class_attribute(
        &self,
        el: &XmlElement,
        package: &str,
        element: &'static str,
    ) -> Result<Option<String>> {
        let Some(a) = android(el, "name", attr::NAME) else {
            return Ok(None);
        };
        match value(a) {
            Value::Ref(id) => Err(self.reference_error(element, "android:name", id)),
            Value::Text(t) if !t.is_empty() => Ok(Some(class_name(package, t))),
            _ => Ok(None),
        }
    }

    /// `<manifest split="…">`: the module name a feature module declares.
    pub fn split_id(&self) -> Result<Option<String>> {
        let root = self.root_element()?;
        Ok(plain(root, "split").map(text).filter(|s| !s.is_empty()))
    }

    /// `<application android:hasCode>`; true when absent, as the platform defaults.
    pub fn has_code(&self) -> Result<bool> {
        let root = self.root_element()?;
        match children(root, "application")
            .next()
            .and_then(|(_, app)| android(app, "hasCode", HAS_CODE))
        {
            Some(a) => self.boolean(a, "<application>", "android:hasCode"),
            None => Ok(true),
        }
    }

    /// The manifest facts (package, versions, SDK levels, extractNativeLibs, providers).
    pub fn facts(&self) -> Result<ManifestFacts> {
        let root = self.root_element()?;
        let package = plain(root, "package")
            .map(text)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                self.value_error(
                    "<manifest>",
                    "package",
                    "is missing — every module manifest names its package; rebuild the bundle"
                        .into(),
                )
            })?;
        let version_code = android(root, "versionCode", attr::VERSION_CODE)
            .map(|a| {
                let v = self.integer(a, "<manifest>", "android:versionCode")?;
                // aapt2 stores 32 bits; the platform reads them as unsigned.
                u32::try_from(v)
                    .or_else(|_| i32::try_from(v).map(|v| v as u32))
                    .map_err(|_| {
                        self.value_error(
                            "<manifest>",
                            "android:versionCode",
                            format!("is {v}, more than 32 bits — fix the manifest"),
                        )
                    })
            })
            .transpose()?;
        let version_name = android(root, "versionName", attr::VERSION_NAME).map(text);

        let uses_sdk = children(root, "uses-sdk").last().map(|(_, e)| e);
        let sdk = |name: &str, id: u32, label: &'static str| -> Result<Option<u32>> {
            uses_sdk
                .and_then(|u| android(u, name, id))
                .map(|a| self.sdk_level(a, label))
                .transpose()
        };
        let min_sdk = sdk(
            "minSdkVersion",
            attr::MIN_SDK_VERSION,
            "android:minSdkVersion",
        )?
        .unwrap_or(1);
        let target_sdk = sdk(
            "targetSdkVersion",
            attr::TARGET_SDK_VERSION,
            "android:targetSdkVersion",
        )?
        .unwrap_or(min_sdk);

        let application = children(root, "application").next().map(|(_, e)| e);
        let (extract_native_libs, application_class, providers) = match application {
            Some(app) => (
                android(app, "extractNativeLibs", attr::EXTRACT_NATIVE_LIBS)
                    .map(|a| self.boolean(a, "<application>", "android:extractNativeLibs"))
                    .transpose()?,
                self.class_attribute(app, &package, "<application>")?,
                self.providers(app, &package)?,
            ),
            None => (None, None, Vec::new()),
        };
        Ok(ManifestFacts {
            package,
            version_code,
            version_name,
            min_sdk,
            target_sdk,
            extract_native_libs,
            has_application: application.is_some(),
            application_class,
            providers,
        })
    }

    fn providers(&self, app: &XmlElement, package: &str) -> Result<Vec<Provider>> {
        children(app, "provider")
            .map(|(_, p)| {
                let authorities = android(p, "authorities", attr::AUTHORITIES)
                    .map(text)
                    .unwrap_or_default();
                Ok(Provider {
                    name: self.class_attribute(p, package, "<provider>")?,
                    authorities: authorities
                        .split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    exported: android(p, "exported", attr::EXPORTED)
                        .map(|a| self.boolean(a, "<provider>", "android:exported"))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// The manifest bytes with fuse's bridge provider added to `<application>` (created
    /// when absent), or replacing the provider a previous fusion added; plus the facts of
    /// this (unpatched) manifest.
    pub fn with_bridge_provider(&self) -> Result<(Vec<u8>, ManifestFacts)> {
        let facts = self.facts()?;
        let authority = facts.bridge_authority();
        if let Some(other) = facts.providers.iter().find(|p| {
            p.name.as_deref() != Some(BRIDGE_PROVIDER) && p.authorities.contains(&authority)
        }) {
            return Err(Error::AuthorityTaken {
                file: self.file.clone(),
                authority,
                provider: other.name.clone().unwrap_or_else(|| "(unnamed)".into()),
            });
        }
        let provider = bridge_provider(&authority).encode_to_vec();
        let root = self.root_element()?;
        let application = children(root, "application").next();
        let ours: Vec<usize> = match application {
            Some((_, app)) => children(app, "provider")
                .filter(|(_, p)| {
                    matches!(self.class_attribute(p, &facts.package, "<provider>"),
                             Ok(Some(n)) if n == BRIDGE_PROVIDER)
                })
                .map(|(i, _)| i)
                .collect(),
            None => Vec::new(),
        };
        let bytes = self
            .splice_provider(application.map(|(i, _)| i), &ours, &provider)
            .map_err(|problem| Error::protobuf(&self.file, MESSAGE, problem))?;
        Ok((bytes, facts))
    }

    /// The wire-level edit: see the module documentation.
    fn splice_provider(
        &self,
        application: Option<usize>,
        ours: &[usize],
        provider: &[u8],
    ) -> std::result::Result<Vec<u8>, String> {
        let root = self.bytes.as_slice();
        let root_records = wire::records(root)?;
        let root_el = wire::single(&root_records, 1, "the root XmlNode's element")?
            .ok_or("the root XmlNode has no element")?;
        let manifest_el = slice(root, &root_el.payload)?;
        let manifest_records = wire::records(manifest_el)?;
        let manifest_children: Vec<&wire::Record> =
            manifest_records.iter().filter(|r| r.field == 5).collect();

        let new_manifest_el = match application {
            Some(index) => {
                let app_record = *manifest_children
                    .get(index)
                    .ok_or("the <application> child is missing at the wire level")?;
                let app_node = slice(manifest_el, &app_record.payload)?;
                let app_node_records = wire::records(app_node)?;
                let app_el_record =
                    wire::single(&app_node_records, 1, "the <application> node's element")?
                        .ok_or("the <application> node has no element")?;
                let app_el = slice(app_node, &app_el_record.payload)?;
                let new_app_el = with_provider(app_el, ours, provider)?;
                let new_app_node = wire::splice(
                    app_node,
                    app_el_record.bytes.clone(),
                    &wire::length_delimited(1, &new_app_el),
                );
                wire::splice(
                    manifest_el,
                    app_record.bytes.clone(),
                    &wire::length_delimited(5, &new_app_node),
                )
            }
            None => {
                // No <application>: add one holding only the provider (the platform treats
                // an empty <application> exactly like none).
                let empty = XmlElement {
                    name: "application".into(),
                    ..Default::default()
                };
                let app_el = with_provider(&empty.encode_to_vec(), &[], provider)?;
                let app_node = wire::length_delimited(1, &app_el);
                let mut el = manifest_el.to_vec();
                el.extend(wire::length_delimited(5, &app_node));
                el
            }
        };
        Ok(wire::splice(
            root,
            root_el.bytes.clone(),
            &wire::length_delimited(1, &new_manifest_el),
        ))
    }
}

/// `<application>` element bytes with the provider as child: the first of `ours` (child
/// indices) replaced in place, the other ones removed, or appended when there is none.
fn with_provider(
    app_el: &[u8],
    ours: &[usize],
    provider: &[u8],
) -> std::result::Result<Vec<u8>, String> {
    let records = wire::records(app_el)?;
    let child = wire::length_delimited(5, provider);
    let mut out = Vec::with_capacity(app_el.len() + child.len());
    let mut child_index = 0;
    let mut placed = false;
    for r in &records {
        let bytes = slice(app_el, &r.bytes)?;
        if r.field == 5 {
            let is_ours = ours.contains(&child_index);
            child_index += 1;
            if is_ours {
                if !placed {
                    out.extend_from_slice(&child);
                    placed = true;
                }
                continue;
            }
        }
        out.extend_from_slice(bytes);
    }
    if !placed {
        out.extend_from_slice(&child);
    }
    Ok(out)
}

fn slice<'a>(
    buf: &'a [u8],
    range: &std::ops::Range<usize>,
) -> std::result::Result<&'a [u8], String> {
    buf.get(range.clone())
        .ok_or_else(|| "a record lies outside its message".to_owned())
}

/// A string attribute's text; references are reported as `@0x……`.
fn text(a: &XmlAttribute) -> String {
    match value(a) {
        Value::Ref(id) => format!("@{id:#010x}"),
        Value::Int(v) => v.to_string(),
        Value::Text(t) => t.to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Other(_) => a.value.clone(),
    }
}

fn android_attribute(
    name: &str,
    id: u32,
    value: &str,
    compiled: Option<primitive::Value>,
) -> XmlAttribute {
    XmlAttribute {
        namespace_uri: ANDROID_NS.to_owned(),
        name: name.to_owned(),
        value: value.to_owned(),
        source: None,
        resource_id: id,
        compiled_item: compiled.map(|p| Item {
            value: Some(item::Value::Prim(Primitive { value: Some(p) })),
        }),
    }
}

/// fuse's bridge provider element, attributes as aapt2 writes them (module docs).
pub fn bridge_provider(authority: &str) -> XmlNode {
    XmlNode {
        node: Some(xml_node::Node::Element(XmlElement {
            name: "provider".to_owned(),
            attribute: vec![
                android_attribute("authorities", attr::AUTHORITIES, authority, None),
                android_attribute(
                    "exported",
                    attr::EXPORTED,
                    "false",
                    Some(primitive::Value::BooleanValue(false)),
                ),
                android_attribute(
                    "initOrder",
                    attr::INIT_ORDER,
                    &BRIDGE_INIT_ORDER.to_string(),
                    Some(primitive::Value::IntDecimalValue(BRIDGE_INIT_ORDER)),
                ),
                android_attribute("name", attr::NAME, BRIDGE_PROVIDER, None),
            ],
            ..Default::default()
        })),
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(name: &str, attribute: Vec<XmlAttribute>, child: Vec<XmlNode>) -> XmlNode {
        XmlNode {
            node: Some(xml_node::Node::Element(XmlElement {
                name: name.into(),
                attribute,
                child,
                ..Default::default()
            })),
            source: None,
        }
    }

    fn text_node(t: &str) -> XmlNode {
        XmlNode {
            node: Some(xml_node::Node::Text(t.into())),
            source: None,
        }
    }

    fn plain_attr(name: &str, value: &str) -> XmlAttribute {
        XmlAttribute {
            name: name.into(),
            value: value.into(),
            ..Default::default()
        }
    }

    fn int(name: &str, id: u32, v: i32) -> XmlAttribute {
        android_attribute(
            name,
            id,
            &v.to_string(),
            Some(primitive::Value::IntDecimalValue(v)),
        )
    }

    fn string(name: &str, id: u32, v: &str) -> XmlAttribute {
        android_attribute(name, id, v, None)
    }

    fn provider(name: &str, authority: &str) -> XmlNode {
        el(
            "provider",
            vec![
                string("authorities", attr::AUTHORITIES, authority),
                string("name", attr::NAME, name),
            ],
            vec![],
        )
    }

    /// `<manifest package=p versionCode=7><uses-sdk 21/34/>\n<application>…</application>`.
    fn manifest(app_children: Vec<XmlNode>) -> XmlNode {
        let mut root = el(
            "manifest",
            vec![
                plain_attr("package", "com.example.app"),
                int("versionCode", attr::VERSION_CODE, 7),
            ],
            vec![
                text_node("\n  "),
                el(
                    "uses-sdk",
                    vec![
                        int("minSdkVersion", attr::MIN_SDK_VERSION, 21),
                        int("targetSdkVersion", attr::TARGET_SDK_VERSION, 34),
                    ],
                    vec![],
                ),
                text_node("\n  "),
                el("application", vec![], app_children),
            ],
        );
        if let Some(xml_node::Node::Element(e)) = &mut root.node {
            e.namespace_declaration
                .push(super::super::proto::XmlNamespace {
                    prefix: "android".into(),
                    uri: ANDROID_NS.into(),
                    source: None,
                });
        }
        root
    }

    fn decode(bytes: Vec<u8>) -> Manifest {
        Manifest::decode("base/manifest/AndroidManifest.xml", bytes).unwrap()
    }

    fn app_children(bytes: &[u8]) -> Vec<XmlNode> {
        let root = XmlNode::decode(bytes).unwrap();
        let m = element(&root).unwrap();
        let (_, app) = children(m, "application").next().unwrap();
        app.child.clone()
    }

    #[test]
    fn facts_follow_the_axml_rules() {
        let m = decode(manifest(vec![provider(".First", "com.example.app.first")]).encode_to_vec());
        let f = m.facts().unwrap();
        assert_eq!(f.package, "com.example.app");
        assert_eq!((f.version_code, f.min_sdk, f.target_sdk), (Some(7), 21, 34));
        assert_eq!(
            f.providers[0].name.as_deref(),
            Some("com.example.app.First")
        );
        assert!(f.has_application && !f.is_fused());
        assert_eq!(m.split_id().unwrap(), None);
        assert!(m.has_code().unwrap());
    }

    #[test]
    fn an_unedited_manifest_keeps_its_bytes() {
        let bytes = manifest(vec![]).encode_to_vec();
        assert_eq!(decode(bytes.clone()).bytes(), bytes.as_slice());
    }

    #[test]
    fn the_provider_is_appended_unknown_fields_survive_and_patching_is_idempotent() {
        // Built at the wire level: unknown field 99 inside <application>, 15 on the root.
        let unknown = wire::length_delimited(99, b"future aapt2 field");
        let mut app_el = XmlElement {
            name: "application".into(),
            child: vec![text_node("\n    "), provider(".First", "a.first")],
            ..Default::default()
        }
        .encode_to_vec();
        app_el.extend(&unknown);
        let mut root = manifest(vec![]);
        if let Some(xml_node::Node::Element(m)) = &mut root.node {
            m.child.pop(); // the empty <application>, re-added below with field 99
        }
        let Some(xml_node::Node::Element(m)) = &root.node else {
            unreachable!()
        };
        let mut manifest_el = m.encode_to_vec();
        manifest_el.extend(wire::length_delimited(
            5,
            &wire::length_delimited(1, &app_el),
        ));
        let mut bytes = wire::length_delimited(1, &manifest_el);
        bytes.extend(wire::length_delimited(15, b"root extra"));

        let m = decode(bytes.clone());
        let (patched, facts) = m.with_bridge_provider().unwrap();
        assert!(!facts.is_fused());
        assert!(
            patched
                .windows(unknown.len())
                .any(|w| w == unknown.as_slice())
        );
        assert!(patched.ends_with(&wire::length_delimited(15, b"root extra")));
        let children = app_children(&patched);
        assert_eq!(children.len(), 3);
        assert_eq!(children[2], bridge_provider("com.example.app.fuse"));
        let after = decode(patched.clone()).facts().unwrap();
        assert!(after.is_fused());
        assert_eq!(after.providers[1].exported, Some(false));

        let (twice, facts) = decode(patched.clone()).with_bridge_provider().unwrap();
        assert!(facts.is_fused());
        assert_eq!(twice, patched);
    }

    #[test]
    fn an_old_fusion_is_replaced_in_place_and_extra_copies_removed() {
        let old = || provider(BRIDGE_PROVIDER, "old.package.fuse");
        let bytes = manifest(vec![old(), provider(".First", "a.first"), old()]).encode_to_vec();
        let (patched, _) = decode(bytes).with_bridge_provider().unwrap();
        let children = app_children(&patched);
        assert_eq!(children.len(), 2);
        assert_eq!(children[0], bridge_provider("com.example.app.fuse"));
        assert_eq!(children[1], provider(".First", "a.first"));
    }

    #[test]
    fn a_missing_application_is_created() {
        let root = el("manifest", vec![plain_attr("package", "p.q")], vec![]);
        let (patched, facts) = decode(root.encode_to_vec()).with_bridge_provider().unwrap();
        assert!(!facts.has_application);
        let after = decode(patched).facts().unwrap();
        assert!(after.has_application && after.is_fused());
        assert_eq!(after.providers[0].authorities, ["p.q.fuse"]);
    }

    #[test]
    fn a_taken_authority_is_refused() {
        let bytes = manifest(vec![provider(".Other", "com.example.app.fuse")]).encode_to_vec();
        let e = decode(bytes).with_bridge_provider().unwrap_err();
        assert_eq!(e.kind(), "authority-taken");
        assert!(e.to_string().contains("com.example.app.Other"), "{e}");
    }

    #[test]
    fn references_and_codenames_are_refused_where_fuse_needs_values() {
        let with_min = |a: XmlAttribute| {
            let mut root = manifest(vec![]);
            if let Some(xml_node::Node::Element(m)) = &mut root.node
                && let Some(xml_node::Node::Element(sdk)) = &mut m.child[1].node
            {
                sdk.attribute[0] = a;
            }
            decode(root.encode_to_vec())
                .facts()
                .unwrap_err()
                .to_string()
        };
        let e = with_min(string("minSdkVersion", attr::MIN_SDK_VERSION, "Tiramisu"));
        assert!(e.contains("preview SDK codename"), "{e}");
        let mut reference = string("minSdkVersion", attr::MIN_SDK_VERSION, "@integer/min");
        reference.compiled_item = Some(Item {
            value: Some(item::Value::Ref(super::super::proto::Reference {
                id: 0x7f0a_0001,
                ..Default::default()
            })),
        });
        let e = with_min(reference);
        assert!(e.contains("resource reference (@0x7f0a0001)"), "{e}");
    }

    #[test]
    fn non_manifests_are_refused() {
        for (node, found) in [
            (el("layout", vec![], vec![]), "<layout>"),
            (text_node("hi"), "a text node"),
            (XmlNode::default(), "empty XmlNode"),
        ] {
            let e = Manifest::decode("f", node.encode_to_vec()).unwrap_err();
            assert_eq!(e.kind(), "not-a-manifest");
            assert!(e.to_string().contains(found), "{e}");
        }
    }

    /// `XmlNode{element{child{element{child …}}}}` `depth` levels deep, built outside-in in
    /// linear time (each level's length is known from the levels inside it).
    pub(crate) fn nested(depth: usize) -> Vec<u8> {
        let mut headers: Vec<Vec<u8>> = Vec::with_capacity(depth * 2);
        let mut size = 0usize;
        for _ in 0..depth {
            for field in [5u32, 1] {
                let mut h = Vec::new();
                wire::put_varint(&mut h, u64::from(field << 3 | 2));
                wire::put_varint(&mut h, size as u64);
                size += h.len();
                headers.push(h);
            }
        }
        // The outermost is the root XmlNode's element (field 1); drop the last child header
        // pairing so the innermost is an empty XmlElement.
        headers.into_iter().rev().flatten().collect()
    }

    #[test]
    fn hostile_protobuf_is_refused_with_one_line() {
        let good = manifest(vec![]).encode_to_vec();
        let mut wrong_type = good.clone();
        wrong_type[0] = 0x08; // element as a varint
        let mut oversized = vec![0x0a, 0xff, 0xff, 0xff, 0xff, 0x07];
        oversized.extend_from_slice(&good[2..]);
        for (name, bytes) in [
            ("truncated", good[..good.len() / 2].to_vec()),
            ("wrong wire type", wrong_type),
            ("oversized length", oversized),
            ("nested 10,000 deep", nested(10_000)),
        ] {
            let e = Manifest::decode("base/manifest/AndroidManifest.xml", bytes).unwrap_err();
            assert_eq!(e.kind(), "protobuf", "{name}: {e}");
            assert!(!e.to_string().contains('\n'));
        }
        let e = Manifest::decode("f", vec![0; MAX_MANIFEST as usize + 1]).unwrap_err();
        assert_eq!(e.kind(), "too-large");
    }

    #[test]
    fn nesting_within_prost_limits_decodes() {
        // 40 element levels = 80 messages < prost's limit of 100: a deep but legal tree.
        let e = Manifest::decode("f", nested(40)).unwrap_err();
        assert_eq!(e.kind(), "not-a-manifest", "{e}");
    }
}
