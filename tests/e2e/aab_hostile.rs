//! Hostile and invalid bundles (testdata/aab README, "Hostile bundles"): every command
//! exits 3 with one clear line and writes nothing.

use crate::support;

const CASES: [(&str, &str); 12] = [
    (
        "bad-manifest-truncated.aab",
        "base/manifest/AndroidManifest.xml is not a valid aapt.pb.XmlNode protobuf: buffer underflow",
    ),
    ("bad-manifest-wire-type.aab", "invalid wire type"),
    ("bad-manifest-deep.aab", "recursion limit reached"),
    ("bad-manifest-oversized-length.aab", "buffer underflow"),
    (
        "bad-missing-base-manifest.aab",
        "module \"base\" has no base/manifest/AndroidManifest.xml",
    ),
    ("bad-duplicate-modules.aab", "case"),
    ("bad-duplicate-split.aab", "both declare split=\"feature\""),
    (
        "bad-dex-gap.aab",
        "expected classes2.dex but found classes3.dex",
    ),
    ("bad-abi-mismatch.aab", "different ABIs"),
    (
        "bad-native-pb.aab",
        "base/native.pb is not a valid android.bundle.NativeLibraries protobuf",
    ),
    ("bad-bundle-config.aab", "BundleConfig.pb is not a valid"),
    ("bad-no-bundle-config.aab", ""),
];

#[test]
fn hostile_bundles_exit_3_with_one_line_and_no_output() {
    let fixtures = support::generated("aab");
    let dir = support::tempdir();
    for (file, want) in CASES {
        let input = fixtures.join(file);
        let out = dir.path().join(format!("out-{file}"));
        for args in [
            vec![
                "sign".to_owned(),
                input.display().to_string(),
                "-o".into(),
                out.display().to_string(),
            ],
            vec!["verify".to_owned(), input.display().to_string()],
            vec!["inspect".to_owned(), input.display().to_string()],
            vec![
                "build".to_owned(),
                input.display().to_string(),
                "--fusion-set".into(),
                crate::support::good_fusion_set("production")
                    .display()
                    .to_string(),
                "-o".into(),
                out.display().to_string(),
            ],
        ] {
            let run = support::fuse_cmd(&args)
                .env("FUSE_CONFIG_DIR", dir.path().join("cfg"))
                .run();
            run.code(3);
            let line = run.one_error_line();
            assert!(line.contains(want), "{file} {args:?}: {line}");
            assert!(line.len() < 600, "{file}: overlong line {}", line.len());
            assert!(!out.exists(), "{file}: output written");
        }
    }
    // Nothing but the key directory appeared.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.iter().all(|n| n == "cfg"), "{left:?}");
}
