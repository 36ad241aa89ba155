//! The whole chain, fusion-set JSON → blocked MITM connection, through a fused APK
//! (issue 6 acceptance; DESIGN §7): a fusion set pinning the shared test chains is
//! compiled by `fuse build` into `min21-native-stored.apk`; the bridge DEX (`classes3.dex`)
//! and `assets/fuse/policy.bin` are taken **out of the fused APK** and run by the JVM
//! harness of `jvm_bridge.rs` with the host build of the shim standing in for the
//! device one (same source: the APK's `lib/<abi>/libfusepin.so` are the prebuilt files).
//! The pinned chain passes; a MITM chain is blocked with `PIN_MISMATCH` and a threat
//! event carrying the build's fusion set id and build id.

use std::fs;

use fuse::zip::Archive;

use crate::android_build::{build, json};
use crate::jvm_bridge::{BridgeInputs, host_shim, run_bridge};
use crate::support::{generated, tempdir};

fn pin(chain: &str, role: &str) -> String {
    let text = fs::read_to_string(generated("chains").join(chain).join("pins.txt")).unwrap();
    text.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(role))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no {role} pin for {chain}"))
        .to_owned()
}

#[test]
fn fusion_set_json_to_blocked_mitm_through_a_fused_apk() {
    let dir = tempdir();
    let fusion_set = dir.path().join("fs.json");
    fs::write(
        &fusion_set,
        format!(
            r#"{{
  "fusionSetId": "jvm-e2e-through-apk",
  "name": "End to end through a fused APK",
  "stage": "production",
  "CertificatePinning": {{
    "detection": true,
    "threatEvents": "defense",
    "action": "alert",
    "title": "Connection not secure",
    "message": "Intercepted.",
    "buttons": ["OK"], "actions": ["dismiss"], "redirects": [null],
    "externalID": "cp-apk-e2e",
    "domains": [
      {{ "host": "api.example.test", "pins": ["{}", "{}"] }}
    ]
  }}
}}
"#,
            pin("good", "root"),
            pin("backup", "root")
        ),
    )
    .unwrap();
    let input = generated("apk").join("min21-native-stored.apk");
    let apk = dir.path().join("fused.apk");
    let result = json(&build(&input, &fusion_set, &apk, &[]));
    let build_id = result["buildId"].as_str().unwrap().to_owned();

    // Take the bridge and the policy out of the fused APK.
    let archive = Archive::open(&apk).unwrap();
    let bridge_name = result["injection"]["bridgeDex"].as_str().unwrap();
    assert_eq!(bridge_name, "classes3.dex");
    let dex = dir.path().join("from-apk.dex");
    fs::write(
        &dex,
        archive
            .read_entry(archive.entry(bridge_name).unwrap(), 16 << 20)
            .unwrap(),
    )
    .unwrap();
    let policy = archive
        .read_entry(archive.entry("assets/fuse/policy.bin").unwrap(), 1 << 20)
        .unwrap();
    // The device shims in the APK are the prebuilt ones built from the same source as
    // the host shim the JVM loads.
    for abi in ["arm64-v8a", "armeabi-v7a"] {
        let e = archive.entry(&format!("lib/{abi}/libfusepin.so")).unwrap();
        assert_eq!(
            archive.read_entry(e, 16 << 20).unwrap(),
            fuse::payloads::android_shim(abi).unwrap()
        );
    }

    let r = run_bridge(
        &BridgeInputs {
            dex,
            shim_dir: host_shim(),
        },
        &policy,
        &[
            ("pinned", "url", "good", "api.example.test"),
            ("backup", "url", "backup", "api.example.test"),
            ("mitm", "url", "mitm", "api.example.test"),
            ("burp", "socket", "portswigger", "api.example.test"),
            ("unpinned", "url", "mitm", "localhost"),
        ],
        &[],
        0,
    );
    for id in ["pinned", "backup", "unpinned"] {
        let (status, detail) = r.conn(id);
        assert_eq!(status, "ok", "{id}: {detail}");
        assert_eq!(r.count("EVENT", id), 0, "{id}: nothing raised");
    }
    for id in ["mitm", "burp"] {
        let (status, detail) = r.conn(id);
        assert_eq!(status, "blocked", "{id}: {detail}");
        assert!(detail.contains("fuse: PIN_MISMATCH"), "{id}: {detail}");
        let events = r.events(id);
        assert_eq!(events.len(), 1, "{id}: one threat event");
        let get = |k: &str| {
            events[0]
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{id}: event lacks {k}"))
        };
        assert_eq!(get("fusionSetId"), "jvm-e2e-through-apk");
        assert_eq!(
            get("fusedAppToken"),
            build_id,
            "the build id travels in the policy"
        );
        assert_eq!(get("externalID"), "cp-apk-e2e");
        assert_eq!(get("reasonCode"), "PIN_MISMATCH");
        assert_eq!(
            r.first("DIALOG", id)[..3],
            ["Connection not secure", "Intercepted.", "OK"]
        );
    }
}
