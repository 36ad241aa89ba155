//! `fuse sign` / `fuse verify` as a user meets them: default output name, --force, the
//! input never touched, AAB/IPA recognised (not misread), debug-key warning, JSON.

use std::path::Path;

use fuse::zip::{Compression, DosTime, ZipWriter};

use crate::support::{fuse, fuse_cmd, generated, sha256_file, tempdir};

fn ks_args(keys: &Path) -> Vec<String> {
    vec![
        "--ks".into(),
        keys.join("rsa2048.p12").to_str().unwrap().into(),
        "--ks-pass".into(),
        "pass:fuse-test-pass".into(),
    ]
}

#[test]
fn default_output_is_stem_signed_and_existing_output_needs_force() {
    let t = tempdir();
    let keys = generated("keys");
    let input = t.path().join("app.apk");
    std::fs::copy(generated("apk").join("min21-native-stored.apk"), &input).unwrap();
    let before = sha256_file(&input);
    let mut args = vec!["sign".to_string(), input.to_str().unwrap().into()];
    args.extend(ks_args(&keys));

    let run = fuse(&args);
    run.success();
    let out = t.path().join("app-signed.apk");
    assert!(out.is_file(), "{run}");
    fuse(["verify", out.to_str().unwrap()]).success();
    let first = sha256_file(&out);

    let again = fuse(&args);
    again.code(1);
    assert!(again.one_error_line().contains("--force"), "{again}");
    assert_eq!(
        sha256_file(&out),
        first,
        "existing output changed without --force"
    );

    args.push("--force".into());
    fuse(&args).success();
    assert_eq!(sha256_file(&input), before, "the input changed");
    let leftovers: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".fuse-"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn output_onto_the_input_is_refused() {
    let t = tempdir();
    let keys = generated("keys");
    let input = t.path().join("app.apk");
    std::fs::copy(generated("apk").join("min26-native-deflated.apk"), &input).unwrap();
    let before = sha256_file(&input);
    let mut args = vec![
        "sign".to_string(),
        input.to_str().unwrap().into(),
        "-o".into(),
        input.to_str().unwrap().into(),
        "--force".into(),
    ];
    args.extend(ks_args(&keys));
    let run = fuse(&args);
    run.code(1);
    assert!(
        run.one_error_line().contains("never modifies its input"),
        "{run}"
    );
    assert_eq!(sha256_file(&input), before);
}

fn zip_with(path: &Path, names: &[&str]) {
    let mut w = ZipWriter::new(Vec::new(), DosTime::DEFAULT);
    for n in names {
        w.add_entry(n, b"content", Compression::Deflated, 4)
            .unwrap();
    }
    let at = w.offset();
    let (cd, eocd) = w.finish_records(at).unwrap();
    let mut bytes = w.into_inner();
    bytes.extend_from_slice(&cd);
    bytes.extend_from_slice(&eocd);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn aab_and_ipa_are_recognised_and_not_misdetected() {
    let t = tempdir();
    let aab = t.path().join("bundle.apk"); // the extension lies; content decides
    zip_with(
        &aab,
        &[
            "BundleConfig.pb",
            "base/manifest/AndroidManifest.xml",
            "base/dex/classes.dex",
        ],
    );
    let ipa = t.path().join("app.zip");
    zip_with(
        &ipa,
        &["Payload/Demo.app/Info.plist", "Payload/Demo.app/Demo"],
    );
    let other = t.path().join("other.apk");
    zip_with(&other, &["readme.txt"]);
    // Bundles are handled by the AAB reader (src/aab): this one's garbage BundleConfig.pb
    // is refused as a bad bundle, despite the .apk extension.
    for cmd in ["sign", "verify"] {
        let run = fuse([cmd, aab.to_str().unwrap()]);
        run.code(3);
        assert!(run.one_error_line().contains("BundleConfig.pb"), "{run}");
    }
    // The IPA (named .zip) goes to the iOS reader, which refuses its garbage Info.plist.
    for cmd in ["sign", "verify"] {
        let run = fuse([cmd, ipa.to_str().unwrap()]);
        run.code(3);
        assert!(run.one_error_line().contains("Info.plist"), "{run}");
    }
    let run = fuse(["verify", other.to_str().unwrap()]);
    run.code(3);
    assert!(run.one_error_line().contains("neither an APK"), "{run}");
}

#[test]
fn debug_key_signs_with_one_warning_and_json_names_it() {
    let t = tempdir();
    let input = generated("apk").join("min19-app-providers.apk");
    let out = t.path().join("debug-signed.apk");
    let config = t.path().join("config");
    let run = fuse_cmd([
        "--json",
        "sign",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .env("FUSE_CONFIG_DIR", &config)
    .run();
    run.success();
    let warnings: Vec<_> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "{run}");
    assert!(warnings[0].contains("debug key"), "{run}");
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["keyOrigin"]["kind"], "debug");
    assert_eq!(v["schemes"], serde_json::json!(["v1", "v2", "v3"]));
    assert_eq!(v["sha256"], sha256_file(&out));
    fuse(["verify", out.to_str().unwrap()]).success();
}

#[test]
fn verify_failure_is_exit_6_naming_the_check_with_nothing_on_stdout() {
    let t = tempdir();
    let unsigned = generated("apk").join("min26-native-deflated.apk");
    let run = fuse(["--json", "verify", unsigned.to_str().unwrap()]);
    run.code(6);
    assert!(run.stdout.trim().is_empty(), "{run}");
    assert!(run.one_error_line().contains("not signed"), "{run}");

    // v2 stripped from an APK whose v1 says it had v2 and v3: stripping protection.
    let signed = generated("apk").join("min16-v1sha1-apksigner.apk");
    let a = fuse::zip::Archive::open(&signed).unwrap();
    let block = a.signing_block().unwrap();
    let mut bytes = std::fs::read(&signed).unwrap();
    // Re-label the v2 and v3 pairs as unknown ids: both schemes vanish for a verifier.
    let mut pos = block.start as usize + 8;
    while pos < block.end as usize - 24 {
        let len = u64::from_le_bytes(bytes[pos..pos + 8].try_into().unwrap()) as usize;
        let id = &mut bytes[pos + 8..pos + 12];
        if id == 0x7109_871au32.to_le_bytes() || id == 0xf053_68c0u32.to_le_bytes() {
            id.copy_from_slice(&0x1234_5678u32.to_le_bytes());
        }
        pos += 8 + len;
    }
    let stripped = t.path().join("stripped.apk");
    std::fs::write(&stripped, bytes).unwrap();
    let run = fuse(["verify", stripped.to_str().unwrap()]);
    run.code(6);
    assert!(
        run.one_error_line().contains("stripping protection"),
        "{run}"
    );
}
