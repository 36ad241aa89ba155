//! The API `fuse build` calls: `apk::sign_file` with a plan that replaces, adds and
//! removes entries; apksigner and zipalign accept the result and the reported changes and
//! hashes match the file.

use fuse::apk::{Change, NewEntry, NoProgress, Plan, SignOptions, open_apk, sign_file};
use fuse::keys::{KeySource, PasswordSpec};
use fuse::zip::{Archive, Compression, DosTime};
use sha2::{Digest, Sha256};

use crate::support::{generated, hex, sha256_file, tempdir, tool};

#[test]
fn plan_replaces_adds_and_removes_and_apksigner_accepts_it() {
    let dir = generated("apk");
    let keys = generated("keys");
    let t = tempdir();
    let input_path = dir.join("min21-native-stored.apk");
    let input = open_apk(&input_path, "build").unwrap();
    let manifest = input
        .read_entry(input.entry("AndroidManifest.xml").unwrap(), 1 << 20)
        .unwrap();
    let identity = fuse::keys::load(&KeySource::Keystore {
        path: keys.join("ec-p256.p12"),
        store_pass: PasswordSpec::parse("pass:fuse-test-pass").unwrap(),
        alias: None,
        key_pass: None,
    })
    .unwrap();
    let so = vec![0x7fu8; 5000];
    let plan = Plan {
        remove: ["classes2.dex".to_owned()].into(),
        put: vec![
            NewEntry {
                name: "lib/arm64-v8a/libfusepin.so".into(),
                data: so.clone(),
                compression: Compression::Stored,
                alignment: None,
            },
            NewEntry {
                name: "assets/fuse/policy.bin".into(),
                data: b"policy".repeat(100),
                compression: Compression::Deflated,
                alignment: None,
            },
            NewEntry {
                name: "AndroidManifest.xml".into(),
                data: manifest.clone(),
                compression: Compression::Deflated,
                alignment: None,
            },
        ],
        late: None,
        input_digest: None,
    };
    let opts = SignOptions {
        time: DosTime::from_unix(1_700_000_000),
        ..SignOptions::default()
    };
    let out = t.path().join("planned.apk");
    let (signed, verified) =
        sign_file(&input, &out, false, &plan, &identity, &opts, &NoProgress).unwrap();

    assert_eq!(hex(&signed.sha256), sha256_file(&out));
    assert_eq!(verified.signer_cert_sha256, signed.signer_cert_sha256);
    tool(
        "apksigner",
        ["verify", "--min-sdk-version", "21", out.to_str().unwrap()],
    )
    .success();
    tool("zipalign", ["-c", "-p", "4", out.to_str().unwrap()]).success();

    let a = Archive::open(&out).unwrap();
    assert!(a.entry("classes2.dex").is_none());
    let lib = a.entry("lib/arm64-v8a/libfusepin.so").unwrap();
    assert!(lib.is_stored() && lib.data_offset.is_multiple_of(16384));
    // The manifest stays first (replaced in place); added entries follow the kept ones
    // sorted by name, then the v1 files.
    let mut order: Vec<&fuse::zip::Entry> = a.entries().iter().collect();
    order.sort_by_key(|e| e.local_offset);
    let names: Vec<&str> = order.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names[0], "AndroidManifest.xml");
    let policy = names
        .iter()
        .position(|n| *n == "assets/fuse/policy.bin")
        .unwrap();
    let lib_pos = names
        .iter()
        .position(|n| *n == "lib/arm64-v8a/libfusepin.so")
        .unwrap();
    assert_eq!(lib_pos, policy + 1);
    assert!(names[lib_pos + 1].starts_with("META-INF/"));

    let change = |n: &str| signed.changes.iter().find(|c| c.name == n).unwrap();
    assert_eq!(change("classes2.dex").change, Change::Removed);
    assert_eq!(change("AndroidManifest.xml").change, Change::Replaced);
    let added = change("lib/arm64-v8a/libfusepin.so");
    assert_eq!(added.change, Change::Added);
    assert_eq!(
        added.after_sha256.as_deref(),
        Some(hex(&Sha256::digest(&so)).as_str())
    );
    assert_eq!(
        change("AndroidManifest.xml").before_sha256,
        change("AndroidManifest.xml").after_sha256
    );
}
