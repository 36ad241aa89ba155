//! Reading a whole bundle strictly and planning the fusion of the base module.
//!
//! ```text
//! BundleSource (entry names + bounded reads)
//!   └─ read_bundle: Layout (names) · BundleConfig.pb · every module's manifest (split ids,
//!                   hasCode) · every native.pb           ──▶ Bundle (facts, modules, ABIs)
//!        └─ plan_fusion(Bundle, Payloads)                ──▶ Plan { put, remove } + changes
//!   put:    base/manifest/AndroidManifest.xml   bridge provider (manifest.rs)
//!           base/dex/classesN.dex               bridge (next free N, or the previous bridge's N)
//!           base/lib/<abi>/libfusepin.so        per ABI: the bundle's ABI set, all four if none
//!           base/native.pb                      + lib/<abi> targeting (native.rs)
//!           base/assets/fuse/policy.bin
//!   remove: BUNDLE-METADATA/**/code_transparency*   (it certifies the code before fusion)
//! ```
//! The container (ZIP) is read through [`BundleSource`] so this file holds the bundle
//! rules only; `BundleConfig.pb` and everything not listed above are kept as they are.

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;

use super::bundle::{BASE, BUNDLE_CONFIG, Layout, METADATA_DIR};
use super::error::{Error, Result};
use super::manifest::{MANIFEST_PATH, MAX_MANIFEST, Manifest};
use super::native::{MAX_NATIVE, NATIVE_PATH, NativeConfig, new_config};
use super::proto::{BundleConfig, bundle_type};
use crate::axml::ManifestFacts;

/// The four ABIs fuse ships a shim for; a bundle without native code gets all of them.
pub const ALL_ABIS: [&str; 4] = ["arm64-v8a", "armeabi-v7a", "x86", "x86_64"];
/// Name of the shim in `lib/<abi>/`.
pub const SHIM_NAME: &str = "libfusepin.so";
/// The policy asset, relative to a module.
pub const POLICY_PATH: &str = "assets/fuse/policy.bin";
/// A class every bridge dex defines; finds the dex of a previous fusion.
const BRIDGE_DESCRIPTOR: &[u8] = b"Lfuse/bridge/FuseProvider;";
/// Largest BundleConfig.pb fuse reads.
const MAX_BUNDLE_CONFIG: u64 = 4 << 20;
/// Largest dex fuse reads to look for a previous bridge (the bridge is a few KiB; larger
/// dex files are the app's own and are not read).
const MAX_BRIDGE_DEX: u64 = 1 << 20;

/// Read access to the bundle's entries (implemented for the ZIP reader).
pub trait BundleSource {
    /// Every entry name, in the archive's order.
    fn names(&self) -> Vec<&str>;
    /// An entry's uncompressed size as declared, if the entry exists.
    fn size(&self, name: &str) -> Option<u64>;
    /// An entry's uncompressed bytes, refusing more than `max`.
    fn read(&self, name: &str, max: u64) -> std::result::Result<Vec<u8>, crate::Error>;
}

/// A bundle read strictly: its layout, decoded manifests and native targeting.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub layout: Layout,
    pub base_manifest: Manifest,
    /// Facts of the base manifest (the app's package, versions, SDKs, providers).
    pub facts: ManifestFacts,
    pub base_native: Option<NativeConfig>,
    pub bundletool_version: Option<String>,
    /// The ABI set of the modules with native code (None: no native code anywhere).
    pub abis: Option<BTreeSet<String>>,
}

/// What fusion adds: bytes the caller takes from `crate::payloads` and the policy.
pub struct Payloads<'a> {
    /// The shim per ABI (`crate::payloads::android_shim`).
    pub shim: &'a dyn Fn(&str) -> Option<&'static [u8]>,
    pub bridge_dex: &'a [u8],
    pub policy: &'a [u8],
}

/// An entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub name: String,
    pub data: Vec<u8>,
}

/// The changes to the bundle's entries (signature files are always re-made by the signer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub put: Vec<NewEntry>,
    pub remove: BTreeSet<String>,
}

