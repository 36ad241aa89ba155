//! `AndroidManifest.xml`: the facts the Android pipeline needs, and the bridge-provider
//! patch (DESIGN §4).
//!
//! ```text
//! <manifest package="…" android:versionCode android:versionName>
//!   <uses-sdk android:minSdkVersion android:targetSdkVersion/>    absent → 1 and = min
//!   <application android:name android:extractNativeLibs>         created if absent
//!     <provider android:name android:authorities android:exported …/>
//!     <provider android:name="fuse.bridge.FuseProvider"            added / replaced:
//!               android:authorities="<package>.fuse"                name        0x01010003
//!               android:exported="false"                            exported    0x01010010
//!               android:initOrder="2147483647"/>                    authorities 0x01010018
//!   </application>                                                  initOrder   0x0101001a
//! </manifest>
//! ```
//!
//! Lives beside the binary XML code rather than in `src/android/` because the patch is
//! mostly about the format's invariants (resource map, attribute order, string reuse);
//! the pipeline calls [`read_facts`] and [`add_bridge_provider`] (or [`patch`]).
//!
//! Decisions: SDK levels, versionCode and extractNativeLibs must be literals (a resource
//! reference or a preview codename is an error — fuse does not read `resources.arsc`);
//! versionName may be a reference and is then reported as `@0x7f……`. A manifest without
//! `<application>` gets an empty one, which the platform treats exactly like none.

use super::document::{AttrName, Document, ElementId};
use super::edit::{NewAttribute, NewElement, NewValue};
use super::element::Attribute;
use super::error::{Error, Result};
use super::value::Typed;

pub const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";
/// The class of the bridge provider fuse adds.
pub const BRIDGE_PROVIDER: &str = "fuse.bridge.FuseProvider";
/// Runs before every other provider of the app (and so before `Application.onCreate`).
pub const BRIDGE_INIT_ORDER: i32 = i32::MAX;

/// Framework attribute resource ids (`android.R.attr`).
pub mod attr {
    pub const NAME: u32 = 0x0101_0003;
    pub const EXPORTED: u32 = 0x0101_0010;
    pub const AUTHORITIES: u32 = 0x0101_0018;
    pub const INIT_ORDER: u32 = 0x0101_001a;
    pub const MIN_SDK_VERSION: u32 = 0x0101_020c;
    pub const VERSION_CODE: u32 = 0x0101_021b;
    pub const VERSION_NAME: u32 = 0x0101_021c;
    pub const TARGET_SDK_VERSION: u32 = 0x0101_0270;
    pub const EXTRACT_NATIVE_LIBS: u32 = 0x0101_04ea;
}

/// What the pipeline, `inspect` and the report need from a manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFacts {
    pub package: String,
    pub version_code: Option<u32>,
    /// Literal text, or `@0x7f……` when it is a resource reference.
    pub version_name: Option<String>,
    /// `<uses-sdk android:minSdkVersion>`; 1 when absent (the platform default).
    pub min_sdk: u32,
    /// `<uses-sdk android:targetSdkVersion>`; equal to `min_sdk` when absent.
    pub target_sdk: u32,
    /// `<application android:extractNativeLibs>`; `None` when absent.
    pub extract_native_libs: Option<bool>,
    pub has_application: bool,
    /// `<application android:name>`, resolved to a full class name.
    pub application_class: Option<String>,
    /// Every `<provider>` of `<application>`, in document order.
    pub providers: Vec<Provider>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    /// Full class name (relative names resolved against the package).
    pub name: Option<String>,
    /// `android:authorities`, split on `;`.
    pub authorities: Vec<String>,
    pub exported: Option<bool>,
}

impl ManifestFacts {
    /// The authority fuse's bridge provider uses for this app.
    pub fn bridge_authority(&self) -> String {
        format!("{}.fuse", self.package)
    }

