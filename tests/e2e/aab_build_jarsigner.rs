//! `fuse build app.aab` end to end through the CLI: the output passes `jarsigner -verify
//! -strict` (trusting the signer's keystore, see `aab_jarsigner_parity` for why), `protoc`
//! decodes the provider and the native targeting, `unzip` finds the injected files with
//! the prebuilt bytes and the policy compiled from the fusion set, the report is written
//! beside the output and `fuse verify --report` accepts the pair.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::aab_protoc_parity::{protoc_decode, unzip_entry};
use crate::support::{self, Run, fuse, fuse_cmd, generated, tempdir};

const EPOCH: &str = "1767225600"; // 2026-01-01T00:00:00Z
const PASS: &str = "fuse-test-pass";

/// `jarsigner -verify -strict -keystore KS -storepass PASS AAB` must exit 0 with
/// "jar verified." and no error.
#[track_caller]
fn assert_jarsigner_strict(aab: &Path, keystore: &Path, store_pass: &str) {
    support::require_tool("jarsigner");
    let out = Command::new("jarsigner")
        .args(["-verify", "-strict", "-keystore"])
        .arg(keystore)
        .args(["-storepass", store_pass])
        .arg(aab)
        .output()
        .expect("run jarsigner");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "jarsigner -verify -strict:\n{text}"
    );
    assert!(
        text.contains("jar verified.") && !text.contains("Error:"),
        "{text}"
    );
}

fn build(input: &Path, extra: &[&str], config: &Path) -> Run {
    let mut args = vec![
        "build".to_owned(),
        input.display().to_string(),
        "--fusion-set".into(),
        crate::support::good_fusion_set("production")
            .display()
            .to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    fuse_cmd(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("FUSE_CONFIG_DIR", config)
        .run()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn fuse_build_aab_passes_jarsigner_strict_and_its_report_verifies() {
    let dir = tempdir();
    // The default output and report names are beside the input.
    let input = dir.path().join("app.aab");
    std::fs::copy(generated("aab").join("app.aab"), &input).unwrap();
    let keystore = generated("keys").join("rsa2048.p12");
    let run = build(
        &input,
        &[
            "--ks",
            keystore.to_str().unwrap(),
            "--ks-pass",
            &format!("pass:{PASS}"),
        ],
        &dir.path().join("config"),
    );
    run.success();
    let out = dir.path().join("app-fused.aab");
    let json = dir.path().join("app-fused.certified.json");
    let pdf = dir.path().join("app-fused.certified.pdf");
    for path in [&out, &json, &pdf] {
        assert!(
            run.stdout.contains(path.to_str().unwrap()),
            "{} not printed\n{run}",
            path.display()
        );
        assert!(path.is_file(), "{}", path.display());
    }
    assert!(!run.stderr.contains("warning:"), "{run}");

    assert_jarsigner_strict(&out, &keystore, PASS);

    // The injected files, as unzip reads them: the prebuilt bridge and shims, and the
    // policy compiled from the fusion set with the report's build id.
    let report = read_json(&json);
    assert_eq!(report["input"]["format"], "aab");
    assert_eq!(
        unzip_entry(&out, "base/dex/classes2.dex"),
        fuse::payloads::bridge_dex()
    );
    for abi in ["arm64-v8a", "x86_64"] {
        assert_eq!(
            unzip_entry(&out, &format!("base/lib/{abi}/libfusepin.so")),
            fuse::payloads::android_shim(abi).unwrap(),
            "{abi}"
        );
    }
    let policy = fuse_policy::decode(&unzip_entry(&out, "base/assets/fuse/policy.bin")).unwrap();
    assert_eq!(policy.fusion_set_id, "6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11");
    assert_eq!(policy.build_id, report["buildId"].as_str().unwrap());
    assert_eq!(policy.build_date_unix, EPOCH.parse::<i64>().unwrap());

    // The manifest's provider, by protoc against the upstream message definitions.
    let manifest = protoc_decode(
        Some("aapt.pb.XmlNode"),
        &unzip_entry(&out, "base/manifest/AndroidManifest.xml"),
    );
    assert!(
        manifest.contains("value: \"fuse.bridge.FuseProvider\"")
            && manifest.contains("resource_id: 16842778"),
        "{manifest}"
    );

    // The pair verifies; the plain verifier agrees.
    let run = fuse([
        "verify",
        out.to_str().unwrap(),
        "--report",
        json.to_str().unwrap(),
    ]);
    run.success();
    assert!(run.stdout.contains("matches"), "{run}");
    fuse(["verify", out.to_str().unwrap()]).success();
}

#[test]
fn fuse_build_aab_with_the_debug_key_adds_abis_and_says_so() {
    let dir = tempdir();
    let config = dir.path().join("config");
    let out = dir.path().join("fused.aab");
    let run = build(
        &generated("aab").join("nolibs.aab"),
        &["-o", out.to_str().unwrap(), "--no-pdf"],
        &config,
    );
    run.success();
    // The debug keystore is PKCS#12 with Android's well-known password: jarsigner trusts
    // the signer through it.
    let debug_ks = config.join(fuse::keys::DEBUG_KEY_FILE);
    assert_jarsigner_strict(&out, &debug_ks, fuse::keys::DEBUG_KEY_PASSWORD);

    let native = protoc_decode(
        Some("android.bundle.NativeLibraries"),
        &unzip_entry(&out, "base/native.pb"),
    );
    for alias in ["ARM64_V8A", "ARMEABI_V7A", "X86", "X86_64"] {
        assert!(native.contains(&format!("alias: {alias}\n")), "{native}");
    }

    let json = dir.path().join("fused.certified.json");
    assert!(!dir.path().join("fused.certified.pdf").exists(), "--no-pdf");
    let report = read_json(&json);
    let codes: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"DEBUG_KEY") && codes.contains(&"ABIS_ADDED"),
        "{codes:?}"
    );
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("warning: "))
            .count(),
        codes.len(),
        "{run}"
    );
    assert_eq!(report["output"]["keySource"], "debugKey");
    assert_eq!(
        report["input"]["android"]["abisAdded"],
        serde_json::json!(["arm64-v8a", "armeabi-v7a", "x86", "x86_64"])
    );
    fuse([
        "verify",
        out.to_str().unwrap(),
        "--report",
        json.to_str().unwrap(),
    ])
    .success();
}
