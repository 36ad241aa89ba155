//! `fuse build` on the fixture APKs of `testdata/apk`, judged by Android's own tools
//! (issue 6 acceptance): `apksigner verify -v`, `zipalign -c -p 4`, `aapt dump badging`
//! (same package and versions as the input), `aapt dump xmltree` (the provider and its
//! attributes), `dexdump` (the bridge in the new `classesN.dex`), `androguard` (package
//! and provider), and every original entry's raw bytes unchanged. Fusing twice gives the
//! bytes of fusing once; the same inputs give the same bytes; `fuse inspect` reads back
//! what `fuse build` did.
//!
//! Every fixture is fused once per test run (`fused()`), signed with a keytool PKCS#12
//! from `testdata/keys`, with `SOURCE_DATE_EPOCH` fixed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use fuse::zip::Archive;
use serde_json::Value;

use crate::support::{self, Run, fuse_cmd, generated, require_tool, tempdir, tool};

pub const SOURCE_DATE_EPOCH: &str = "1767225600";
pub const PRODUCTION: &str = "testdata/fusion-sets/good/production.json";

/// Fixture, its minSdk, the ABIs that must get a shim, whether shims are stored.
pub const FIXTURES: [(&str, u32, &[&str], bool); 5] = [
    (
        "min16-v1sha1",
        16,
        &["arm64-v8a", "armeabi-v7a", "x86", "x86_64"],
        true,
    ),
    (
        "min19-app-providers",
        19,
        &["arm64-v8a", "armeabi-v7a", "x86", "x86_64"],
        true,
    ),
    (
        "min21-native-stored",
        21,
        &["arm64-v8a", "armeabi-v7a"],
        true,
    ),
    ("min26-native-deflated", 26, &["x86_64"], false),
    // A real signed input: apksigner's signature files and block are replaced.
    (
        "min21-native-stored-apksigner",
        21,
        &["arm64-v8a", "armeabi-v7a"],
        true,
    ),
];

/// `fuse --json build INPUT --fusion-set FS -o OUT` with the rsa2048 keytool key.
pub fn build(input: &Path, fusion_set: &Path, out: &Path, extra: &[&str]) -> Run {
    let keys = generated("keys");
    let mut args: Vec<String> = vec![
        "--json".into(),
        "build".into(),
        input.display().to_string(),
        "--fusion-set".into(),
        fusion_set.display().to_string(),
        "-o".into(),
        out.display().to_string(),
        "--ks".into(),
        keys.join("rsa2048.p12").display().to_string(),
        "--ks-pass".into(),
        "pass:fuse-test-pass".into(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    fuse_cmd(args)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .run()
}

pub fn json(run: &Run) -> Value {
    run.success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{run}"))
}

pub struct Fused {
    pub name: &'static str,
    pub min_sdk: u32,
    pub abis: &'static [&'static str],
    pub stored: bool,
    pub input: PathBuf,
    pub output: PathBuf,
    pub result: Value,
}

/// Every fixture fused once per test run.
pub fn fused() -> &'static [Fused] {
    static FUSED: OnceLock<(tempfile::TempDir, Vec<Fused>)> = OnceLock::new();
    &FUSED
        .get_or_init(|| {
            let apks = generated("apk");
            let dir = tempdir();
            let fs = support::repo().join(PRODUCTION);
            let cases = FIXTURES
                .iter()
                .map(|&(name, min_sdk, abis, stored)| {
                    let input = apks.join(format!("{name}.apk"));
                    let output = dir.path().join(format!("{name}-fused.apk"));
                    let result = json(&build(&input, &fs, &output, &[]));
                    Fused {
                        name,
                        min_sdk,
                        abis,
                        stored,
                        input,
                        output,
                        result,
                    }
                })
                .collect();
            (dir, cases)
        })
        .1
}