    /// Whether the manifest already carries fuse's bridge provider.
    pub fn is_fused(&self) -> bool {
        self.providers
            .iter()
            .any(|p| p.name.as_deref() == Some(BRIDGE_PROVIDER))
    }
}

fn android(name: &'static str, id: u32) -> AttrName<'static> {
    AttrName::android(name, id)
}

/// The `<manifest>` root element.
fn manifest_root(doc: &Document) -> Result<ElementId> {
    let root = doc.root().ok_or(Error::NotAManifest {
        found: String::new(),
    })?;
    match doc.name(root) {
        Some("manifest") => Ok(root),
        other => Err(Error::NotAManifest {
            found: other.unwrap_or("").to_owned(),
        }),
    }
}

fn reference_error(element: &'static str, attribute: &'static str, id: u32) -> Error {
    Error::ManifestValue {
        element,
        attribute,
        problem: format!(
            "is a resource reference (@{id:#010x}) — fuse reads literal values only; write the value itself in the manifest"
        ),
    }
}

/// An integer attribute: decimal or hex, or a string holding a decimal number.
fn integer(
    doc: &Document,
    a: &Attribute,
    element: &'static str,
    attribute: &'static str,
) -> Result<i64> {
    match a.value.typed() {
        Typed::IntDec(v) => Ok(i64::from(v)),
        Typed::IntHex(v) => Ok(i64::from(v)),
        Typed::Reference(id) => Err(reference_error(element, attribute, id)),
        Typed::String(_) => {
            let text = doc.attribute_text(a).unwrap_or("");
            text.trim().parse::<i64>().map_err(|_| Error::ManifestValue {
                element,
                attribute,
                problem: format!(
                    "is {text:?}, not a number (a preview SDK codename?) — fuse needs a released API level / number"
                ),
            })
        }
        other => Err(Error::ManifestValue {
            element,
            attribute,
            problem: format!("has an unexpected value {other:?} — expected a number"),
        }),
    }
}

fn sdk_level(doc: &Document, a: &Attribute, attribute: &'static str) -> Result<u32> {
    let v = integer(doc, a, "<uses-sdk>", attribute)?;
    u32::try_from(v)
        .ok()
        .filter(|&v| v >= 1)
        .ok_or(Error::ManifestValue {
            element: "<uses-sdk>",
            attribute,
            problem: format!("is {v}, not an API level — fix the manifest"),
        })
}

fn boolean(
    doc: &Document,
    a: &Attribute,
    element: &'static str,
    attribute: &'static str,
) -> Result<bool> {
    match a.value.typed() {
        Typed::Boolean(b) => Ok(b),
        Typed::Reference(id) => Err(reference_error(element, attribute, id)),
        Typed::String(_) => match doc.attribute_text(a).unwrap_or("") {
            "true" => Ok(true),
            "false" => Ok(false),
            text => Err(Error::ManifestValue {
                element,
                attribute,
                problem: format!("is {text:?}, not true or false — fix the manifest"),
            }),
        },
        other => Err(Error::ManifestValue {
            element,
            attribute,
            problem: format!("has an unexpected value {other:?} — expected true or false"),
        }),
    }
}

/// A string attribute's text; references are reported as `@0x……`.
fn text(doc: &Document, a: &Attribute) -> String {
    match a.value.typed() {
        Typed::Reference(id) => format!("@{id:#010x}"),
        Typed::IntDec(v) if doc.string(a.raw_value).is_none() => v.to_string(),
        _ => doc.attribute_text(a).unwrap_or("").to_owned(),
    }
}

/// A class name as the platform resolves it (`PackageParser.buildClassName`).
fn class_name(package: &str, name: &str) -> String {
    if name.starts_with('.') {
        format!("{package}{name}")
    } else if !name.contains('.') {
        format!("{package}.{name}")
    } else {
        name.to_owned()
    }
}

fn class_attribute(
    doc: &Document,
    id: ElementId,
    package: &str,
    element: &'static str,
) -> Result<Option<String>> {
    let Some((_, a)) = doc.attribute(id, &android("name", attr::NAME)) else {
        return Ok(None);
    };
    if let Typed::Reference(r) = a.value.typed() {
        return Err(reference_error(element, "android:name", r));
    }
    Ok(doc
        .attribute_text(a)
        .filter(|n| !n.is_empty())
        .map(|n| class_name(package, n)))
}

fn providers(doc: &Document, application: ElementId, package: &str) -> Result<Vec<Provider>> {
    doc.children_named(application, "provider")
        .into_iter()
        .map(|p| {
            let authorities = doc
                .attribute(p, &android("authorities", attr::AUTHORITIES))
                .map(|(_, a)| text(doc, a))
                .unwrap_or_default();
            Ok(Provider {
                name: class_attribute(doc, p, package, "<provider>")?,
                authorities: authorities
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                exported: doc
                    .attribute(p, &android("exported", attr::EXPORTED))
                    .map(|(_, a)| boolean(doc, a, "<provider>", "android:exported"))
                    .transpose()?,
            })
        })
        .collect()
}

/// Reads the manifest facts from a decoded `AndroidManifest.xml`.
pub fn read_facts(doc: &Document) -> Result<ManifestFacts> {
    let root = manifest_root(doc)?;
    let package = doc
        .attribute(root, &AttrName::plain("package"))
        .and_then(|(_, a)| doc.attribute_text(a))
        .filter(|p| !p.is_empty())
        .ok_or(Error::ManifestValue {
            element: "<manifest>",
            attribute: "package",
            problem: "is missing — every APK manifest names its package".into(),
        })?
        .to_owned();

    let version_code = doc
        .attribute(root, &android("versionCode", attr::VERSION_CODE))
        .map(|(_, a)| {
            let v = integer(doc, a, "<manifest>", "android:versionCode")?;
            // aapt stores the 32 bits; the platform reads them as unsigned.
            u32::try_from(v)
                .or_else(|_| i32::try_from(v).map(|v| v as u32))
                .map_err(|_| Error::ManifestValue {
                    element: "<manifest>",
                    attribute: "android:versionCode",
                    problem: format!("is {v}, more than 32 bits — fix the manifest"),
                })
        })
        .transpose()?;
    let version_name = doc
        .attribute(root, &android("versionName", attr::VERSION_NAME))
        .map(|(_, a)| text(doc, a));

    let uses_sdk = doc.children_named(root, "uses-sdk").last().copied();
    let sdk = |name: &'static str, id: u32, label: &'static str| -> Result<Option<u32>> {
        uses_sdk
            .and_then(|u| doc.attribute(u, &android(name, id)))
            .map(|(_, a)| sdk_level(doc, a, label))
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

    let application = doc.children_named(root, "application").first().copied();
    let (extract_native_libs, application_class, providers) = match application {
        Some(app) => (
            doc.attribute(
                app,
                &android("extractNativeLibs", attr::EXTRACT_NATIVE_LIBS),
            )
            .map(|(_, a)| boolean(doc, a, "<application>", "android:extractNativeLibs"))
            .transpose()?,
            class_attribute(doc, app, &package, "<application>")?,
            providers(doc, app, &package)?,
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

/// Adds fuse's bridge provider to `<application>` (creating it if absent), or replaces
/// the one a previous fusion added, so patching twice gives the bytes of patching once.
/// Returns the facts of the manifest as it was before the patch.
pub fn add_bridge_provider(doc: &mut Document) -> Result<ManifestFacts> {
    let facts = read_facts(doc)?;
    let authority = facts.bridge_authority();
    if let Some(other) = facts
        .providers
        .iter()
        .find(|p| p.name.as_deref() != Some(BRIDGE_PROVIDER) && p.authorities.contains(&authority))
    {
        return Err(Error::AuthorityTaken {
            authority,
            provider: other.name.clone().unwrap_or_else(|| "(unnamed)".into()),
        });
    }
    let provider = NewElement {
        name: "provider",
        attributes: vec![
            NewAttribute {
                name: android("name", attr::NAME),
                value: NewValue::String(BRIDGE_PROVIDER),
            },
            NewAttribute {
                name: android("exported", attr::EXPORTED),
                value: NewValue::Boolean(false),
            },
            NewAttribute {
                name: android("authorities", attr::AUTHORITIES),
                value: NewValue::String(&authority),
            },
            NewAttribute {
                name: android("initOrder", attr::INIT_ORDER),
                value: NewValue::IntDec(BRIDGE_INIT_ORDER),
            },
        ],
    };

    doc.ensure_namespace("android", ANDROID_NS)?;
    let root = manifest_root(doc)?;
    let application = match doc.children_named(root, "application").first() {
        Some(&app) => app,
        None => doc.append_child(
            root,
            &NewElement {
                name: "application",
                attributes: Vec::new(),
            },
        )?,
    };
    let ours: Vec<ElementId> = doc
        .children_named(application, "provider")
        .into_iter()
        .filter(|&p| {
            matches!(class_attribute(doc, p, &facts.package, "<provider>"),
                     Ok(Some(name)) if name == BRIDGE_PROVIDER)
        })
        .collect();
    match ours.split_first() {
        Some((&first, rest)) => {
            // Later ones first, so `first` keeps its position.
            for &p in rest.iter().rev() {
                doc.remove_element(p)?;
            }
            doc.replace_element(first, &provider)?;
        }
        None => {
            doc.append_child(application, &provider)?;
        }
    }
    Ok(facts)
}

/// Decodes `manifest`, adds the bridge provider and encodes it again. Returns the new
/// bytes and the facts of the original manifest.
pub fn patch(manifest: &[u8]) -> Result<(Vec<u8>, ManifestFacts)> {
    let mut doc = Document::decode(manifest)?;
    let facts = add_bridge_provider(&mut doc)?;
    Ok((doc.encode()?, facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_resolve_like_the_platform() {
        assert_eq!(class_name("a.b", ".App"), "a.b.App");
        assert_eq!(class_name("a.b", "App"), "a.b.App");
        assert_eq!(class_name("a.b", "x.y.App"), "x.y.App");
    }

    /// `<ROOT/>` with no attributes, as bytes (pool [ROOT]).
    fn bare(root: &str) -> Document {
        let mut pool = super::super::string_pool::StringPool::new_utf16();
        pool.push(root).unwrap();
        let mut out = vec![3, 0, 8, 0, 0, 0, 0, 0];
        pool.encode(&mut out).unwrap();
        out.extend_from_slice(&[2, 1, 16, 0, 36, 0, 0, 0, 1, 0, 0, 0, 255, 255, 255, 255]);
        out.extend_from_slice(&[
            255, 255, 255, 255, 0, 0, 0, 0, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        out.extend_from_slice(&[3, 1, 16, 0, 24, 0, 0, 0, 1, 0, 0, 0, 255, 255, 255, 255]);
        out.extend_from_slice(&[255, 255, 255, 255, 0, 0, 0, 0]);
        let size = (out.len() as u32).to_le_bytes();
        out[4..8].copy_from_slice(&size);
        Document::decode(&out).unwrap()
    }

    fn set(doc: &mut Document, el: ElementId, name: AttrName<'static>, value: NewValue<'static>) {
        doc.set_attribute(el, &NewAttribute { name, value })
            .unwrap();
    }

    /// `<manifest package="p">` plus `<uses-sdk>` and `<application>`, built with the
    /// editor (no namespace declared: `ensure_namespace` adds it).
    fn manifest() -> (Document, ElementId, ElementId) {
        let mut doc = bare("manifest");
        doc.ensure_namespace("android", ANDROID_NS).unwrap();
        let root = doc.root().unwrap();
        set(
            &mut doc,
            root,
            AttrName::plain("package"),
            NewValue::String("p"),
        );
        let empty = |name| NewElement {
            name,
            attributes: vec![],
        };
        doc.append_child(root, &empty("uses-sdk")).unwrap();
        doc.append_child(root, &empty("application")).unwrap();
        let sdk = doc.children_named(root, "uses-sdk")[0];
        let app = doc.children_named(root, "application")[0];
        (doc, sdk, app)
    }

    #[test]
    fn non_manifest_roots_are_refused() {
        let e = read_facts(&bare("layout")).unwrap_err();
        assert_eq!(e.kind(), "not-a-manifest");
        assert!(e.to_string().contains("<layout>"), "{e}");
    }

    #[test]
    fn a_missing_package_is_refused() {
        let e = read_facts(&bare("manifest")).unwrap_err();
        assert_eq!(e.kind(), "manifest-value");
        assert!(e.to_string().contains("package is missing"), "{e}");
    }

    #[test]
    fn sdk_levels_from_literals_strings_and_defaults() {
        let (mut doc, sdk, _) = manifest();
        let f = read_facts(&doc).unwrap();
        assert_eq!((f.min_sdk, f.target_sdk), (1, 1));
        set(
            &mut doc,
            sdk,
            android("minSdkVersion", attr::MIN_SDK_VERSION),
            NewValue::String("23"),
        );
        let f = read_facts(&doc).unwrap();
        assert_eq!((f.min_sdk, f.target_sdk), (23, 23));
        set(
            &mut doc,
            sdk,
            android("targetSdkVersion", attr::TARGET_SDK_VERSION),
            NewValue::IntHex(0x22),
        );
        assert_eq!(read_facts(&doc).unwrap().target_sdk, 34);
        set(
            &mut doc,
            sdk,
            android("minSdkVersion", attr::MIN_SDK_VERSION),
            NewValue::IntDec(0),
        );
        assert!(
            read_facts(&doc)
                .unwrap_err()
                .to_string()
                .contains("not an API level")
        );
    }

    #[test]
    fn references_are_refused_where_fuse_needs_the_value() {
        let (mut doc, sdk, app) = manifest();
        let root = doc.root().unwrap();
        set(
            &mut doc,
            root,
            android("versionName", attr::VERSION_NAME),
            NewValue::Reference(0x7f0b_0001),
        );
        assert_eq!(
            read_facts(&doc).unwrap().version_name.as_deref(),
            Some("@0x7f0b0001")
        );

        for (el, name, id) in [
            (sdk, "minSdkVersion", attr::MIN_SDK_VERSION),
            (app, "extractNativeLibs", attr::EXTRACT_NATIVE_LIBS),
            (root, "versionCode", attr::VERSION_CODE),
        ] {
            let mut doc = doc.clone();
            set(
                &mut doc,
                el,
                android(name, id),
                NewValue::Reference(0x7f0a_0002),
            );
            let e = read_facts(&doc).unwrap_err();
            assert_eq!(e.kind(), "manifest-value");
            assert!(
                e.to_string().contains("resource reference (@0x7f0a0002)"),
                "{e}"
            );
        }
    }

    #[test]
    fn the_patch_declares_the_namespace_and_application_it_needs() {
        let mut doc = bare("manifest");
        let root = doc.root().unwrap();
        set(
            &mut doc,
            root,
            AttrName::plain("package"),
            NewValue::String("q"),
        );
        let facts = add_bridge_provider(&mut doc).unwrap();
        assert!(!facts.has_application && !facts.is_fused());
        let doc = Document::decode(&doc.encode().unwrap()).unwrap();
        let after = read_facts(&doc).unwrap();
        assert!(after.has_application && after.is_fused());
        assert_eq!(after.providers[0].authorities, vec!["q.fuse".to_owned()]);
        assert_eq!(after.providers[0].exported, Some(false));
    }
}
