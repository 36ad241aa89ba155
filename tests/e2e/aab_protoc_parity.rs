//! The protobuf manifest patch against independent decoders: `protoc --decode` with the
//! checked-in `.proto` subsets, `protoc --decode_raw`, and aapt2's own encoding of the same
//! provider element (`aapt2-fused-manifest.pb` from `testdata/aab/generate`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use fuse::aab::Manifest;
use fuse::aab::proto::{XmlNode, xml_node};
use prost::Message;

use crate::support;

fn fixtures() -> PathBuf {
    support::generated("aab")
}

/// An entry's raw bytes, extracted by Info-ZIP `unzip` (an independent ZIP reader).
pub fn unzip_entry(archive: &Path, name: &str) -> Vec<u8> {
    support::require_tool("unzip");
    let out = Command::new("unzip")
        .arg("-p")
        .arg(archive)
        .arg(name)
        .stdin(Stdio::null())
        .output()
        .expect("run unzip");
    assert!(
        out.status.success(),
        "unzip -p {} {name} failed",
        archive.display()
    );
    out.stdout
}

/// `protoc --decode=MESSAGE` (or `--decode_raw` when `message` is None) of `bytes`.
pub fn protoc_decode(message: Option<&str>, bytes: &[u8]) -> String {
    use std::io::Write;
    support::require_tool("protoc");
    let proto = support::repo().join("testdata/aab/proto");
    let mut cmd = Command::new("protoc");
    match message {
        Some(m) => {
            let file = if m.starts_with("aapt.pb.") {
                "Resources.proto"
            } else if m.ends_with("BundleConfig") {
                "bundle/config.proto"
            } else {
                "bundle/files.proto"
            };
            cmd.arg(format!("-I{}", proto.display()))
                .arg(format!("--decode={m}"))
                .arg(proto.join(file));
        }
        None => {
            cmd.arg("--decode_raw");
        }
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn protoc");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "protoc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn base_manifest(aab: &str) -> Vec<u8> {
    unzip_entry(&fixtures().join(aab), "base/manifest/AndroidManifest.xml")
}

/// The `<application>` children of a manifest.
fn application_children(bytes: &[u8]) -> Vec<XmlNode> {
    let root = XmlNode::decode(bytes).unwrap();
    let Some(xml_node::Node::Element(m)) = root.node else {
        panic!("no root element")
    };
    m.child
        .into_iter()
        .find_map(|c| match c.node {
            Some(xml_node::Node::Element(e)) if e.name == "application" => Some(e.child),
            _ => None,
        })
        .expect("an <application>")
}

fn is_bridge(node: &XmlNode) -> bool {
    matches!(&node.node, Some(xml_node::Node::Element(e))
        if e.name == "provider" && e.attribute.iter().any(|a| a.value == "fuse.bridge.FuseProvider"))
}

#[test]
fn the_patched_manifest_decodes_with_protoc_and_shows_the_provider() {
    let original = base_manifest("app.aab");
    let (patched, facts) = Manifest::decode("base/manifest/AndroidManifest.xml", original.clone())
        .unwrap()
        .with_bridge_provider()
        .unwrap();
    assert_eq!(facts.package, "com.example.fuse.bundle");
    assert_eq!(
        (facts.min_sdk, facts.target_sdk, facts.version_code),
        (21, 34, Some(42))
    );

    let text = protoc_decode(Some("aapt.pb.XmlNode"), &patched);
    let block = r#"element {
        name: "provider"
        attribute {
          namespace_uri: "http://schemas.android.com/apk/res/android"
          name: "authorities"
          value: "com.example.fuse.bundle.fuse"
          resource_id: 16842776
        }
        attribute {
          namespace_uri: "http://schemas.android.com/apk/res/android"
          name: "exported"
          value: "false"
          resource_id: 16842768
          compiled_item {
            prim {
              boolean_value: false
            }
          }
        }
        attribute {
          namespace_uri: "http://schemas.android.com/apk/res/android"
          name: "initOrder"
          value: "2147483647"
          resource_id: 16842778
          compiled_item {
            prim {
              int_decimal_value: 2147483647
            }
          }
        }
        attribute {
          namespace_uri: "http://schemas.android.com/apk/res/android"
          name: "name"
          value: "fuse.bridge.FuseProvider"
          resource_id: 16842755
        }
      }"#;
    let squash = |s: &str| s.lines().map(str::trim).collect::<Vec<_>>().join("\n");
    assert!(
        squash(&text).contains(&squash(block)),
        "protoc output lacks the provider:\n{text}"
    );

    // The patched text is the original text with one contiguous block inserted.
    let before = protoc_decode(Some("aapt.pb.XmlNode"), &original);
    let (a, b): (Vec<&str>, Vec<&str>) = (before.lines().collect(), text.lines().collect());
    let k = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let added = b.len() - a.len();
    assert_eq!(&b[k + added..], &a[k..], "lines after the insertion differ");
    let inserted = b[k..k + added].join("\n");
    assert!(
        inserted.trim_start().starts_with("child {")
            && inserted.contains("fuse.bridge.FuseProvider")
    );
    assert_eq!(inserted.matches("attribute {").count(), 4, "{inserted}");

    // decode_raw (no schema at all): the four resource ids and the typed values.
    let raw = protoc_decode(None, &patched);
    for id in ["5: 16842755", "5: 16842768", "5: 16842776", "5: 16842778"] {
        assert!(raw.contains(id), "decode_raw lacks {id}");
    }
    assert!(
        raw.contains("6: 2147483647"),
        "int_decimal_value (field 6) missing"
    );
    assert!(raw.contains("3: \"com.example.fuse.bundle.fuse\""));
}

#[test]
fn the_provider_matches_aapt2s_own_encoding() {
    let (patched, _) = Manifest::decode("m", base_manifest("app.aab"))
        .unwrap()
        .with_bridge_provider()
        .unwrap();
    let ours: Vec<XmlNode> = application_children(&patched)
        .into_iter()
        .filter(is_bridge)
        .collect();
    let reference = std::fs::read(fixtures().join("aapt2-fused-manifest.pb")).unwrap();
    let mut theirs: Vec<XmlNode> = application_children(&reference)
        .into_iter()
        .filter(is_bridge)
        .collect();
    assert_eq!((ours.len(), theirs.len()), (1, 1));
    // aapt2 records source lines (the node's and each compiled attribute's); fuse's element
    // has no source file. Everything else must be equal.
    for node in &mut theirs {
        node.source = None;
        if let Some(xml_node::Node::Element(e)) = &mut node.node {
            for a in &mut e.attribute {
                a.source = None;
            }
        }
    }
    assert_eq!(ours, theirs);
}

#[test]
fn patching_an_aapt2_manifest_is_idempotent_and_an_unedited_one_round_trips() {
    let original = base_manifest("app.aab");
    let m = Manifest::decode("m", original.clone()).unwrap();
    assert_eq!(m.bytes(), original.as_slice());
    let (once, _) = m.with_bridge_provider().unwrap();
    let (twice, facts) = Manifest::decode("m", once.clone())
        .unwrap()
        .with_bridge_provider()
        .unwrap();
    assert!(facts.is_fused());
    assert_eq!(once, twice);
}

#[test]
fn the_hostile_manifests_are_refused_by_the_decoder() {
    for (aab, kind) in [
        ("bad-manifest-truncated.aab", "protobuf"),
        ("bad-manifest-wire-type.aab", "protobuf"),
        ("bad-manifest-deep.aab", "protobuf"),
        ("bad-manifest-oversized-length.aab", "protobuf"),
    ] {
        let e =
            Manifest::decode("base/manifest/AndroidManifest.xml", base_manifest(aab)).unwrap_err();
        assert_eq!(e.kind(), kind, "{aab}: {e}");
        // protoc agrees that the bytes are not a valid XmlNode.
        let mut cmd = Command::new("protoc");
        let proto = support::repo().join("testdata/aab/proto");
        cmd.arg(format!("-I{}", proto.display()))
            .arg("--decode=aapt.pb.XmlNode")
            .arg(proto.join("Resources.proto"))
            .stdin(std::fs::File::open(write_temp(&base_manifest(aab))).unwrap())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        assert!(!cmd.status().unwrap().success(), "protoc accepted {aab}");
    }
}

fn write_temp(bytes: &[u8]) -> PathBuf {
    let dir = support::tempdir().keep();
    let p = dir.join("m.pb");
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn native_pb_written_by_prost_equals_protocs_encoding() {
    // The fixture's base/native.pb was encoded by protoc from text format; fuse's encoder
    // (prost, numbers from src/aab/proto.rs) must produce the same bytes.
    let abis = ["arm64-v8a", "x86_64"].map(str::to_owned).into();
    let ours = fuse::aab::native::new_config(&abis);
    assert_eq!(
        ours,
        unzip_entry(&fixtures().join("app.aab"), "base/native.pb")
    );
    let text = protoc_decode(Some("android.bundle.NativeLibraries"), &ours);
    assert!(
        text.contains("alias: ARM64_V8A") && text.contains("alias: X86_64"),
        "{text}"
    );
}

#[test]
fn every_single_byte_mutation_and_truncation_of_a_real_manifest_is_handled() {
    // A deterministic mutation sweep over aapt2's manifest (the fuzz-style regression net
    // that runs in CI): decoding never panics; whatever decodes either patches into a
    // manifest that decodes again and is fused, or is refused with a one-line error.
    let original = base_manifest("app.aab");
    let check = |bytes: Vec<u8>| match Manifest::decode("m", bytes) {
        Ok(m) => match m.with_bridge_provider() {
            Ok((patched, _)) => {
                let again = Manifest::decode("m", patched).expect("patched output decodes");
                assert!(again.facts().expect("facts of patched output").is_fused());
            }
            Err(e) => assert!(!e.to_string().contains('\n')),
        },
        Err(e) => assert!(!e.to_string().contains('\n')),
    };
    for i in 0..original.len() {
        for op in [0x01u8, 0x80, 0xff] {
            let mut b = original.clone();
            b[i] ^= op;
            check(b);
        }
        check(original[..i].to_vec());
    }
}
