//! `fuse`'s APK signatures against Android's own `apksigner verify` and `zipalign -c`.

use std::path::{Path, PathBuf};

use fuse::apk::{NoProgress, Plan, SignOptions, write_signed};
use fuse::zip::Archive;

use crate::support::{generated, tempdir, tool};
use crate::test_key::TestKey;

fn sign_lib(input: &Path, key: &TestKey, out: &Path) {
    let archive = Archive::open(input).unwrap();
    let mut file = std::fs::File::create(out).unwrap();
    let opts = SignOptions {
        time: fuse::zip::DosTime::DEFAULT,
        ..SignOptions::default()
    };
    write_signed(
        &archive,
        &Plan::default(),
        key,
        &opts,
        &mut file,
        &NoProgress,
    )
    .unwrap();
}

fn fixtures() -> Vec<(PathBuf, u32)> {
    let dir = generated("apk");
    [
        ("min16-v1sha1", 16),
        ("min19-app-providers", 19),
        ("min21-native-stored", 21),
        ("min26-native-deflated", 26),
    ]
    .into_iter()
    .map(|(n, m)| (dir.join(format!("{n}.apk")), m))
    .collect()
}

#[test]
fn quick_smoke() {
    let keys = generated("keys");
    let t = tempdir();
    let key = TestKey::from_p12(&keys.join("rsa2048.p12"), t.path());
    for (apk, min) in fixtures() {
        let out = t.path().join("out.apk");
        sign_lib(&apk, &key, &out);
        let r = tool(
            "apksigner",
            [
                "verify",
                "-v",
                "--min-sdk-version",
                &min.to_string(),
                out.to_str().unwrap(),
            ],
        );
        println!("{}", r);
        r.success();
        tool("zipalign", ["-c", "-p", "4", out.to_str().unwrap()]).success();
        let a = Archive::open(&out).unwrap();
        fuse::apk::verify(&a, None).unwrap();
    }
}