/// The facts of a fusion, for the CLI and the Certified Secure report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FusionFacts {
    pub package: String,
    pub version_code: Option<u32>,
    pub version_name: Option<String>,
    pub min_sdk: u32,
    pub target_sdk: u32,
    pub modules: Vec<String>,
    /// The ABIs the shim was added for.
    pub abis: Vec<String>,
    /// True when the bundle had no native code: every ABI in `abis` is new.
    pub abis_added: bool,
    /// `<application android:extractNativeLibs>` of the base manifest.
    pub extract_native_libs: Option<bool>,
    /// Whether the input was already fused (the fusion was replaced).
    pub was_fused: bool,
    pub bridge_dex: String,
    /// Whether `base/native.pb` was created, extended or left alone.
    pub native_targeting: NativeTargeting,
    pub removed_metadata: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NativeTargeting {
    Created,
    Extended,
    Unchanged,
    /// The base module ships untargeted native code (no native.pb); fuse's libraries join it.
    Untargeted,
}

fn module_file(module: &str, relative: &str) -> String {
    format!("{module}/{relative}")
}

/// Reads and checks everything fuse relies on. Every failure is exit 3 (bad package).
pub fn read_bundle(source: &dyn BundleSource) -> std::result::Result<Bundle, crate::Error> {
    let names = source.names();
    let layout = Layout::from_names(names.iter().copied())?;

    let config = source.read(BUNDLE_CONFIG, MAX_BUNDLE_CONFIG)?;
    let config = BundleConfig::decode(config.as_slice()).map_err(|e| {
        Error::protobuf(
            BUNDLE_CONFIG,
            "android.bundle.BundleConfig",
            super::error::decode_problem(&e),
        )
    })?;
    match config.r#type {
        bundle_type::REGULAR => {}
        bundle_type::APEX => {
            return Err(Error::layout(
                "is an APEX bundle (BundleConfig type APEX)",
                "fuse protects apps; APEX system images are out of scope",
            )
            .into());
        }
        other => {
            return Err(Error::layout(
                format!("is not a regular app bundle (BundleConfig type {other})"),
                "fuse protects app bundles with a base module; asset-only bundles have no code",
            )
            .into());
        }
    }

    let mut base_manifest = None;
    let mut base_native = None;
    let mut splits: Vec<(String, Option<String>)> = Vec::new();
    for module in layout.modules.values() {
        let file = module_file(&module.name, MANIFEST_PATH);
        let manifest = Manifest::decode(&file, source.read(&file, MAX_MANIFEST)?)?;
        splits.push((module.name.clone(), manifest.split_id()?));
        if module.dex.is_empty() && manifest.has_code()? {
            return Err(Error::layout(
                format!(
                    "module {:?} has no dex files but its manifest does not set android:hasCode=\"false\" (bundletool's DexFilesValidator)",
                    module.name
                ),
                "rebuild the bundle with the Android Gradle Plugin",
            )
            .into());
        }
        if module.has_native_pb {
            let file = module_file(&module.name, NATIVE_PATH);
            let native = NativeConfig::decode(&file, source.read(&file, MAX_NATIVE)?)?;
            native.check(&module.lib_dirs())?;
            if module.name == BASE {
                base_native = Some(native);
            }
        }
        if module.name == BASE {
            base_manifest = Some(manifest);
        }
    }
    check_splits(&splits)?;
    let base_manifest = base_manifest.ok_or_else(|| {
        Error::layout(
            format!("has no {BASE}/{MANIFEST_PATH}"),
            "pass a complete app bundle",
        )
    })?;
    let facts = base_manifest.facts()?;
    let abis = layout.common_abis()?.cloned();
    Ok(Bundle {
        layout,
        base_manifest,
        facts,
        base_native,
        bundletool_version: config
            .bundletool
            .map(|b| b.version)
            .filter(|v| !v.is_empty()),
        abis,
    })
}