fn bridge_name(f: &Fused) -> String {
    f.result["injection"]["bridgeDex"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn apksigner_and_zipalign_accept_every_fused_fixture() {
    for f in fused() {
        let run = tool(
            "apksigner",
            [
                "verify".as_ref(),
                "-v".as_ref(),
                "--min-sdk-version".as_ref(),
                f.min_sdk.to_string().as_ref(),
                f.output.as_os_str(),
            ],
        );
        run.success();
        assert!(run.stdout.starts_with("Verifies"), "{}: {run}", f.name);
        let v1 = f.min_sdk < 24;
        for (scheme, want) in [("v1 scheme (JAR signing)", v1), ("v2", true), ("v3", true)] {
            let line = run
                .stdout
                .lines()
                .find(|l| l.starts_with("Verified using ") && l.contains(scheme))
                .unwrap_or_else(|| panic!("{}: no {scheme} line\n{run}", f.name));
            assert!(line.ends_with(&format!(": {want}")), "{}: {line}", f.name);
        }
        tool(
            "zipalign",
            [
                "-c".as_ref(),
                "-p".as_ref(),
                "4".as_ref(),
                f.output.as_os_str(),
            ],
        )
        .success();
    }
}

/// The package line and SDK lines of `aapt dump badging`.
fn badging(apk: &Path) -> Vec<String> {
    let run = tool(
        "aapt",
        ["dump".as_ref(), "badging".as_ref(), apk.as_os_str()],
    );
    run.success();
    run.stdout
        .lines()
        .filter(|l| {
            l.starts_with("package:")
                || l.starts_with("sdkVersion:")
                || l.starts_with("targetSdkVersion:")
                || l.starts_with("application: ")
                || l.starts_with("native-code:")
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn aapt_sees_the_same_app_with_the_bridge_provider() {
    for f in fused() {
        let before = badging(&f.input);
        let after = badging(&f.output);
        let keep = |v: &[String]| -> Vec<String> {
            v.iter()
                .filter(|l| !l.starts_with("native-code:"))
                .cloned()
                .collect()
        };
        assert_eq!(keep(&before), keep(&after), "{}: badging changed", f.name);
        // Native code: the app's own ABIs, or all four for an app without native code.
        let native = after
            .iter()
            .find(|l| l.starts_with("native-code:"))
            .unwrap_or_else(|| panic!("{}: no native-code line {after:?}", f.name));
        let want = f
            .abis
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(native, &format!("native-code: {want}"), "{}", f.name);

        let run = tool(
            "aapt",
            [
                "dump".as_ref(),
                "xmltree".as_ref(),
                f.output.as_os_str(),
                "AndroidManifest.xml".as_ref(),
            ],
        );
        run.success();
        let lines: Vec<&str> = run.stdout.lines().map(str::trim).collect();
        let at = lines
            .iter()
            .position(|l| l.contains("=\"fuse.bridge.FuseProvider\""))
            .unwrap_or_else(|| panic!("{}: no bridge provider\n{}", f.name, run.stdout));
        assert!(lines[at - 1].starts_with("E: provider"), "{}", f.name);
        let attrs = &lines[at..at + 4];
        assert_eq!(
            attrs,
            [
                "A: android:name(0x01010003)=\"fuse.bridge.FuseProvider\" (Raw: \"fuse.bridge.FuseProvider\")",
                "A: android:exported(0x01010010)=(type 0x12)0x0",
                "A: android:authorities(0x01010018)=\"com.example.fuse.fuse\" (Raw: \"com.example.fuse.fuse\")",
                "A: android:initOrder(0x0101001a)=(type 0x10)0x7fffffff",
            ],
            "{}",
            f.name
        );
        assert_eq!(
            run.stdout.matches("fuse.bridge.FuseProvider").count(),
            2,
            "{}: exactly one bridge provider",
            f.name
        );
        // The app's own providers and application class are still there.
        if f.name == "min19-app-providers" {
            for own in [
                "com.example.fuse.FixtureApplication",
                "com.example.fuse.FirstProvider",
                "com.example.fuse.SecondProvider",
            ] {
                assert!(run.stdout.contains(own), "{own} lost");
            }
        }
    }
}

#[test]
fn dexdump_lists_the_bridge_in_the_new_classes_dex() {
    for f in fused() {
        let inputs = Archive::open(&f.input).unwrap();
        let dex_count = inputs
            .entries()
            .iter()
            .filter(|e| e.name.starts_with("classes") && e.name.ends_with(".dex"))
            .count();
        let want = format!("classes{}.dex", dex_count + 1);
        assert_eq!(bridge_name(f), want, "{}", f.name);
        let run = tool(
            "dexdump",
            ["-l".as_ref(), "plain".as_ref(), f.output.as_os_str()],
        );
        run.success();
        // "Opened 'x.apk:classesN.dex'" starts each file's section.
        let mut current = String::new();
        let mut classes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in run.stdout.lines() {
            if let Some(rest) = line.strip_prefix("Opened '") {
                current = rest
                    .split(':')
                    .nth(1)
                    .unwrap()
                    .split('\'')
                    .next()
                    .unwrap()
                    .to_owned();
            } else if let Some(d) = line.trim().strip_prefix("Class descriptor  : '") {
                classes
                    .entry(current.clone())
                    .or_default()
                    .push(d.trim_end_matches('\'').to_owned());
            }
        }
        let bridge = classes
            .get(&want)
            .unwrap_or_else(|| panic!("{}: {classes:?}", f.name));
        assert!(
            bridge.iter().any(|c| c == "Lfuse/bridge/FuseProvider;"),
            "{}: {bridge:?}",
            f.name
        );
        let others: Vec<&String> = classes
            .iter()
            .filter(|(dex, _)| **dex != want)
            .flat_map(|(_, c)| c)
            .collect();
        assert!(
            others.iter().all(|c| !c.starts_with("Lfuse/")),
            "{}: the bridge only in {want}",
            f.name
        );
        assert_eq!(classes.len(), dex_count + 1, "{}: {classes:?}", f.name);
    }
}

/// Raw (compressed) bytes of an entry as they sit in the file.
fn raw(a: &Archive, e: &fuse::zip::Entry) -> Vec<u8> {
    let mut buf = vec![0u8; e.compressed_size() as usize];
    a.read_at(e.data_offset, &mut buf).unwrap();
    buf
}

fn is_signature_file(name: &str) -> bool {
    fuse::apk::v1::is_signature_file(name)
}

#[test]
fn every_original_entry_is_copied_byte_for_byte_and_shims_are_stored_as_planned() {
    for f in fused() {
        let input = Archive::open(&f.input).unwrap();
        let output = Archive::open(&f.output).unwrap();
        for e in input.entries() {
            if e.name == "AndroidManifest.xml" || is_signature_file(&e.name) {
                continue;
            }
            let o = output
                .entry(&e.name)
                .unwrap_or_else(|| panic!("{}: {} lost", f.name, e.name));
            assert_eq!(
                (
                    o.central.method,
                    o.crc32(),
                    o.compressed_size(),
                    o.uncompressed_size()
                ),
                (
                    e.central.method,
                    e.crc32(),
                    e.compressed_size(),
                    e.uncompressed_size()
                ),
                "{}: {} header",
                f.name,
                e.name
            );
            assert!(
                raw(&input, e) == raw(&output, o),
                "{}: {} bytes",
                f.name,
                e.name
            );
        }
        // New entries: exactly the planned ones, nothing else.
        let mut added: Vec<&str> = output
            .entries()
            .iter()
            .map(|e| e.name.as_str())
            .filter(|n| input.entry(n).is_none() && !is_signature_file(n))
            .collect();
        added.sort_unstable();
        let mut want: Vec<String> = f
            .abis
            .iter()
            .map(|a| format!("lib/{a}/libfusepin.so"))
            .chain([
                "assets/fuse/origin.sha256".to_owned(),
                "assets/fuse/policy.bin".to_owned(),
                bridge_name(f),
            ])
            .collect();
        want.sort();
        assert_eq!(added, want, "{}", f.name);
        for abi in f.abis {
            let e = output.entry(&format!("lib/{abi}/libfusepin.so")).unwrap();
            let shim = fuse::payloads::android_shim(abi).unwrap();
            assert_eq!(
                output.read_entry(e, 16 << 20).unwrap(),
                shim,
                "{}: {abi} shim bytes",
                f.name
            );
            if f.stored {
                assert!(e.is_stored(), "{}: {abi} stored", f.name);
                assert_eq!(e.data_offset % 16384, 0, "{}: {abi} 16 KiB aligned", f.name);
            } else {
                assert!(!e.is_stored(), "{}: {abi} deflated", f.name);
            }
        }
        // The input's own native libraries keep their storage (extractNativeLibs).
        let stored_so = input
            .entries()
            .iter()
            .filter(|e| e.name.ends_with(".so"))
            .all(|e| e.is_stored() == f.stored);
        assert!(stored_so, "{}: fixture and expectation disagree", f.name);
        let bridge = output.entry(&bridge_name(f)).unwrap();
        assert_eq!(
            output.read_entry(bridge, 16 << 20).unwrap(),
            fuse::payloads::bridge_dex()
        );
    }
}

#[test]
fn androguard_reads_the_package_and_the_provider() {
    require_tool("python3");
    let script = r#"
import sys
try:
    from loguru import logger
    logger.remove()
    from androguard.core.apk import APK
except ImportError as e:
    sys.exit(f"androguard is not installed ({e}) — run: python3 -m pip install -r .ci/requirements.txt")
for path in sys.argv[1:]:
    apk = APK(path)
    assert apk.get_package() == "com.example.fuse", (path, apk.get_package())
    assert apk.get_androidversion_code() == "7", apk.get_androidversion_code()
    providers = apk.get_providers()
    assert providers.count("fuse.bridge.FuseProvider") == 1, (path, providers)
    attrs = [apk.get_attribute_value("provider", a, name="fuse.bridge.FuseProvider")
             for a in ("authorities", "exported", "initOrder")]
    assert attrs == ["com.example.fuse.fuse", "false", "2147483647"], attrs
    assert any(d.startswith("classes") for d in apk.get_dex_names())
    print("ok", path)
"#;
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script);
    for f in fused() {
        cmd.arg(&f.output);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.lines().count() == fused().len(),
        "androguard\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fusing_twice_is_fusing_once_and_the_same_inputs_give_the_same_bytes() {
    let fs = support::repo().join(PRODUCTION);
    let dir = tempdir();
    for f in fused() {
        let again = dir.path().join(format!("{}-again.apk", f.name));
        let twice = dir.path().join(format!("{}-twice.apk", f.name));
        let r_again = json(&build(&f.input, &fs, &again, &[]));
        let r_twice = json(&build(&f.output, &fs, &twice, &[]));
        let once = std::fs::read(&f.output).unwrap();
        assert!(
            std::fs::read(&again).unwrap() == once,
            "{}: not deterministic",
            f.name
        );
        assert!(
            std::fs::read(&twice).unwrap() == once,
            "{}: not idempotent",
            f.name
        );
        assert_eq!(r_again["buildId"], f.result["buildId"]);
        assert_eq!(r_twice["buildId"], f.result["buildId"], "{}", f.name);
        assert_eq!(
            r_twice["input"]["previousFusion"]["buildId"], f.result["buildId"],
            "{}",
            f.name
        );
        // The report facts say so: the previous fusion's entries come back unchanged.
        let changes = r_twice["changes"].as_array().unwrap();
        assert!(
            changes.iter().all(|c| c["role"] == "signature"),
            "{}: a re-fusion with the same inputs changes only the signature files: {changes:?}",
            f.name
        );
        assert!(
            r_twice["steps"].as_array().unwrap().is_empty(),
            "SOURCE_DATE_EPOCH: no durations"
        );
    }
}

#[test]
fn build_json_lists_every_change_with_hashes() {
    for f in fused() {
        let r = &f.result;
        assert_eq!(r["input"]["sha256"], support::sha256_file(&f.input));
        assert_eq!(r["output"]["sha256"], support::sha256_file(&f.output));
        let out = Archive::open(&f.output).unwrap();
        for c in r["changes"].as_array().unwrap() {
            let path = c["path"].as_str().unwrap();
            match c["change"].as_str().unwrap() {
                "added" | "changed" => {
                    let e = out
                        .entry(path)
                        .unwrap_or_else(|| panic!("{path} listed, absent"));
                    let sha = support::hex(&out.stream_sha256(e).unwrap());
                    assert_eq!(c["afterSha256"], sha, "{}: {path}", f.name);
                    assert_eq!(c["afterSize"], e.uncompressed_size(), "{}: {path}", f.name);
                }
                "removed" => assert!(out.entry(path).is_none() || is_signature_file(path)),
                other => panic!("{other}"),
            }
        }
        let manifest = r["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == "AndroidManifest.xml")
            .unwrap();
        assert_eq!(manifest["change"], "changed");
        assert_eq!(manifest["role"], "manifest");
        let warnings: Vec<&str> = r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            warnings.contains(&"MIN_SDK_BELOW_21"),
            f.min_sdk < 21,
            "{}: {warnings:?}",
            f.name
        );
        assert_eq!(
            warnings.contains(&"ABIS_ADDED"),
            f.abis.len() == 4,
            "{}",
            f.name
        );
        assert!(!warnings.contains(&"DEBUG_KEY"), "a keystore was given");
    }
}

#[test]
fn inspect_reads_back_what_build_did() {
    let apks = generated("apk");
    for f in fused() {
        let run = fuse_cmd(["--json", "inspect", f.output.to_str().unwrap()]).run();
        let i = json(&run);
        assert_eq!(i["fused"], true);
        assert_eq!(i["app"]["package"], "com.example.fuse");
        assert_eq!(i["app"]["minSdk"], f.min_sdk);
        assert_eq!(i["fusion"]["fusionSetId"], f.result["fusionSet"]["id"]);
        assert_eq!(i["fusion"]["buildId"], f.result["buildId"]);
        assert_eq!(i["fusion"]["policySha256"], f.result["policy"]["sha256"]);
        assert_eq!(i["fusion"]["originSha256"], f.result["input"]["sha256"]);
        assert_eq!(i["fusion"]["bridgeDex"], f.result["injection"]["bridgeDex"]);
        assert_eq!(
            i["signers"][0]["certSha256"],
            f.result["output"]["signer"]["certSha256"]
        );
        assert_eq!(i["signature"], "signed");
        assert_eq!(i["fusion"]["policyPath"], "assets/fuse/policy.bin");
        assert_eq!(i["fusion"]["policySize"], f.result["policy"]["size"]);
        assert_eq!(i["sha256"], f.result["output"]["sha256"]);
        let abis: Vec<&str> = i["abis"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(abis, f.abis);

        let before = json(&fuse_cmd(["--json", "inspect", f.input.to_str().unwrap()]).run());
        assert_eq!(before["fused"], false);
        assert!(before["fusion"].is_null());
    }
    // A real signed input: the signer is apksigner's key, from fuse's own verifier.
    let signed = apks.join("min21-native-stored-apksigner.apk");
    let i = json(&fuse_cmd(["--json", "inspect", signed.to_str().unwrap()]).run());
    assert_eq!(i["signature"], "signed", "{i}");
    assert_eq!(
        i["signers"][0]["certSha256"],
        support::sha256_file(&apks.join("apksigner-signer.der"))
    );
    assert_eq!(
        i["signers"][0]["schemes"],
        serde_json::json!(["v1", "v2", "v3"])
    );
    // Unsigned: a fact, not a failure.
    let unsigned = apks.join("min26-native-deflated.apk");
    let u = json(&fuse_cmd(["--json", "inspect", unsigned.to_str().unwrap()]).run());
    assert_eq!(u["signature"], "unsigned", "{u}");
    assert_eq!(u["signers"], serde_json::json!([]));
    let run = fuse_cmd(["inspect", unsigned.to_str().unwrap()]).run();
    run.success();
    assert!(run.stdout.contains("signature    unsigned"), "{run}");
    assert!(run.stdout.contains("fused        no"), "{run}");
    assert!(run.stdout.contains("signer       -"), "{run}");
}

#[test]
fn another_fusion_set_needs_replace() {
    let f = &fused()[2];
    let dir = tempdir();
    let staging = crate::support::good_fusion_set("staging");
    let out = dir.path().join("restaged.apk");
    let run = build(&f.output, &staging, &out, &[]);
    run.code(2);
    let line = run.one_error_line();
    assert!(
        line.contains("already fused with fusion set") && line.contains("--replace"),
        "{line}"
    );
    assert!(!out.exists());

    let r = json(&build(&f.output, &staging, &out, &["--replace"]));
    assert_eq!(
        r["input"]["previousFusion"]["fusionSetId"],
        f.result["fusionSet"]["id"]
    );
    let i = json(&fuse_cmd(["--json", "inspect", out.to_str().unwrap()]).run());
    assert_eq!(i["fusion"]["fusionSetId"], r["fusionSet"]["id"]);
    assert_ne!(r["fusionSet"]["id"], f.result["fusionSet"]["id"]);
    // Still one bridge, one policy, the same dex position.
    assert_eq!(
        r["injection"]["bridgeDex"],
        f.result["injection"]["bridgeDex"]
    );
    tool(
        "apksigner",
        [
            "verify".as_ref(),
            "--min-sdk-version".as_ref(),
            "21".as_ref(),
            out.as_os_str(),
        ],
    )
    .success();
}

#[test]
fn the_debug_key_is_used_with_a_warning_when_no_key_is_given() {
    let f = &fused()[3];
    let dir = tempdir();
    // No -o: the output is `<stem>-fused.apk` beside the input.
    let input = dir.path().join("app.apk");
    std::fs::copy(&f.input, &input).unwrap();
    let fs = support::repo().join(PRODUCTION);
    let run = fuse_cmd([
        "build",
        input.to_str().unwrap(),
        "--fusion-set",
        fs.to_str().unwrap(),
    ])
    .env("FUSE_CONFIG_DIR", dir.path().join("config"))
    .run();
    run.success();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(
        warnings.iter().filter(|l| l.contains("debug key")).count(),
        1,
        "{run}"
    );
    assert!(run.stdout.starts_with("fused "), "{run}");
    assert!(dir.path().join("app-fused.apk").is_file(), "{run}");
    // An existing output is not overwritten without --force.
    let again = fuse_cmd([
        "build",
        input.to_str().unwrap(),
        "--fusion-set",
        fs.to_str().unwrap(),
    ])
    .env("FUSE_CONFIG_DIR", dir.path().join("config"))
    .run();
    again.code(1);
    assert!(again.one_error_line().contains("--force"), "{again}");
}

#[test]
fn bundles_and_ios_apps_go_to_their_own_pipelines() {
    let dir = tempdir();
    let fs = support::repo().join(PRODUCTION);
    // A "bundle" named .apk: the AAB pipeline reads it and says what is missing.
    let path = dir.path().join("bundle.apk");
    crate::android_hostile::write_zip(
        &path,
        &[(
            "base/manifest/AndroidManifest.xml".to_owned(),
            b"x".to_vec(),
            false,
        )],
    );
    let out = dir.path().join("out.apk");
    let run = build(&path, &fs, &out, &[]);
    run.code(3);
    assert!(run.one_error_line().contains("BundleConfig.pb"), "{run}");
    assert!(!out.exists());
    // An iOS app named .apk: the IPA pipeline refuses the Android key flags first.
    let path = dir.path().join("app.apk");
    crate::android_hostile::write_zip(
        &path,
        &[(
            "Payload/App.app/Info.plist".to_owned(),
            b"x".to_vec(),
            false,
        )],
    );
    let run = build(&path, &fs, &out, &[]);
    run.code(2);
    assert!(
        run.one_error_line().contains("Android signing flags"),
        "{run}"
    );
    assert!(!out.exists());
}
