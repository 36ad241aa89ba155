//! `fuse`'s APK signatures against Android's own tools: `apksigner verify` accepts every
//! fixture signed with every key type (v1 exactly when minSdk < 24), `zipalign -c -p 4`
//! accepts the layout, and the v1 files are byte-identical to apksigner's.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fuse::zip::Archive;

use crate::support::{fuse, fuse_cmd, generated, tempdir, tool};

pub const FIXTURES: [(&str, u32); 4] = [
    ("min16-v1sha1", 16),
    ("min19-app-providers", 19),
    ("min21-native-stored", 21),
    ("min26-native-deflated", 26),
];
pub const KEYS: [&str; 3] = ["rsa2048", "rsa4096", "ec-p256"];
pub const SOURCE_DATE_EPOCH: &str = "1700000000";

/// `fuse sign --json` with a keytool PKCS#12 of `testdata/keys`; the parsed result.
pub fn try_sign(input: &Path, key: &str, out: &Path) -> crate::support::Run {
    let keys = generated("keys");
    let ks = keys.join(format!("{key}.p12"));
    fuse_cmd([
        "--json",
        "sign",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--force",
        "--ks",
        ks.to_str().unwrap(),
        "--ks-pass",
        "pass:fuse-test-pass",
    ])
    .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    .run()
}

pub fn sign(input: &Path, key: &str, out: &Path) -> serde_json::Value {
    let run = try_sign(input, key, out);
    run.success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{run}"))
}

/// A signed output, the fixture's minSdk, the key name.
type SignedCase = (PathBuf, u32, &'static str);

/// Every fixture × key type signed once per test run (EC below API 18 is refused).
fn signed_matrix() -> &'static [SignedCase] {
    static SIGNED: OnceLock<(tempfile::TempDir, Vec<SignedCase>)> = OnceLock::new();
    &SIGNED
        .get_or_init(|| {
            let dir = generated("apk");
            let t = tempdir();
            let mut out = Vec::new();
            for (fixture, min) in FIXTURES {
                for k in KEYS {
                    if k == "ec-p256" && min < 18 {
                        continue;
                    }
                    let o = t.path().join(format!("{fixture}-{k}.apk"));
                    sign(&dir.join(format!("{fixture}.apk")), k, &o);
                    out.push((o, min, k));
                }
            }
            (t, out)
        })
        .1
}

fn apksigner_schemes(apk: &Path, min: u32) -> (bool, bool, bool) {
    let run = tool(
        "apksigner",
        [
            "verify",
            "-v",
            "--min-sdk-version",
            &min.to_string(),
            apk.to_str().unwrap(),
        ],
    );
    run.success();
    let flag = |scheme: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(&format!("Verified using {scheme} scheme")))
            .unwrap_or_else(|| panic!("no {scheme} line\n{run}"))
            .ends_with("true")
    };
    (flag("v1"), flag("v2"), flag("v3"))
}

#[test]
fn every_fixture_and_key_passes_apksigner_zipalign_and_fuse_verify() {
    for (apk, min, key) in signed_matrix() {
        let (v1, v2, v3) = apksigner_schemes(apk, *min);
        assert_eq!(v1, *min < 24, "{}: v1 iff minSdk < 24", apk.display());
        assert!(v2 && v3, "{}: v2 and v3", apk.display());
        tool("zipalign", ["-c", "-p", "4", apk.to_str().unwrap()]).success();
        let run = fuse(["--json", "verify", apk.to_str().unwrap()]);
        run.success();
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let want_alg = match *key {
            "rsa2048" => 0x0103,
            "rsa4096" => 0x0104,
            _ => 0x0201,
        };
        assert_eq!(
            v["signatureAlgorithms"],
            serde_json::json!([want_alg]),
            "{run}"
        );
        assert_eq!(
            v["v3SdkRange"],
            serde_json::json!([24, 0x7fff_ffff]),
            "{run}"
        );
    }
    let keys_used: std::collections::BTreeSet<_> = signed_matrix().iter().map(|s| s.2).collect();
    assert_eq!(keys_used.len(), 3);
}

#[test]
fn ec_key_below_api_18_is_refused_like_apksigner() {
    let dir = generated("apk");
    let t = tempdir();
    let out = t.path().join("out.apk");
    let run = try_sign(&dir.join("min16-v1sha1.apk"), "ec-p256", &out);
    run.code(5);
    assert!(run.one_error_line().contains("minSdkVersion 18"), "{run}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(t.path()).unwrap().count(),
        0,
        "temp file left behind"
    );
}

fn entry(apk: &Path, name: &str) -> Vec<u8> {
    let a = Archive::open(apk).unwrap();
    let e = a
        .entry(name)
        .unwrap_or_else(|| panic!("{name} missing in {}", apk.display()));
    a.read_entry(e, 1 << 24).unwrap()
}

#[test]
fn v1_files_are_byte_identical_to_apksigners() {
    let dir = generated("apk");
    let keys = generated("keys");
    let t = tempdir();
    for fixture in ["min16-v1sha1", "min19-app-providers"] {
        let input = dir.join(format!("{fixture}.apk"));
        let theirs = t.path().join(format!("{fixture}-apksigner.apk"));
        tool(
            "apksigner",
            [
                "sign",
                "--ks",
                keys.join("rsa2048.p12").to_str().unwrap(),
                "--ks-pass",
                "pass:fuse-test-pass",
                "--ks-key-alias",
                "rsa2048",
                "--out",
                theirs.to_str().unwrap(),
                input.to_str().unwrap(),
            ],
        )
        .success();
        let ours = t.path().join(format!("{fixture}-fuse.apk"));
        sign(&input, "rsa2048", &ours);
        // Both name the v1 files after the key alias (apksigner's default).
        for name in [
            "META-INF/MANIFEST.MF",
            "META-INF/RSA2048.SF",
            "META-INF/RSA2048.RSA",
        ] {
            assert!(
                entry(&ours, name) == entry(&theirs, name),
                "{fixture}: {name} differs from apksigner's\nours:\n{}\ntheirs:\n{}",
                String::from_utf8_lossy(&entry(&ours, name)),
                String::from_utf8_lossy(&entry(&theirs, name))
            );
        }
    }
}

#[test]
fn signing_is_deterministic() {
    let dir = generated("apk");
    let t = tempdir();
    for (k, fixture) in [
        ("rsa2048", "min19-app-providers"),
        ("ec-p256", "min21-native-stored"),
    ] {
        let input = dir.join(format!("{fixture}.apk"));
        let a = t.path().join("a.apk");
        let b = t.path().join("b.apk");
        let ra = sign(&input, k, &a);
        let rb = sign(&input, k, &b);
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{k} {fixture}"
        );
        // The reported SHA-256 and size are those of the file on disk.
        assert_eq!(ra["sha256"], crate::support::sha256_file(&a));
        assert_eq!(ra["sha256"], rb["sha256"]);
        assert_eq!(ra["size"], std::fs::metadata(&a).unwrap().len());
        assert_eq!(ra["keyOrigin"]["kind"], "keystore");
    }
}