/// bundletool's `ModuleNamesValidator`: no two modules declare the same `split`; base has
/// none; every other module's `split` is its folder name.
fn check_splits(splits: &[(String, Option<String>)]) -> Result<()> {
    const WHY: &str = "bundletool's ModuleNamesValidator";
    let fix = "rebuild the bundle with the Android Gradle Plugin";
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (module, split) in splits {
        let key = split.as_deref().unwrap_or(BASE);
        if let Some(other) = seen.insert(key, module) {
            return Err(Error::layout(
                format!(
                    "modules {other:?} and {module:?} both declare split=\"{key}\" (duplicate modules; {WHY})"
                ),
                "keep one of them",
            ));
        }
    }
    for (module, split) in splits {
        match (module.as_str(), split.as_deref()) {
            (BASE, None) => {}
            (BASE, Some(s)) => {
                return Err(Error::layout(
                    format!(
                        "base module's manifest sets split=\"{s}\"; the base module must not ({WHY})"
                    ),
                    fix,
                ));
            }
            (_, None) => {
                return Err(Error::layout(
                    format!("module {module:?} has no split attribute in its manifest ({WHY})"),
                    fix,
                ));
            }
            (_, Some(s)) if s != module => {
                return Err(Error::layout(
                    format!(
                        "module {module:?} declares split=\"{s}\", which must be the module's name ({WHY})"
                    ),
                    fix,
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The base module's dex file (its name in `dex/`) that defines fuse's bridge, the last
/// such file: a previous fusion's. Only dex files up to the bridge's size bound are read.
pub fn find_bridge_dex(
    source: &dyn BundleSource,
    base: &super::Module,
) -> std::result::Result<Option<String>, crate::Error> {
    for dex in base.dex.iter().rev() {
        let name = module_file(BASE, &format!("dex/{dex}"));
        if source.size(&name).is_some_and(|s| s <= MAX_BRIDGE_DEX) {
            let bytes = source.read(&name, MAX_BRIDGE_DEX)?;
            if bytes
                .windows(BRIDGE_DESCRIPTOR.len())
                .any(|w| w == BRIDGE_DESCRIPTOR)
            {
                return Ok(Some(dex.clone()));
            }
        }
    }
    Ok(None)
}

fn is_code_transparency(name: &str) -> bool {
    name.strip_prefix(METADATA_DIR)
        .and_then(|rest| rest.rsplit('/').next())
        .is_some_and(|file| file.starts_with("code_transparency"))
}

/// Plans the fusion of `bundle`'s base module (see the module docs). Re-fusing a fused
/// bundle replaces the previous fusion in place.
pub fn plan_fusion(
    source: &dyn BundleSource,
    bundle: &Bundle,
    payloads: &Payloads<'_>,
) -> std::result::Result<(Plan, FusionFacts), crate::Error> {
    let base = bundle
        .layout
        .base()
        .ok_or_else(|| Error::layout("has no base module", "pass a complete app bundle"))?;
    let abis: BTreeSet<String> = match &bundle.abis {
        Some(abis) => abis.clone(),
        None => ALL_ABIS.iter().map(|a| (*a).to_owned()).collect(),
    };
    // A shim for every ABI, or a clear refusal (mips, riscv64, …).
    let mut shims = Vec::with_capacity(abis.len());
    for abi in &abis {
        let shim = (payloads.shim)(abi).ok_or_else(|| {
            Error::layout(
                format!("ships native code for {abi}, an ABI fuse has no shim for"),
                format!("build the app for {} only", ALL_ABIS.join(", ")),
            )
        })?;
        shims.push((abi, shim));
    }
    // Paths fuse writes into base must not exist in another module (EntryClashValidator).
    let ours: BTreeSet<String> = abis
        .iter()
        .map(|a| format!("lib/{a}/{SHIM_NAME}"))
        .chain([POLICY_PATH.to_owned()])
        .collect();
    for name in source.names() {
        if let Some((module, rest)) = name.split_once('/')
            && module != BASE
            && bundle.layout.modules.contains_key(module)
            && ours.contains(rest)
        {
            return Err(Error::layout(
                format!("module {module:?} already has {rest}, which fuse adds to the base module"),
                "rename that file in the module",
            )
            .into());
        }
    }

    let (manifest, _) = bundle.base_manifest.with_bridge_provider()?;
    let mut put = vec![NewEntry {
        name: module_file(BASE, MANIFEST_PATH),
        data: manifest,
    }];

    // The bridge dex: a previous fusion's file is replaced in place, else the next name.
    let bridge_dex = if bundle.facts.is_fused() {
        find_bridge_dex(source, base)?
    } else {
        None
    };
    let was_fused = bridge_dex.is_some();
    let bridge_dex = bridge_dex.unwrap_or_else(|| base.next_dex());
    put.push(NewEntry {
        name: module_file(BASE, &format!("dex/{bridge_dex}")),
        data: payloads.bridge_dex.to_vec(),
    });
    for (abi, shim) in shims {
        put.push(NewEntry {
            name: module_file(BASE, &format!("lib/{abi}/{SHIM_NAME}")),
            data: shim.to_vec(),
        });
    }
    let native_targeting = match (&bundle.base_native, base.abis.is_empty()) {
        (Some(native), _) => {
            let bytes = native.with_abis(&abis);
            if bytes == native.bytes() {
                NativeTargeting::Unchanged
            } else {
                put.push(NewEntry {
                    name: module_file(BASE, NATIVE_PATH),
                    data: bytes,
                });
                NativeTargeting::Extended
            }
        }
        (None, true) => {
            put.push(NewEntry {
                name: module_file(BASE, NATIVE_PATH),
                data: new_config(&abis),
            });
            NativeTargeting::Created
        }
        (None, false) => NativeTargeting::Untargeted,
    };
    put.push(NewEntry {
        name: module_file(BASE, POLICY_PATH),
        data: payloads.policy.to_vec(),
    });
    let remove: BTreeSet<String> = source
        .names()
        .into_iter()
        .filter(|n| is_code_transparency(n))
        .map(str::to_owned)
        .collect();

    let facts = FusionFacts {
        package: bundle.facts.package.clone(),
        version_code: bundle.facts.version_code,
        version_name: bundle.facts.version_name.clone(),
        min_sdk: bundle.facts.min_sdk,
        target_sdk: bundle.facts.target_sdk,
        modules: bundle.layout.modules.keys().cloned().collect(),
        abis_added: bundle.abis.is_none(),
        extract_native_libs: bundle.facts.extract_native_libs,
        abis: abis.into_iter().collect(),
        was_fused,
        bridge_dex: module_file(BASE, &format!("dex/{bridge_dex}")),
        native_targeting,
        removed_metadata: remove.iter().cloned().collect(),
    };
    Ok((Plan { put, remove }, facts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aab::proto::{XmlAttribute, XmlElement, XmlNode, xml_node};

    /// An in-memory bundle.
    #[derive(Debug, Default, Clone, PartialEq)]
    struct Mem(BTreeMap<String, Vec<u8>>);

    impl BundleSource for Mem {
        fn names(&self) -> Vec<&str> {
            self.0.keys().map(String::as_str).collect()
        }
        fn size(&self, name: &str) -> Option<u64> {
            self.0.get(name).map(|d| d.len() as u64)
        }
        fn read(&self, name: &str, max: u64) -> std::result::Result<Vec<u8>, crate::Error> {
            let d = self.0.get(name).unwrap();
            assert!(d.len() as u64 <= max);
            Ok(d.clone())
        }
    }

    fn manifest(split: Option<&str>, has_code: bool) -> Vec<u8> {
        let mut attribute = vec![XmlAttribute {
            name: "package".into(),
            value: "com.example.app".into(),
            ..Default::default()
        }];
        if let Some(s) = split {
            attribute.push(XmlAttribute {
                name: "split".into(),
                value: s.into(),
                ..Default::default()
            });
        }
        let mut app = XmlElement {
            name: "application".into(),
            ..Default::default()
        };
        if !has_code {
            app.attribute.push(XmlAttribute {
                namespace_uri: crate::axml::manifest::ANDROID_NS.into(),
                name: "hasCode".into(),
                value: "false".into(),
                resource_id: 0x0101_000c,
                ..Default::default()
            });
        }
        XmlNode {
            node: Some(xml_node::Node::Element(XmlElement {
                name: "manifest".into(),
                attribute,
                child: vec![XmlNode {
                    node: Some(xml_node::Node::Element(app)),
                    source: None,
                }],
                ..Default::default()
            })),
            source: None,
        }
        .encode_to_vec()
    }

    fn bundle(libs: &[&str]) -> Mem {
        let mut m = Mem::default();
        let mut put = |k: &str, v: Vec<u8>| m.0.insert(k.into(), v);
        put("BundleConfig.pb", vec![]);
        put("base/manifest/AndroidManifest.xml", manifest(None, true));
        put("base/dex/classes.dex", b"dex\n035\0app".to_vec());
        put(
            "feature/manifest/AndroidManifest.xml",
            manifest(Some("feature"), false),
        );
        put(
            "BUNDLE-METADATA/com.android.tools.build.bundletool/code_transparency_signed.jwt",
            vec![1],
        );
        put(
            "BUNDLE-METADATA/com.android.tools.build.obfuscation/proguard.map",
            vec![2],
        );
        for abi in libs {
            put(&format!("base/lib/{abi}/libapp.so"), vec![3]);
        }
        if !libs.is_empty() {
            let abis = libs.iter().map(|a| (*a).to_owned()).collect();
            put("base/native.pb", new_config(&abis));
        }
        m
    }

    const BRIDGE: &[u8] = b"dex\n035\0...Lfuse/bridge/FuseProvider;...";

    fn shim(abi: &str) -> Option<&'static [u8]> {
        ALL_ABIS
            .contains(&abi)
            .then_some(b"\x7fELF test shim".as_slice())
    }

    fn fuse(m: &Mem) -> std::result::Result<(Plan, FusionFacts), crate::Error> {
        let b = read_bundle(m)?;
        plan_fusion(
            m,
            &b,
            &Payloads {
                shim: &shim,
                bridge_dex: BRIDGE,
                policy: b"policy",
            },
        )
    }

    fn apply(m: &Mem, plan: &Plan) -> Mem {
        let mut out = m.clone();
        out.0.retain(|k, _| !plan.remove.contains(k));
        for p in &plan.put {
            out.0.insert(p.name.clone(), p.data.clone());
        }
        out
    }

    #[test]
    fn a_bundle_without_native_code_gets_all_four_abis_and_a_new_native_pb() {
        let m = bundle(&[]);
        let (plan, facts) = fuse(&m).unwrap();
        let names: Vec<&str> = plan.put.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "base/manifest/AndroidManifest.xml",
                "base/dex/classes2.dex",
                "base/lib/arm64-v8a/libfusepin.so",
                "base/lib/armeabi-v7a/libfusepin.so",
                "base/lib/x86/libfusepin.so",
                "base/lib/x86_64/libfusepin.so",
                "base/native.pb",
                "base/assets/fuse/policy.bin",
            ]
        );
        assert_eq!(facts.native_targeting, NativeTargeting::Created);
        assert_eq!(
            plan.remove.iter().collect::<Vec<_>>(),
            ["BUNDLE-METADATA/com.android.tools.build.bundletool/code_transparency_signed.jwt"]
        );
        assert!(!facts.was_fused);
        // The output is a valid bundle by the same rules.
        read_bundle(&apply(&m, &plan)).unwrap();
    }

    #[test]
    fn the_bundles_abis_are_kept_and_native_pb_extended_only_when_needed() {
        let m = bundle(&["arm64-v8a", "x86_64"]);
        let (plan, facts) = fuse(&m).unwrap();
        assert_eq!(facts.abis, ["arm64-v8a", "x86_64"]);
        assert_eq!(facts.native_targeting, NativeTargeting::Unchanged);
        assert!(!plan.put.iter().any(|p| p.name == "base/native.pb"));
    }

    #[test]
    fn re_fusing_replaces_the_previous_fusion_and_gives_the_same_plan() {
        let m = bundle(&[]);
        let (plan, _) = fuse(&m).unwrap();
        let fused = apply(&m, &plan);
        let (again, facts) = fuse(&fused).unwrap();
        assert!(facts.was_fused);
        assert_eq!(facts.bridge_dex, "base/dex/classes2.dex");
        assert_eq!(facts.native_targeting, NativeTargeting::Unchanged);
        assert_eq!(apply(&fused, &again), fused);
    }

    #[test]
    fn module_rules_on_manifests() {
        let mut m = bundle(&[]);
        m.0.insert(
            "extra/manifest/AndroidManifest.xml".into(),
            manifest(Some("feature"), false),
        );
        let e = fuse(&m).unwrap_err().to_string();
        assert!(e.contains("both declare split=\"feature\""), "{e}");

        let mut m = bundle(&[]);
        m.0.insert(
            "feature/manifest/AndroidManifest.xml".into(),
            manifest(Some("feature"), true),
        );
        let e = fuse(&m).unwrap_err().to_string();
        assert!(e.contains("hasCode"), "{e}");

        let mut m = bundle(&[]);
        m.0.insert(
            "base/manifest/AndroidManifest.xml".into(),
            manifest(Some("base"), true),
        );
        let e = fuse(&m).unwrap_err().to_string();
        assert!(e.contains("must not"), "{e}");
    }

    #[test]
    fn unknown_abis_and_clashing_paths_are_refused() {
        let e = fuse(&bundle(&["riscv64"])).unwrap_err().to_string();
        assert!(e.contains("riscv64, an ABI fuse has no shim for"), "{e}");
        let mut m = bundle(&[]);
        m.0.insert("feature/assets/fuse/policy.bin".into(), vec![]);
        let e = fuse(&m).unwrap_err().to_string();
        assert!(e.contains("already has assets/fuse/policy.bin"), "{e}");
    }

    #[test]
    fn bundle_types_other_than_regular_are_refused() {
        let mut m = bundle(&[]);
        m.0.insert(
            "BundleConfig.pb".into(),
            BundleConfig {
                bundletool: None,
                r#type: 2,
            }
            .encode_to_vec(),
        );
        assert!(fuse(&m).unwrap_err().to_string().contains("asset-only"));
        m.0.insert("BundleConfig.pb".into(), vec![0x08]);
        assert!(fuse(&m).unwrap_err().to_string().contains("BundleConfig"));
    }
}
